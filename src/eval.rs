//! Measuring quality: a ground truth, a scorer and a generator of corpora with exact truth.
//!
//! wirecopy's detections are judged the way plagiarism detectors are judged in the PAN
//! *text alignment* task: Potthast, Stein, Barrón-Cedeño and Rosso, "An Evaluation
//! Framework for Plagiarism Detection", COLING 2010, with the micro-averaged variants later
//! used at PAN (Potthast et al., "Overview of the 6th International Competition on
//! Plagiarism Detection", PAN at CLEF 2014).
//!
//! * [`truth`] — the truth file (`truth_version` 1): reuse *cases*, each a pair of character
//!   spans in two documents, in the same unit as the report (Unicode scalar values,
//!   0-based, half-open).
//! * [`score`] — the measures, computed on characters of both documents of a pair:
//!   **precision** (how much of each detection is really reused text, averaged over
//!   detections), **recall** (how much of each case was found, averaged over cases),
//!   **F1**, **granularity** (how many pieces a detected case comes in on average; 1 is
//!   ideal) and **plagdet** `= F1 / log2(1 + granularity)`, which punishes fragmented
//!   detections; plus micro (pooled-character) precision and recall, recall per kind, and
//!   the detections that fall in pairs with no truth at all.
//! * [`generate`] — synthetic wire-copy corpora built from real articles: wire stories,
//!   outlets that copy and edit paragraphs of them at a controlled word edit rate, own
//!   paragraphs, footers and distractors, with the exact spans of every copied block.
//!
//! A case is detected only by a detection between the *same two documents* that overlaps it
//! in both; text found between the right documents but at the wrong place, or between two
//! documents that share nothing, counts against precision.

pub mod generate;
pub mod score;
pub mod truth;
