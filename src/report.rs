//! The report: what a run found, as data. Renderers ([`text`], [`json`], [`html`], [`csv`])
//! are pure functions of it; the binary decides where the bytes go. [`filter`] selects what
//! the reports people read show.
//!
//! # JSON schema (`schema_version` 2)
//!
//! All offsets are **0-based and half-open**. `start`/`end` count **Unicode scalar values**
//! (what Python's `str` indexes) and `byte_start`/`byte_end` count **UTF-8 bytes**, both into
//! the document's *full original text* as read (a leading `date YYYY-MM-DD` line included).
//! For every span, `text == document_text[start:end]` (code points) and
//! `== document_bytes[byte_start:byte_end]` (bytes). With `--lossy`, a document with invalid
//! UTF-8 is decoded with U+FFFD and offsets refer to the decoded text (`lossy: true`).
//!
//! ```text
//! {
//!   "schema_version": 2,
//!   "wirecopy_version": "0.1.0",
//!   "fingerprint": "16 hex digits: hash of version + settings",
//!   "settings": { every parameter that changes results, see config::Settings },
//!   "summary": { "documents", "outlets", "candidate_pairs", "verified_pairs",
//!                "aligned_pairs", "passages", "boilerplate_pairs",
//!                "boilerplate_groups", "clusters", "skipped" },
//!   "documents": [ { "id", "outlet", "date": str|null, "title": str|null, "url": str|null,
//!                    "path": str|null, "line": int|null, "chars", "bytes", "words",
//!                    "body_start" (chars), "lossy", "wire": bool,
//!                    "reused_chars", "coverage" (reused_chars / chars),
//!                    "by_kind": { "verbatim", "edited", "quote", "boilerplate" } (chars),
//!                    "sources": [ { "outlet", "doc": str|null, "passages", "chars" } ],
//!                    "source_stories" (distinct source documents),
//!                    "credit": null | { "credited": bool, "sources": [outlet…],
//!                                       "matches": [ { "pattern", "start", "end", "text" } ] },
//!                    "extra": { other JSONL fields } } ],
//!   "pairs": [ { "a", "b" (document ids; aligned pairs only), "shared_shingles", "jaccard",
//!                "containment", "jaccard_estimate", "containment_estimate", "passages" } ],
//!   "passages": [ { "id", "kind": "verbatim"|"edited"|"quote",
//!                   "a": SIDE, "b": SIDE, "similarity", "words",
//!                   "direction": "a_to_b"|"undirected", "cluster",
//!                   "edits": [ { "op": "equal"|"replace"|"insert"|"delete",
//!                                "a_start", "a_end", "b_start", "b_end" (chars),
//!                                "a_text", "b_text" (only for non-equal ops) } ] } ],
//!   "clusters": [ { "id", "source": doc id|null, "members": [ { "doc", "outlet", "start",
//!                   "end" } ], "passages": [passage id…] } ],
//!   "boilerplate": [ { "id", "rule": "corpus"|"outlet"|"phrase", "text", "words",
//!                      "documents", "outlets": [ { "outlet", "occurrences": [ { "doc",
//!                      "start", "end" } ] } ] } ],
//!   "outlets": [ { "outlet", "articles", "chars", "passages", "reused_chars", "coverage",
//!                  "by_kind": {…}, "sources": [ { "outlet", "passages", "chars" } ],
//!                  "source_stories" } ],
//!   "problems": [ { "path", "line", "doc", "message", "skipped" } ]
//! }
//! SIDE = { "doc", "outlet", "start", "end", "byte_start", "byte_end", "words", "text" }
//! ```
//!
//! * A passage's `a` side is the source when `direction` is `a_to_b`; for undirected
//!   passages `a` is the document that comes first in input order. `similarity` is the share
//!   of identical words among the alignment's columns; `words` the number of identical words.
//!   `edits` runs cover the passage from its first to its last word; their `a_*`/`b_*`
//!   ranges are empty (start == end) on the side a word is missing from.
//! * `reused_chars` is the number of characters of a document covered by its non-boilerplate
//!   passages in the reuse clusters of which it is not the best source (in a cluster without
//!   a source every member counts); outlet figures sum their articles. `sources` name, per reuse cluster, the cluster's best
//!   source (the wire copy if present, else the earliest) rather than every pair.
//! * `boilerplate` lists each repeated text once (schema 2; schema 1 had `boilerplate`
//!   passages pair by pair): a document's words under boilerplate shingles
//!   ([`crate::attribute`]) make runs, split at line breaks, of at least `min_words` words;
//!   a document also takes the boilerplate shingles of its partners in verified pairs (a
//!   footer carried by another outlet's page). Runs are grouped by their most widespread
//!   shingle (one template with each outlet's name in it is one group); `text` is the
//!   longest run; `by_kind.boilerplate` counts a document's runs. A pair within the partner
//!   cap that shares no shingle outside boilerplate is not aligned (`boilerplate_pairs`),
//!   and no passage is of kind `boilerplate`.
//! * `verified_pairs` counts every pair that passed exact verification; `aligned_pairs`
//!   those aligned, which is fewer only when a document has more than `--max-partners`
//!   verified partners (a story run by many outlets; see `verify::select_partners`). `pairs`
//!   lists the aligned pairs.
//! * Passage `id`s are derived from the two document ids and the normalised words of both
//!   sides: they do not depend on run order, thread count or other documents.
//! * Every array is sorted: documents in input order, pairs and passages by document order
//!   then position, outlets by name. The same input gives byte-identical JSON.

pub mod build;
pub mod csv;
pub mod filter;
pub mod html;
pub mod json;
pub mod safe;
pub mod text;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::align::Op;
use crate::attribute::Kind;
use crate::config::Settings;
use crate::error::Problem;

/// The JSON schema version written by this build.
pub const SCHEMA_VERSION: u32 = 2;

/// A full report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Schema version.
    pub schema_version: u32,
    /// The wirecopy version that wrote it.
    pub wirecopy_version: String,
    /// Hash of version and settings.
    pub fingerprint: String,
    /// Settings that change results.
    pub settings: Settings,
    /// Counts.
    pub summary: Summary,
    /// Documents, in input order.
    pub documents: Vec<DocumentEntry>,
    /// Verified document pairs.
    pub pairs: Vec<PairEntry>,
    /// Passages.
    pub passages: Vec<Passage>,
    /// Reuse clusters.
    pub clusters: Vec<Cluster>,
    /// Boilerplate: each repeated text once, with where it occurs.
    pub boilerplate: Vec<BoilerplateGroup>,
    /// Per-outlet figures, by outlet name.
    pub outlets: Vec<OutletEntry>,
    /// Skipped documents and warnings.
    pub problems: Vec<Problem>,
}

/// Counts of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Documents loaded.
    pub documents: usize,
    /// Distinct outlets.
    pub outlets: usize,
    /// Candidate pairs.
    pub candidate_pairs: usize,
    /// Pairs that passed exact verification.
    pub verified_pairs: usize,
    /// Verified pairs aligned: all of them, or those within `--max-partners`.
    #[serde(default)]
    pub aligned_pairs: usize,
    /// Passages found (reuse kinds: boilerplate is in `boilerplate`).
    pub passages: usize,
    /// Pairs within the partner cap not aligned because all they share is boilerplate.
    pub boilerplate_pairs: usize,
    /// Boilerplate groups.
    pub boilerplate_groups: usize,
    /// Reuse clusters.
    pub clusters: usize,
    /// Documents skipped.
    pub skipped: usize,
}

/// Characters by passage kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByKind {
    /// Verbatim passages.
    pub verbatim: usize,
    /// Edited passages.
    pub edited: usize,
    /// Shared quotations.
    pub quote: usize,
    /// Boilerplate (not counted as reuse).
    pub boilerplate: usize,
}

/// Reuse attributed to one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceShare {
    /// The source outlet.
    pub outlet: String,
    /// The source document (per-document entries only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Passages (reuse-cluster memberships) from this source.
    pub passages: usize,
    /// Characters reused from this source.
    pub chars: usize,
}

/// A credit line found in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditHit {
    /// The pattern that matched.
    pub pattern: String,
    /// Start (chars).
    pub start: usize,
    /// End (chars).
    pub end: usize,
    /// The matched text.
    pub text: String,
}

/// Credit check of a document that reuses text from directed sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    /// Whether every source outlet is credited.
    pub credited: bool,
    /// Source outlets whose text the document reuses.
    pub sources: Vec<String>,
    /// Source outlets not credited.
    pub uncredited: Vec<String>,
    /// Credit lines found.
    pub matches: Vec<CreditHit>,
}

/// A document and its coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentEntry {
    /// Id.
    pub id: String,
    /// Outlet.
    pub outlet: String,
    /// Date.
    pub date: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// Source file.
    pub path: Option<String>,
    /// JSONL line.
    pub line: Option<usize>,
    /// Length in characters.
    pub chars: usize,
    /// Length in bytes.
    pub bytes: usize,
    /// Words.
    pub words: usize,
    /// Where matchable text starts (chars).
    pub body_start: usize,
    /// Decoded with replacement characters.
    pub lossy: bool,
    /// Marked as a wire (reference) document.
    pub wire: bool,
    /// Characters reused from others.
    pub reused_chars: usize,
    /// `reused_chars / chars`.
    pub coverage: f64,
    /// Characters by kind.
    pub by_kind: ByKind,
    /// Sources.
    pub sources: Vec<SourceShare>,
    /// Distinct source documents.
    pub source_stories: usize,
    /// Credit check (for documents that reuse directed sources).
    pub credit: Option<Credit>,
    /// Other JSONL fields.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// A verified pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairEntry {
    /// First document id.
    pub a: String,
    /// Second document id.
    pub b: String,
    /// Shared shingles.
    pub shared_shingles: usize,
    /// Exact Jaccard.
    pub jaccard: f64,
    /// Exact containment of the smaller in the larger.
    pub containment: f64,
    /// MinHash Jaccard estimate.
    pub jaccard_estimate: f64,
    /// Containment estimate.
    pub containment_estimate: f64,
    /// Passages found between them.
    pub passages: usize,
}

/// One side of a passage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    /// Document id.
    pub doc: String,
    /// Outlet.
    pub outlet: String,
    /// Start (chars).
    pub start: usize,
    /// End (chars).
    pub end: usize,
    /// Start (bytes).
    pub byte_start: usize,
    /// End (bytes).
    pub byte_end: usize,
    /// Words on this side.
    pub words: usize,
    /// The exact text.
    pub text: String,
}

/// Direction of a passage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// `a` is the source of `b`.
    AToB,
    /// No source known.
    Undirected,
}

/// One run of the edit script, char offsets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// Operation.
    pub op: Op,
    /// Start in A (chars).
    pub a_start: usize,
    /// End in A (chars).
    pub a_end: usize,
    /// Start in B (chars).
    pub b_start: usize,
    /// End in B (chars).
    pub b_end: usize,
    /// A's words (non-equal runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a_text: Option<String>,
    /// B's words (non-equal runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b_text: Option<String>,
}

/// A reused passage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    /// Stable id.
    pub id: String,
    /// Kind.
    pub kind: Kind,
    /// Side A (the source when directed).
    pub a: Side,
    /// Side B.
    pub b: Side,
    /// Share of identical words among columns.
    pub similarity: f64,
    /// Identical words.
    pub words: usize,
    /// Direction.
    pub direction: Direction,
    /// Cluster number.
    pub cluster: usize,
    /// Edit script.
    pub edits: Vec<Edit>,
}

/// A member of a reuse cluster: the span of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Document id.
    pub doc: String,
    /// Outlet.
    pub outlet: String,
    /// Start (chars) of the union of the document's passage sides in the cluster.
    pub start: usize,
    /// End (chars).
    pub end: usize,
}

/// A reuse cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    /// Number.
    pub id: usize,
    /// Best source document, if any.
    pub source: Option<String>,
    /// Documents in the cluster.
    pub members: Vec<Member>,
    /// Passage ids.
    pub passages: Vec<String>,
}

/// One boilerplate text (a footer, a cookie notice, a template sentence) and where it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoilerplateGroup {
    /// `b` and 16 hex digits, from the group's key: the same text gets the same id.
    pub id: String,
    /// What makes the group: `corpus` (text common to the corpus), `outlet` (text common
    /// to one outlet's articles) or `phrase` (a `--boilerplate` phrase).
    pub rule: String,
    /// The text of one occurrence (the longest; the first in document order on a tie).
    pub text: String,
    /// Its words.
    pub words: usize,
    /// Documents it occurs in.
    pub documents: usize,
    /// Where it occurs, by outlet name.
    pub outlets: Vec<BoilerplateOutlet>,
}

impl BoilerplateGroup {
    /// Its outlets with their occurrences, the most first (then by name).
    pub fn outlets_by_count(&self) -> Vec<(usize, &str)> {
        let mut v: Vec<(usize, &str)> = self
            .outlets
            .iter()
            .map(|o| (o.occurrences.len(), o.outlet.as_str()))
            .collect();
        v.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(y.1)));
        v
    }
}

/// A boilerplate group's occurrences in one outlet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoilerplateOutlet {
    /// Outlet.
    pub outlet: String,
    /// Occurrences, in document order.
    pub occurrences: Vec<Occurrence>,
}

/// Where boilerplate occurs in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occurrence {
    /// Document id.
    pub doc: String,
    /// Start (chars).
    pub start: usize,
    /// End (chars).
    pub end: usize,
}

/// Per-outlet figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutletEntry {
    /// Outlet.
    pub outlet: String,
    /// Articles.
    pub articles: usize,
    /// Characters of all its articles.
    pub chars: usize,
    /// Reuse passages (non-boilerplate) in which it takes part as the reuser.
    pub passages: usize,
    /// Characters reused.
    pub reused_chars: usize,
    /// `reused_chars / chars`.
    pub coverage: f64,
    /// Characters by kind.
    pub by_kind: ByKind,
    /// Sources.
    pub sources: Vec<SourceShare>,
    /// Distinct source documents.
    pub source_stories: usize,
}

impl Report {
    /// Look a document up by id.
    pub fn document(&self, id: &str) -> Option<&DocumentEntry> {
        self.documents.iter().find(|d| d.id == id)
    }

    /// Credit tally of an outlet: (articles crediting every directed source they reuse,
    /// articles reusing a directed source).
    pub fn credit_tally(&self, outlet: &str) -> (usize, usize) {
        self.documents
            .iter()
            .filter(|d| d.outlet == outlet)
            .filter_map(|d| d.credit.as_ref())
            .fold((0, 0), |(c, n), cr| (c + usize::from(cr.credited), n + 1))
    }
}
