//! Regression mode: compare a baseline [`Report`] with a new one and say exactly what
//! changed (`wirecopy check`, `wirecopy diff`).
//!
//! # What is compared
//!
//! * **Settings**: the reports' `fingerprint`s (a hash of wirecopy's version and every
//!   [`Settings`] field, see [`crate::report::build::fingerprint`]). A mismatch is explained
//!   field by field (`min_words: 8 -> 12`, nested fields dotted:
//!   `normalization.spelling`) and by the two versions.
//! * **Documents** added and removed, by id. Documents whose length changed are listed too,
//!   for information only: what matters is whether detection changed.
//! * **Passages**, in two rounds:
//!   1. *By id.* Passage ids hash the two document ids and the normalised words of both
//!      sides ([`crate::report::build`]), so a passage keeps its id across runs, thread
//!      counts and unrelated corpus changes. Matched passages are compared for span (per
//!      document), text, kind, source, identical-word count and similarity.
//!   2. *By overlap.* A passage whose words changed gets a new id. Each still unmatched
//!      baseline passage is paired with an unmatched new passage of the **same unordered
//!      document pair** whose spans **overlap on both documents** (character offsets into
//!      each document's current text). Candidates are taken greedily, largest total overlap
//!      first (ties by report order), so each passage is matched at most once. Such a pair
//!      is reported as *changed* (with its id change), not as lost + found.
//!
//!   Whatever is left unmatched is *lost* (only in the baseline) or *found* (only in the new
//!   report). A document edited so much that a passage's offsets move past its old span
//!   gives lost + found rather than changed.
//! * **Outlet coverage** (`reused_chars / chars`): outlets that appeared or disappeared, and
//!   coverage changes larger than the tolerance.
//! * **Boilerplate groups**, by id (from the group's key): groups that appeared or
//!   disappeared, and groups whose occurrences (document and span) differ.
//!
//! Similarity and coverage are shares in 0–1; a change counts when it is larger than
//! `tolerance` (absolute, default [`DEFAULT_TOLERANCE`]). Identical-word counts, spans,
//! kinds and sources have no tolerance.
//!
//! # Cost
//!
//! With `n` passages per report: O(n log n) for the id round (ordered maps); the overlap
//! round is quadratic only within one document pair, O(Σ oₖ·nₖ) over pairs `k` of leftover
//! passages, which is small because passages of a pair rarely number more than a few dozen.
//! Memory is the two reports plus the [`Diff`].
//!
//! [`compare`] returns data; [`render`] turns it into text or JSON, purely.

pub mod render;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::attribute::Kind;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::report::{Direction, Passage, Report, Side, SCHEMA_VERSION};

/// Default tolerance for similarity and coverage changes (absolute, in 0–1).
pub const DEFAULT_TOLERANCE: f64 = 0.02;

/// Everything that differs between a baseline report and a new one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    /// The tolerance used for similarity and coverage.
    pub tolerance: f64,
    /// Number of differences that make a regression (0: nothing changed beyond
    /// tolerance). A settings mismatch counts once; each document added or removed, passage
    /// lost, found or changed and outlet coverage change counts once.
    pub differences: usize,
    /// Fingerprint, version and settings.
    pub settings: SettingsDiff,
    /// Documents added, removed and modified.
    pub documents: DocumentsDiff,
    /// Passages only in the baseline.
    pub lost: Vec<PassageSummary>,
    /// Passages only in the new report.
    pub found: Vec<PassageSummary>,
    /// Passages in both whose span, text, kind, source, words or similarity changed.
    pub changed: Vec<ChangedPassage>,
    /// Passages in both with no change beyond tolerance.
    pub unchanged: usize,
    /// Outlets whose coverage changed beyond tolerance (or which appeared or disappeared).
    pub coverage: Vec<CoverageChange>,
    /// Boilerplate groups that appeared, disappeared or occur in other places.
    #[serde(default)]
    pub boilerplate: Vec<BoilerplateChange>,
}

impl Diff {
    /// Whether nothing changed beyond tolerance.
    pub fn is_clean(&self) -> bool {
        self.differences == 0
    }
}

/// Fingerprint comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsDiff {
    /// Whether the fingerprints, versions or settings differ.
    pub mismatch: bool,
    /// Baseline fingerprint.
    pub old_fingerprint: String,
    /// New fingerprint.
    pub new_fingerprint: String,
    /// Baseline wirecopy version.
    pub old_version: String,
    /// New wirecopy version.
    pub new_version: String,
    /// Settings fields that differ.
    pub fields: Vec<FieldChange>,
}

/// One settings field that differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Field name as in the report's `settings` (nested fields dotted).
    pub field: String,
    /// Baseline value (`null` when absent).
    pub old: Value,
    /// New value (`null` when absent).
    pub new: Value,
}

/// Documents that differ.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentsDiff {
    /// Only in the new report.
    pub added: Vec<DocumentRef>,
    /// Only in the baseline.
    pub removed: Vec<DocumentRef>,
    /// In both, with a different length (information only, not counted as a difference).
    pub modified: Vec<DocumentChange>,
}

/// A document named by id and outlet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    /// Document id.
    pub id: String,
    /// Outlet.
    pub outlet: String,
}

/// A document whose length changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentChange {
    /// Document id.
    pub id: String,
    /// Baseline length in characters.
    pub old_chars: usize,
    /// New length in characters.
    pub new_chars: usize,
    /// Baseline words.
    pub old_words: usize,
    /// New words.
    pub new_words: usize,
}

/// A passage without its edit script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageSummary {
    /// Passage id.
    pub id: String,
    /// Kind.
    pub kind: Kind,
    /// Direction.
    pub direction: Direction,
    /// Side A (the source when directed).
    pub a: Side,
    /// Side B.
    pub b: Side,
    /// Share of identical words.
    pub similarity: f64,
    /// Identical words.
    pub words: usize,
}

impl PassageSummary {
    fn of(p: &Passage) -> PassageSummary {
        PassageSummary {
            id: p.id.clone(),
            kind: p.kind,
            direction: p.direction,
            a: p.a.clone(),
            b: p.b.clone(),
            similarity: p.similarity,
            words: p.words,
        }
    }

    /// The side in document `doc` (side A if both are).
    pub fn side(&self, doc: &str) -> Option<&Side> {
        [&self.a, &self.b].into_iter().find(|s| s.doc == doc)
    }

    /// The source document, for directed passages.
    pub fn source(&self) -> Option<&str> {
        (self.direction == Direction::AToB).then_some(self.a.doc.as_str())
    }
}

/// How a changed passage was matched to its baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// Same passage id.
    Id,
    /// Same document pair, overlapping spans on both documents.
    Overlap,
}

/// One change of a matched passage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Change {
    /// The id changed (the normalised words changed).
    Id {
        /// Baseline id.
        old: String,
        /// New id.
        new: String,
    },
    /// The span in one document moved or changed length (chars, half-open).
    Span {
        /// Document id.
        doc: String,
        /// Baseline `[start, end]`.
        old: [usize; 2],
        /// New `[start, end]`.
        new: [usize; 2],
    },
    /// The text in one document changed: the words between the longest common word prefix
    /// and suffix of the old and new text (split at whitespace, compared exactly).
    Text {
        /// Document id.
        doc: String,
        /// Old words no longer in the passage (may be empty).
        removed: String,
        /// New words not in the baseline passage (may be empty).
        added: String,
    },
    /// The kind changed.
    Kind {
        /// Baseline kind.
        old: Kind,
        /// New kind.
        new: Kind,
    },
    /// The source document changed (`null`: undirected).
    Source {
        /// Baseline source.
        old: Option<String>,
        /// New source.
        new: Option<String>,
    },
    /// The number of identical words changed.
    Words {
        /// Baseline.
        old: usize,
        /// New.
        new: usize,
    },
    /// The similarity changed by more than the tolerance.
    Similarity {
        /// Baseline.
        old: f64,
        /// New.
        new: f64,
    },
}

/// A passage present in both reports that changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangedPassage {
    /// How it was matched.
    pub matched_by: MatchedBy,
    /// What changed, in a fixed order (id, spans, texts, kind, source, words, similarity).
    pub changes: Vec<Change>,
    /// The baseline passage.
    pub old: PassageSummary,
    /// The new passage.
    pub new: PassageSummary,
}

/// An outlet whose coverage changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageChange {
    /// Outlet.
    pub outlet: String,
    /// Baseline coverage (`null`: outlet not in the baseline).
    pub old: Option<f64>,
    /// New coverage (`null`: outlet not in the new report).
    pub new: Option<f64>,
    /// Baseline reused characters.
    pub old_reused_chars: Option<usize>,
    /// New reused characters.
    pub new_reused_chars: Option<usize>,
}

/// A boilerplate group whose occurrences changed, by group id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoilerplateChange {
    /// Group id.
    pub id: String,
    /// The group's text (the new report's, else the baseline's).
    pub text: String,
    /// Occurrences in the baseline (`null`: not in the baseline).
    pub old: Option<usize>,
    /// Occurrences in the new report (`null`: not in the new report).
    pub new: Option<usize>,
}

/// Read a JSON report written by `wirecopy report --format json` (or `check --update`).
/// Errors name the file: unreadable, not JSON, another schema version, not a report.
pub fn read_report(path: &Path) -> Result<Report> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let json = |source| Error::Json {
        path: path.to_path_buf(),
        what: "wirecopy JSON report",
        source,
    };
    let value: Value = serde_json::from_str(&text).map_err(json)?;
    match value.get("schema_version").and_then(Value::as_u64) {
        Some(v) if v == SCHEMA_VERSION as u64 => {}
        Some(v) => {
            return Err(Error::Invalid(format!(
                "{}: report schema_version {v}; this wirecopy reads {SCHEMA_VERSION} \
                 (regenerate the report with this version)",
                path.display()
            )))
        }
        None => {
            return Err(Error::Invalid(format!(
                "{}: not a wirecopy JSON report (no schema_version)",
                path.display()
            )))
        }
    }
    serde_json::from_value(value).map_err(json)
}

fn exceeds(old: f64, new: f64, tolerance: f64) -> bool {
    (new - old).abs() > tolerance + 1e-9
}

/// Compare a baseline report with a new one. `tolerance` applies to similarity and
/// coverage (absolute difference of shares in 0–1).
pub fn compare(old: &Report, new: &Report, tolerance: f64) -> Diff {
    let settings = settings_diff(old, new);
    let documents = documents_diff(old, new);
    let (lost, found, changed, unchanged) = passages_diff(old, new, tolerance);
    let coverage = coverage_diff(old, new, tolerance);
    let boilerplate = boilerplate_diff(old, new);
    let differences = usize::from(settings.mismatch)
        + documents.added.len()
        + documents.removed.len()
        + lost.len()
        + found.len()
        + changed.len()
        + coverage.len()
        + boilerplate.len();
    Diff {
        tolerance,
        differences,
        settings,
        documents,
        lost,
        found,
        changed,
        unchanged,
        coverage,
        boilerplate,
    }
}

/// Groups only in one report, or whose occurrences (document, start, end) differ.
fn boilerplate_diff(old: &Report, new: &Report) -> Vec<BoilerplateChange> {
    type Places = BTreeSet<(String, usize, usize)>;
    let places = |r: &Report| -> BTreeMap<String, (String, Places)> {
        r.boilerplate
            .iter()
            .map(|g| {
                let at = g
                    .outlets
                    .iter()
                    .flat_map(|o| &o.occurrences)
                    .map(|o| (o.doc.clone(), o.start, o.end))
                    .collect();
                (g.id.clone(), (g.text.clone(), at))
            })
            .collect()
    };
    let (o, n) = (places(old), places(new));
    let ids: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    ids.into_iter()
        .filter_map(|id| {
            let (x, y) = (o.get(id), n.get(id));
            if let (Some(x), Some(y)) = (x, y) {
                if x.1 == y.1 {
                    return None;
                }
            }
            Some(BoilerplateChange {
                id: id.clone(),
                text: y.or(x).map(|g| g.0.clone()).unwrap_or_default(),
                old: x.map(|g| g.1.len()),
                new: y.map(|g| g.1.len()),
            })
        })
        .collect()
}

fn settings_diff(old: &Report, new: &Report) -> SettingsDiff {
    let mut fields = Vec::new();
    let to_value = |s: &Settings| serde_json::to_value(s).unwrap_or(Value::Null);
    field_changes(
        "",
        &to_value(&old.settings),
        &to_value(&new.settings),
        &mut fields,
    );
    SettingsDiff {
        mismatch: old.fingerprint != new.fingerprint
            || old.wirecopy_version != new.wirecopy_version
            || !fields.is_empty(),
        old_fingerprint: old.fingerprint.clone(),
        new_fingerprint: new.fingerprint.clone(),
        old_version: old.wirecopy_version.clone(),
        new_version: new.wirecopy_version.clone(),
        fields,
    }
}

/// Leaf-by-leaf differences of two JSON values; objects recurse with dotted names, anything
/// else (arrays included) is compared whole.
fn field_changes(prefix: &str, old: &Value, new: &Value, out: &mut Vec<FieldChange>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().collect();
            keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
            for k in keys {
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                let null = Value::Null;
                field_changes(
                    &name,
                    a.get(k).unwrap_or(&null),
                    b.get(k).unwrap_or(&null),
                    out,
                );
            }
        }
        _ if old != new => out.push(FieldChange {
            field: prefix.to_string(),
            old: old.clone(),
            new: new.clone(),
        }),
        _ => {}
    }
}

fn documents_diff(old: &Report, new: &Report) -> DocumentsDiff {
    let old_ids: BTreeMap<&str, _> = old.documents.iter().map(|d| (d.id.as_str(), d)).collect();
    let new_ids: BTreeMap<&str, _> = new.documents.iter().map(|d| (d.id.as_str(), d)).collect();
    let r = |d: &crate::report::DocumentEntry| DocumentRef {
        id: d.id.clone(),
        outlet: d.outlet.clone(),
    };
    DocumentsDiff {
        added: new
            .documents
            .iter()
            .filter(|d| !old_ids.contains_key(d.id.as_str()))
            .map(r)
            .collect(),
        removed: old
            .documents
            .iter()
            .filter(|d| !new_ids.contains_key(d.id.as_str()))
            .map(r)
            .collect(),
        modified: new
            .documents
            .iter()
            .filter_map(|n| {
                let o = old_ids.get(n.id.as_str())?;
                (o.chars != n.chars || o.bytes != n.bytes || o.words != n.words).then(|| {
                    DocumentChange {
                        id: n.id.clone(),
                        old_chars: o.chars,
                        new_chars: n.chars,
                        old_words: o.words,
                        new_words: n.words,
                    }
                })
            })
            .collect(),
    }
}

type PassagesDiff = (
    Vec<PassageSummary>,
    Vec<PassageSummary>,
    Vec<ChangedPassage>,
    usize,
);

fn passages_diff(old: &Report, new: &Report, tolerance: f64) -> PassagesDiff {
    let olds: Vec<PassageSummary> = old.passages.iter().map(PassageSummary::of).collect();
    let news: Vec<PassageSummary> = new.passages.iter().map(PassageSummary::of).collect();
    // matched[new index] = (old index, how)
    let mut matched: Vec<Option<(usize, MatchedBy)>> = vec![None; news.len()];
    let mut old_used = vec![false; olds.len()];

    // Round 1: by id.
    let old_by_id: BTreeMap<&str, usize> = olds
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    for (j, n) in news.iter().enumerate() {
        if let Some(&i) = old_by_id.get(n.id.as_str()) {
            if !old_used[i] {
                old_used[i] = true;
                matched[j] = Some((i, MatchedBy::Id));
            }
        }
    }

    // Round 2: leftovers of the same unordered document pair, overlapping on both sides.
    let pair = |p: &PassageSummary| {
        let (x, y) = (p.a.doc.clone(), p.b.doc.clone());
        if x <= y {
            (x, y)
        } else {
            (y, x)
        }
    };
    let mut old_left: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, p) in olds.iter().enumerate().filter(|(i, _)| !old_used[*i]) {
        old_left.entry(pair(p)).or_default().push(i);
    }
    let mut new_left: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (j, p) in news
        .iter()
        .enumerate()
        .filter(|(j, _)| matched[*j].is_none())
    {
        new_left.entry(pair(p)).or_default().push(j);
    }
    for (key, os) in &old_left {
        let Some(ns) = new_left.get(key) else {
            continue;
        };
        let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
        for &i in os {
            for &j in ns {
                if let Some(score) = overlap_both(&olds[i], &news[j]) {
                    candidates.push((score, i, j));
                }
            }
        }
        candidates.sort_by(|x, y| y.0.cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
        for (_, i, j) in candidates {
            if !old_used[i] && matched[j].is_none() {
                old_used[i] = true;
                matched[j] = Some((i, MatchedBy::Overlap));
            }
        }
    }

    let lost = olds
        .iter()
        .zip(&old_used)
        .filter(|(_, &u)| !u)
        .map(|(p, _)| p.clone())
        .collect();
    let mut found = Vec::new();
    let mut changed = Vec::new();
    let mut unchanged = 0;
    for (j, n) in news.iter().enumerate() {
        match matched[j] {
            None => found.push(n.clone()),
            Some((i, how)) => {
                let changes = passage_changes(&olds[i], n, tolerance);
                if changes.is_empty() {
                    unchanged += 1;
                } else {
                    changed.push(ChangedPassage {
                        matched_by: how,
                        changes,
                        old: olds[i].clone(),
                        new: n.clone(),
                    });
                }
            }
        }
    }
    (lost, found, changed, unchanged)
}

fn overlap(x: &Side, y: &Side) -> usize {
    x.end.min(y.end).saturating_sub(x.start.max(y.start))
}

/// The sides of `o` with the sides of `n` in the same documents (by document id; by
/// position when both sides are in one document). A side of `o` whose document is not in `n`
/// is left out.
fn side_pairs<'a>(o: &'a PassageSummary, n: &'a PassageSummary) -> Vec<(&'a Side, &'a Side)> {
    if o.a.doc == o.b.doc || n.a.doc == n.b.doc {
        return vec![(&o.a, &n.a), (&o.b, &n.b)];
    }
    [&o.a, &o.b]
        .into_iter()
        .filter_map(|s| Some((s, n.side(&s.doc)?)))
        .collect()
}

/// Total overlap in characters when the spans overlap in both documents, else `None`.
fn overlap_both(o: &PassageSummary, n: &PassageSummary) -> Option<usize> {
    let pairs = side_pairs(o, n);
    if pairs.len() < 2 || pairs.iter().any(|(s, t)| overlap(s, t) == 0) {
        return None;
    }
    Some(pairs.iter().map(|(s, t)| overlap(s, t)).sum())
}

fn passage_changes(o: &PassageSummary, n: &PassageSummary, tolerance: f64) -> Vec<Change> {
    let mut changes = Vec::new();
    if o.id != n.id {
        changes.push(Change::Id {
            old: o.id.clone(),
            new: n.id.clone(),
        });
    }
    let sides = side_pairs(o, n);
    for (s, t) in &sides {
        if (s.start, s.end) != (t.start, t.end) {
            changes.push(Change::Span {
                doc: s.doc.clone(),
                old: [s.start, s.end],
                new: [t.start, t.end],
            });
        }
    }
    for (s, t) in &sides {
        if s.text != t.text {
            let (removed, added) = text_delta(&s.text, &t.text);
            changes.push(Change::Text {
                doc: s.doc.clone(),
                removed: removed.to_string(),
                added: added.to_string(),
            });
        }
    }
    if o.kind != n.kind {
        changes.push(Change::Kind {
            old: o.kind,
            new: n.kind,
        });
    }
    if o.source() != n.source() {
        changes.push(Change::Source {
            old: o.source().map(str::to_string),
            new: n.source().map(str::to_string),
        });
    }
    if o.words != n.words {
        changes.push(Change::Words {
            old: o.words,
            new: n.words,
        });
    }
    if exceeds(o.similarity, n.similarity, tolerance) {
        changes.push(Change::Similarity {
            old: o.similarity,
            new: n.similarity,
        });
    }
    changes
}

/// Byte ranges of the whitespace-separated words of `s`.
fn words(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(b)) => {
                out.push((b, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(b) = start {
        out.push((b, s.len()));
    }
    out
}

/// The differing middle of two texts, word-wise: what `old` has and `new` lacks between
/// their longest common word prefix and suffix, and the other way round. Linear time.
fn text_delta<'a>(old: &'a str, new: &'a str) -> (&'a str, &'a str) {
    let (ow, nw) = (words(old), words(new));
    let word = |s: &'a str, r: (usize, usize)| &s[r.0..r.1];
    let prefix = ow
        .iter()
        .zip(&nw)
        .take_while(|(a, b)| word(old, **a) == word(new, **b))
        .count();
    let max_suffix = ow.len().min(nw.len()) - prefix;
    let suffix = ow
        .iter()
        .rev()
        .zip(nw.iter().rev())
        .take(max_suffix)
        .take_while(|(a, b)| word(old, **a) == word(new, **b))
        .count();
    let middle = |s: &'a str, w: &[(usize, usize)]| {
        let (lo, hi) = (prefix, w.len() - suffix);
        if lo < hi {
            &s[w[lo].0..w[hi - 1].1]
        } else {
            ""
        }
    };
    (middle(old, &ow), middle(new, &nw))
}

fn coverage_diff(old: &Report, new: &Report, tolerance: f64) -> Vec<CoverageChange> {
    let olds: BTreeMap<&str, _> = old.outlets.iter().map(|o| (o.outlet.as_str(), o)).collect();
    let news: BTreeMap<&str, _> = new.outlets.iter().map(|o| (o.outlet.as_str(), o)).collect();
    let names: BTreeSet<&str> = olds.keys().chain(news.keys()).copied().collect();
    names
        .into_iter()
        .filter_map(|name| {
            let (o, n) = (olds.get(name), news.get(name));
            let changed = match (o, n) {
                (Some(o), Some(n)) => exceeds(o.coverage, n.coverage, tolerance),
                _ => true,
            };
            changed.then(|| CoverageChange {
                outlet: name.to_string(),
                old: o.map(|o| o.coverage),
                new: n.map(|n| n.coverage),
                old_reused_chars: o.map(|o| o.reused_chars),
                new_reused_chars: n.map(|n| n.reused_chars),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
