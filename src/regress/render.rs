//! Renderers of a [`Diff`]: plain text for people (grouped: settings, documents, lost,
//! found, changed, coverage; passage text wrapped to the width) and JSON for programs.
//! Both are pure functions of the diff.
//!
//! The text is for a terminal, and the reports compared hold corpus text (and a baseline
//! file can hold anything): every name, id and text goes through
//! [`crate::report::safe::terminal`] or the wrapper, which escapes each word.

use std::fmt::Write;

use serde_json::Value;

use super::{Change, ChangedPassage, Diff, MatchedBy, PassageSummary};
use crate::report::safe::terminal;
use crate::report::text::{thousands, wrap};
use crate::report::{Direction, Side};

/// Options of the text rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextOptions {
    /// Line width to wrap to (at least 40).
    pub width: usize,
    /// What the baseline is (a file name).
    pub old_label: String,
    /// What the new report is (a file name or the corpus paths).
    pub new_label: String,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            width: 80,
            old_label: "baseline".into(),
            new_label: "current".into(),
        }
    }
}

/// The diff as pretty-printed JSON (the fields of [`Diff`]), ending in a newline.
pub fn json(diff: &Diff) -> String {
    let mut s = serde_json::to_string_pretty(diff).expect("a diff always serialises");
    s.push('\n');
    s
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

fn value(v: &Value) -> String {
    match v {
        Value::Null => "(absent)".into(),
        v => v.to_string(),
    }
}

/// The diff as text.
pub fn text(diff: &Diff, opts: &TextOptions) -> String {
    let w = opts.width.max(40);
    let mut out = String::new();
    let s = &diff.settings;
    let _ = writeln!(
        out,
        "baseline: {} (wirecopy {}, fingerprint {})",
        terminal(&opts.old_label),
        terminal(&s.old_version),
        terminal(&s.old_fingerprint)
    );
    let _ = writeln!(
        out,
        "current:  {} (wirecopy {}, fingerprint {})",
        terminal(&opts.new_label),
        terminal(&s.new_version),
        terminal(&s.new_fingerprint)
    );
    let _ = writeln!(
        out,
        "passages: {} unchanged, {} lost, {} found, {} changed",
        thousands(diff.unchanged),
        thousands(diff.lost.len()),
        thousands(diff.found.len()),
        thousands(diff.changed.len()),
    );

    if s.mismatch {
        let _ = writeln!(
            out,
            "\nSETTINGS (fingerprint {} -> {})",
            terminal(&s.old_fingerprint),
            terminal(&s.new_fingerprint)
        );
        if s.old_version != s.new_version {
            let _ = writeln!(
                out,
                "    wirecopy version: {} -> {}",
                terminal(&s.old_version),
                terminal(&s.new_version)
            );
        }
        for f in &s.fields {
            wrap(
                &mut out,
                &format!("{}: {} -> {}", f.field, value(&f.old), value(&f.new)),
                4,
                w,
            );
        }
        if s.old_version == s.new_version && s.fields.is_empty() {
            wrap(
                &mut out,
                "same version and settings, yet the fingerprints differ: the baseline was \
                 edited, or written by a build whose settings lacked a field now read with its \
                 default (a new option); if so, rewrite it with --update",
                4,
                w,
            );
        }
    }

    let d = &diff.documents;
    if !(d.added.is_empty() && d.removed.is_empty() && d.modified.is_empty()) {
        let _ = writeln!(out, "\nDOCUMENTS");
        for (label, docs) in [("added", &d.added), ("removed", &d.removed)] {
            for doc in docs.iter() {
                wrap(
                    &mut out,
                    &format!("{label} {} (outlet {})", doc.id, doc.outlet),
                    4,
                    w,
                );
            }
        }
        for m in &d.modified {
            wrap(
                &mut out,
                &format!(
                    "modified {}: {} -> {} chars, {} -> {} words (information only)",
                    m.id,
                    thousands(m.old_chars),
                    thousands(m.new_chars),
                    thousands(m.old_words),
                    thousands(m.new_words)
                ),
                4,
                w,
            );
        }
    }

    if !diff.lost.is_empty() {
        let _ = writeln!(
            out,
            "\nLOST ({} in the baseline, not found now)",
            plural(diff.lost.len(), "passage", "passages")
        );
        for p in &diff.lost {
            passage(&mut out, p, w);
        }
    }
    if !diff.found.is_empty() {
        let _ = writeln!(
            out,
            "\nFOUND ({} not in the baseline)",
            plural(diff.found.len(), "passage", "passages")
        );
        for p in &diff.found {
            passage(&mut out, p, w);
        }
    }
    if !diff.changed.is_empty() {
        let _ = writeln!(
            out,
            "\nCHANGED ({})",
            plural(diff.changed.len(), "passage", "passages")
        );
        for c in &diff.changed {
            changed(&mut out, c, diff.tolerance, w);
        }
    }
    if !diff.coverage.is_empty() {
        let _ = writeln!(
            out,
            "\nCOVERAGE (outlets' reused share, changes beyond {})",
            pct(diff.tolerance)
        );
        for c in &diff.coverage {
            let share = |x: Option<f64>| x.map_or("(absent)".into(), pct);
            let chars = |x: Option<usize>| x.map_or("-".into(), thousands);
            wrap(
                &mut out,
                &format!(
                    "{}: {} -> {} ({} -> {} chars reused)",
                    c.outlet,
                    share(c.old),
                    share(c.new),
                    chars(c.old_reused_chars),
                    chars(c.new_reused_chars)
                ),
                4,
                w,
            );
        }
    }
    if !diff.boilerplate.is_empty() {
        let _ = writeln!(
            out,
            "\nBOILERPLATE ({} changed)",
            plural(diff.boilerplate.len(), "group", "groups")
        );
        for b in &diff.boilerplate {
            let n = |x: Option<usize>| {
                x.map_or("(absent)".into(), |n| {
                    plural(n, "occurrence", "occurrences")
                })
            };
            let excerpt: String = b
                .text
                .split_whitespace()
                .take(12)
                .collect::<Vec<_>>()
                .join(" ");
            wrap(
                &mut out,
                &format!("{}: {} -> {}: \"{excerpt}\"", b.id, n(b.old), n(b.new)),
                4,
                w,
            );
        }
    }

    out.push('\n');
    if diff.is_clean() {
        let _ = writeln!(
            out,
            "OK: no changes beyond tolerance {}",
            tolerance(diff.tolerance)
        );
    } else {
        let _ = writeln!(
            out,
            "CHANGED: {} beyond tolerance {}",
            plural(diff.differences, "difference", "differences"),
            tolerance(diff.tolerance)
        );
    }
    out
}

fn tolerance(t: f64) -> String {
    let s = format!("{t:.6}");
    let s = s.trim_end_matches('0');
    s.strip_suffix('.').unwrap_or(s).to_string()
}

fn arrow(p: &PassageSummary) -> String {
    match p.direction {
        Direction::AToB => format!("{} -> {}", p.a.doc, p.b.doc),
        Direction::Undirected => format!("{} <-> {}", p.a.doc, p.b.doc),
    }
}

fn side(out: &mut String, label: &str, s: &Side, w: usize) {
    let _ = writeln!(
        out,
        "    {label} {} [{}..{}]",
        terminal(&s.doc),
        s.start,
        s.end
    );
    wrap(out, &s.text, 6, w);
}

fn passage(out: &mut String, p: &PassageSummary, w: usize) {
    let _ = writeln!(
        out,
        "\n  {} {}",
        p.kind.as_str().to_uppercase(),
        terminal(&p.id)
    );
    wrap(out, &arrow(p), 4, w);
    let _ = writeln!(
        out,
        "    {} identical words, similarity {}",
        p.words,
        pct(p.similarity)
    );
    side(out, "A", &p.a, w);
    side(out, "B", &p.b, w);
}

fn changed(out: &mut String, c: &ChangedPassage, tol: f64, w: usize) {
    let n = &c.new;
    let how = match c.matched_by {
        MatchedBy::Id => "same id",
        MatchedBy::Overlap => "matched by overlapping spans",
    };
    let _ = writeln!(
        out,
        "\n  {} {} ({how})",
        n.kind.as_str().to_uppercase(),
        terminal(&n.id)
    );
    wrap(out, &arrow(n), 4, w);
    for ch in &c.changes {
        let line = match ch {
            Change::Id { old, new } => format!("id: {old} -> {new}"),
            Change::Span { doc, old, new } => format!(
                "span in {doc}: [{}..{}] -> [{}..{}]",
                old[0], old[1], new[0], new[1]
            ),
            Change::Text {
                doc,
                removed,
                added,
            } => {
                let _ = writeln!(out, "    text in {} changed", terminal(doc));
                for (label, words) in [("removed", removed), ("added", added)] {
                    if !words.is_empty() {
                        wrap(out, &format!("{label}: {words}"), 6, w);
                    }
                }
                continue;
            }
            Change::Kind { old, new } => format!("kind: {} -> {}", old.as_str(), new.as_str()),
            Change::Source { old, new } => format!(
                "source: {} -> {}",
                old.as_deref().unwrap_or("none"),
                new.as_deref().unwrap_or("none")
            ),
            Change::Words { old, new } => format!("identical words: {old} -> {new}"),
            Change::Similarity { old, new } => format!(
                "similarity: {} -> {} (beyond {})",
                pct(*old),
                pct(*new),
                pct(tol)
            ),
        };
        wrap(out, &line, 4, w);
    }
    // A changed text is described by the lines above; a moved passage needs no text;
    // otherwise (a kind, source or score change) show the passage.
    if c.changes.iter().all(|ch| matches!(ch, Change::Span { .. })) {
        let _ = writeln!(out, "    (moved; text unchanged)");
    } else if !c.changes.iter().any(|ch| matches!(ch, Change::Text { .. })) {
        side(out, "A", &n.a, w);
        side(out, "B", &n.b, w);
    }
}
