//! Attribution: what kind of reuse a passage is, who the source is, which passages are the
//! same text run by several outlets, and whether the reuser credits its source.
//!
//! * **Boilerplate.** A document's words are marked as boilerplate when they fall under a
//!   shingle that appears in at least `boilerplate_outlet_docs` articles of the same outlet
//!   (footers, cookie notices, sign-offs), under a shingle that appears in at least
//!   `max(20, boilerplate_corpus_share · N)` of all `N` articles (text common to the corpus),
//!   or under a user phrase (`--boilerplate FILE`), or under a shingle that is boilerplate
//!   in a partner of a verified pair. Each stretch of such words is reported once, in the
//!   report's boilerplate groups; a passage whose words are mostly (≥ 50 %) boilerplate on
//!   either side is left out of the passages, and a pair that shares no shingle outside
//!   boilerplate is not aligned. Boilerplate is never counted as reuse.
//! * **Quote.** A passage whose identical words stand inside quotation marks on *both* sides
//!   for at least `quote_share` of them is `quote`: outlets quoting the same person are not
//!   copying each other.
//! * **Verbatim / edited.** Otherwise a passage is `verbatim` when every column is identical
//!   after normalisation, and `edited` when not.
//! * **Direction.** A document matching a `--wire` spec (outlet name, document id, or a path
//!   or directory it was read from) is a source; between two documents that both or neither
//!   are, the one with the earlier date is; otherwise the passage is undirected.
//! * **Clusters.** Passages are linked through the documents they share: two passage sides in
//!   the same document that overlap by at least half of the shorter are the same text. Each
//!   connected component is a reuse cluster (one wire paragraph run by twenty outlets is one
//!   cluster, not 190 pairs). A cluster's best source is a wire document if it has one (the
//!   earliest, then the first in input order), else the single earliest-dated document;
//!   every other member's text is attributed to that source.
//! * **Credit.** An article that reuses text from a directed source credits it when its text
//!   names the source outlet (or a known alias of a news agency: "Associated Press", "(AP)",
//!   "Reuters", "AFP", "Agence France-Presse", …) or matches a `--credit` pattern.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use rayon::prelude::*;
use regex::{Regex, RegexBuilder};

use crate::config::Settings;
use crate::corpus::Document;
use crate::tokenize::Token;

/// The kind of a passage.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Identical after normalisation.
    Verbatim,
    /// Reused with edits.
    Edited,
    /// The same quotation on both sides.
    Quote,
    /// Repeated text (footers, notices, corpus-common text); not reuse.
    Boilerplate,
}

impl Kind {
    /// Lower-case name as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Verbatim => "verbatim",
            Kind::Edited => "edited",
            Kind::Quote => "quote",
            Kind::Boilerplate => "boilerplate",
        }
    }

    /// Whether passages of this kind count as reuse in coverage figures.
    pub fn is_reuse(self) -> bool {
        !matches!(self, Kind::Boilerplate)
    }
}

/// Which kind of boilerplate a shingle is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Common {
    /// In at least [`corpus_min`] documents of the corpus.
    Corpus,
    /// In at least `boilerplate_outlet_docs` documents of the document's outlet.
    Outlet,
}

/// What marks words as boilerplate: a corpus-common shingle, an outlet-common one, or a
/// `--boilerplate` phrase. Ordered so: a group is named by its smallest key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupKey {
    /// The smallest corpus-common shingle hash of the run.
    Corpus(u64),
    /// The smallest outlet-common shingle hash of the run.
    Outlet(u64),
    /// The first `--boilerplate` phrase in the run.
    Phrase(usize),
}

/// One stretch of a document's boilerplate: words `tokens`, and what makes it boilerplate.
/// Runs that share a key are the same text ([`crate::report::build`] groups them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Token range.
    pub tokens: Range<usize>,
    /// The keys of the common shingles and phrases over it, sorted.
    pub keys: Vec<GroupKey>,
}

/// A document's boilerplate.
#[derive(Debug, Clone, Default)]
pub struct Boilerplate {
    /// Per token: under boilerplate.
    pub mask: Vec<bool>,
    /// Its stretches of at least `min_words` words, split at line breaks, in order.
    pub runs: Vec<Run>,
    /// Sorted distinct hashes of the shingles with a word outside boilerplate: two
    /// documents that share none of these share nothing but boilerplate.
    pub open: Vec<u64>,
}

/// Per-document boilerplate ([`Boilerplate`]) of the documents with tokens; `mask[t]` is
/// true when token `t` is boilerplate.
pub fn boilerplate_masks(
    docs: &[Document],
    tokens: &[Vec<Token>],
    pairs: &[(usize, usize)],
    shingles: &[Vec<u64>],
    common: Option<CommonShingles>,
    settings: &Settings,
) -> Vec<Boilerplate> {
    let (doc_outlet, outlet_size) = outlet_numbers(docs);
    let common = common.unwrap_or_else(|| {
        common_shingles(shingles, &doc_outlet, CommonRule::new(settings, docs.len()))
    });
    let is_common = |d: usize, h: u64| {
        let o = doc_outlet[d];
        if common.corpus.binary_search(&h).is_ok() {
            Some(Common::Corpus)
        } else if outlet_size[o as usize] >= settings.boilerplate_outlet_docs
            && common.outlet.binary_search(&(h, o)).is_ok()
        {
            Some(Common::Outlet)
        } else {
            None
        }
    };
    boilerplate_masks_with(docs, tokens, pairs, settings, &is_common)
}

/// The fewest documents (of `documents` in all) a shingle must be in to be corpus
/// boilerplate: `boilerplate_corpus_share` of them, and at least 20.
pub fn corpus_min(settings: &Settings, documents: usize) -> u32 {
    (settings.boilerplate_corpus_share * documents as f64)
        .ceil()
        .max(20.0) as u32
}

/// [`boilerplate_masks`] with the counting done elsewhere: `is_common(d, h)` says whether
/// shingle `h` of document `d` is corpus boilerplate or its outlet's (the archive counts
/// over documents it does not load). The user's phrases are marked as well.
pub fn boilerplate_masks_with(
    docs: &[Document],
    tokens: &[Vec<Token>],
    pairs: &[(usize, usize)],
    settings: &Settings,
    is_common: &(dyn Fn(usize, u64) -> Option<Common> + Sync),
) -> Vec<Boilerplate> {
    let n = settings.shingle;
    let phrases: Vec<Vec<u64>> = settings
        .boilerplate_phrases
        .iter()
        .map(|p| {
            crate::tokenize::tokenize(p, 0, &settings.normalization)
                .iter()
                .map(|t| t.key)
                .collect::<Vec<_>>()
        })
        .collect();
    let hasher_seed = settings.seed;
    let one = |d: usize, inherited: &[(u64, GroupKey)]| -> (Boilerplate, Vec<(u64, GroupKey)>) {
        let toks = &tokens[d];
        if toks.is_empty() {
            return (Boilerplate::default(), Vec::new());
        }
        let mut mask = vec![false; toks.len()];
        // Every stretch of boilerplate: (first token, tokens, key), in order of start.
        let mut marks: Vec<(usize, usize, GroupKey)> = Vec::new();
        let hashes = if toks.len() >= n {
            crate::shingle::shingles(toks, n, hasher_seed)
        } else {
            Vec::new()
        };
        let mut shingle_key: Vec<Option<GroupKey>> = Vec::with_capacity(hashes.len());
        for (i, &h) in hashes.iter().enumerate() {
            let key = match is_common(d, h) {
                Some(Common::Corpus) => Some(GroupKey::Corpus(h)),
                Some(Common::Outlet) => Some(GroupKey::Outlet(h)),
                None => inherited
                    .binary_search_by_key(&h, |x| x.0)
                    .ok()
                    .map(|j| inherited[j].1),
            };
            if let Some(k) = key {
                marks.push((i, n, k));
            }
            shingle_key.push(key);
        }
        for (pi, ph) in phrases.iter().enumerate() {
            if ph.is_empty() || ph.len() > toks.len() {
                continue;
            }
            for i in 0..=toks.len() - ph.len() {
                if toks[i..i + ph.len()]
                    .iter()
                    .zip(ph)
                    .all(|(t, k)| t.key == *k)
                {
                    marks.push((i, ph.len(), GroupKey::Phrase(pi)));
                }
            }
        }
        marks.sort_unstable();
        for &(i, len, _) in &marks {
            mask[i..i + len].iter_mut().for_each(|m| *m = true);
        }
        let text = docs[d].text.as_bytes();
        let runs = runs_of(&mask, &marks, |t| {
            text[toks[t - 1].end as usize..toks[t].start as usize].contains(&b'\n')
        })
        .into_iter()
        .filter(|r| r.tokens.len() >= settings.min_words.max(1))
        .collect();
        let (mut open, mut closed) = (Vec::new(), Vec::new());
        for (i, &h) in hashes.iter().enumerate() {
            if mask[i..i + n].iter().all(|&m| m) {
                // Passed on to a partner when common itself.
                if let Some(k) = shingle_key[i] {
                    closed.push((h, k));
                }
            } else {
                open.push(h);
            }
        }
        open.sort_unstable();
        open.dedup();
        closed.sort_unstable();
        closed.dedup_by_key(|x| x.0);
        (Boilerplate { mask, runs, open }, closed)
    };
    let first: Vec<(Boilerplate, Vec<(u64, GroupKey)>)> = (0..tokens.len())
        .into_par_iter()
        .map(|d| one(d, &[]))
        .collect();
    // Text that is boilerplate in one document of a verified pair is boilerplate in the
    // other too (an outlet's footer carried by another outlet's page): the other document
    // inherits the shingles, with their keys, and is marked again.
    let mut partners: Vec<Vec<usize>> = vec![Vec::new(); tokens.len()];
    for &(a, b) in pairs {
        partners[a].push(b);
        partners[b].push(a);
    }
    let inherited: Vec<Vec<(u64, GroupKey)>> = partners
        .into_par_iter()
        .enumerate()
        .map(|(x, ys)| {
            let open = &first[x].0.open;
            let mut got = Vec::new();
            for y in ys {
                // A partner's boilerplate shingles are few: each is looked up in `open`.
                got.extend(
                    first[y]
                        .1
                        .iter()
                        .filter(|(h, _)| open.binary_search(h).is_ok()),
                );
            }
            got
        })
        .collect();
    first
        .into_par_iter()
        .zip(inherited)
        .enumerate()
        .map(|(d, ((bp, _), mut inh))| {
            if inh.is_empty() {
                return bp;
            }
            inh.sort_unstable();
            inh.dedup_by_key(|x| x.0);
            one(d, &inh).0
        })
        .collect()
}

/// The maximal stretches of `mask`, split where `breaks(t)` (a line break before token `t`),
/// each with the keys of the `marks` (sorted by first token) that overlap it.
fn runs_of(
    mask: &[bool],
    marks: &[(usize, usize, GroupKey)],
    breaks: impl Fn(usize) -> bool,
) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let mut t = 0;
    let mut first = 0;
    while t < mask.len() {
        if !mask[t] {
            t += 1;
            continue;
        }
        let start = t;
        t += 1;
        while t < mask.len() && mask[t] && !breaks(t) {
            t += 1;
        }
        // Marks ending at or before the run's start are behind every later run too.
        while first < marks.len() && marks[first].0 + marks[first].1 <= start {
            first += 1;
        }
        let mut keys: Vec<GroupKey> = marks[first..]
            .iter()
            .take_while(|m| m.0 < t)
            .filter(|m| m.0 + m.1 > start)
            .map(|m| m.2)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        if !keys.is_empty() {
            out.push(Run {
                tokens: start..t,
                keys,
            });
        }
    }
    out
}

/// The shingles common enough to be boilerplate: those in at least `corpus_min` documents
/// (sorted), and the (shingle, outlet) pairs with the shingle in at least `outlet_min`
/// documents of the outlet (sorted). Outlets are numbered in order of first appearance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommonShingles {
    /// Corpus boilerplate shingles.
    pub corpus: Vec<u64>,
    /// (shingle, outlet) pairs of outlet boilerplate.
    pub outlet: Vec<(u64, u32)>,
}

/// The counts that make a shingle common ([`CommonShingles`]).
#[derive(Debug, Clone, Copy)]
pub struct CommonRule {
    /// Documents of the corpus a corpus-boilerplate shingle is in, at least.
    pub corpus_min: u32,
    /// Documents of one outlet an outlet-boilerplate shingle is in, at least.
    pub outlet_min: u32,
}

impl CommonRule {
    /// The rule of `settings` for a corpus of `documents`.
    pub fn new(settings: &Settings, documents: usize) -> CommonRule {
        CommonRule {
            corpus_min: corpus_min(settings, documents),
            outlet_min: settings.boilerplate_outlet_docs as u32,
        }
    }

    /// The fewest documents a shingle can be in and still be common.
    pub fn fewest(&self) -> usize {
        self.corpus_min.min(self.outlet_min).max(1) as usize
    }

    /// Add what shingle `h` contributes, given the (sorted) outlets of its documents, one
    /// entry per document.
    pub fn add(&self, h: u64, outlets: &[u32], out: &mut CommonShingles) {
        if outlets.len() as u32 >= self.corpus_min {
            out.corpus.push(h);
        }
        if (outlets.len() as u32) < self.outlet_min {
            return;
        }
        for same in outlets.chunk_by(|x, y| x == y) {
            if same.len() as u32 >= self.outlet_min {
                out.outlet.push((h, same[0]));
            }
        }
    }
}

/// [`CommonShingles`] of `shingles` (sorted sets, one per document, outlets `doc_outlet`),
/// counted by sorting in 64 partitions of the hash range processed in parallel (each set is
/// sorted, so a partition is one slice of it): memory is one partition's entries at a time
/// per thread, 12 bytes per shingle occurrence, not a hash map over the whole corpus. The
/// candidate stage's index counts the same as it goes ([`crate::lsh::candidates_and_stock`]);
/// this is for the runs that do not build it.
pub fn common_shingles(
    shingles: &[Vec<u64>],
    doc_outlet: &[u32],
    rule: CommonRule,
) -> CommonShingles {
    const BITS: u32 = 6;
    let parts: Vec<CommonShingles> = (0..1u64 << BITS)
        .into_par_iter()
        .map(|p| {
            let part = |h: &u64| h >> (64 - BITS);
            let mut v: Vec<(u64, u32)> = Vec::new();
            for (set, &o) in shingles.iter().zip(doc_outlet) {
                let lo = set.partition_point(|h| part(h) < p);
                let hi = set.partition_point(|h| part(h) <= p);
                v.extend(set[lo..hi].iter().map(|&h| (h, o)));
            }
            v.sort_unstable();
            let mut out = CommonShingles::default();
            let mut outlets = Vec::new();
            for run in v.chunk_by(|x, y| x.0 == y.0) {
                if run.len() >= rule.fewest() {
                    outlets.clear();
                    outlets.extend(run.iter().map(|x| x.1));
                    rule.add(run[0].0, &outlets, &mut out);
                }
            }
            out
        })
        .collect();
    let mut out = CommonShingles::default();
    for p in parts {
        out.corpus.extend(p.corpus);
        out.outlet.extend(p.outlet);
    }
    out
}

/// Outlet numbers in order of first appearance, and each outlet's document count.
pub fn outlet_numbers(docs: &[Document]) -> (Vec<u32>, Vec<usize>) {
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut size: Vec<usize> = Vec::new();
    let numbers = docs
        .iter()
        .map(|d| {
            let next = ids.len() as u32;
            let id = *ids.entry(d.outlet.as_str()).or_insert(next);
            if id as usize == size.len() {
                size.push(0);
            }
            size[id as usize] += 1;
            id
        })
        .collect();
    (numbers, size)
}

/// What [`kind`] looks at: both documents' tokens and boilerplate masks, the passage's
/// token ranges, its identical word pairs and its column count.
#[derive(Debug, Clone, Copy)]
pub struct PassageView<'a> {
    /// Tokens of A.
    pub a_tokens: &'a [Token],
    /// Tokens of B.
    pub b_tokens: &'a [Token],
    /// Boilerplate mask of A.
    pub a_mask: &'a [bool],
    /// Boilerplate mask of B.
    pub b_mask: &'a [bool],
    /// Token range in A.
    pub a: &'a Range<usize>,
    /// Token range in B.
    pub b: &'a Range<usize>,
    /// Identical word pairs (token indices in A and B).
    pub equal_pairs: &'a [(usize, usize)],
    /// Alignment columns.
    pub columns: usize,
}

/// Classify a passage.
pub fn kind(v: &PassageView, quote_share: f64) -> Kind {
    let share = |mask: &[bool], r: &Range<usize>| {
        if r.is_empty() {
            0.0
        } else {
            mask[r.clone()].iter().filter(|&&m| m).count() as f64 / r.len() as f64
        }
    };
    if share(v.a_mask, v.a) >= 0.5 || share(v.b_mask, v.b) >= 0.5 {
        return Kind::Boilerplate;
    }
    if !v.equal_pairs.is_empty() {
        let quoted = v
            .equal_pairs
            .iter()
            .filter(|&&(i, j)| v.a_tokens[i].quoted && v.b_tokens[j].quoted)
            .count();
        if quoted as f64 / v.equal_pairs.len() as f64 >= quote_share {
            return Kind::Quote;
        }
    }
    if v.equal_pairs.len() == v.columns {
        Kind::Verbatim
    } else {
        Kind::Edited
    }
}

/// Which documents are reference (wire) documents.
pub fn wire_flags(docs: &[Document], specs: &[String]) -> Vec<bool> {
    docs.iter()
        .map(|d| {
            specs.iter().any(|s| {
                let s = s.trim_end_matches('/');
                d.outlet.eq_ignore_ascii_case(s)
                    || d.id == s
                    || d.path.as_deref().is_some_and(|p| {
                        let p = p.trim_start_matches("./");
                        let s = s.trim_start_matches("./");
                        p == s || p.starts_with(&format!("{s}/"))
                    })
            })
        })
        .collect()
}

/// The source side of a pair: `Some(true)` when `a` is the source, `Some(false)` when `b`
/// is, `None` when undirected.
pub fn direction(a: &Document, b: &Document, a_wire: bool, b_wire: bool) -> Option<bool> {
    if a_wire != b_wire {
        return Some(a_wire);
    }
    match (&a.date, &b.date) {
        (Some(x), Some(y)) if x != y => Some(x < y),
        _ => None,
    }
}

/// Union–find over passage sides.
#[derive(Debug, Clone)]
pub struct Clusters {
    parent: Vec<usize>,
}

impl Clusters {
    /// `n` singletons.
    pub fn new(n: usize) -> Clusters {
        Clusters {
            parent: (0..n).collect(),
        }
    }

    /// Representative of `x`.
    pub fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Join the sets of `x` and `y` (the smaller representative wins, for determinism).
    pub fn union(&mut self, x: usize, y: usize) {
        let (rx, ry) = (self.find(x), self.find(y));
        if rx != ry {
            let (lo, hi) = if rx < ry { (rx, ry) } else { (ry, rx) };
            self.parent[hi] = lo;
        }
    }
}

/// One side of a passage, as input to clustering: document index and byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SideRef {
    /// Document index.
    pub doc: usize,
    /// Byte span in the document.
    pub span: Range<usize>,
}

/// Cluster passages: returns for each passage its cluster number (0-based, numbered by first
/// passage), given both sides of each passage.
pub fn cluster(sides: &[(SideRef, SideRef)]) -> Vec<usize> {
    let mut uf = Clusters::new(sides.len());
    let mut by_doc: BTreeMap<usize, Vec<(Range<usize>, usize)>> = BTreeMap::new();
    for (p, (a, b)) in sides.iter().enumerate() {
        by_doc.entry(a.doc).or_default().push((a.span.clone(), p));
        by_doc.entry(b.doc).or_default().push((b.span.clone(), p));
    }
    for spans in by_doc.values_mut() {
        spans.sort_by_key(|(r, p)| (r.start, r.end, *p));
        for i in 0..spans.len() {
            for j in i + 1..spans.len() {
                if spans[j].0.start >= spans[i].0.end {
                    break;
                }
                let (x, y) = (&spans[i].0, &spans[j].0);
                let ov = x.end.min(y.end).saturating_sub(x.start.max(y.start));
                if 2 * ov >= x.len().min(y.len()) {
                    uf.union(spans[i].1, spans[j].1);
                }
            }
        }
    }
    let mut number: HashMap<usize, usize> = HashMap::new();
    (0..sides.len())
        .map(|p| {
            let r = uf.find(p);
            let next = number.len();
            *number.entry(r).or_insert(next)
        })
        .collect()
}

/// Credit-line detection.
#[derive(Debug)]
pub struct CreditCheck {
    user: Vec<Regex>,
}

/// Known news-agency aliases: outlet name (lower case) → patterns that credit it.
const AGENCIES: &[(&[&str], &str)] = &[
    (
        &["ap", "associated press", "the associated press"],
        r"\(AP\)|\bAssociated Press\b|\bAP\b",
    ),
    (&["reuters", "thomson reuters"], r"\bReuters\b"),
    (
        &["afp", "agence france-presse", "agence france presse"],
        r"\bAFP\b|\bAgence France[- ]Presse\b",
    ),
    (
        &["upi", "united press international"],
        r"\bUPI\b|\bUnited Press International\b",
    ),
    (
        &["dpa", "deutsche presse-agentur"],
        r"\bdpa\b|\bDeutsche Presse-Agentur\b",
    ),
    (
        &["pa", "pa media", "press association"],
        r"\bPA Media\b|\bPress Association\b|\(PA\)",
    ),
    (&["bloomberg"], r"\bBloomberg\b"),
    (&["tass"], r"\bTASS\b"),
    (&["xinhua"], r"\bXinhua\b"),
    (
        &["ani", "asian news international"],
        r"\bANI\b|\bAsian News International\b",
    ),
    (
        &["pti", "press trust of india"],
        r"\bPTI\b|\bPress Trust of India\b",
    ),
];

/// A credit found in a document: the pattern and the byte span it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditMatch {
    /// The pattern that matched.
    pub pattern: String,
    /// Byte span in the document.
    pub span: Range<usize>,
}

impl CreditCheck {
    /// Compile the user patterns (validated in [`Settings::validate`]).
    pub fn new(patterns: &[String]) -> crate::error::Result<CreditCheck> {
        let user = patterns
            .iter()
            .map(|p| {
                RegexBuilder::new(p)
                    .case_insensitive(true)
                    .build()
                    .map_err(|e| crate::error::Error::Invalid(format!("--credit {p:?}: {e}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(CreditCheck { user })
    }

    /// The patterns that credit an outlet named `outlet`.
    fn patterns_for(&self, outlet: &str) -> Vec<(String, Regex)> {
        let lower = outlet.to_lowercase();
        let mut pats: Vec<(String, Regex)> = Vec::new();
        if let Some((_, p)) = AGENCIES
            .iter()
            .find(|(names, _)| names.contains(&lower.as_str()))
        {
            if let Ok(r) = Regex::new(p) {
                pats.push((p.to_string(), r));
            }
        } else if outlet.chars().filter(|c| c.is_alphanumeric()).count() >= 2 {
            let p = format!(r"(?i)\b{}\b", regex::escape(outlet));
            if let Ok(r) = Regex::new(&p) {
                pats.push((p, r));
            }
        }
        for r in &self.user {
            pats.push((r.as_str().to_string(), r.clone()));
        }
        pats
    }

    /// Credits for `source_outlet` in `text` (first match of each pattern).
    pub fn find(&self, text: &str, source_outlet: &str) -> Vec<CreditMatch> {
        self.patterns_for(source_outlet)
            .into_iter()
            .filter_map(|(pattern, r)| {
                r.find(text).map(|m| CreditMatch {
                    pattern,
                    span: m.range(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The partitioned sort counts exactly what per-document hash maps count.
    #[test]
    fn common_shingles_match_a_direct_count() {
        let mut state = 7u64;
        let mut sets: Vec<Vec<u64>> = Vec::new();
        let mut outlets: Vec<u32> = Vec::new();
        for d in 0..300u32 {
            // Hashes spread over the whole range (so every partition is used), drawn from a
            // small pool so that many recur across documents and outlets.
            let mut set: Vec<u64> = (0..40)
                .map(|_| {
                    let pick = crate::minhash::splitmix64(&mut state) % 500;
                    pick.wrapping_mul(0x9E37_79B9_7F4A_7C15)
                })
                .collect();
            set.sort_unstable();
            set.dedup();
            sets.push(set);
            outlets.push(d % 7);
        }
        let CommonShingles { corpus, outlet } = common_shingles(
            &sets,
            &outlets,
            CommonRule {
                corpus_min: 25,
                outlet_min: 3,
            },
        );
        let mut corpus_df: HashMap<u64, u32> = HashMap::new();
        let mut outlet_df: HashMap<(u64, u32), u32> = HashMap::new();
        for (set, &o) in sets.iter().zip(&outlets) {
            for &h in set {
                *corpus_df.entry(h).or_default() += 1;
                *outlet_df.entry((h, o)).or_default() += 1;
            }
        }
        let mut want_corpus: Vec<u64> = corpus_df
            .iter()
            .filter(|(_, &n)| n >= 25)
            .map(|(&h, _)| h)
            .collect();
        let mut want_outlet: Vec<(u64, u32)> = outlet_df
            .iter()
            .filter(|(_, &n)| n >= 3)
            .map(|(&k, _)| k)
            .collect();
        want_corpus.sort_unstable();
        want_outlet.sort_unstable();
        assert!(!want_corpus.is_empty() && want_corpus.len() < corpus_df.len());
        assert!(!want_outlet.is_empty() && want_outlet.len() < outlet_df.len());
        assert_eq!(corpus, want_corpus);
        assert_eq!(outlet, want_outlet);
    }

    fn doc(id: &str, outlet: &str, date: Option<&str>) -> Document {
        Document {
            id: id.into(),
            outlet: outlet.into(),
            date: date.map(str::to_string),
            title: None,
            url: None,
            path: Some(format!("corpus/{outlet}/{id}")),
            line: None,
            text: String::new(),
            body_start: 0,
            lossy: false,
            extra: Default::default(),
            origin: Default::default(),
        }
    }

    #[test]
    fn direction_prefers_wire_then_date() {
        let a = doc("a", "ap", Some("2025-02-19"));
        let b = doc("b", "cnn", Some("2025-02-18"));
        assert_eq!(direction(&a, &b, true, false), Some(true));
        assert_eq!(direction(&a, &b, false, false), Some(false));
        let c = doc("c", "bbc", None);
        assert_eq!(direction(&a, &c, false, false), None);
        let flags = wire_flags(&[a.clone(), b.clone()], &["AP".into()]);
        assert_eq!(flags, [true, false]);
        assert_eq!(wire_flags(&[a, b], &["corpus/cnn/".into()]), [false, true]);
    }

    #[test]
    fn clusters_join_overlapping_sides() {
        let s = |doc, r: Range<usize>| SideRef { doc, span: r };
        // W–X and W–Y cover the same W paragraph; X–Y covers the same X and Y text; Z–V apart.
        let sides = vec![
            (s(0, 0..100), s(1, 10..110)),
            (s(0, 5..100), s(2, 0..90)),
            (s(1, 12..110), s(2, 0..88)),
            (s(3, 0..50), s(4, 0..50)),
        ];
        assert_eq!(cluster(&sides), [0, 0, 0, 1]);
    }

    #[test]
    fn credit_lines() {
        let cc = CreditCheck::new(&["contributed to this report".into()]).unwrap();
        assert!(!cc.find("WASHINGTON (AP) — The talks", "AP").is_empty());
        assert!(!cc
            .find("The Associated Press contributed.", "ap")
            .is_empty());
        assert!(cc.find("Rubio said", "AP").is_empty());
        assert!(!cc.find("Reporting by Reuters staff", "Reuters").is_empty());
        assert!(!cc
            .find("Our staff contributed to this report", "Daily Planet")
            .is_empty());
        assert!(!cc
            .find("first reported by the daily planet", "Daily Planet")
            .is_empty());
    }
}
