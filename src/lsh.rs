//! Candidate pairs: which documents are worth verifying and aligning.
//!
//! Everything downstream asks [`candidates`] and nothing else, so the strategy can change
//! without touching verification or alignment. Only pairs of documents from *different*
//! outlets are candidates (an outlet repeating itself is boilerplate, found separately).
//! Every candidate is verified exactly afterwards ([`crate::verify`]): a candidate that
//! shares nothing costs one merge of two sorted sets and is never reported.
//!
//! * [`CandidateMode::AllPairs`]: every cross-outlet pair, `n(n−1)/2` at most. Exact, and the
//!   reference the index is tested against; right for small corpora.
//! * [`CandidateMode::Lsh`]: the union of two indexes, near-linear in the corpus size.
//! * [`CandidateMode::Auto`] (default): all pairs up to `lsh.auto_limit` documents (2,000:
//!   about 2 million pairs, a second or two of verification), the index above.
//!
//! # Why two indexes
//!
//! News reuse is *partial*: a 300-word article built from three paragraphs of a 900-word
//! wire story shares a third of the wire story's shingles, Jaccard ≈ 0.3 or less once edited,
//! so whole-document MinHash banding at any useful threshold misses it. Containment is found
//! by the second index.
//!
//! 1. **Shingle index (containment).** An inverted index over the exact shingle hashes
//!    (word 5-grams) of every document: two documents sharing a shingle are a candidate. This
//!    is exactly the all-pairs condition for a verified pair (`min_shared ≥ 1` shared shingle),
//!    so recall against all-pairs is 1 except for pairs whose only shared shingles are
//!    *over-frequent*: a shingle found in more than `lsh.max_df` documents (default 100) is
//!    dropped as a stock phrase or boilerplate, because a key in `m` documents makes `m²/2`
//!    pairs. Built in 16 partitions of the hash space (by the top 4 bits) so that at most a
//!    sixteenth of the postings is in memory at once; pairs are deduplicated per partition.
//!    Cost: `O(S log S)` for `S` shingles plus `Σ df²/2` over kept keys, i.e. proportional to
//!    the true reuse pairs times the shingles they share.
//! 2. **MinHash banding (near duplicates).** The `k`-slot signature is cut into `b` bands of
//!    `r` rows (Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, §3.4); documents
//!    with an identical band share a bucket. A pair of Jaccard `s` collides in at least one
//!    band with probability `P(s) = 1 − (1 − s^r)^b`. `(b, r)` minimise
//!    `w_fp·∫₀ᵗ P(s) ds + w_fn·∫ₜ¹ (1 − P(s)) ds` over `b·r ≤ k` for threshold `t` — the
//!    optimisation of datasketch's `MinHashLSH` (`_optimal_param`), integrated here with
//!    composite Simpson's rule. This index catches what the first one drops on purpose: a
//!    wire story run nearly verbatim by hundreds of outlets has all its shingles above
//!    `max_df`, but the copies are near duplicates of each other and share band buckets.
//!
//! # Buckets of wire copy run by hundreds of outlets
//!
//! A band bucket with `m` members makes `m²/2` pairs. A bucket with more than
//! `lsh.max_bucket` (default 200) members pairs every member with the bucket's first
//! `max_bucket` members (by document index) only, so its cost is `m · max_bucket`: a story run
//! by 1,000 outlets still links every copy to 200 others — enough for the report's clusters
//! to join them all — but not every copy to every other copy. Below the caps nothing is lost.
//!
//! Pairs come out as `(i, j)` with `i < j`, sorted, so later stages are deterministic.
//!
//! ```
//! use wirecopy::lsh::optimal_params;
//! // Pinned against datasketch 2.0.0 `_optimal_param(threshold, num_perm, 0.5, 0.5)`.
//! assert_eq!(optimal_params(0.5, 128, 0.5, 0.5), (25, 5));
//! assert_eq!(optimal_params(0.8, 128, 0.5, 0.5), (9, 13));
//! assert_eq!(optimal_params(0.3, 256, 0.5, 0.5), (64, 4));
//! assert_eq!(optimal_params(0.5, 64, 0.5, 0.5), (14, 4));
//! ```

use std::collections::HashMap;

use rayon::prelude::*;

use crate::config::{CandidateMode, Settings};

/// The strategy [`candidates`] uses for a corpus of `n` documents (resolves `Auto`).
pub fn effective_mode(n: usize, settings: &Settings) -> CandidateMode {
    match settings.candidates {
        CandidateMode::Auto if n <= settings.lsh.auto_limit => CandidateMode::AllPairs,
        CandidateMode::Auto => CandidateMode::Lsh,
        m => m,
    }
}

/// Candidate pairs of document indices, `i < j`, sorted. `sets` are the sorted shingle sets
/// and `signatures` the MinHash signatures, one per document.
pub fn candidates(
    outlets: &[&str],
    sets: &[Vec<u64>],
    signatures: &[Vec<u32>],
    settings: &Settings,
) -> Vec<(usize, usize)> {
    debug_assert_eq!(outlets.len(), signatures.len());
    debug_assert_eq!(outlets.len(), sets.len());
    match effective_mode(outlets.len(), settings) {
        CandidateMode::AllPairs => all_pairs(outlets),
        _ => {
            let ids = outlet_ids(outlets);
            let l = &settings.lsh;
            let (b, r) = optimal_params(
                l.threshold,
                settings.permutations,
                l.false_positive_weight,
                l.false_negative_weight,
            );
            let mut pairs = band_pairs(&ids, signatures, b, r, l.max_bucket);
            pairs.extend(index_pairs(&ids, sets, l.max_df, l.min_keys));
            pairs.par_sort_unstable();
            pairs.dedup();
            pairs
                .into_iter()
                .map(|p| ((p >> 32) as usize, (p & 0xFFFF_FFFF) as usize))
                .collect()
        }
    }
}

fn all_pairs(outlets: &[&str]) -> Vec<(usize, usize)> {
    let n = outlets.len();
    let mut out = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            if outlets[i] != outlets[j] {
                out.push((i, j));
            }
        }
    }
    out
}

fn outlet_ids(outlets: &[&str]) -> Vec<u32> {
    let mut map: HashMap<&str, u32> = HashMap::new();
    outlets
        .iter()
        .map(|o| {
            let next = map.len() as u32;
            *map.entry(o).or_insert(next)
        })
        .collect()
}

/// Encode a pair `i < j` as one sortable integer.
fn pair(i: u32, j: u32) -> u64 {
    ((i as u64) << 32) | j as u64
}

/// Probability that a pair of Jaccard `s` shares at least one of `b` bands of `r` rows.
pub fn collision_probability(s: f64, b: usize, r: usize) -> f64 {
    1.0 - (1.0 - s.powi(r as i32)).powi(b as i32)
}

fn simpson(f: impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    const N: usize = 256; // even
    let h = (hi - lo) / N as f64;
    let mut sum = f(lo) + f(hi);
    for i in 1..N {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += w * f(lo + i as f64 * h);
    }
    sum * h / 3.0
}

/// Bands and rows `(b, r)` with `b·r ≤ k` minimising the weighted false-positive and
/// false-negative areas around `threshold` (datasketch's `_optimal_param`).
pub fn optimal_params(threshold: f64, k: usize, fp_weight: f64, fn_weight: f64) -> (usize, usize) {
    let mut best = (f64::INFINITY, (1, k.max(1)));
    for b in 1..=k {
        for r in 1..=k / b {
            let fp = simpson(|s| collision_probability(s, b, r), 0.0, threshold);
            let fneg = simpson(|s| 1.0 - collision_probability(s, b, r), threshold, 1.0);
            let err = fp * fp_weight + fneg * fn_weight;
            if err < best.0 {
                best = (err, (b, r));
            }
        }
    }
    best.1
}

/// The band keys of one signature: `b` hashes of `r` consecutive slots each, the band index
/// mixed in (SplitMix64 chained over the slots; fixed, so keys are comparable across runs
/// and sketch files). An empty signature (no shingles) has no keys.
pub fn band_keys(sig: &[u32], b: usize, r: usize) -> Vec<u64> {
    if sig.iter().all(|&x| x == u32::MAX) {
        return Vec::new();
    }
    (0..b)
        .map(|band| {
            let mut state = band as u64;
            let mut key = crate::minhash::splitmix64(&mut state);
            for &x in &sig[band * r..(band + 1) * r] {
                state = key ^ x as u64;
                key = crate::minhash::splitmix64(&mut state);
            }
            key
        })
        .collect()
}

fn band_pairs(ids: &[u32], sigs: &[Vec<u32>], b: usize, r: usize, max_bucket: usize) -> Vec<u64> {
    let mut entries: Vec<(u64, u32)> = sigs
        .par_iter()
        .enumerate()
        .flat_map_iter(|(d, s)| band_keys(s, b, r).into_iter().map(move |k| (k, d as u32)))
        .collect();
    entries.par_sort_unstable();
    let runs = runs(&entries, usize::MAX);
    let mut out: Vec<u64> = runs
        .par_iter()
        .flat_map_iter(|rg| {
            let run = &entries[rg.clone()];
            let mut v = Vec::new();
            for x in 1..run.len() {
                for y in 0..x.min(max_bucket) {
                    let (i, j) = (run[y].1, run[x].1);
                    if ids[i as usize] != ids[j as usize] {
                        v.push(pair(i, j));
                    }
                }
            }
            v
        })
        .collect();
    out.par_sort_unstable();
    out.dedup();
    out
}

/// Ranges of equal keys in sorted `entries` holding 2..=max documents.
fn runs(entries: &[(u64, u32)], max: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut s = 0;
    for i in 1..=entries.len() {
        if i == entries.len() || entries[i].0 != entries[s].0 {
            if (2..=max).contains(&(i - s)) {
                out.push(s..i);
            }
            s = i;
        }
    }
    out
}

const PARTITION_BITS: u32 = 4;

fn index_pairs(ids: &[u32], sets: &[Vec<u64>], max_df: usize, min_keys: usize) -> Vec<u64> {
    // (pair, shared keys so far), sorted by pair.
    let mut acc: Vec<(u64, u32)> = Vec::new();
    for p in 0..1u64 << PARTITION_BITS {
        let shift = 64 - PARTITION_BITS;
        let mut entries: Vec<(u64, u32)> = sets
            .par_iter()
            .enumerate()
            .flat_map_iter(|(d, s)| {
                let lo = s.partition_point(|&h| (h >> shift) < p);
                let hi = lo + s[lo..].partition_point(|&h| (h >> shift) == p);
                s[lo..hi].iter().map(move |&h| (h, d as u32))
            })
            .collect();
        entries.par_sort_unstable();
        let runs = runs(&entries, max_df);
        let mut part: Vec<u64> = runs
            .par_iter()
            .flat_map_iter(|rg| {
                let run = &entries[rg.clone()];
                let mut v = Vec::with_capacity(run.len() * (run.len() - 1) / 2);
                for x in 1..run.len() {
                    for y in 0..x {
                        let (i, j) = (run[y].1, run[x].1);
                        if ids[i as usize] != ids[j as usize] {
                            v.push(pair(i, j));
                        }
                    }
                }
                v
            })
            .collect();
        drop(entries);
        part.par_sort_unstable();
        let mut counted: Vec<(u64, u32)> = Vec::with_capacity(part.len() / 2);
        for x in part {
            match counted.last_mut() {
                Some((q, c)) if *q == x => *c += 1,
                _ => counted.push((x, 1)),
            }
        }
        acc = merge_counts(acc, counted);
    }
    acc.into_iter()
        .filter(|&(_, c)| c as usize >= min_keys)
        .map(|(p, _)| p)
        .collect()
}

/// Merge two pair-count lists sorted by pair, adding counts.
fn merge_counts(a: Vec<(u64, u32)>, b: Vec<(u64, u32)>) -> Vec<(u64, u32)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push((a[i].0, a[i].1 + b[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_pairs_skips_same_outlet() {
        let outlets = ["ap", "ap", "bbc", "cnn"];
        let sigs = vec![vec![]; 4];
        let sets = vec![vec![]; 4];
        let s = Settings {
            candidates: CandidateMode::AllPairs,
            ..Settings::default()
        };
        let c = candidates(&outlets, &sets, &sigs, &s);
        assert_eq!(c, [(0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]);
    }

    #[test]
    fn auto_switches_at_the_limit() {
        let mut s = Settings::default();
        s.lsh.auto_limit = 3;
        assert_eq!(effective_mode(3, &s), CandidateMode::AllPairs);
        assert_eq!(effective_mode(4, &s), CandidateMode::Lsh);
        s.candidates = CandidateMode::AllPairs;
        assert_eq!(effective_mode(4, &s), CandidateMode::AllPairs);
    }

    #[test]
    fn index_finds_shared_shingles_below_the_cap_only() {
        let outlets = ["a", "b", "c", "d", "a"];
        let sets = vec![
            vec![1, 5, u64::MAX - 3],
            vec![2, u64::MAX - 3],
            vec![5, 7],
            vec![9],
            vec![5],
        ];
        let mut s = Settings {
            candidates: CandidateMode::Lsh,
            ..Settings::default()
        };
        s.lsh.min_keys = 1;
        let sigs: Vec<Vec<u32>> = vec![vec![u32::MAX; 128]; 5];
        // 5 is in 3 documents (0, 2, 4); (0, 4) is the same outlet.
        assert_eq!(
            candidates(&outlets, &sets, &sigs, &s),
            [(0, 1), (0, 2), (2, 4)]
        );
        s.lsh.max_df = 2;
        assert_eq!(candidates(&outlets, &sets, &sigs, &s), [(0, 1)]);
        s.lsh.max_df = 100;
        s.lsh.min_keys = 2;
        assert!(candidates(&outlets, &sets, &sigs, &s).is_empty());
    }

    #[test]
    fn band_keys_differ_by_band_and_content() {
        let a = band_keys(&[1, 2, 3, 4, 1, 2, 3, 4], 2, 4);
        let b = band_keys(&[1, 2, 3, 5, 1, 2, 3, 4], 2, 4);
        assert_ne!(a[0], a[1]);
        assert_ne!(a[0], b[0]);
        assert_eq!(a[1], b[1]);
    }

    #[test]
    fn big_buckets_are_capped_linearly() {
        let ids: Vec<u32> = (0..50).collect();
        let sigs = vec![vec![7u32; 8]; 50];
        let all = band_pairs(&ids, &sigs, 2, 4, 1000);
        assert_eq!(all.len(), 50 * 49 / 2);
        let capped = band_pairs(&ids, &sigs, 2, 4, 5);
        // Members 1..5 pair with all earlier ones (10 pairs), the other 45 with 5 each.
        assert_eq!(capped.len(), 10 + 45 * 5);
    }

    /// A small generated corpus: 8 wire stories, each copied in part (two to four
    /// paragraphs, words swapped) by 3–14 outlets, plus unrelated articles. The reported pairs
    /// of the index must be those of all pairs (recall printed; `--nocapture` shows it).
    #[test]
    fn lsh_recall_against_all_pairs() {
        use crate::corpus::{Corpus, Document};
        use crate::minhash::splitmix64;
        let mut st = 42u64;
        let mut rnd = |n: u64| splitmix64(&mut st) % n;
        let word = |i: u64| format!("w{}x{}", i % 3000, i % 7);
        let mut docs = Vec::new();
        for story in 0..8u64 {
            let paras: Vec<Vec<String>> = (0..8)
                .map(|_| (0..60).map(|_| word(rnd(1 << 30))).collect())
                .collect();
            docs.push(Document::new(
                &format!("wire/{story}"),
                "wire",
                &paras
                    .iter()
                    .map(|p| p.join(" "))
                    .collect::<Vec<_>>()
                    .join("\n\n"),
            ));
            for copy in 0..3 + rnd(12) {
                let first = rnd(5) as usize;
                let take = 2 + rnd(3) as usize;
                let mut text = Vec::new();
                for p in &paras[first..(first + take).min(8)] {
                    let edited: Vec<String> = p
                        .iter()
                        .map(|w| {
                            if rnd(10) == 0 {
                                word(rnd(1 << 30))
                            } else {
                                w.clone()
                            }
                        })
                        .collect();
                    text.push(edited.join(" "));
                }
                for _ in 0..rnd(3) {
                    text.push(
                        (0..50)
                            .map(|_| word(rnd(1 << 30)))
                            .collect::<Vec<_>>()
                            .join(" "),
                    );
                }
                let outlet = format!("o{copy}");
                docs.push(Document::new(
                    &format!("{outlet}/{story}"),
                    &outlet,
                    &text.join("\n\n"),
                ));
            }
        }
        for i in 0..40 {
            let outlet = format!("o{}", i % 9);
            let text: Vec<String> = (0..200).map(|_| word(rnd(1 << 30))).collect();
            docs.push(Document::new(
                &format!("{outlet}/u{i}"),
                &outlet,
                &text.join(" "),
            ));
        }
        let corpus = Corpus::from_documents(docs);
        let pairs = |mode| {
            let mut s = Settings {
                candidates: mode,
                ..Settings::default()
            };
            s.lsh.max_df = 6; // small, so the banded index has work to do
            let r = crate::analyze(&corpus, &s).unwrap();
            r.pairs
                .iter()
                .filter(|p| p.passages > 0)
                .map(|p| (p.a.clone(), p.b.clone()))
                .collect::<std::collections::BTreeSet<_>>()
        };
        let reference = pairs(CandidateMode::AllPairs);
        let found = pairs(CandidateMode::Lsh);
        let hit = reference.intersection(&found).count();
        let recall = hit as f64 / reference.len() as f64;
        eprintln!(
            "LSH recall vs all pairs: {hit}/{} = {recall:.4}",
            reference.len()
        );
        assert!(reference.len() > 100, "{} reference pairs", reference.len());
        assert!(recall >= 0.99, "recall {recall}");
        assert!(found.is_subset(&reference));
    }

    #[test]
    fn collision_probability_is_an_s_curve() {
        let (b, r) = optimal_params(0.5, 128, 0.5, 0.5);
        assert!(b * r <= 128);
        assert!(collision_probability(0.2, b, r) < 0.05);
        assert!(collision_probability(0.8, b, r) > 0.99);
    }
}
