//! Plain-text renderer: per-outlet summary, then each passage with both sides and its
//! word-level edits (`[-deleted-]`, `{+inserted+}`, `[-old-]{+new+}` for replacements).
//! Fits an 80-column terminal; no colour.

use std::fmt::Write;

use super::{Direction, Edit, Passage, Report, Side};
use crate::align::Op;

/// Options of the text report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextOptions {
    /// Line width to wrap to.
    pub width: usize,
    /// Show at most this many passages (all when `None`).
    pub top: Option<usize>,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            width: 80,
            top: None,
        }
    }
}

pub(crate) fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// Greedy word wrap of `text` (newlines become spaces) at `width`, each line indented.
pub(crate) fn wrap(out: &mut String, text: &str, indent: usize, width: usize) {
    let avail = width.saturating_sub(indent).max(20);
    let mut line = String::new();
    let mut line_chars = 0;
    for word in text.split_whitespace() {
        let wc = word.chars().count();
        if line_chars > 0 && line_chars + 1 + wc > avail {
            let _ = writeln!(out, "{:indent$}{line}", "");
            line.clear();
            line_chars = 0;
        }
        if line_chars > 0 {
            line.push(' ');
            line_chars += 1;
        }
        line.push_str(word);
        line_chars += wc;
    }
    if line_chars > 0 {
        let _ = writeln!(out, "{:indent$}{line}", "");
    }
}

/// Slice a side's text by document character offsets.
fn slice(side: &Side, start: usize, end: usize) -> &str {
    let s = start.saturating_sub(side.start);
    let e = end.saturating_sub(side.start);
    let mut it = side
        .text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(side.text.len()));
    let bs = it.nth(s).unwrap_or(side.text.len());
    let be = if e > s {
        it.nth(e - s - 1).unwrap_or(side.text.len())
    } else {
        bs
    };
    &side.text[bs..be]
}

/// The edit script as one line of B's text with A's words marked where they differ.
pub fn diff_line(p: &Passage) -> String {
    let mut out = String::new();
    let mut b_pos = p.b.start;
    // A deletion marker sits where B has no text, so a space must separate it from what follows.
    let mut need_space = false;
    for e in &p.edits {
        let Edit {
            op,
            a_start,
            a_end,
            b_start,
            b_end,
            ..
        } = *e;
        if b_start > b_pos {
            out.push_str(slice(&p.b, b_pos, b_start));
        } else if (op == Op::Delete || need_space) && !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        need_space = op == Op::Delete;
        match op {
            Op::Equal => out.push_str(slice(&p.b, b_start, b_end)),
            Op::Replace => {
                let _ = write!(
                    out,
                    "[-{}-]{{+{}+}}",
                    slice(&p.a, a_start, a_end),
                    slice(&p.b, b_start, b_end)
                );
            }
            Op::Delete => {
                let _ = write!(out, "[-{}-]", slice(&p.a, a_start, a_end));
            }
            Op::Insert => {
                let _ = write!(out, "{{+{}+}}", slice(&p.b, b_start, b_end));
            }
        }
        b_pos = b_pos.max(b_end);
    }
    out
}

/// Render the report as text.
pub fn render(report: &Report, opts: &TextOptions) -> String {
    let w = opts.width.max(40);
    let mut out = String::new();
    let s = &report.summary;
    let _ = writeln!(
        out,
        "wirecopy {}: {} from {}",
        report.wirecopy_version,
        plural(s.documents, "document", "documents"),
        plural(s.outlets, "outlet", "outlets"),
    );
    let _ = writeln!(
        out,
        "{} compared, {} verified, {} in {}",
        plural(s.candidate_pairs, "pair", "pairs"),
        thousands(s.verified_pairs),
        plural(s.passages, "passage", "passages"),
        plural(s.clusters, "cluster", "clusters"),
    );
    out.push('\n');
    let _ = writeln!(
        out,
        "OUTLETS (reused share of their text; boilerplate not counted)"
    );
    let mut outlets: Vec<_> = report.outlets.iter().collect();
    outlets.sort_by(|x, y| {
        y.coverage
            .total_cmp(&x.coverage)
            .then(x.outlet.cmp(&y.outlet))
    });
    for o in outlets {
        let _ = writeln!(
            out,
            "\n{}  {}, {} chars",
            o.outlet,
            plural(o.articles, "article", "articles"),
            thousands(o.chars)
        );
        if o.reused_chars == 0 && o.by_kind.boilerplate == 0 {
            let _ = writeln!(out, "    no reused text found");
            continue;
        }
        let _ = writeln!(
            out,
            "    reused {} chars ({}) in {}",
            thousands(o.reused_chars),
            pct(o.coverage),
            plural(o.passages, "passage", "passages"),
        );
        let _ = writeln!(
            out,
            "    by kind: edited {}, verbatim {}, quote {}{}",
            thousands(o.by_kind.edited),
            thousands(o.by_kind.verbatim),
            thousands(o.by_kind.quote),
            if o.by_kind.boilerplate > 0 {
                format!("; boilerplate {}", thousands(o.by_kind.boilerplate))
            } else {
                String::new()
            }
        );
        for src in &o.sources {
            let _ = writeln!(
                out,
                "    from {}: {}, {} chars",
                src.outlet,
                plural(src.passages, "passage", "passages"),
                thousands(src.chars)
            );
        }
    }
    let credits: Vec<_> = report
        .documents
        .iter()
        .filter_map(|d| d.credit.as_ref().map(|c| (d, c)))
        .collect();
    if !credits.is_empty() {
        let _ = writeln!(
            out,
            "\nCREDIT (articles reusing text from a directed source)"
        );
        for (d, c) in credits {
            if c.credited {
                let names: Vec<_> = c.matches.iter().map(|m| format!("{:?}", m.text)).collect();
                let _ = writeln!(
                    out,
                    "    {}: credits {} ({})",
                    d.id,
                    c.sources.join(", "),
                    names.join(", ")
                );
            } else {
                let _ = writeln!(
                    out,
                    "    {}: does NOT credit {}",
                    d.id,
                    c.uncredited.join(", ")
                );
            }
        }
    }

    let reuse: Vec<&Passage> = report
        .passages
        .iter()
        .filter(|p| p.kind.is_reuse())
        .collect();
    let boiler: Vec<&Passage> = report
        .passages
        .iter()
        .filter(|p| !p.kind.is_reuse())
        .collect();
    let mut shown: Vec<&Passage> = reuse.clone();
    shown.sort_by(|x, y| y.words.cmp(&x.words).then(x.id.cmp(&y.id)));
    if let Some(n) = opts.top {
        shown.truncate(n);
        shown.sort_by_key(|p| {
            report
                .passages
                .iter()
                .position(|q| q.id == p.id)
                .unwrap_or(usize::MAX)
        });
    } else {
        shown = reuse.clone();
    }
    let _ = writeln!(
        out,
        "\nPASSAGES ({}{})",
        plural(reuse.len(), "reuse passage", "reuse passages"),
        if shown.len() < reuse.len() {
            format!(", {} shown", shown.len())
        } else {
            String::new()
        }
    );
    for p in shown {
        passage(&mut out, p, w);
    }
    if !boiler.is_empty() {
        let _ = writeln!(out, "\nBOILERPLATE (repeated text, not counted as reuse)");
        for p in boiler {
            passage(&mut out, p, w);
        }
    }
    if !report.problems.is_empty() {
        let _ = writeln!(out, "\nPROBLEMS");
        for p in &report.problems {
            let _ = writeln!(out, "    {p}");
        }
    }
    out
}

fn passage(out: &mut String, p: &Passage, w: usize) {
    let arrow = match p.direction {
        Direction::AToB => "->",
        Direction::Undirected => "<->",
    };
    let _ = writeln!(out, "\n{} {}", p.kind.as_str().to_uppercase(), p.id);
    wrap(out, &format!("{} {arrow} {}", p.a.doc, p.b.doc), 4, w);
    let _ = writeln!(
        out,
        "    {} identical words, similarity {:.0}%, cluster {}",
        p.words,
        p.similarity * 100.0,
        p.cluster
    );
    for (label, s) in [("A", &p.a), ("B", &p.b)] {
        let _ = writeln!(out, "  {label} {} [{}..{}]", s.doc, s.start, s.end);
        wrap(out, &s.text, 4, w);
    }
    if p.edits.iter().any(|e| e.op != Op::Equal) {
        let _ = writeln!(out, "  edits (A -> B)");
        wrap(out, &diff_line(p), 4, w);
    }
}
