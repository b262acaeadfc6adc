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
pub mod progress;
pub mod regress;
pub mod report;
pub mod shingle;
pub mod sketch;
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
    analyze_with(corpus, settings, &progress::NoProgress)
}

/// [`analyze`], reporting progress.
///
/// Memory: tokens are the largest per-document structure (32 bytes per word), so the
/// sketch stage builds none: each document's word keys ([`tokenize::keys_into`]) are
/// shingled and signed in one step; only the shingle set (8 bytes per distinct shingle) and
/// the signature (4 bytes per permutation) stay. After verification, only the documents of
/// aligned pairs are tokenised; each pair's alignment becomes its report entries at once, so
/// alignments are never held for the whole corpus, and the tokens are dropped before the
/// report is assembled.
pub fn analyze_with(
    corpus: &Corpus,
    settings: &Settings,
    progress: &dyn progress::Progress,
) -> Result<Report> {
    use progress::Stage;
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
    let hasher = minhash::MinHasher::new(settings.permutations, settings.seed);

    progress.start(Stage::Sketch, Some(docs.len() as u64));
    let sketched: Vec<(Vec<u64>, Vec<u32>, usize)> = docs
        .par_iter()
        .map_init(Vec::new, |keys, d| {
            tokenize::keys_into(&d.text, d.body_start, &settings.normalization, keys);
            let mut set = Vec::new();
            shingle::hashes_into(keys, settings.shingle, settings.seed, &mut set);
            set.sort_unstable();
            set.dedup();
            let sig = hasher.signature(&set);
            progress.advance(1);
            (set, sig, keys.len())
        })
        .collect();
    let mut sets = Vec::with_capacity(docs.len());
    let mut signatures = Vec::with_capacity(docs.len());
    let mut words = Vec::with_capacity(docs.len());
    for (set, sig, w) in sketched {
        sets.push(set);
        signatures.push(sig);
        words.push(w);
    }
    progress.finish(Stage::Sketch);

    progress.start(Stage::Candidates, None);
    let outlets: Vec<&str> = docs.iter().map(|d| d.outlet.as_str()).collect();
    let wire = attribute::wire_flags(docs, &settings.wire);
    let (candidates, stock) =
        lsh::candidates_and_stock(&outlets, &wire, &sets, &signatures, settings);
    progress.finish(Stage::Candidates);

    progress.start(Stage::Verify, Some(candidates.len() as u64));
    let shared = verify::verify_shared(
        &candidates,
        &sets,
        &verify::Evidence::new(&stock, settings, docs.len()),
    );
    drop(stock);
    let candidate_pairs = candidates.len();
    drop(candidates);
    progress.advance(candidate_pairs as u64);
    progress.finish(Stage::Verify);

    let verified_pairs = shared.len();
    let keep = verify::select_partners(&shared, settings.max_partners, &wire);
    let verified: Vec<verify::PairStats> = shared
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(p, _)| verify::stats(p, &sets, &signatures))
        .collect();
    drop(shared);

    progress.start(Stage::Align, Some(verified.len() as u64));
    let mut involved = vec![false; docs.len()];
    for p in &verified {
        involved[p.a] = true;
        involved[p.b] = true;
    }
    let tokens: Vec<Vec<tokenize::Token>> = docs
        .par_iter()
        .zip(&involved)
        .map(|(d, &inv)| {
            if inv {
                tokenize::tokenize(&d.text, d.body_start, &settings.normalization)
            } else {
                Vec::new()
            }
        })
        .collect();
    let mut problems = corpus.problems.clone();
    problems.extend(short_documents(docs, &words, settings));
    let masks = attribute::boilerplate_masks(docs, &tokens, &sets, settings);
    drop(sets);
    let index: Vec<report::build::CharIndex> = docs
        .par_iter()
        .map(|d| report::build::CharIndex::new(&d.text))
        .collect();
    let params = AlignParams::from_settings(settings);
    let ctx = report::build::PairContext {
        docs,
        tokens: &tokens,
        masks: &masks,
        wire: &wire,
        index: &index,
        quote_share: settings.quote_share,
    };
    // Each pair's alignments become report entries at once: only passages are kept.
    let aligned: Vec<_> = verified
        .into_par_iter()
        .map(|p| {
            let als = align::align(&tokens[p.a], &tokens[p.b], &params);
            progress.advance(1);
            report::build::pair_passages(&ctx, &p, &als)
        })
        .collect();
    drop((tokens, masks));
    progress.finish(Stage::Align);

    progress.start(Stage::Report, None);
    let report = report::build::build(report::build::Inputs {
        docs,
        index,
        words: &words,
        wire: &wire,
        aligned,
        candidate_pairs,
        verified_pairs,
        settings,
        problems,
    });
    progress.finish(Stage::Report);
    report
}

/// Warnings (not skips) for documents too short to ever match: fewer words than one shingle
/// (no shingle, so never a candidate) or than `min_words` (no passage fits). They stay in
/// the report, with nothing reused, and the user is told why.
fn short_documents(
    docs: &[corpus::Document],
    words: &[usize],
    settings: &Settings,
) -> Vec<error::Problem> {
    let need = settings.shingle.max(settings.min_words);
    docs.iter()
        .zip(words)
        .filter(|(_, &n)| n < need)
        .map(|(d, &n)| {
            let why = if n < settings.shingle {
                format!("fewer than one shingle (--shingle {})", settings.shingle)
            } else {
                format!("fewer than --min-words {}", settings.min_words)
            };
            let unit = if n == 1 { "word" } else { "words" };
            error::Problem {
                path: d.path.clone().unwrap_or_default(),
                line: d.line,
                doc: Some(d.id.clone()),
                message: format!("only {n} {unit}, {why}: it can never match"),
                skipped: false,
            }
        })
        .collect()
}
