//! MinHash signatures (Broder 1997; Leskovec, Rajaraman & Ullman, *Mining of Massive
//! Datasets*, ch. 3).
//!
//! A signature is, for each of `k` hash functions `h_i`, the minimum of `h_i` over a
//! document's shingle set. For two sets, each slot is equal with probability exactly their
//! Jaccard similarity `J`, so the share of equal slots estimates `J` with standard error
//! `sqrt(J(1−J)/k)`. Containment of A in B follows from `J` and the set sizes:
//! `|A∩B| / |A| = J (|A| + |B|) / ((1 + J) |A|)`.
//!
//! The `k` functions work on 32 bits: the 64-bit shingle hash is folded to `x` (its two
//! halves xored), and `h_i(x) = (x ^ b_i)·a_i mod 2³²`, odd `a_i` and `b_i` drawn from
//! SplitMix64 seeded by the settings' seed: the same seed gives the same signatures on every
//! run and thread count. Each `h_i` is a bijection of a hash that is already uniform, so each
//! slot is still equal with probability `J`; that the slots are independent enough for the
//! `sqrt(J(1−J)/k)` error is measured (a test checks bias and mean squared error over many
//! set pairs). An xorshift after the multiply (`m ^ (m >> 16)`) would reorder only values
//! whose top 16 bits tie, and measured no different, at 40 % of the loop's cost. 32-bit
//! lanes vectorise 16 to a 512-bit register.
//!
//! The loop runs over blocks of 128 slots whose minima stay in registers while every shingle
//! passes through them; it is branch-free so the compiler vectorises it, and it is compiled
//! three times (baseline SSE2, AVX2, AVX-512) with the best the CPU supports chosen at run
//! time. Integer arithmetic makes the three bit-identical (tested).
//!
//! Default `k = 128`: standard error ≤ 0.044 at any `J`, enough to rank candidates before the
//! exact verification, at 512 bytes per document. Signatures are computed in parallel
//! (rayon, order-preserving collect).

use rayon::prelude::*;

/// The `k` seeded hash functions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinHasher {
    a: Vec<u32>,
    b: Vec<u32>,
}

/// SplitMix64: a tiny, well-mixed generator for deriving parameters from one seed.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Slots signed together, their minima held in registers: the default `k`, eight 512-bit
/// vectors of u32 lanes. Slots past the last whole block take a slower loop.
const BLOCK: usize = 128;

impl MinHasher {
    /// `k` hash functions derived from `seed`.
    pub fn new(k: usize, seed: u64) -> MinHasher {
        let mut s = seed;
        let mut a = Vec::with_capacity(k);
        let mut b = Vec::with_capacity(k);
        for _ in 0..k {
            let r = splitmix64(&mut s);
            a.push((r >> 32) as u32 | 1);
            b.push(r as u32);
        }
        MinHasher { a, b }
    }

    /// Number of hash functions.
    pub fn len(&self) -> usize {
        self.a.len()
    }

    /// Whether there are no hash functions.
    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }

    /// The signature of a set of shingle hashes (duplicates do not matter).
    /// An empty set gives all slots `u32::MAX`.
    pub fn signature(&self, shingles: &[u64]) -> Vec<u32> {
        let mut sig = vec![u32::MAX; self.a.len()];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU supports the features the function is compiled for.
                unsafe { fold_avx512(&mut sig, &self.a, &self.b, shingles) };
                return sig;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: as above.
                unsafe { fold_avx2(&mut sig, &self.a, &self.b, shingles) };
                return sig;
            }
        }
        fold(&mut sig, &self.a, &self.b, shingles);
        sig
    }

    /// Whether [`Self::signature_from`] folds each value as it comes: when the signature is
    /// one block of [`BLOCK`] slots.
    pub fn fuses(&self) -> bool {
        self.a.len() == BLOCK && self.b.len() == BLOCK
    }

    /// [`Self::signature`] of the values `next.value(0)`, …, `next.value(count − 1)` (each
    /// asked for once, in order). When [`Self::fuses`], each value is folded into the minima as soon
    /// as it is made, in the same loop, never stored here; otherwise they are collected
    /// first.
    pub fn signature_from<V: Values>(&self, count: usize, next: V) -> (Vec<u32>, V) {
        let (Ok(a), Ok(b)) = (
            <&[u32; BLOCK]>::try_from(&self.a[..]),
            <&[u32; BLOCK]>::try_from(&self.b[..]),
        ) else {
            let mut next = next;
            let values: Vec<u64> = (0..count).map(|j| next.value(j)).collect();
            return (self.signature(&values), next);
        };
        let mut sig = [u32::MAX; BLOCK];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU supports the features the function is compiled for.
                let next = unsafe { fold_from_avx512(&mut sig, a, b, count, next) };
                return (sig.to_vec(), next);
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: as above.
                let next = unsafe { fold_from_avx2(&mut sig, a, b, count, next) };
                return (sig.to_vec(), next);
            }
        }
        let next = fold_from(&mut sig, a, b, count, next);
        (sig.to_vec(), next)
    }

    /// Signatures of many sets, in parallel, in input order.
    pub fn signatures(&self, sets: &[Vec<u64>]) -> Vec<Vec<u32>> {
        sets.par_iter().map(|s| self.signature(s)).collect()
    }
}

/// Slot `i`'s hash of a folded shingle hash `x`: the bijection `x ↦ (x ^ b_i)·a_i mod 2³²`
/// (`a_i` odd).
#[inline(always)]
fn permute(x: u32, a: u32, b: u32) -> u32 {
    (x ^ b).wrapping_mul(a)
}

/// The 32-bit input of [`permute`]: both halves of the shingle hash.
#[inline(always)]
fn fold64(s: u64) -> u32 {
    (s ^ (s >> 32)) as u32
}

/// The signature loop: [`fold_block`] for each whole block of slots, then the remaining slots
/// shingle by shingle. Integer arithmetic, so the SIMD builds below give bit-identical
/// signatures.
#[inline(always)]
fn fold(sig: &mut [u32], a: &[u32], b: &[u32], shingles: &[u64]) {
    let k = sig.len().min(a.len()).min(b.len());
    let mut blocks = sig[..k].chunks_exact_mut(BLOCK);
    for (j, s) in blocks.by_ref().enumerate() {
        let r = j * BLOCK..(j + 1) * BLOCK;
        fold_block(
            s.try_into().unwrap(),
            a[r.clone()].try_into().unwrap(),
            b[r].try_into().unwrap(),
            shingles,
        );
    }
    let s = blocks.into_remainder();
    let done = k - s.len();
    for &x in shingles {
        let x = fold64(x);
        for i in 0..s.len() {
            s[i] = s[i].min(permute(x, a[done + i], b[done + i]));
        }
    }
}

/// One block: for each shingle, the block's slots in lock-step (independent lanes of xor,
/// 32-bit multiply and min, which the compiler vectorises), with the minima kept in
/// a local array it holds in registers.
#[inline(always)]
fn fold_block(sig: &mut [u32; BLOCK], a: &[u32; BLOCK], b: &[u32; BLOCK], shingles: &[u64]) {
    let mut acc = *sig;
    for &x in shingles {
        let x = fold64(x);
        for i in 0..BLOCK {
            acc[i] = acc[i].min(permute(x, a[i], b[i]));
        }
    }
    *sig = acc;
}

/// Values made one at a time for [`MinHasher::signature_from`]. Implementations should mark
/// [`Values::value`] `#[inline(always)]`, so that it is compiled into the vector loop.
pub trait Values {
    /// The `j`-th value; asked for with `j = 0, 1, 2, …` in turn.
    fn value(&mut self, j: usize) -> u64;
}

/// [`fold_block`] over values made as they are needed: `next.value(j)` for `j` in `0..count`.
#[inline(always)]
fn fold_from<V: Values>(
    sig: &mut [u32; BLOCK],
    a: &[u32; BLOCK],
    b: &[u32; BLOCK],
    count: usize,
    next: V,
) -> V {
    // `next` is owned here, so its state can live in registers through the loop.
    let mut next = next;
    let mut acc = *sig;
    for j in 0..count {
        let x = fold64(next.value(j));
        for i in 0..BLOCK {
            acc[i] = acc[i].min(permute(x, a[i], b[i]));
        }
    }
    *sig = acc;
    next
}

/// [`fold_from`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn fold_from_avx2<V: Values>(
    sig: &mut [u32; BLOCK],
    a: &[u32; BLOCK],
    b: &[u32; BLOCK],
    count: usize,
    next: V,
) -> V {
    fold_from(sig, a, b, count, next)
}

/// [`fold_from`] compiled for AVX-512.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn fold_from_avx512<V: Values>(
    sig: &mut [u32; BLOCK],
    a: &[u32; BLOCK],
    b: &[u32; BLOCK],
    count: usize,
    next: V,
) -> V {
    fold_from(sig, a, b, count, next)
}

/// [`fold`] compiled for AVX2 (8 u32 lanes; native 32-bit multiply `vpmulld`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn fold_avx2(sig: &mut [u32], a: &[u32], b: &[u32], shingles: &[u64]) {
    fold(sig, a, b, shingles)
}

/// [`fold`] compiled for AVX-512 (16 u32 lanes).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn fold_avx512(sig: &mut [u32], a: &[u32], b: &[u32], shingles: &[u64]) {
    fold(sig, a, b, shingles)
}

/// Estimated Jaccard similarity: the share of equal slots.
pub fn jaccard_estimate(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let equal = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x == y && **x != u32::MAX)
        .count();
    equal as f64 / a.len() as f64
}

/// Estimated containment of the smaller set in the larger, from a Jaccard estimate and the
/// two set sizes.
pub fn containment_estimate(j: f64, size_a: usize, size_b: usize) -> f64 {
    let small = size_a.min(size_b);
    if small == 0 {
        return 0.0;
    }
    (j * (size_a + size_b) as f64 / ((1.0 + j) * small as f64)).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    #[test]
    fn identical_sets_estimate_one_and_empty_zero() {
        let m = MinHasher::new(64, 1);
        let s: Vec<u64> = (0..100).collect();
        assert_eq!(jaccard_estimate(&m.signature(&s), &m.signature(&s)), 1.0);
        assert_eq!(jaccard_estimate(&m.signature(&[]), &m.signature(&[])), 0.0);
    }

    #[test]
    fn same_seed_same_signature_and_parallel_matches_serial() {
        let sets: Vec<Vec<u64>> = (0..50u64)
            .map(|i| (i..i + 40).map(|x| x * 7919).collect())
            .collect();
        let m1 = MinHasher::new(32, 9);
        let m2 = MinHasher::new(32, 9);
        let serial: Vec<_> = sets.iter().map(|s| m1.signature(s)).collect();
        assert_eq!(m2.signatures(&sets), serial);
        assert_ne!(MinHasher::new(32, 10).signature(&sets[0]), serial[0]);
    }

    /// Slot by slot, the definition: the minimum of `h_i` over the set.
    fn naive(m: &MinHasher, set: &[u64]) -> Vec<u32> {
        (0..m.len())
            .map(|i| {
                set.iter()
                    .map(|&x| permute(fold64(x), m.a[i], m.b[i]))
                    .min()
                    .unwrap_or(u32::MAX)
            })
            .collect()
    }

    #[test]
    fn simd_builds_match_the_definition() {
        for k in [1, 15, 16, 100, 128, 129, 256, 300] {
            let m = MinHasher::new(k, 3);
            for n in [0u64, 1, 7, 500] {
                let set: Vec<u64> = (0..n)
                    .map(|i| (i % 300).wrapping_mul(0x9E37_79B9_7F4A_7C15))
                    .collect();
                let want = naive(&m, &set);
                let mut base = vec![u32::MAX; k];
                fold(&mut base, &m.a, &m.b, &set);
                assert_eq!(base, want, "k {k}, n {n}");
                assert_eq!(m.signature(&set), want);
                #[cfg(target_arch = "x86_64")]
                {
                    if std::arch::is_x86_feature_detected!("avx2") {
                        let mut v = vec![u32::MAX; k];
                        unsafe { fold_avx2(&mut v, &m.a, &m.b, &set) };
                        assert_eq!(v, want);
                    }
                    if std::arch::is_x86_feature_detected!("avx512f") {
                        let mut v = vec![u32::MAX; k];
                        unsafe { fold_avx512(&mut v, &m.a, &m.b, &set) };
                        assert_eq!(v, want);
                    }
                }
            }
        }
    }

    /// Over many random set pairs at each of several Jaccard similarities `J`, the estimate
    /// is unbiased and its mean squared error is `J(1−J)/k`, as with independent random
    /// permutations (each slot an independent Bernoulli(`J`) trial). Seeds are fixed, so the
    /// test is deterministic; the bounds are about 4 standard errors of the two statistics.
    #[test]
    fn estimator_is_unbiased_with_the_binomial_error() {
        let k = 128;
        let trials = 400;
        let mut st = 0x5EED_u64;
        for (shared, only) in [(20, 90), (60, 70), (150, 75), (240, 30), (400, 10)] {
            let j = shared as f64 / (shared + 2 * only) as f64;
            let var = j * (1.0 - j) / k as f64;
            let (mut sum, mut sq) = (0.0, 0.0);
            for t in 0..trials {
                let mut draw = |n: usize| (0..n).map(|_| splitmix64(&mut st)).collect::<Vec<_>>();
                let common = draw(shared);
                let a: Vec<u64> = common.iter().copied().chain(draw(only)).collect();
                let b: Vec<u64> = common.iter().copied().chain(draw(only)).collect();
                let m = MinHasher::new(k, t);
                let err = jaccard_estimate(&m.signature(&a), &m.signature(&b)) - j;
                sum += err;
                sq += err * err;
            }
            let (bias, mse) = (sum / trials as f64, sq / trials as f64);
            assert!(
                bias.abs() <= 4.0 * (var / trials as f64).sqrt(),
                "J {j:.3}: bias {bias:.5}, se {:.5}",
                var.sqrt()
            );
            let ratio = mse / var;
            assert!(
                (0.72..=1.35).contains(&ratio),
                "J {j:.3}: mean squared error {mse:.6} is {ratio:.2} x J(1-J)/k"
            );
        }
    }

    #[test]
    fn containment_from_jaccard() {
        // A ⊂ B, |A| = 100, |B| = 400: J = 0.25, containment of A = 1.
        assert!((containment_estimate(0.25, 100, 400) - 1.0).abs() < 1e-12);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The estimate stays within 4.5 standard errors of exact Jaccard (a 1-in-150 000
        /// event per case under the normal approximation; the hash family is only
        /// approximately min-wise independent, hence not 3σ).
        #[test]
        fn estimate_within_standard_error(seed in any::<u64>(), shared in 0u64..300, only_a in 0u64..300, only_b in 0u64..300) {
            prop_assume!(shared + only_a + only_b > 0);
            let mut st = seed;
            let mut draw = |n: u64| (0..n).map(|_| splitmix64(&mut st)).collect::<Vec<_>>();
            let common = draw(shared);
            let a: Vec<u64> = common.iter().copied().chain(draw(only_a)).collect();
            let b: Vec<u64> = common.iter().copied().chain(draw(only_b)).collect();
            let ha: HashSet<_> = a.iter().collect();
            let hb: HashSet<_> = b.iter().collect();
            let exact = ha.intersection(&hb).count() as f64 / ha.union(&hb).count() as f64;
            let k = 256;
            let m = MinHasher::new(k, seed ^ 0xABCD);
            let est = jaccard_estimate(&m.signature(&a), &m.signature(&b));
            let se = (exact * (1.0 - exact) / k as f64).sqrt();
            prop_assert!((est - exact).abs() <= 4.5 * se + 1.0 / k as f64,
                "exact {exact}, estimate {est}, se {se}");
        }
    }
}
