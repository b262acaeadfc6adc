//! Word n-gram shingles (Broder 1997).
//!
//! A document's shingles are the hashes of every run of `n` consecutive word keys
//! ([`crate::tokenize::Token::key`], or [`crate::tokenize::keys_into`] without tokens). The hash is ahash with fixed keys over the `n` 64-bit
//! word keys, so it depends on the normalised words only, never on the process.
//! A document shorter than `n` words has no shingles (and cannot be a candidate).
//!
//! [`hashes_into`] gives exactly `hash_one(&keys[j..j + n])` without hashing each window
//! from scratch. ahash (its portable hasher, the one this build uses) hashes the `8n` bytes
//! of a window as a fixed prefix (the length), then 16-byte blocks — word keys `(i, i + 1)`
//! for `i = n − 2`, then `i = 0, 2, 4, …` below `n − 2` — each mixed in by one folded
//! multiply `P_i` of the pair that does not depend on where the window starts. So each
//! adjacent pair's `P_i` is computed once per document and every window combines `n / 2 + 1`
//! of them with adds, xors and rotations, then finishes: two multiplies per shingle instead
//! of `n / 2 + 3`. [`PairHasher`] reproduces ahash's internals (version pinned exactly) and
//! is checked against `hash_one` when first used (and by property tests); should they ever
//! differ (another ahash build, such as its AES hasher), every window is hashed by `hash_one`.
//!
//! For exact verification a document keeps its shingle *set*: the hashes sorted and
//! deduplicated, 8 bytes per distinct shingle. Intersections are a linear merge.
//!
//! Default `n = 5`, measured (2026-11-22) on two generated wire-copy corpora (136 documents,
//! 15 % and 25 % of copied words edited; wire-to-outlet macro F1 of the final passages):
//!
//! | n | F1 at 15 % | F1 at 25 % | sample pairs verified |
//! |---|---|---|---|
//! | 3 | 0.985 | 0.970 | 10 of 10 |
//! | 4 | 0.989 | 0.970 | 10 of 10 |
//! | 5 | 0.989 | 0.979 | 10 of 10 |
//! | 6 | 0.989 | 0.971 | 9 of 10 |
//! | 8 | 0.981 | 0.919 | 5 of 10 |
//!
//! Longer shingles lose heavily edited pairs at verification (a paragraph edited at 25 % keeps
//! `0.75^8 ≈ 10 %` of its 8-grams but `0.75^5 ≈ 24 %` of its 5-grams); shorter ones make
//! the shingle-frequency boilerplate test flag ordinary phrases. Five words is also where
//! stock phrases stop being shingles of their own ("Secretary of State Marco Rubio").

use ahash::RandomState;

use crate::minhash::MinHasher;
use crate::tokenize::Token;

/// The keys of the shingle hasher, before ahash's own mixing.
fn shingle_seeds(seed: u64) -> [u64; 4] {
    [
        0x9E37_79B9_7F4A_7C15 ^ seed,
        0xBF58_476D_1CE4_E5B9,
        0x94D0_49BB_1331_11EB,
        0x2545_F491_4F6C_DD1D,
    ]
}

/// A fingerprint of the word and shingle hashers as built: the key of one fixed word folded
/// with the hash of one fixed shingle (seed 0), both by ahash itself. Builds that agree on it
/// compute the same keys and shingles; ahash's AES hasher (chosen at compile time when the
/// target has AES instructions) does not agree with its portable one.
pub fn hash_check() -> u64 {
    let word = crate::tokenize::word_hasher().hash_one("wirecopy");
    let shingle = shingle_hasher(0).hash_one([word, 1, 2, 3, 4].as_slice());
    word.rotate_left(17) ^ shingle
}

fn shingle_hasher(seed: u64) -> RandomState {
    let [a, b, c, d] = shingle_seeds(seed);
    RandomState::with_seeds(a, b, c, d)
}

/// ahash 0.8.12's portable hasher (`fallback_hash.rs`) taken apart: the keyed state after
/// `RandomState::with_seeds`, and the steps `hash_one(&[u64])` goes through (the slice's
/// length as a `usize`, then its bytes: the length again, then 16-byte blocks, then the
/// finish). Only used once [`pair_hasher_is_ahash`] has confirmed it gives ahash's values.
#[derive(Debug, Clone, Copy)]
struct PairHasher {
    /// The state after the length prefix and the byte length: the same for every window.
    start: u64,
    pad: u64,
    extra: [u64; 2],
}

/// ahash's `MULTIPLE` (Knuth's MMIX multiplier).
const MULTIPLE: u64 = 6_364_136_223_846_793_005;
/// ahash's `PI2`, xored into `with_seeds` keys.
const PI2: [u64; 4] = [
    0x4528_21e6_38d0_1377,
    0xbe54_66cf_34e9_0c6c,
    0xc0ac_29b7_c97c_50dd,
    0x3f84_d5b5_b547_0917,
];
/// ahash's rotation after each 16-byte block.
const ROT: u32 = 23;

#[inline(always)]
fn folded_multiply(s: u64, by: u64) -> u64 {
    let r = u128::from(s) * u128::from(by);
    (r as u64) ^ ((r >> 64) as u64)
}

impl PairHasher {
    /// The hasher of windows of `n >= 2` keys under `seed`.
    fn new(seed: u64, n: usize) -> PairHasher {
        let k = shingle_seeds(seed);
        let k: [u64; 4] = std::array::from_fn(|i| k[i] ^ PI2[i]);
        // AHasher::from_random_state: buffer k1, pad k0, extra keys k2, k3.
        let mut buffer = k[1];
        // write_usize(n) (the slice's length prefix): update(n).
        buffer = folded_multiply(n as u64 ^ buffer, MULTIPLE);
        // write(bytes): the byte length, added, then multiplied.
        buffer = buffer.wrapping_add(8 * n as u64).wrapping_mul(MULTIPLE);
        PairHasher {
            start: buffer,
            pad: k[0],
            extra: [k[2], k[3]],
        }
    }

    /// The folded multiply of `large_update` for the block of keys `(a, b)`.
    #[inline(always)]
    fn pair(&self, a: u64, b: u64) -> u64 {
        folded_multiply(a ^ self.extra[0], b ^ self.extra[1])
    }

    /// `large_update` with a block's [`Self::pair`] value.
    #[inline(always)]
    fn mix(&self, buffer: u64, pair: u64) -> u64 {
        (buffer.wrapping_add(self.pad) ^ pair).rotate_left(ROT)
    }

    #[inline(always)]
    fn finish(&self, buffer: u64) -> u64 {
        folded_multiply(buffer, self.pad).rotate_left((buffer & 63) as u32)
    }

    /// The hash of a window of `n = p.len() + 1` keys, given the [`Self::pair`] values of
    /// its adjacent keys, `p[i]` for keys `(i, i + 1)`. Blocks, as ahash's `write` reads
    /// `8n > 16` bytes: the last 16, then from the start while more than 16 remain; for
    /// `n = 2`, the one block.
    #[inline(always)]
    fn window(&self, p: &[u64]) -> u64 {
        let n = p.len() + 1;
        let mut b = self.mix(self.start, p[n - 2]);
        let mut i = 0;
        while i + 2 < n {
            b = self.mix(b, p[i]);
            i += 2;
        }
        self.finish(b)
    }
}

/// Whether [`PairHasher`] gives `hash_one`'s values in this build: checked once, on windows
/// of every length up to 9 under two seeds.
fn pair_hasher_is_ahash() -> bool {
    static SAME: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SAME.get_or_init(|| {
        let keys: Vec<u64> = (1..=9u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (i << 60))
            .collect();
        [0, 0x5EED].iter().all(|&seed| {
            (2..=keys.len()).all(|n| {
                let mut out = Vec::new();
                pair_hashes(&keys, n, seed, &mut out);
                let want: Vec<u64> = keys
                    .windows(n)
                    .map(|w| shingle_hasher(seed).hash_one(w))
                    .collect();
                out == want
            })
        })
    })
}

/// [`hashes_into`] by [`PairHasher`], for `2 <= n <= keys.len()`: the pair values are
/// written to `out` first, then each window's hash over the first of its pairs (a window
/// reads only pairs at or after its own start, so the overwrite is safe).
fn pair_hashes(keys: &[u64], n: usize, seed: u64, out: &mut Vec<u64>) {
    let h = PairHasher::new(seed, n);
    out.clear();
    out.extend(keys.windows(2).map(|w| h.pair(w[0], w[1])));
    let windows = keys.len() + 1 - n;
    if n == 5 {
        // The default, with the block order unrolled.
        for j in 0..windows {
            let p: &[u64; 4] = out[j..j + 4].try_into().expect("4 pairs");
            out[j] = h.window(p);
        }
    } else {
        for j in 0..windows {
            out[j] = h.window(&out[j..j + n - 1]);
        }
    }
    out.truncate(windows);
}

/// Hashes of every word n-gram of `tokens`, in document order (with repeats).
pub fn shingles(tokens: &[Token], n: usize, seed: u64) -> Vec<u64> {
    let keys: Vec<u64> = tokens.iter().map(|t| t.key).collect();
    let mut out = Vec::new();
    hashes_into(&keys, n, seed, &mut out);
    out
}

/// Hashes of every run of `n` consecutive word `keys` into `out` (cleared first), in
/// document order (with repeats): [`shingles`] from the keys alone.
pub fn hashes_into(keys: &[u64], n: usize, seed: u64, out: &mut Vec<u64>) {
    out.clear();
    if keys.len() < n || n == 0 {
        return;
    }
    if n >= 2 && pair_hasher_is_ahash() {
        pair_hashes(keys, n, seed, out);
        return;
    }
    let hasher = shingle_hasher(seed);
    out.extend(keys.windows(n).map(|w| hasher.hash_one(w)));
}

/// The shingles found in more than `max_df` of the sorted `sets` (stock phrases), sorted.
/// Counted by sorting, in 64 partitions of the hash range processed in parallel (each set is
/// sorted, so a partition is one slice of it): 8 bytes per shingle occurrence of one
/// partition at a time per thread, not a hash map over the whole corpus.
pub fn frequent(sets: &[Vec<u64>], max_df: usize) -> Vec<u64> {
    use rayon::prelude::*;
    const BITS: u32 = 6;
    if sets.len() <= max_df {
        return Vec::new();
    }
    let parts: Vec<Vec<u64>> = (0..1u64 << BITS)
        .into_par_iter()
        .map(|p| {
            let part = |h: &u64| h >> (64 - BITS);
            let mut v: Vec<u64> = Vec::new();
            for set in sets {
                let lo = set.partition_point(|h| part(h) < p);
                let hi = set.partition_point(|h| part(h) <= p);
                v.extend_from_slice(&set[lo..hi]);
            }
            v.sort_unstable();
            let mut out = Vec::new();
            for run in v.chunk_by(|x, y| x == y) {
                if run.len() > max_df {
                    out.push(run[0]);
                }
            }
            out
        })
        .collect();
    parts.concat()
}

/// The distinct shingles of `tokens`, sorted.
pub fn shingle_set(tokens: &[Token], n: usize, seed: u64) -> Vec<u64> {
    let mut s = shingles(tokens, n, seed);
    s.sort_unstable();
    s.dedup();
    s
}

/// The number of distinct values in `hashes`, counted in an open-addressing set indexed by
/// the hashes' own top bits (`table` is its reusable storage, see [`DistinctTable`]): one
/// pass, no sort. Shingle hashes are uniform and the table is at most a sixteenth full, so
/// probes are short: a mispredicted probe costs more than the larger table's cache misses
/// (signing 2,000 articles took 3 % longer at an eighth full, 6 % at a quarter; at half
/// full a third of the time went to mispredicted probes; a thirty-second gained nothing).
/// Documents of over 65,536 shingles use a table at most a quarter full, which bounds their
/// scratch memory. (A bitmap of the hashes' bits, with the few collisions sorted, was
/// slower: its loads and stores wait on one another.) A document crafted to collide (the
/// hash keys are fixed) exhausts a probe budget and is counted by sorting instead, so the
/// cost stays `O(n log n)` at worst.
pub fn distinct_count(hashes: &[u64], table: &mut DistinctTable) -> usize {
    let mut set = Distinct::new(hashes.len(), table);
    for &h in hashes {
        set.insert(h);
    }
    set.count(hashes)
}

/// Reusable storage of the set [`distinct_count`] and [`sign`] count in, from one document
/// to the next. Each slot has a generation byte: a slot is taken only if its byte is the
/// current document's generation, so a new document starts from an empty set by moving to
/// the next generation, not by clearing the table (zeroing an eighth-full table took 4 % of
/// signing). The bytes are cleared only when the table grows and when the generation wraps
/// round, every 255 documents.
#[derive(Debug, Default)]
pub struct DistinctTable {
    /// The values of taken slots; other slots hold whatever an earlier document left.
    slots: Vec<u64>,
    generations: Vec<u8>,
    /// The current document's generation, from 1; 0 before the first.
    generation: u8,
}

/// The set of [`distinct_count`], filled one hash at a time.
struct Distinct<'t> {
    slots: &'t mut [u64],
    generations: &'t mut [u8],
    generation: u8,
    shift: u32,
    /// Probe steps left; at 0 the set gives up and [`Self::count`] sorts instead.
    budget: usize,
    count: usize,
}

impl<'t> Distinct<'t> {
    /// An empty set for up to `n` hashes, in `table`.
    fn new(n: usize, table: &'t mut DistinctTable) -> Distinct<'t> {
        // A sixteenth full at most; for documents of over 65,536 shingles at most a quarter,
        // which bounds a long document's scratch table (16 times 65,536 slots are 9 MB
        // already, well past the processor's second-level cache).
        let room = if n <= 1 << 16 { 16 * n } else { 4 * n };
        let size = room.next_power_of_two().max(16);
        if table.generations.len() < size {
            table.generations.clear();
            table.generations.resize(size, 0);
            table.slots.resize(size, 0);
        }
        table.generation = match table.generation.checked_add(1) {
            Some(g) => g,
            None => {
                table.generations.fill(0);
                1
            }
        };
        Distinct {
            slots: &mut table.slots[..size],
            generations: &mut table.generations[..size],
            generation: table.generation,
            shift: 64 - size.trailing_zeros(),
            budget: 4 * n + 64,
            count: 0,
        }
    }

    #[inline(always)]
    fn insert(&mut self, h: u64) {
        if self.budget == 0 {
            return;
        }
        let mask = self.slots.len() - 1;
        let mut i = (h >> self.shift) as usize;
        loop {
            let (g, s) = (self.generations[i], self.slots[i]);
            if g != self.generation {
                self.generations[i] = self.generation;
                self.slots[i] = h;
                self.count += 1;
                break;
            }
            if s == h {
                break;
            }
            i = (i + 1) & mask;
            self.budget = self.budget.saturating_sub(1);
        }
    }

    /// The number of distinct values among `hashes`, all of which were inserted.
    fn count(self, hashes: &[u64]) -> usize {
        if self.budget > 0 {
            return self.count;
        }
        // The table has room for every hash: sort them there (the next document starts a
        // new generation, so what this leaves behind is never read).
        let sorted = &mut self.slots[..hashes.len()];
        sorted.copy_from_slice(hashes);
        sorted.sort_unstable();
        sorted.chunk_by(|a, b| a == b).count()
    }
}

/// What sketching needs of a document's word `keys`: the MinHash signature of its shingles
/// and their number of distinct values, exactly
/// `(hasher.signature(&s), distinct_count(&s, table))` for the shingles `s` of
/// [`hashes_into`], which `out` holds afterwards. For the default `n = 5` (with
/// [`PairHasher`]) and a signature of one register block, one loop does it all: each
/// shingle is hashed, counted and folded into the minima as it comes, so the scalar hashing
/// and counting run alongside the vector minima instead of in passes of their own.
pub fn sign(
    keys: &[u64],
    n: usize,
    seed: u64,
    hasher: &MinHasher,
    out: &mut Vec<u64>,
    table: &mut DistinctTable,
) -> (Vec<u32>, usize) {
    if n != 5 || keys.len() < n || !hasher.fuses() || !pair_hasher_is_ahash() {
        hashes_into(keys, n, seed, out);
        return (hasher.signature(out), distinct_count(out, table));
    }
    let h = PairHasher::new(seed, n);
    let count = keys.len() + 1 - n;
    out.clear();
    out.resize(count, 0);
    let windows = Windows {
        h,
        keys,
        // The pair values of the current window, shifted on by one pair per window.
        p: [
            0,
            h.pair(keys[0], keys[1]),
            h.pair(keys[1], keys[2]),
            h.pair(keys[2], keys[3]),
        ],
        out,
        set: Distinct::new(count, table),
    };
    let (sig, windows) = hasher.signature_from(count, windows);
    (sig, windows.set.count(windows.out))
}

/// The shingles of [`sign`], hashed, stored and counted one at a time.
struct Windows<'a, 't> {
    h: PairHasher,
    keys: &'a [u64],
    p: [u64; 4],
    out: &'a mut [u64],
    set: Distinct<'t>,
}

impl crate::minhash::Values for Windows<'_, '_> {
    #[inline(always)]
    fn value(&mut self, j: usize) -> u64 {
        let [_, a, b, c] = self.p;
        self.p = [a, b, c, self.h.pair(self.keys[j + 3], self.keys[j + 4])];
        let s = self.h.window(&self.p);
        self.out[j] = s;
        self.set.insert(s);
        s
    }
}

/// Size of the intersection of two sorted, deduplicated sets: a branch-free linear merge
/// (both cursors advance by comparison results, so the loop never mispredicts on the data).
pub fn intersection_size(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        n += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    n
}

/// Whether two sorted sets share a value (stops at the first).
pub fn intersects(a: &[u64], b: &[u64]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// `docs` sorted shingle sets of up to `per_doc` values each, drawn from `pool` values
/// spread over the whole hash range, so that they recur across sets (for tests).
#[cfg(test)]
pub(crate) fn random_sets(seed: u64, docs: usize, per_doc: usize, pool: u64) -> Vec<Vec<u64>> {
    let mut st = seed;
    (0..docs)
        .map(|_| {
            let mut s: Vec<u64> = (0..per_doc)
                .map(|_| {
                    (crate::minhash::splitmix64(&mut st) % pool).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                })
                .collect();
            s.sort_unstable();
            s.dedup();
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn frequent_matches_a_direct_count() {
        let sets = super::random_sets(7, 300, 40, 500);
        let mut df = std::collections::HashMap::new();
        for s in &sets {
            for &h in s {
                *df.entry(h).or_insert(0usize) += 1;
            }
        }
        for max_df in [2, 20, 30, 299] {
            let mut want: Vec<u64> = df
                .iter()
                .filter(|(_, &n)| n > max_df)
                .map(|(&h, _)| h)
                .collect();
            want.sort_unstable();
            assert_eq!(frequent(&sets, max_df), want, "{max_df}");
        }
        assert!(frequent(&sets, 300).is_empty());
    }

    use super::*;
    use crate::config::Settings;
    use crate::tokenize::tokenize;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn toks(s: &str) -> Vec<Token> {
        tokenize(s, 0, &Settings::default().normalization)
    }

    #[test]
    fn count_and_shortness() {
        assert_eq!(shingles(&toks("a b c d e f"), 5, 1).len(), 2);
        assert!(shingles(&toks("a b c d"), 5, 1).is_empty());
    }

    #[test]
    fn normalised_text_gives_equal_shingles() {
        assert_eq!(
            shingle_set(&toks("Russia’s talks with the U.S. ended"), 3, 7),
            shingle_set(&toks("RUSSIA'S talks with the US ended"), 3, 7)
        );
    }

    #[test]
    fn distinct_windows_hash_apart() {
        // Guards against a degenerate hasher (a fixed-key hasher that maps every slice to
        // one value would put every document in every candidate pair).
        let text: String = (0..400).map(|i| format!("w{i} ")).collect();
        let t = toks(&text);
        for seed in [0, 1, Settings::default().seed] {
            let set = shingle_set(&t, 5, seed);
            assert_eq!(set.len(), t.len() - 4, "seed {seed}");
            assert!(!set.contains(&0));
        }
    }

    #[test]
    fn distinct_count_survives_colliding_hashes() {
        // Every hash in one probe chain (same top bits): the budget runs out, sorting counts.
        let hashes: Vec<u64> = (0..5000u64).map(|i| i % 3000 + 1).collect();
        let mut table = DistinctTable::default();
        let mut set = Distinct::new(hashes.len(), &mut table);
        for &h in &hashes {
            set.insert(h);
        }
        assert_eq!(set.budget, 0, "the probes must have given up");
        assert_eq!(set.count(&hashes), 3000);
        assert_eq!(distinct_count(&hashes, &mut table), 3000);
    }

    #[test]
    fn the_generation_wraps_round_to_an_empty_table() {
        // The same document at generation 1 before and after the wrap-round, with empty
        // documents between: nothing of its first pass may count as present in its second.
        let doc: Vec<u64> = (1..=100u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        let mut table = DistinctTable::default();
        assert_eq!(distinct_count(&doc, &mut table), 100);
        for _ in 0..254 {
            assert_eq!(distinct_count(&[], &mut table), 0);
        }
        assert_eq!(table.generation, u8::MAX);
        assert_eq!(distinct_count(&doc, &mut table), 100);
        assert_eq!(table.generation, 1);
    }

    #[test]
    fn pair_hasher_is_ahash_here() {
        // This build's ahash is the portable one: the fast path must be taken.
        assert!(pair_hasher_is_ahash());
    }

    proptest! {
        /// The fast path gives exactly ahash's `hash_one` of every window.
        #[test]
        fn hashes_are_hash_one_of_each_window(
            keys in proptest::collection::vec(prop_oneof![0u64..4, any::<u64>()], 0..40),
            n in 1usize..12,
            seed in prop_oneof![Just(Settings::default().seed), any::<u64>()],
        ) {
            let mut out = vec![3];
            hashes_into(&keys, n, seed, &mut out);
            let h = shingle_hasher(seed);
            let want: Vec<u64> = if keys.len() < n {
                Vec::new()
            } else {
                keys.windows(n).map(|w| h.hash_one(w)).collect()
            };
            prop_assert_eq!(out, want);
        }

        /// One table through many documents of mixed sizes, past the generation's wrap-round
        /// and after a document that ran out of probes: each count is exact.
        #[test]
        fn a_reused_table_counts_each_document_alone(
            docs in proptest::collection::vec(
                prop_oneof![
                    proptest::collection::vec(prop_oneof![0u64..40, any::<u64>()], 0..40),
                    proptest::collection::vec(0u64..2000, 100..400),
                ],
                1..12,
            ),
            skip in 0usize..300,
        ) {
            let mut table = DistinctTable::default();
            let colliding: Vec<u64> = (0..5000u64).map(|i| i % 3000 + 1).collect();
            for i in 0..skip {
                let v = &docs[i % docs.len()];
                prop_assert_eq!(distinct_count(v, &mut table), v.iter().collect::<HashSet<_>>().len());
            }
            prop_assert_eq!(distinct_count(&colliding, &mut table), 3000);
            for v in docs.iter().chain(&docs) {
                let want = v.iter().collect::<HashSet<_>>().len();
                prop_assert_eq!(distinct_count(v, &mut table), want);
            }
        }

        #[test]
        fn distinct_count_matches_hashset(v in proptest::collection::vec(prop_oneof![0u64..40, any::<u64>()], 0..300)) {
            let want = v.iter().collect::<HashSet<_>>().len();
            let mut table = DistinctTable::default();
            prop_assert_eq!(distinct_count(&v, &mut table), want);
            prop_assert_eq!(distinct_count(&v, &mut table), want);
        }

        /// The fused loop gives the separate passes' shingles, signature and count, for the
        /// default and other shingle sizes and signature lengths (repeated keys make repeated
        /// shingles).
        #[test]
        fn sign_matches_the_separate_passes(
            keys in proptest::collection::vec(prop_oneof![0u64..6, any::<u64>()], 0..300),
            n in prop_oneof![Just(5usize), 1usize..9],
            k in prop_oneof![Just(128usize), Just(256), 1usize..200],
            seed in prop_oneof![Just(0u64), any::<u64>()],
        ) {
            let m = MinHasher::new(k, seed ^ 1);
            let mut want = Vec::new();
            hashes_into(&keys, n, seed, &mut want);
            let mut table = DistinctTable::default();
            let want_count = distinct_count(&want, &mut table);
            let mut out = vec![9; 4];
            let got = sign(&keys, n, seed, &m, &mut out, &mut table);
            prop_assert_eq!(got, (m.signature(&want), want_count));
            prop_assert_eq!(out, want);
        }

        #[test]
        fn intersection_matches_hashset(a in proptest::collection::vec(0u64..50, 0..60), b in proptest::collection::vec(0u64..50, 0..60)) {
            let mut sa = a.clone(); sa.sort_unstable(); sa.dedup();
            let mut sb = b.clone(); sb.sort_unstable(); sb.dedup();
            let ha: HashSet<_> = a.into_iter().collect();
            let hb: HashSet<_> = b.into_iter().collect();
            prop_assert_eq!(intersection_size(&sa, &sb), ha.intersection(&hb).count());
        }
    }
}
