//! wirecopy finds reused text in a corpus of news articles: which wire-copy passages each
//! outlet reused, where exactly, how much of its article that is, and how it was edited.
//!
//! The pipeline, one module per stage:
//!
//! [`corpus`] (load) → [`tokenize`] (words with byte spans, normalised keys) → [`shingle`]
//! (word n-grams) → [`minhash`] (signatures) → [`lsh`] (candidate pairs) → [`verify`] (exact
//! Jaccard / containment) → [`align`] (edit-tolerant passages) → [`attribute`] (kinds,
//! direction, clusters, credit) → [`report`] (data model and renderers); [`regress`] compares
//! two reports (CI regression checks); [`eval`] measures a report against a ground truth and
//! generates corpora that have one.
//!
//! ```
//! use wirecopy::{analyze, config::Settings, corpus::{Corpus, Document}};
//! let wire = "Russia and the United States agreed Tuesday to begin working toward ending the war in Ukraine and improving their diplomatic and economic ties.";
//! let outlet = "Officials said Russia and the United States agreed on Tuesday to start working toward ending the war in Ukraine and improving diplomatic and economic ties.";
//! let doc = |id: &str, text: &str| Document::new(id, id, text);
//! let corpus = Corpus::from_documents(vec![doc("ap", wire), doc("daily", outlet)]);
//! let report = analyze(&corpus, &Settings::default()).unwrap();
//! assert_eq!(report.passages.len(), 1);
//! assert_eq!(report.passages[0].kind.as_str(), "edited");
//! ```

#![deny(missing_docs)]

pub mod align;
pub mod attribute;
pub mod config;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod lsh;
pub mod minhash;
pub mod output;
pub mod regress;
pub mod report;
pub mod shingle;
pub mod tokenize;
pub mod verify;

#[cfg(test)]
mod proptests;

use rayon::prelude::*;

use crate::align::AlignParams;
use crate::config::Settings;
use crate::corpus::Corpus;
use crate::error::Result;
use crate::report::Report;

/// Run the whole pipeline on a loaded corpus. Deterministic: the same corpus and settings
/// give the same report whatever the number of threads.
pub fn analyze(corpus: &Corpus, settings: &Settings) -> Result<Report> {
    settings.validate()?;
    let docs = &corpus.documents;
    if let Some(d) = docs.iter().find(|d| d.text.len() > corpus::DOC_BYTES_LIMIT) {
        return Err(error::Error::Invalid(format!(
            "document {} has {} bytes, more than the limit of {} bytes",
            d.id,
            d.text.len(),
            corpus::DOC_BYTES_LIMIT
        )));
    }
    let tokens: Vec<Vec<tokenize::Token>> = docs
        .par_iter()
        .map(|d| tokenize::tokenize(&d.text, d.body_start, &settings.normalization))
        .collect();
    let mut problems = corpus.problems.clone();
    problems.extend(short_documents(docs, &tokens, settings));
    let sets: Vec<Vec<u64>> = tokens
        .par_iter()
        .map(|t| shingle::shingle_set(t, settings.shingle, settings.seed))
        .collect();
    let hasher = minhash::MinHasher::new(settings.permutations, settings.seed);
    let signatures = hasher.signatures(&sets);
    let outlets: Vec<&str> = docs.iter().map(|d| d.outlet.as_str()).collect();
    let candidates = lsh::candidates(&outlets, &signatures, settings);
    let verified = verify::verify(&candidates, &sets, &signatures, settings.min_shared);
    let params = AlignParams::from_settings(settings);
    let aligned: Vec<_> = verified
        .into_par_iter()
        .map(|p| {
            let als = align::align(&tokens[p.a], &tokens[p.b], &params);
            (p, als)
        })
        .collect();
    let masks = attribute::boilerplate_masks(docs, &tokens, &sets, settings);
    let wire = attribute::wire_flags(docs, &settings.wire);
    report::build::build(report::build::Inputs {
        docs,
        tokens: &tokens,
        masks: &masks,
        wire: &wire,
        aligned,
        candidate_pairs: candidates.len(),
        settings,
        problems,
    })
}

/// Warnings (not skips) for documents too short to ever match: fewer words than one shingle
/// (no shingle, so never a candidate) or than `min_words` (no passage fits). They stay in
/// the report, with nothing reused, and the user is told why.
fn short_documents(
    docs: &[corpus::Document],
    tokens: &[Vec<tokenize::Token>],
    settings: &Settings,
) -> Vec<error::Problem> {
    let need = settings.shingle.max(settings.min_words);
    docs.iter()
        .zip(tokens)
        .filter(|(_, t)| t.len() < need)
        .map(|(d, t)| {
            let why = if t.len() < settings.shingle {
                format!("fewer than one shingle (--shingle {})", settings.shingle)
            } else {
                format!("fewer than --min-words {}", settings.min_words)
            };
            let words = if t.len() == 1 { "word" } else { "words" };
            error::Problem {
                path: d.path.clone().unwrap_or_default(),
                line: d.line,
                doc: Some(d.id.clone()),
                message: format!("only {} {words}, {why}: it can never match", t.len()),
                skipped: false,
            }
        })
        .collect()
}
