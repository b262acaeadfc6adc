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
//!    (word 5-grams) of every document. A shingle in at most `lsh.max_df` documents (default
//!    100) is *distinctive*, and two documents sharing at least `min_shared` distinctive
//!    shingles (by default 1 up to 2,000 documents, 2 above) are a candidate: exactly the verification rule
//!    ([`crate::verify::Evidence`]), so every pair all-pairs verifies through distinctive
//!    shingles is found. A shingle in more documents is a *stock phrase* ("said in a
//!    statement", earnings-table lines, or a wire story run by hundreds of outlets); pairing
//!    all its `m` documents would cost `m²/2` pairs, so each of them is linked only to
//!    `lsh.frequent_links` (default 10) *anchors* among them — the wire documents first, then
//!    the first in input order — and such links make a candidate when the pair has at least
//!    `min_stock_shared` (default 10) of them, the rule for pairs linked only by stock
//!    phrases. A wire story's partial copies thus reach the wire story itself even when each
//!    of its shingles is in hundreds of documents. Built in 16 partitions of the hash space
//!    (by the top 4 bits) so that at most a sixteenth of the postings is in memory at once;
//!    pairs are counted per partition and merged. Cost: `O(S log S)` for `S` shingles, plus
//!    `Σ df²/2` over distinctive shingles (the true reuse pairs times the shingles they
//!    share), plus `frequent_links` per occurrence of a stock shingle.
//! 2. **MinHash banding (near duplicates).** The `k`-slot signature is cut into `b` bands of
//!    `r` rows (Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, §3.4); documents
//!    with an identical band share a bucket. A pair of Jaccard `s` collides in at least one
//!    band with probability `P(s) = 1 − (1 − s^r)^b`. `(b, r)` minimise
//!    `w_fp·∫₀ᵗ P(s) ds + w_fn·∫ₜ¹ (1 − P(s)) ds` over `b·r ≤ k` for threshold `t` — the
//!    optimisation of datasketch's `MinHashLSH` (`_optimal_param`), integrated here with
//!    composite Simpson's rule. This index links the near-verbatim copies of a wire story run
//!    by hundreds of outlets to each other, not only to the anchors of the first index.
//!
//! # Buckets of wire copy run by hundreds of outlets
//!
//! A band bucket with `m` members makes `m²/2` pairs. A bucket with more than
//! `lsh.max_bucket` (default 200) members pairs every member with `max_bucket` anchors only
//! (its wire documents first, then its first members by document index, as for stock
//! shingles), so its cost is `m · max_bucket`: a story run by 1,000 outlets still links every
//! copy to the wire story and 199 others — enough for the report's clusters to join them all
//! — but not every copy to every other copy. Below the caps nothing is lost.
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

use crate::attribute::{CommonRule, CommonShingles};
use crate::config::{CandidateMode, LshSettings, Settings};

/// The strategy [`candidates`] uses for a corpus of `n` documents (resolves `Auto`).
pub fn effective_mode(n: usize, settings: &Settings) -> CandidateMode {
    match settings.candidates {
        CandidateMode::Auto if n <= settings.lsh.auto_limit => CandidateMode::AllPairs,
        CandidateMode::Auto => CandidateMode::Lsh,
        m => m,
    }
}

/// Candidate pairs of document indices, `i < j`, sorted. `sets` are the sorted shingle sets,
/// `signatures` the MinHash signatures and `wire` the wire flags, one per document.
pub fn candidates(
    outlets: &[&str],
    wire: &[bool],
    sets: &[Vec<u64>],
    signatures: &[Vec<u32>],
    settings: &Settings,
) -> Vec<(usize, usize)> {
    candidates_and_stock(outlets, wire, sets, signatures, settings, None).0
}

/// [`candidates`], and the stock shingles (in more than `lsh.max_df` documents, sorted) that
/// verification needs: the index finds them as it goes, so they are counted again
/// ([`crate::shingle::frequent`]) only for all pairs.
pub fn candidates_and_stock(
    outlets: &[&str],
    wire: &[bool],
    sets: &[Vec<u64>],
    signatures: &[Vec<u32>],
    settings: &Settings,
    common: Option<CommonRule>,
) -> (Vec<(usize, usize)>, Vec<u64>, Option<CommonShingles>) {
    debug_assert_eq!(outlets.len(), signatures.len());
    debug_assert_eq!(outlets.len(), sets.len());
    match effective_mode(outlets.len(), settings) {
        CandidateMode::AllPairs => (
            all_pairs(outlets),
            crate::shingle::frequent(sets, settings.lsh.max_df),
            None,
        ),
        _ => {
            let ids = outlet_ids(outlets);
            let l = &settings.lsh;
            let (b, r) = optimal_params(
                l.threshold,
                settings.permutations,
                l.false_positive_weight,
                l.false_negative_weight,
            );
            let mut pairs = band_pairs(&ids, wire, signatures, b, r, l.max_bucket);
            let (index, stock, common) = index_pairs(
                &ids,
                wire,
                sets,
                l,
                settings.min_shared_for(outlets.len()),
                settings.min_stock_shared,
                common,
            );
            pairs.extend(index);
            pairs.par_sort_unstable();
            pairs.dedup();
            let pairs = pairs
                .into_iter()
                .map(|p| ((p >> 32) as usize, (p & 0xFFFF_FFFF) as usize))
                .collect();
            (pairs, stock, common)
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
    let mut keys = vec![0; b];
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq")
        {
            // SAFETY: the CPU supports the features the function is compiled for.
            unsafe { chain_rows_avx512(&mut keys, sig, r) };
            return keys;
        }
    }
    chain_rows(&mut keys, sig, r);
    keys
}

/// The band keys of `sig` into `keys` (one per band). Band by band, each key is a chain of
/// `r + 1` dependent mixes; the bands advance in lock-step, a row at a time, so the
/// processor overlaps their chains, and the compiler makes vector lanes of them where the
/// processor multiplies 64-bit lanes (AVX-512: 103 ns a signature of 25 × 5, from 213).
#[inline(always)]
fn chain_rows(keys: &mut [u64], sig: &[u32], r: usize) {
    const LANES: usize = 32;
    for (chunk, keys) in keys.chunks_mut(LANES).enumerate() {
        // Each row's values of these bands gathered first, so that the mixing runs over two
        // plain arrays (a strided read in the mixing loop kept it scalar).
        let mut column = [0u64; LANES];
        let column = &mut column[..keys.len()];
        for (i, key) in keys.iter_mut().enumerate() {
            *key = crate::minhash::splitmix64(&mut ((chunk * LANES + i) as u64));
        }
        for row in 0..r {
            for (i, c) in column.iter_mut().enumerate() {
                *c = u64::from(sig[(chunk * LANES + i) * r + row]);
            }
            for (key, &c) in keys.iter_mut().zip(&*column) {
                let mut state = *key ^ c;
                *key = crate::minhash::splitmix64(&mut state);
            }
        }
    }
}

/// [`chain_rows`] compiled for AVX-512 (eight 64-bit lanes, `vpmullq`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
unsafe fn chain_rows_avx512(keys: &mut [u64], sig: &[u32], r: usize) {
    chain_rows(keys, sig, r)
}

fn band_pairs(
    ids: &[u32],
    wire: &[bool],
    sigs: &[Vec<u32>],
    b: usize,
    r: usize,
    max_bucket: usize,
) -> Vec<u64> {
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
            let mut v = Vec::new();
            link_bucket(
                &entries[rg.clone()],
                max_bucket,
                max_bucket,
                ids,
                wire,
                &mut v,
            );
            v
        })
        .collect();
    out.par_sort_unstable();
    out.dedup();
    out
}

/// The pairs of one bucket (`run`: the documents sharing a key, by index): every pair when
/// it holds at most `all` documents; otherwise each member paired with the bucket's
/// *anchors* only — its wire documents, then its first documents by index, `links` in all —
/// so a bucket of `m` costs `m · links` pairs, not `m²/2`. Pairs within one outlet are
/// skipped.
fn link_bucket(
    run: &[(u64, u32)],
    all: usize,
    links: usize,
    ids: &[u32],
    wire: &[bool],
    out: &mut Vec<u64>,
) {
    let doc = |x: usize| run[x].1;
    let mut push = |i: u32, j: u32| {
        if ids[i as usize] != ids[j as usize] {
            out.push(pair(i.min(j), i.max(j)));
        }
    };
    if run.len() <= all {
        for x in 1..run.len() {
            for y in 0..x {
                push(doc(y), doc(x));
            }
        }
        return;
    }
    let is_wire = |x: &usize| wire.get(doc(*x) as usize).copied().unwrap_or(false);
    let mut anchors: Vec<usize> = (0..run.len()).filter(is_wire).take(links).collect();
    let more = links - anchors.len();
    anchors.extend((0..run.len()).filter(|x| !is_wire(x)).take(more));
    anchors.sort_unstable();
    for x in 0..run.len() {
        let x_anchor = anchors.binary_search(&x).is_ok();
        for &y in &anchors {
            // Two anchors are paired once (from the later one).
            if y == x || (x_anchor && y > x) {
                continue;
            }
            push(doc(x), doc(y));
        }
    }
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

fn index_pairs(
    ids: &[u32],
    wire: &[bool],
    sets: &[Vec<u64>],
    lsh: &LshSettings,
    min_shared: usize,
    min_stock_shared: usize,
    common: Option<CommonRule>,
) -> (Vec<u64>, Vec<u64>, Option<CommonShingles>) {
    // (pair, [distinctive keys, stock links] so far), sorted by pair.
    let mut acc: Vec<(u64, [u32; 2])> = Vec::new();
    // The stock keys, in hash order: partitions by top bits, each sorted.
    let mut stock_keys = Vec::new();
    let mut found = common.map(|_| CommonShingles::default());
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
        let runs = runs(&entries, usize::MAX);
        stock_keys.extend(
            runs.iter()
                .filter(|rg| rg.len() > lsh.max_df)
                .map(|rg| entries[rg.start].0),
        );
        if let (Some(rule), Some(found)) = (common, found.as_mut()) {
            // The runs are the shingles' document lists: what boilerplate needs is counted
            // here rather than by sorting every shingle again (`attribute::common_shingles`).
            let parts: Vec<CommonShingles> = runs
                .par_iter()
                .filter(|rg| rg.len() >= rule.fewest())
                .fold(CommonShingles::default, |mut out, rg| {
                    let mut o: Vec<u32> = entries[rg.clone()]
                        .iter()
                        .map(|e| ids[e.1 as usize])
                        .collect();
                    o.sort_unstable();
                    rule.add(entries[rg.start].0, &o, &mut out);
                    out
                })
                .collect();
            for part in parts {
                found.corpus.extend(part.corpus);
                found.outlet.extend(part.outlet);
            }
        }
        let pairs_of = |stock: bool| {
            let mut part: Vec<u64> = runs
                .par_iter()
                .filter(|rg| (rg.len() > lsh.max_df) == stock)
                .flat_map_iter(|rg| {
                    let mut v = Vec::new();
                    let (all, links) = if stock {
                        (0, lsh.frequent_links)
                    } else {
                        (usize::MAX, 0)
                    };
                    link_bucket(&entries[rg.clone()], all, links, ids, wire, &mut v);
                    v
                })
                .collect();
            part.par_sort_unstable();
            part
        };
        let counted = merge_counts(count(pairs_of(false), 0), count(pairs_of(true), 1));
        drop(entries);
        acc = merge_counts(acc, counted);
    }
    let pairs = acc
        .into_iter()
        .filter(|&(_, [d, s])| {
            d as usize >= min_shared || (d + s) as usize >= min_stock_shared.max(min_shared).max(1)
        })
        .map(|(p, _)| p)
        .collect();
    (pairs, stock_keys, found)
}

/// Run-length counts of sorted `pairs`, in slot `slot` of the count pair.
fn count(pairs: Vec<u64>, slot: usize) -> Vec<(u64, [u32; 2])> {
    let mut out: Vec<(u64, [u32; 2])> = Vec::with_capacity(pairs.len() / 2);
    for x in pairs {
        match out.last_mut() {
            Some((q, c)) if *q == x => c[slot] += 1,
            _ => {
                let mut c = [0; 2];
                c[slot] = 1;
                out.push((x, c));
            }
        }
    }
    out
}

/// Merge two pair-count lists sorted by pair, adding counts.
fn merge_counts(a: Vec<(u64, [u32; 2])>, b: Vec<(u64, [u32; 2])>) -> Vec<(u64, [u32; 2])> {
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
                let (x, y) = (a[i].1, b[j].1);
                out.push((a[i].0, [x[0] + y[0], x[1] + y[1]]));
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
        let c = candidates(&outlets, &[], &sets, &sigs, &s);
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
            min_shared: 1,
            ..Settings::default()
        };
        s.lsh.frequent_links = 0;
        let sigs: Vec<Vec<u32>> = vec![vec![u32::MAX; 128]; 5];
        let wire = [false; 5];
        // 5 is in 3 documents (0, 2, 4); (0, 4) is the same outlet.
        assert_eq!(
            candidates(&outlets, &wire, &sets, &sigs, &s),
            [(0, 1), (0, 2), (2, 4)]
        );
        s.lsh.max_df = 2;
        assert_eq!(candidates(&outlets, &wire, &sets, &sigs, &s), [(0, 1)]);
        s.lsh.max_df = 100;
        s.min_shared = 2;
        assert!(candidates(&outlets, &wire, &sets, &sigs, &s).is_empty());
    }

    #[test]
    fn stock_shingles_link_to_anchors_wire_first() {
        // Shingles 1..=12 are in all 8 documents (above max_df 3): stock. Document 5 is the
        // wire, so every document is linked to it and to the first document that is not.
        let outlets = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let sets: Vec<Vec<u64>> = (0..8).map(|_| (1..=12).collect()).collect();
        let sigs: Vec<Vec<u32>> = vec![vec![u32::MAX; 128]; 8];
        let mut wire = [false; 8];
        wire[5] = true;
        let mut s = Settings {
            candidates: CandidateMode::Lsh,
            ..Settings::default()
        };
        s.lsh.max_df = 3;
        s.lsh.frequent_links = 2;
        let c = candidates(&outlets, &wire, &sets, &sigs, &s);
        let mut want: Vec<(usize, usize)> = (0..8)
            .filter(|&d| d != 5)
            .map(|d| (d.min(5), d.max(5)))
            .chain((1..8).map(|d| (0, d)))
            .collect();
        want.sort();
        want.dedup();
        assert_eq!(c, want);
        // Twelve shared stock shingles are enough for --min-stock-shared 10, not for 13.
        s.min_stock_shared = 13;
        assert!(candidates(&outlets, &wire, &sets, &sigs, &s).is_empty());
        s.lsh.frequent_links = 0;
        s.min_stock_shared = 10;
        assert!(candidates(&outlets, &wire, &sets, &sigs, &s).is_empty());
    }

    #[test]
    fn the_index_finds_the_stock_shingles_all_pairs_counts() {
        let outlets: Vec<String> = (0..200).map(|d| format!("o{}", d % 13)).collect();
        let outlets: Vec<&str> = outlets.iter().map(String::as_str).collect();
        let sets = crate::shingle::random_sets(3, 200, 60, 400);
        let sigs: Vec<Vec<u32>> = vec![vec![u32::MAX; 128]; 200];
        let mut s = Settings::default();
        s.lsh.max_df = 25;
        s.candidates = CandidateMode::Lsh;
        let (_, stock, _) = candidates_and_stock(&outlets, &[], &sets, &sigs, &s, None);
        let want = crate::shingle::frequent(&sets, 25);
        assert!(!want.is_empty());
        assert_eq!(stock, want);
        s.candidates = CandidateMode::AllPairs;
        assert_eq!(
            candidates_and_stock(&outlets, &[], &sets, &sigs, &s, None).1,
            want
        );
    }

    #[test]
    fn the_index_counts_the_common_shingles_boilerplate_counts() {
        // 13 outlets over 200 documents: pool of 400 hashes, so shingles recur within an
        // outlet (outlet boilerplate at 3) and across the corpus (corpus boilerplate at 20).
        let outlets: Vec<String> = (0..200).map(|d| format!("o{}", (d * 7) % 13)).collect();
        let outlets: Vec<&str> = outlets.iter().map(String::as_str).collect();
        let sets = crate::shingle::random_sets(5, 200, 60, 400);
        let sigs: Vec<Vec<u32>> = vec![vec![u32::MAX; 128]; 200];
        let mut s = Settings {
            candidates: CandidateMode::Lsh,
            ..Settings::default()
        };
        let rule = CommonRule {
            corpus_min: 20,
            outlet_min: 3,
        };
        let (_, _, found) = candidates_and_stock(&outlets, &[], &sets, &sigs, &s, Some(rule));
        let found = found.expect("the index counts when asked");
        let want = crate::attribute::common_shingles(&sets, &outlet_ids(&outlets), rule);
        assert!(!want.corpus.is_empty() && !want.outlet.is_empty());
        assert!(want.corpus.len() < 400);
        assert_eq!(found, want);
        s.candidates = CandidateMode::AllPairs;
        let (_, _, none) = candidates_and_stock(&outlets, &[], &sets, &sigs, &s, Some(rule));
        assert!(none.is_none(), "all pairs builds no index");
    }

    #[test]
    fn band_keys_are_the_chained_definition() {
        // Each band alone, its slots chained in turn: the values sketch files hold.
        let chained = |sig: &[u32], b: usize, r: usize| -> Vec<u64> {
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
        };
        let mut st = 7;
        let sig: Vec<u32> = (0..128)
            .map(|_| crate::minhash::splitmix64(&mut st) as u32)
            .collect();
        for (b, r) in [(25, 5), (1, 128), (128, 1), (16, 8), (3, 7), (40, 3)] {
            let want = chained(&sig, b, r);
            assert_eq!(band_keys(&sig, b, r), want, "{b} x {r}");
            // The portable build too, whatever this processor runs.
            let mut keys = vec![0; b];
            chain_rows(&mut keys, &sig, r);
            assert_eq!(keys, want, "{b} x {r}, portable");
        }
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
        let wire = vec![false; 50];
        let all = band_pairs(&ids, &wire, &sigs, 2, 4, 1000);
        assert_eq!(all.len(), 50 * 49 / 2);
        let capped = band_pairs(&ids, &wire, &sigs, 2, 4, 5);
        // Members 1..5 pair with all earlier ones (10 pairs), the other 45 with 5 each.
        assert_eq!(capped.len(), 10 + 45 * 5);
        // A wire member is an anchor wherever it is in the bucket.
        let mut wire = wire;
        wire[40] = true;
        let capped = band_pairs(&ids, &wire, &sigs, 2, 4, 5);
        assert_eq!(capped.len(), 10 + 45 * 5);
        assert!((0..50)
            .filter(|&d| d != 40)
            .all(|d: u32| { capped.contains(&pair(d.min(40), d.max(40))) }));
        assert!(!capped.contains(&pair(4, 41)));
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

    /// A wire story run in part by 40 outlets, each taking one paragraph and adding its own
    /// text, with `max_df` so low that every shingle of the story is a stock shingle: the
    /// copies are not near duplicates of anything (banding misses them) and share no
    /// distinctive shingle; only the anchors of stock shingles reach the wire story.
    #[test]
    fn partial_copies_of_a_heavily_run_story_reach_the_wire() {
        use crate::corpus::{Corpus, Document};
        use crate::minhash::splitmix64;
        let mut st = 9u64;
        let mut rnd = |n: u64| splitmix64(&mut st) % n;
        let word = |i: u64| format!("w{}x{}", i % 5000, i % 11);
        let paras: Vec<Vec<String>> = (0..8)
            .map(|_| (0..60).map(|_| word(rnd(1 << 30))).collect())
            .collect();
        let mut docs = vec![Document::new(
            "ap/story",
            "ap",
            &paras
                .iter()
                .map(|p| p.join(" "))
                .collect::<Vec<_>>()
                .join("\n\n"),
        )];
        for c in 0..40u64 {
            let own: Vec<String> = (0..150).map(|_| word(rnd(1 << 30))).collect();
            let text = format!("{}\n\n{}", own.join(" "), paras[(c % 8) as usize].join(" "));
            docs.push(Document::new(
                &format!("o{c}/copy"),
                &format!("o{c}"),
                &text,
            ));
        }
        let corpus = Corpus::from_documents(docs);
        let wire_pairs = |mode, links| {
            let mut s = Settings {
                candidates: mode,
                wire: vec!["ap".into()],
                ..Settings::default()
            };
            s.lsh.max_df = 3;
            s.lsh.frequent_links = links;
            let r = crate::analyze(&corpus, &s).unwrap();
            r.pairs
                .iter()
                .filter(|p| p.passages > 0 && p.a == "ap/story")
                .count()
        };
        assert_eq!(wire_pairs(CandidateMode::AllPairs, 10), 40);
        assert_eq!(wire_pairs(CandidateMode::Lsh, 10), 40);
        assert_eq!(wire_pairs(CandidateMode::Lsh, 0), 0);
    }

    #[test]
    fn collision_probability_is_an_s_curve() {
        let (b, r) = optimal_params(0.5, 128, 0.5, 0.5);
        assert!(b * r <= 128);
        assert!(collision_probability(0.2, b, r) < 0.05);
        assert!(collision_probability(0.8, b, r) > 0.99);
    }
}
