//! Progress of a long run, reported through a trait so the library never knows about
//! terminals.
//!
//! [`crate::analyze_with`] (and the streaming [`crate::sketch_stream`]) calls [`Progress::start`] when a stage begins (with the number of
//! work items, when known), [`Progress::advance`] as items complete (from any worker thread)
//! and [`Progress::finish`] when the stage ends. The binary draws bars on a terminal and can
//! print stage timings; [`NoProgress`] ignores everything. Progress never changes results.

/// A stage of [`crate::analyze_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Read the inputs in a stream and sketch each document as it comes (items: documents);
    /// its time is reported in two parts, "read" and "sketch" ([`Progress::part`]).
    Read,
    /// Tokenise, shingle and sign every document (items: documents).
    Sketch,
    /// Build the candidate index (no items).
    Candidates,
    /// Verify candidate pairs exactly (items: pairs).
    Verify,
    /// Read again the texts of the documents in verified pairs (items: documents).
    Fetch,
    /// Re-tokenise the documents of verified pairs and align the pairs (items: pairs).
    Align,
    /// Boilerplate, attribution and the report (no items).
    Report,
}

impl Stage {
    /// A short name for display.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Read => "read",
            Stage::Sketch => "sketch",
            Stage::Candidates => "candidates",
            Stage::Verify => "verify",
            Stage::Fetch => "fetch",
            Stage::Align => "align",
            Stage::Report => "report",
        }
    }
}

/// Receives progress. Methods may be called from several threads at once.
pub trait Progress: Sync {
    /// A stage begins; `total` work items if known.
    fn start(&self, _stage: Stage, _total: Option<u64>) {}
    /// `n` more items of the current stage are done.
    fn advance(&self, _n: u64) {}
    /// The stage ended.
    fn finish(&self, _stage: Stage) {}
    /// A part of the current stage took `time`, over `text_bytes` of text when that is
    /// what it worked through.
    fn part(&self, _name: &'static str, _time: std::time::Duration, _text_bytes: Option<u64>) {}
}

/// Ignores progress.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}
