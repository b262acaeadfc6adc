//! The validated settings every stage reads.
//!
//! The binary parses its arguments once into a [`Config`]; no stage reads arguments,
//! environment variables or globals. [`Settings`] is the part of the configuration that
//! changes results: it is written into every report (`settings`) and hashed into the
//! report's settings fingerprint, so two reports can be compared knowing whether the
//! detector itself changed.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Parameters that change what is detected. All of them are written into the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Words per shingle for MinHash and exact verification (`--shingle`).
    pub shingle: usize,
    /// MinHash permutations, the signature length (`--permutations`).
    pub permutations: usize,
    /// Seed of the MinHash permutations and of the shingle hasher (`--seed`).
    pub seed: u64,
    /// Normalisation applied to words before matching.
    pub normalization: Normalization,
    /// Words per anchor: the exact word n-grams alignment starts from (`--anchor`).
    pub anchor: usize,
    /// Largest run of unmatched words (on either side) an alignment bridges (`--max-gap`).
    pub max_gap: usize,
    /// Fewest identical aligned words a passage needs (`--min-words`).
    pub min_words: usize,
    /// Lowest share of identical aligned words a passage may have (`--min-similarity`).
    pub min_similarity: f64,
    /// Fewest shared *distinctive* shingles (not stock phrases: in at most `lsh.max_df`
    /// documents) for a verified pair (`--min-shared`); 0 (the default) is 1 for corpora of
    /// up to `lsh.auto_limit` documents and 2 above ([`Settings::min_shared_for`]). Also the
    /// fewest shared keys that make an index candidate, so the index finds every such pair.
    pub min_shared: usize,
    /// A pair linked only by stock phrases is verified when it shares at least this many
    /// shingles in all (`--min-stock-shared`): a wire story run by hundreds of outlets has
    /// only stock shingles, but its copies share dozens.
    #[serde(default = "default_min_stock_shared")]
    pub min_stock_shared: usize,
    /// Share of matched words inside quotation marks on both sides that makes a passage a `quote`.
    pub quote_share: f64,
    /// A shingle seen in this many articles of one outlet is that outlet's boilerplate
    /// (`--boilerplate-outlet-docs`).
    pub boilerplate_outlet_docs: usize,
    /// A shingle seen in at least this share of all articles (and at least
    /// `boilerplate_outlet_docs` of them) is corpus boilerplate (`--boilerplate-corpus-share`).
    pub boilerplate_corpus_share: f64,
    /// User boilerplate phrases (`--boilerplate FILE`), one per line.
    pub boilerplate_phrases: Vec<String>,
    /// Reference (wire) specifications (`--wire`): outlet names or paths.
    pub wire: Vec<String>,
    /// Extra credit-line patterns (`--credit`), regular expressions, case-insensitive.
    pub credit: Vec<String>,
    /// Candidate strategy (`--candidates`).
    pub candidates: CandidateMode,
    /// Parameters of the banded index ([`CandidateMode::Lsh`], and `Auto` on large corpora).
    pub lsh: LshSettings,
    /// Each document is aligned with at most this many verified partners (its strongest:
    /// wire documents first, then most shared shingles); a pair is aligned when either side
    /// keeps it. 0 aligns every verified pair. See [`crate::verify::select_partners`].
    #[serde(default = "default_max_partners")]
    pub max_partners: usize,
}

fn default_min_stock_shared() -> usize {
    Settings::default().min_stock_shared
}

fn default_max_partners() -> usize {
    Settings::default().max_partners
}

fn default_frequent_links() -> usize {
    LshSettings::default().frequent_links
}

/// Parameters of the candidate index (see [`crate::lsh`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LshSettings {
    /// Jaccard threshold of the whole-document banding (`--lsh-threshold`).
    pub threshold: f64,
    /// Weight of the false-positive probability when choosing bands × rows.
    pub false_positive_weight: f64,
    /// Weight of the false-negative probability when choosing bands × rows.
    pub false_negative_weight: f64,
    /// A shingle found in more documents than this is a stock phrase (`--lsh-max-df`): not an
    /// index key, and not distinctive evidence of reuse (see `min_shared`).
    pub max_df: usize,
    /// A shingle in more than `max_df` documents links each of them only to this many of
    /// them, wire documents first (`--lsh-frequent-links`).
    #[serde(default = "default_frequent_links")]
    pub frequent_links: usize,
    /// A band bucket holding more documents than this pairs each member only with the
    /// bucket's first `max_bucket` members, wire documents first (`--lsh-max-bucket`).
    pub max_bucket: usize,
    /// `auto` compares all pairs up to this many documents and uses the index above.
    pub auto_limit: usize,
}

impl Default for LshSettings {
    fn default() -> Self {
        LshSettings {
            threshold: 0.5,
            false_positive_weight: 0.5,
            false_negative_weight: 0.5,
            max_df: 100,
            frequent_links: 10,
            max_bucket: 200,
            auto_limit: 2000,
        }
    }
}

/// What word normalisation does before matching. Offsets are never affected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Normalization {
    /// Lower-case and fold typographic apostrophes, quotes and dashes (always on).
    pub case_and_typography: bool,
    /// Map British spellings to American ones (`--no-spelling` turns off).
    pub spelling: bool,
    /// Write small number words as digits (`--no-numbers` turns off).
    pub numbers: bool,
}

/// How candidate pairs are generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CandidateMode {
    /// All pairs up to `lsh.auto_limit` documents, the index above (the default).
    Auto,
    /// Every pair of documents from different outlets.
    AllPairs,
    /// The banded MinHash index plus the document-frequency-capped shingle index.
    Lsh,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            shingle: 5,
            permutations: 128,
            seed: 0x005E_ED0F_1A7E,
            normalization: Normalization {
                case_and_typography: true,
                spelling: true,
                numbers: true,
            },
            anchor: 3,
            max_gap: 12,
            min_words: 8,
            min_similarity: 0.5,
            min_shared: 0,
            min_stock_shared: 10,
            quote_share: 0.6,
            boilerplate_outlet_docs: 3,
            boilerplate_corpus_share: 0.5,
            boilerplate_phrases: Vec::new(),
            wire: Vec::new(),
            credit: Vec::new(),
            candidates: CandidateMode::Auto,
            lsh: LshSettings::default(),
            max_partners: 10,
        }
    }
}

impl Settings {
    /// The fewest shared distinctive shingles for a verified pair in a corpus of `documents`
    /// (`min_shared`, or when it is 0: 1 up to `lsh.auto_limit` documents, 2 above).
    ///
    /// Why the threshold grows with the corpus: the pairs of unrelated articles that share a
    /// 5-gram by chance grow with the square of the corpus, the pairs that copy with its size.
    /// In a few hundred articles one shared 5-gram is evidence worth an alignment (two copies
    /// of a wire story edited at 30 % share few); in 100,000 generated articles, requiring a
    /// second one cut the verified pairs from 5.1 million to 0.7 million, most of the rest
    /// aligning into nothing, and kept every pair of copies of the same story.
    pub fn min_shared_for(&self, documents: usize) -> usize {
        match self.min_shared {
            0 if documents <= self.lsh.auto_limit => 1,
            0 => 2,
            n => n,
        }
    }

    /// Check that the values make sense together.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Invalid(m));
        if !(1..=32).contains(&self.shingle) {
            return bad(format!("--shingle must be 1..=32, not {}", self.shingle));
        }
        if !(1..=4096).contains(&self.permutations) {
            return bad(format!(
                "--permutations must be 1..=4096, not {}",
                self.permutations
            ));
        }
        if !(1..=16).contains(&self.anchor) {
            return bad(format!("--anchor must be 1..=16, not {}", self.anchor));
        }
        if self.max_gap > 200 {
            return bad(format!(
                "--max-gap must be at most 200, not {}",
                self.max_gap
            ));
        }
        if self.min_words == 0 {
            return bad("--min-words must be at least 1".into());
        }
        for (name, v) in [
            ("--min-similarity", self.min_similarity),
            ("--quote-share", self.quote_share),
            ("--boilerplate-corpus-share", self.boilerplate_corpus_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return bad(format!("{name} must be between 0 and 1, not {v}"));
            }
        }
        if !(self.lsh.threshold > 0.0 && self.lsh.threshold < 1.0) {
            return bad(format!(
                "--lsh-threshold must be between 0 and 1 (exclusive), not {}",
                self.lsh.threshold
            ));
        }
        if self.lsh.false_positive_weight < 0.0 || self.lsh.false_negative_weight < 0.0 {
            return bad("LSH false-positive/negative weights must not be negative".into());
        }
        if self.lsh.max_df < 2 || self.lsh.max_bucket < 1 {
            return bad("--lsh-max-df must be at least 2, --lsh-max-bucket at least 1".into());
        }
        if self.boilerplate_outlet_docs < 2 {
            return bad("--boilerplate-outlet-docs must be at least 2".into());
        }
        for p in &self.credit {
            regex::RegexBuilder::new(p)
                .case_insensitive(true)
                .build()
                .map_err(|e| {
                    Error::Invalid(format!("--credit {p:?} is not a valid pattern: {e}"))
                })?;
        }
        Ok(())
    }
}

/// How documents are read. These do not change what is detected in a document that loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// Decode invalid UTF-8 with U+FFFD instead of skipping the document.
    pub lossy: bool,
    /// Skip documents larger than this many bytes.
    pub max_doc_bytes: usize,
    /// How long a FIFO named as an input is waited for: for a writer and its first bytes,
    /// then between reads. A FIFO that stays silent this long is skipped (`None`: wait
    /// forever).
    pub read_timeout: Option<std::time::Duration>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            lossy: false,
            max_doc_bytes: 64 << 20,
            read_timeout: Some(std::time::Duration::from_secs(10)),
        }
    }
}

/// Everything a run needs.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Parameters that change results.
    pub settings: Settings,
    /// Reading options.
    pub load: LoadOptions,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_shared_grows_with_the_corpus_unless_set() {
        let mut s = Settings::default();
        assert_eq!(s.min_shared_for(5), 1);
        assert_eq!(s.min_shared_for(s.lsh.auto_limit), 1);
        assert_eq!(s.min_shared_for(s.lsh.auto_limit + 1), 2);
        s.min_shared = 3;
        assert_eq!(s.min_shared_for(5), 3);
        assert_eq!(s.min_shared_for(1_000_000), 3);
    }
}
