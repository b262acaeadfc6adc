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
pub mod archive;
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
/// report is assembled. [`sketch_stream`] and [`analyze_sketched`] do the same without
/// holding the corpus's texts.
pub fn analyze_with(
    corpus: &Corpus,
    settings: &Settings,
    progress: &dyn progress::Progress,
) -> Result<Report> {
    use progress::Stage;
    settings.validate()?;
    let docs = &corpus.documents;
    if let Some(d) = docs.iter().find(|d| d.text.len() > corpus::DOC_BYTES_LIMIT) {
        return Err(too_long(d));
    }
    let hasher = minhash::MinHasher::new(settings.permutations, settings.seed);
    progress.start(Stage::Sketch, Some(docs.len() as u64));
    let mut sketches = Sketches::default();
    sketches.extend(docs, &hasher, settings, progress);
    progress.finish(Stage::Sketch);
    let selected = select(docs, &sketches, settings, progress);
    finish(
        docs,
        sketches,
        selected,
        corpus.problems.clone(),
        settings,
        None,
        progress,
    )
}

fn too_long(d: &corpus::Document) -> error::Error {
    error::Error::Invalid(format!(
        "document {} has {} bytes, more than the limit of {} bytes",
        d.id,
        d.text.len(),
        corpus::DOC_BYTES_LIMIT
    ))
}

/// What the sketch stage keeps of each document, in corpus order.
#[derive(Debug, Default)]
pub(crate) struct Sketches {
    /// Sorted distinct shingle hashes.
    pub(crate) sets: Vec<Vec<u64>>,
    pub(crate) signatures: Vec<Vec<u32>>,
    /// Words (tokens) per document.
    pub(crate) words: Vec<usize>,
    pub(crate) sizes: Vec<report::build::TextSize>,
}

impl Sketches {
    /// Tokenise, shingle and sign `docs` (in parallel) and append them.
    pub(crate) fn extend(
        &mut self,
        docs: &[corpus::Document],
        hasher: &minhash::MinHasher,
        settings: &Settings,
        progress: &dyn progress::Progress,
    ) {
        let sketched: Vec<_> = docs
            .par_iter()
            .map_init(Vec::new, |keys, d| {
                tokenize::keys_into(&d.text, d.body_start, &settings.normalization, keys);
                let mut set = Vec::new();
                shingle::hashes_into(keys, settings.shingle, settings.seed, &mut set);
                set.sort_unstable();
                set.dedup();
                let sig = hasher.signature(&set);
                progress.advance(1);
                let size = report::build::TextSize::of(&d.text, d.body_start);
                (set, sig, keys.len(), size)
            })
            .collect();
        for (set, sig, w, size) in sketched {
            self.sets.push(set);
            self.signatures.push(sig);
            self.words.push(w);
            self.sizes.push(size);
        }
    }
}

/// The verified pairs to align, and what selecting them found.
pub(crate) struct Selected {
    pub(crate) verified: Vec<verify::PairStats>,
    /// Documents in a pair of `verified`: only their texts are needed from here on.
    pub(crate) involved: Vec<bool>,
    pub(crate) wire: Vec<bool>,
    pub(crate) candidate_pairs: usize,
    pub(crate) verified_pairs: usize,
    /// Boilerplate's common shingles when the candidate index counted them.
    pub(crate) common: Option<attribute::CommonShingles>,
}

/// Candidates, verification and the partner cap.
fn select(
    docs: &[corpus::Document],
    sk: &Sketches,
    settings: &Settings,
    progress: &dyn progress::Progress,
) -> Selected {
    use progress::Stage;
    progress.start(Stage::Candidates, None);
    let outlets: Vec<&str> = docs.iter().map(|d| d.outlet.as_str()).collect();
    let wire = attribute::wire_flags(docs, &settings.wire);
    let rule = attribute::CommonRule::new(settings, docs.len());
    let (candidates, stock, common) = lsh::candidates_and_stock(
        &outlets,
        &wire,
        &sk.sets,
        &sk.signatures,
        settings,
        Some(rule),
    );
    progress.finish(Stage::Candidates);

    progress.start(Stage::Verify, Some(candidates.len() as u64));
    let shared = verify::verify_shared(
        &candidates,
        &sk.sets,
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
        .map(|(p, _)| verify::stats(p, &sk.sets, &sk.signatures))
        .collect();
    let mut involved = vec![false; docs.len()];
    for p in &verified {
        involved[p.a] = true;
        involved[p.b] = true;
    }
    Selected {
        verified,
        involved,
        wire,
        candidate_pairs,
        verified_pairs,
        common,
    }
}

/// Align the selected pairs and build the report. The texts of the documents in selected
/// pairs must be present; no other text is read. `common` says which shingles of a document
/// are boilerplate when the documents here are not the whole corpus (an archive query);
/// `None` counts them over `sk`'s sets.
pub(crate) fn finish(
    docs: &[corpus::Document],
    sk: Sketches,
    sel: Selected,
    mut problems: Vec<error::Problem>,
    settings: &Settings,
    common: Option<&(dyn Fn(usize, u64) -> Option<attribute::Common> + Sync)>,
    progress: &dyn progress::Progress,
) -> Result<Report> {
    use progress::Stage;
    let Sketches {
        sets,
        signatures,
        words,
        sizes,
    } = sk;
    drop(signatures);
    let Selected {
        verified,
        involved,
        wire,
        candidate_pairs,
        verified_pairs,
        common: counted,
    } = sel;
    progress.start(Stage::Align, Some(verified.len() as u64));
    let mut clock = std::time::Instant::now();
    let mut part = |name: &'static str| {
        let now = std::time::Instant::now();
        progress.part(name, now - clock, None);
        clock = now;
    };
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
    part("tokens");
    problems.extend(short_documents(docs, &words, settings));
    let pairs: Vec<(usize, usize)> = verified.iter().map(|p| (p.a, p.b)).collect();
    let bp = match common {
        Some(is_common) => {
            attribute::boilerplate_masks_with(docs, &tokens, &pairs, settings, is_common)
        }
        None => attribute::boilerplate_masks(docs, &tokens, &pairs, &sets, counted, settings),
    };
    drop(pairs);
    drop(sets);
    part("boilerplate");
    // A pair that shares nothing but boilerplate is not aligned: its boilerplate is
    // reported once, with every other occurrence of the same text.
    let within_cap = verified.len();
    let verified: Vec<verify::PairStats> = verified
        .into_par_iter()
        .filter(|p| shingle::intersects(&bp[p.a].open, &bp[p.b].open))
        .collect();
    let boilerplate_pairs = within_cap - verified.len();
    part("open pairs");
    let runs: Vec<Vec<report::build::BoilerRun>> = docs
        .par_iter()
        .zip(&tokens)
        .zip(&bp)
        .map(|((d, t), b)| report::build::BoilerRun::of(d, t, &b.runs))
        .collect();
    let masks: Vec<Vec<bool>> = bp.into_iter().map(|b| b.mask).collect();
    let index: Vec<report::build::CharIndex> = docs
        .par_iter()
        .zip(&involved)
        .map(|(d, &inv)| report::build::CharIndex::new(if inv { &d.text } else { "" }))
        .collect();
    let params = AlignParams::from_settings(settings);
    part("runs");
    // Each document of a pair left to align is seeded once, for all its pairs.
    let mut aligned_doc = vec![false; docs.len()];
    for p in &verified {
        aligned_doc[p.a] = true;
        aligned_doc[p.b] = true;
    }
    let anchors: Vec<align::Anchors> = tokens
        .par_iter()
        .zip(aligned_doc)
        .map(|(t, yes)| {
            if yes {
                align::Anchors::new(t, params.anchor)
            } else {
                align::Anchors::default()
            }
        })
        .collect();
    part("anchors");
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
            let (a, b) = (p.a, p.b);
            let als = align::align_with(&tokens[a], &tokens[b], &anchors[a], &anchors[b], &params);
            progress.advance(1);
            report::build::pair_passages(&ctx, &p, &als)
        })
        .collect();
    part("passages");
    drop((tokens, masks, anchors));
    progress.finish(Stage::Align);

    progress.start(Stage::Report, None);
    let report = report::build::build(report::build::Inputs {
        docs,
        index,
        sizes: &sizes,
        words: &words,
        wire: &wire,
        aligned,
        runs,
        candidate_pairs,
        verified_pairs,
        boilerplate_pairs,
        settings,
        problems,
    });
    progress.finish(Stage::Report);
    report
}

/// A corpus read in a stream and sketched ([`sketch_stream`]): every document's metadata and
/// sketch, but the text only of documents that cannot be read again ([`corpus::Origin`]).
#[derive(Debug)]
pub struct SketchedCorpus {
    /// Documents in input order; `text` is empty where it was dropped.
    pub documents: Vec<corpus::Document>,
    /// Skipped inputs and warnings, in input order.
    pub problems: Vec<error::Problem>,
    /// Bytes of text read.
    pub text_bytes: u64,
    pub(crate) sketches: Sketches,
}

impl SketchedCorpus {
    /// Number of documents skipped.
    pub fn skipped(&self) -> usize {
        self.problems.iter().filter(|p| p.skipped).count()
    }
}

/// Read the inputs in a stream and sketch each batch of documents as it is read (stage
/// [`progress::Stage::Read`]; the time spent reading and sketching is reported as the parts
/// "read" and "sketch"). Texts that can be read again are dropped once sketched, so memory
/// holds the sketches and metadata, not the corpus. Errors are those of [`corpus::load`].
pub fn sketch_stream(
    inputs: &[corpus::Input],
    opts: &config::LoadOptions,
    settings: &Settings,
    progress: &dyn progress::Progress,
) -> Result<SketchedCorpus> {
    use progress::Stage;
    settings.validate()?;
    let hasher = minhash::MinHasher::new(settings.permutations, settings.seed);
    let mut out = SketchedCorpus {
        documents: Vec::new(),
        problems: Vec::new(),
        text_bytes: 0,
        sketches: Sketches::default(),
    };
    progress.start(Stage::Read, None);
    let started = std::time::Instant::now();
    let mut problems = Vec::new();
    // Only the sketching is timed as such: reading is the rest.
    let mut sketching = std::time::Duration::ZERO;
    corpus::load_batches(inputs, opts, &mut problems, &mut |batch| {
        let t = std::time::Instant::now();
        out.sketches.extend(batch, &hasher, settings, progress);
        sketching += t.elapsed();
        for mut d in batch.drain(..) {
            out.text_bytes += d.text.len() as u64;
            if d.origin != corpus::Origin::Memory {
                d.text = String::new();
            }
            out.documents.push(d);
        }
    })?;
    out.problems = problems;
    let total = started.elapsed();
    let text = Some(out.text_bytes);
    progress.part("read", total.saturating_sub(sketching), text);
    progress.part("sketch", sketching, text);
    progress.finish(Stage::Read);
    Ok(out)
}

/// The report of a streamed corpus, and its documents with the texts of those in aligned
/// pairs (the HTML page shows them).
#[derive(Debug)]
pub struct Analysis {
    /// The report.
    pub report: Report,
    /// Documents in input order; `text` is present for every document in an aligned pair.
    pub documents: Vec<corpus::Document>,
}

/// Finish what [`sketch_stream`] began: find and verify candidate pairs, read again the
/// texts of the documents in verified pairs (stage [`progress::Stage::Fetch`]), align and
/// report. The report is the one [`analyze`] gives for the same corpus held in memory. A
/// file that changed since it was read stops the run with an error naming it.
pub fn analyze_sketched(
    sketched: SketchedCorpus,
    opts: &config::LoadOptions,
    settings: &Settings,
    progress: &dyn progress::Progress,
) -> Result<Analysis> {
    use progress::Stage;
    let SketchedCorpus {
        mut documents,
        problems,
        sketches,
        ..
    } = sketched;
    let selected = select(&documents, &sketches, settings, progress);
    let wanted: Vec<usize> = (0..documents.len())
        .filter(|&d| selected.involved[d] && documents[d].origin != corpus::Origin::Memory)
        .collect();
    progress.start(Stage::Fetch, Some(wanted.len() as u64));
    let texts: Vec<String> = wanted
        .par_iter()
        .map(|&d| {
            let t = corpus::reread(&documents[d], opts);
            progress.advance(1);
            t
        })
        .collect::<Result<_>>()?;
    for (d, text) in wanted.into_iter().zip(texts) {
        documents[d].text = text;
    }
    progress.finish(Stage::Fetch);
    let report = finish(
        &documents, sketches, selected, problems, settings, None, progress,
    )?;
    Ok(Analysis { report, documents })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LoadOptions;
    use crate::corpus::{Input, Origin};

    /// `n` words of made-up text from `seed`, a full stop every twelve words.
    fn words(seed: u64, n: usize) -> String {
        let mut s = seed;
        let mut out = String::new();
        for i in 0..n {
            let w = minhash::splitmix64(&mut s) % 5000;
            out.push_str(&format!("w{w}"));
            out.push_str(if i % 12 == 11 { ". " } else { " " });
        }
        out
    }

    /// A wire story, a partial copy in a text file, another in JSONL, and unrelated articles.
    fn corpus_on_disk() -> (tempfile::TempDir, Vec<Input>) {
        let dir = tempfile::tempdir().unwrap();
        let wire = words(1, 300);
        let cut: Vec<&str> = wire.split(". ").collect();
        let first = cut[..10].join(". ").replace("w1", "w9");
        let later = cut[13..23].join(". ");
        for (path, text) in [
            ("ap/wire.txt", wire.clone()),
            ("daily/copy.txt", format!("{} {first}.", words(2, 40))),
            ("daily/other.txt", words(3, 200)),
        ] {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let line = |id: &str, outlet: &str, text: &str| {
            serde_json::json!({"id": id, "outlet": outlet, "text": text}).to_string()
        };
        let feed = [
            line("h1", "herald", &words(4, 150)),
            line("h2", "herald", &format!("{later}. {}", words(5, 30))),
            line("h3", "herald", &words(6, 150)),
        ]
        .join("\n");
        std::fs::write(dir.path().join("herald.jsonl"), feed).unwrap();
        let inputs = vec![Input::Path(dir.path().to_path_buf())];
        (dir, inputs)
    }

    /// Reading in a stream, dropping the texts and reading back only those of documents in
    /// aligned pairs gives the report of the corpus held in memory, byte for byte.
    #[test]
    fn streaming_gives_the_in_memory_report_and_holds_only_aligned_texts() {
        let (_dir, inputs) = corpus_on_disk();
        let opts = LoadOptions::default();
        let settings = Settings::default();
        let corpus = corpus::load(&inputs, &opts).unwrap();
        let want = analyze(&corpus, &settings).unwrap();
        assert_eq!(want.passages.len(), 2, "{:?}", want.passages);

        let sketched = sketch_stream(&inputs, &opts, &settings, &progress::NoProgress).unwrap();
        assert_eq!(sketched.documents.len(), 6);
        assert!(sketched.documents.iter().all(|d| d.text.is_empty()));
        assert_eq!(
            sketched.text_bytes,
            corpus
                .documents
                .iter()
                .map(|d| d.text.len() as u64)
                .sum::<u64>()
        );
        let got = analyze_sketched(sketched, &opts, &settings, &progress::NoProgress).unwrap();
        assert_eq!(
            serde_json::to_string(&got.report).unwrap(),
            serde_json::to_string(&want).unwrap()
        );
        let held: Vec<&str> = got
            .documents
            .iter()
            .filter(|d| !d.text.is_empty())
            .map(|d| d.id.as_str())
            .collect();
        assert_eq!(held, ["ap/wire.txt", "daily/copy.txt", "h2"]);
        for (d, m) in got.documents.iter().zip(&corpus.documents) {
            assert!(d.text.is_empty() || d.text == m.text);
            assert!(matches!(d.origin, Origin::File { .. }));
        }
    }

    #[test]
    fn a_file_changed_between_the_two_reads_stops_the_run_naming_it() {
        let (dir, inputs) = corpus_on_disk();
        let opts = LoadOptions::default();
        let settings = Settings::default();
        let sketched = sketch_stream(&inputs, &opts, &settings, &progress::NoProgress).unwrap();
        let copy = dir.path().join("daily/copy.txt");
        let text = std::fs::read_to_string(&copy).unwrap();
        std::fs::write(&copy, text.replace("w9", "x9")).unwrap();
        let e = analyze_sketched(sketched, &opts, &settings, &progress::NoProgress)
            .unwrap_err()
            .to_string();
        assert!(e.contains("copy.txt") && e.contains("changed"), "{e}");
    }
}
