//! Words with byte spans, and the normalised keys used to match them.
//!
//! Text is split on Unicode word boundaries (UAX #29, via `unicode-segmentation`); a segment
//! that holds at least one letter or digit is a word. Every [`Token`] keeps its byte span
//! `start..end` in the document's *original* text, so whatever normalisation does, a passage
//! maps back to the exact bytes it came from.
//!
//! Normalisation (in [`normalize`]) only computes keys: lower-casing, folding typographic
//! apostrophes, quotes and dashes to plain ones, dropping invisible format characters,
//! `U.S.` → `us`, `1,000` → `1000`, and optionally British → American spelling and number
//! words → digits. The key is the 64-bit ahash (fixed keys) of the normalised word; a second
//! key, the *stem* (plural, possessive and common verb suffixes removed), lets the aligner
//! prefer pairing `restored` with `restoring` over unrelated words, without counting them as
//! identical.
//!
//! Each token also records whether it stands inside quotation marks (“…”, "…", «…», „…“,
//! reset at every line break), which tells a shared quotation from copied prose.
//!
//! Sketching needs only the keys: [`keys_into`] gives exactly the keys of [`tokenize`]'s
//! tokens without building tokens (no spans, stems, quotes or sentence marks).
//!
//! Cost: one pass over the text, no allocation per token. Fast paths, each held to the
//! reference by property tests: ASCII stretches are split by a 64-byte-at-a-time scanner
//! ([`for_each_word`]), ASCII words are normalised in a stack buffer with table lookups
//! ([`normalize::normalize_ascii`]), and [`keys_into`] caches each word's key by its exact
//! bytes ([`WordKeys`], one per thread), so a frequent word is normalised and hashed once.

pub mod normalize;

use std::hash::{BuildHasher, Hasher};

use ahash::RandomState;
use unicode_segmentation::UnicodeSegmentation;

use crate::config::Normalization;

/// A word of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the word's first byte in the original text.
    pub start: u32,
    /// Byte offset one past the word's last byte.
    pub end: u32,
    /// Hash of the normalised word: equal keys mean the words match.
    pub key: u64,
    /// Hash of the word's stem: equal stems make a near match.
    pub stem: u64,
    /// The word is inside quotation marks.
    pub quoted: bool,
    /// The word is a function word (the, of, and, …).
    pub stop: bool,
    /// The word begins a sentence or paragraph (see [`mark_sentences`]).
    pub sent_start: bool,
    /// The word ends a sentence or paragraph.
    pub sent_end: bool,
    /// The word starts with a capital letter in the middle of a sentence: a name or title
    /// word ("Secretary", "Rubio"), which alone is not evidence of reuse.
    pub name: bool,
}

impl Token {
    /// The byte range of the word in the original text.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Fixed keys of the word hasher: results must not depend on the process.
pub(crate) fn word_hasher() -> RandomState {
    RandomState::with_seeds(
        0x243F_6A88_85A3_08D3,
        0x1319_8A2E_0370_7344,
        0xA409_3822_299F_31D0,
        0x082E_FA98_EC4E_6C89,
    )
}

/// Split `text[body_start..]` into words. Spans are offsets into the whole `text`.
pub fn tokenize(text: &str, body_start: usize, norm: &Normalization) -> Vec<Token> {
    let hasher = word_hasher();
    let body = &text[body_start..];
    let quotes = quote_ranges(body);
    let mut q = 0usize;
    let mut tokens = Vec::with_capacity(body.len() / 6);
    let mut words = normalize::Normalizer::new(norm);
    let mut stem = String::with_capacity(32);
    for_each_word(body, |offset, word| {
        let w = words.normalize(word);
        if w.is_empty() {
            return;
        }
        normalize::stem_into(w, &mut stem);
        while q < quotes.len() && quotes[q].1 <= offset {
            q += 1;
        }
        let quoted = q < quotes.len() && quotes[q].0 <= offset;
        let start = body_start + offset;
        tokens.push(Token {
            start: start as u32,
            end: (start + word.len()) as u32,
            key: hasher.hash_one(w),
            stem: hasher.hash_one(stem.as_str()),
            quoted,
            stop: normalize::is_stopword(w),
            sent_start: false,
            sent_end: false,
            name: false,
        });
    });
    mark_sentences(text, body_start, &mut tokens);
    tokens
}

/// The [`Token::key`]s of [`tokenize`], in order, into `keys` (cleared first): all that
/// shingling needs, without spans, stems, quotes or sentence marks. Each thread keeps one
/// [`WordKeys`] (and so its cache) from call to call, replaced when `norm` changes.
pub fn keys_into(text: &str, body_start: usize, norm: &Normalization, keys: &mut Vec<u64>) {
    thread_local! {
        static WORDS: std::cell::RefCell<Option<WordKeys>> = const { std::cell::RefCell::new(None) };
    }
    WORDS.with(|words| {
        let mut words = words.borrow_mut();
        let words = match &mut *words {
            Some(w) if w.words.normalization() == norm => w,
            other => other.insert(WordKeys::new(norm)),
        };
        words.keys_into(text, body_start, keys);
    });
}

/// Word keys of many documents: reusable buffers, and a cache from a word's bytes (up to 15,
/// ASCII letters lower-cased, see [`fold_case`]) to its key, an open-addressing table of
/// [`SLOTS`] entries that fills to three quarters, then has each new word replace the word at
/// its first slot. News vocabulary is small and skewed, so most words skip normalising and
/// hashing; the cache only remembers a pure function, so results never depend on what it
/// holds. (4 MB, 98k words. At 2 MB the 66k distinct words of 10k articles filled it:
/// evicted words missed again and linear probes grew long, so keys took 1.3 times as long,
/// and the 37k words of 2k articles took 6 % longer overall. 8 MB gained nothing more. A
/// smaller table, 512 KB, that fits the processor's second-level cache, missed so often that
/// keys took 1.6 times as long, and so did a 256 KB table of recent words in front of this
/// one, its lookups waiting inside the scan. The table is allocated zeroed at its full size,
/// which maps pages only as they are reached; growing it from 512 KB by doubling touched
/// 3.5 MB and re-inserted every word twice. A 2 MB page for it gained nothing measurable.)
#[derive(Debug)]
pub struct WordKeys {
    hasher: RandomState,
    words: normalize::Normalizer,
    slots: Vec<Slot>,
    used: usize,
    /// The words of the text being keyed: packed (0 if not), offset, length and the packed
    /// word's [`normalize::WordTable::slot`] hash.
    pending: Vec<(u128, u32, u32, u32)>,
}

/// A cache entry: a word's [`normalize::pack`] (0 when free), and its key.
#[derive(Debug, Clone, Copy, Default)]
#[repr(align(32))]
struct Slot {
    word: u128,
    key: u64,
}

/// Number of cache entries (32 bytes each: 4 MB).
const SLOTS: usize = 1 << 17;

/// `n` free cache entries, allocated zeroed: memory fresh from the system is zero already, so
/// nothing is written, and pages are only mapped as lookups first reach them.
fn zeroed_slots(n: usize) -> Vec<Slot> {
    let layout = std::alloc::Layout::array::<Slot>(n.max(1)).expect("a small table");
    // SAFETY: the layout has a non-zero size.
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<Slot>();
    if ptr.is_null() {
        std::alloc::handle_alloc_error(layout);
    }
    // SAFETY: `ptr` was allocated by the global allocator with the layout of `n.max(1)`
    // `Slot`s, and a `Slot` is integers only, for which all-zero bytes are a valid value (a
    // free slot, `Slot::default()`), so its first `n` elements are initialised.
    unsafe { Vec::from_raw_parts(ptr, n, n.max(1)) }
}

/// `u128` masks keeping the first `n` bytes, for `n` up to 15.
static KEEP: [u128; 16] = {
    let mut t = [0u128; 16];
    let mut n = 0;
    while n < 16 {
        t[n] = (1u128 << (8 * n)) - 1;
        n += 1;
    }
    t
};

/// A packed word ([`normalize::pack`]) with its ASCII capitals lower-cased, sixteen bytes
/// at once; other bytes (the length, UTF-8 bytes) are left as they are. Normalisation
/// lower-cases ASCII letters before anything else, so a word and its folded form have the
/// same key (tested), and the cache holds one entry for `The` and `the`: 18 % fewer
/// entries on 10k articles, and keys 9 % faster once the cache is full.
#[inline(always)]
fn fold_case(p: u128) -> u128 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of x86-64: every processor this code runs on has it.
        unsafe { fold_case_sse2(p) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    fold_case_swar(p)
}

/// [`fold_case`] with SSE2 compares: the word never leaves its vector register (in two
/// 64-bit integers it took twice as long).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn fold_case_sse2(p: u128) -> u128 {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: `u128` and `__m128i` are both 16 bytes of plain integer data.
    let x = unsafe { std::mem::transmute::<u128, __m128i>(p) };
    // Signed compares: bytes from 0x80 are negative, never capitals.
    let capital = _mm_and_si128(
        _mm_cmpgt_epi8(x, _mm_set1_epi8(b'A' as i8 - 1)),
        _mm_cmplt_epi8(x, _mm_set1_epi8(b'Z' as i8 + 1)),
    );
    let folded = _mm_or_si128(x, _mm_and_si128(capital, _mm_set1_epi8(0x20)));
    // SAFETY: as above.
    unsafe { std::mem::transmute::<__m128i, u128>(folded) }
}

/// [`fold_case`] in one 128-bit integer (SWAR): the portable version.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn fold_case_swar(p: u128) -> u128 {
    const fn rep(b: u8) -> u128 {
        b as u128 * 0x0101_0101_0101_0101_0101_0101_0101_0101
    }
    let low = p & rep(0x7F);
    // The high bit of each byte: set when its low seven bits are at least `A`, and when they
    // are above `Z` (no carry crosses a byte: 0x7F + 0x3F < 0x100).
    let at_least_a = low + rep(0x80 - b'A');
    let above_z = low + rep(0x80 - b'Z' - 1);
    let capital = at_least_a & !above_z & !p & rep(0x80);
    p | capital >> 2
}

impl WordKeys {
    /// Keys under the given normalisation.
    pub fn new(norm: &Normalization) -> WordKeys {
        WordKeys {
            hasher: word_hasher(),
            words: normalize::Normalizer::new(norm),
            slots: zeroed_slots(SLOTS),
            used: 0,
            pending: Vec::new(),
        }
    }

    /// [`keys_into`]. Two passes: the words are found and packed first, then looked up, so
    /// that the lookups — the cache is larger than the processor's nearer caches — are
    /// independent loads the processor overlaps, rather than each waiting behind a word's
    /// scanning.
    pub fn keys_into(&mut self, text: &str, body_start: usize, keys: &mut Vec<u64>) {
        keys.clear();
        let body = &text[body_start..];
        let mut words = std::mem::take(&mut self.pending);
        words.clear();
        let bytes = body.as_bytes();
        let mask = self.slots.len() - 1;
        let slots = self.slots.as_ptr();
        word_ranges(body, |o, end| {
            let n = end - o;
            // With 16 bytes of text from the word's start, one load, masked, packs it.
            let (p, h) = match bytes.get(o..o + 16) {
                Some(c) if n <= 15 => {
                    let x = u128::from_le_bytes(c.try_into().expect("16 bytes"));
                    let p = fold_case(x & KEEP[n] | (n as u128) << 120);
                    let h = normalize::WordTable::slot(p);
                    // The lookups come after the whole text is scanned: ask for the word's
                    // slot now so that it is near when looked up.
                    prefetch(slots.wrapping_add(h & mask));
                    (p, h as u32)
                }
                _ => (0, 0),
            };
            words.push((p, o as u32, n as u32, h));
        });
        keys.reserve(words.len());
        for &(p, o, n, h) in &words {
            let k = if p != 0 {
                self.cached(p, h as usize, body, o, n)
            } else {
                self.key(&body[o as usize..(o + n) as usize])
            };
            if let Some(k) = k {
                keys.push(k);
            }
        }
        self.pending = words;
    }

    /// The key of one word, `None` when it normalises to nothing.
    #[inline]
    pub fn key(&mut self, word: &str) -> Option<u64> {
        match normalize::pack(word.as_bytes()) {
            Some(p) => {
                let p = fold_case(p);
                let h = normalize::WordTable::slot(p);
                self.cached(p, h, word, 0, word.len() as u32)
            }
            None => self.compute(word),
        }
    }

    /// The key of the word `text[o..o + n]` of 1 to 15 bytes, given its [`normalize::pack`]
    /// `p` (never 0: the top byte holds the length) and the hash `h` of `p`
    /// ([`normalize::WordTable::slot`]).
    #[inline(always)]
    fn cached(&mut self, p: u128, h: usize, text: &str, o: u32, n: u32) -> Option<u64> {
        let mask = self.slots.len() - 1;
        let mut s = h & mask;
        loop {
            let slot = self.slots[s];
            if slot.word == p {
                return Some(slot.key);
            }
            if slot.word == 0 {
                break;
            }
            s = (s + 1) & mask;
        }
        self.miss(p, h, &text[o as usize..(o + n) as usize], s)
    }

    /// A word not in the cache (packed `p`, its [`normalize::WordTable::slot`] hash `h`),
    /// whose probe ended at the free slot `s`: compute its key and remember it. Most such words are plain ([`normalize::is_plain`]) and are hashed as
    /// they are, without normalising: with every word first normalised, 2,000 articles (4 % of
    /// their words first occurrences) took 1.19 times as long with an empty cache as with a
    /// full one; normalising was most of the difference.
    #[inline(never)]
    fn miss(&mut self, p: u128, h: usize, word: &str, s: usize) -> Option<u64> {
        let key = if normalize::is_plain(p, h) {
            hash_word(&self.hasher, &p.to_le_bytes()[..word.len()])
        } else {
            self.compute(word)?
        };
        if self.used < 3 * (self.slots.len() / 4) {
            self.slots[s] = Slot { word: p, key };
            self.used += 1;
        } else {
            // Full: the word replaces the one at its first slot (if any), so words that turn
            // frequent late are still cached. A slot never becomes free, so no other word's
            // probe is cut short, and at least a quarter of the slots stay free.
            let h = h & (self.slots.len() - 1);
            if self.slots[h].word != 0 {
                self.slots[h] = Slot { word: p, key };
            }
        }
        Some(key)
    }

    fn compute(&mut self, word: &str) -> Option<u64> {
        let w = self.words.normalize_bytes(word);
        (!w.is_empty()).then(|| hash_word(&self.hasher, w))
    }
}

/// Ask for the cache line of `p` to be loaded (a hint only: `p` need not be valid).
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// `hasher.hash_one(w)` for the UTF-8 bytes of a string `w`: `str`'s `Hash` writes the
/// bytes, then `0xff` (tested).
#[inline]
fn hash_word(hasher: &RandomState, w: &[u8]) -> u64 {
    let mut h = hasher.build_hasher();
    h.write(w);
    h.write_u8(0xff);
    h.finish()
}

/// Mark sentence edges and name words: a word starts a sentence when it is the first word of the body or
/// the text between it and the previous word holds `.`, `!`, `?`, `…` or a line break; the
/// previous word then ends one, and so does the last word. (Abbreviations such as `U.S.` also
/// count as edges; the aligner only uses edges to round passages to whole sentences within
/// a few words, so the cost of such a false edge is small.)
pub fn mark_sentences(text: &str, body_start: usize, tokens: &mut [Token]) {
    let n = tokens.len();
    let mut prev_end = body_start;
    for i in 0..n {
        let gap = &text[prev_end..tokens[i].start as usize];
        let edge = i == 0 || gap.contains(['.', '!', '?', '\u{2026}', '\n']);
        tokens[i].sent_start = edge;
        tokens[i].name = !edge
            && text[tokens[i].start as usize..]
                .chars()
                .next()
                .is_some_and(char::is_uppercase);
        if i > 0 {
            tokens[i - 1].sent_end = edge;
        }
        prev_end = tokens[i].end as usize;
    }
    if let Some(last) = tokens.last_mut() {
        last.sent_end = true;
    }
}

/// Call `f(offset, word)` for every word of `text` (a UAX #29 word segment holding a letter
/// or digit), in order. Pure-ASCII stretches take a byte scanner that implements the ASCII
/// part of UAX #29 (letters and digits joined by `_`, letters across `' . :`, digits across
/// `' . , ;`); the rest goes through `unicode-segmentation`. The split between the two is
/// only made at *safe points* — an ASCII byte that joins nothing followed by an ASCII byte
/// that is not whitespace — where UAX #29 always breaks and no rule looks across, so the
/// words are exactly those of [`for_each_word_unicode`] (a property test checks this).
pub fn for_each_word(text: &str, mut f: impl FnMut(usize, &str)) {
    word_ranges(text, |start, end| f(start, &text[start..end]));
}

/// [`for_each_word`] as byte ranges `start..end` of `text`.
#[inline]
fn word_ranges(text: &str, mut f: impl FnMut(usize, usize)) {
    let b = text.as_bytes();
    let n = b.len();
    let safe = |i: usize| {
        let (p, c) = (b[i - 1], b[i]);
        p < 0x80 && c < 0x80 && !joins(p) && !c.is_ascii_whitespace()
    };
    let mut pos = 0;
    while let Some(k) = first_non_ascii(&b[pos..]) {
        let j = pos + k;
        let mut s = j;
        while s > pos && !safe(s) {
            s -= 1;
        }
        let mut e = j + 1;
        while e < n && !safe(e) {
            e += 1;
        }
        ascii_words(&b[pos..s], pos, &mut f);
        for (o, w) in text[s..e].split_word_bound_indices() {
            if w.chars().any(char::is_alphanumeric) {
                f(s + o, s + o + w.len());
            }
        }
        pos = e;
    }
    ascii_words(&b[pos..], pos, &mut f);
}

/// The reference: every UAX #29 word segment holding a letter or digit.
pub fn for_each_word_unicode(text: &str, mut f: impl FnMut(usize, &str)) {
    for (o, w) in text.split_word_bound_indices() {
        if w.chars().any(char::is_alphanumeric) {
            f(o, w);
        }
    }
}

/// ASCII bytes that take part in a word-joining rule of UAX #29.
fn joins(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'\'' | b'.' | b':' | b',' | b';')
}

/// Byte classes of the ASCII scanner's joiner test: a letter, a digit, a byte that joins
/// letters (`' . :`), a byte that joins digits (`' . , ;`).
const LETTER: u8 = 2;
const DIGIT: u8 = 4;
const MID_LETTER: u8 = 8;
const MID_NUM: u8 = 16;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = if b.is_ascii_alphabetic() {
            LETTER
        } else if b.is_ascii_digit() {
            DIGIT
        } else {
            match b {
                b'\'' | b'.' => MID_LETTER | MID_NUM,
                b':' => MID_LETTER,
                b',' | b';' => MID_NUM,
                _ => 0,
            }
        };
        c += 1;
    }
    t
};

/// Offset of the first non-ASCII byte of `b`, sixteen bytes at a time.
fn first_non_ascii(b: &[u8]) -> Option<usize> {
    const HIGH: u128 = u128::from_le_bytes([0x80; 16]);
    let mut chunks = b.chunks_exact(16);
    for (i, c) in chunks.by_ref().enumerate() {
        let x = u128::from_le_bytes(c.try_into().expect("16 bytes")) & HIGH;
        if x != 0 {
            return Some(16 * i + x.trailing_zeros() as usize / 8);
        }
    }
    let done = b.len() - chunks.remainder().len();
    (chunks.remainder().iter().position(|&c| c >= 0x80)).map(|k| done + k)
}

/// Bit `i` of the first mask set when byte `i` of the 64-byte block is a word byte (letter,
/// digit, `_`); of the second, when it is a byte from `'` to `;` other than a digit, which
/// takes in every joiner (`' , . : ;`). The bytes must be ASCII. On x86-64, sixteen bytes at
/// a time with SSE2; elsewhere [`block_masks_swar`]. Both are tested against the definition.
#[inline]
fn block_masks(block: &[u8; 64]) -> (u64, u64) {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of x86-64: every processor this code runs on has it.
        unsafe { block_masks_sse2(block) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    block_masks_swar(block)
}

/// [`block_masks`] with SSE2 compares and byte masks.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn block_masks_sse2(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::{
        _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_set_epi64x,
    };
    // Signed byte comparisons: ASCII bytes are non-negative.
    let between = |x, lo: u8, hi: u8| {
        _mm_and_si128(
            _mm_cmpgt_epi8(x, _mm_set1_epi8(lo as i8 - 1)),
            _mm_cmplt_epi8(x, _mm_set1_epi8(hi as i8 + 1)),
        )
    };
    let (mut words, mut joiners) = (0, 0);
    for (k, c) in block.chunks_exact(16).enumerate() {
        let half = |i: usize| i64::from_le_bytes(c[i..i + 8].try_into().expect("8 bytes"));
        let x = _mm_set_epi64x(half(8), half(0));
        let letter = between(_mm_or_si128(x, _mm_set1_epi8(0x20)), b'a', b'z');
        let digit = between(x, b'0', b'9');
        let under = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'_' as i8));
        let punct = _mm_andnot_si128(digit, between(x, b'\'', b';'));
        let word = _mm_or_si128(_mm_or_si128(letter, digit), under);
        words |= u64::from(_mm_movemask_epi8(word) as u16) << (16 * k);
        joiners |= u64::from(_mm_movemask_epi8(punct) as u16) << (16 * k);
    }
    (words, joiners)
}

/// [`block_masks`] eight bytes at a time in 64-bit integers (SWAR), branch-free: the
/// portable version.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn block_masks_swar(block: &[u8; 64]) -> (u64, u64) {
    const fn rep(b: u8) -> u64 {
        b as u64 * 0x0101_0101_0101_0101
    }
    const HIGH: u64 = rep(0x80);
    // For bytes below 0x80, `x + rep(0x80 - lo)` sets a byte's high bit iff it is >= lo.
    let at_least = |x: u64, lo: u8| x + rep(0x80 - lo);
    // The eight high bits of `h` gathered into one byte.
    let gather = |h: u64| (h >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
    let (mut words, mut joiners) = (0, 0);
    for (k, c) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        let lower = x | rep(0x20);
        let letter = at_least(lower, b'a') & !at_least(lower, b'z' + 1);
        let digit = at_least(x, b'0') & !at_least(x, b'9' + 1);
        let under = !((x ^ rep(b'_')) + rep(0x7F));
        let punct = at_least(x, b'\'') & !at_least(x, b';' + 1) & !digit;
        words |= gather((letter | digit | under) & HIGH) << (8 * k);
        joiners |= gather(punct & HIGH) << (8 * k);
    }
    (words, joiners)
}

/// [`block_masks`] of the 64 bytes of `b` from `start`, zero-padded past its end.
#[inline(always)]
fn masks_at(b: &[u8], start: usize) -> (u64, u64) {
    match b.get(start..start + 64) {
        Some(c) => block_masks(c.try_into().expect("64 bytes")),
        None => {
            let mut pad = [0u8; 64];
            pad[..b.len() - start].copy_from_slice(&b[start..]);
            block_masks(&pad)
        }
    }
}

/// Whether the ASCII byte `m` between `p` and `x` joins them into one word: `' . :` between
/// letters, `' . , ;` between digits.
#[inline]
fn bridges(p: u8, m: u8, x: u8) -> bool {
    let (p, m, x) = (
        CLASS[usize::from(p)],
        CLASS[usize::from(m)],
        CLASS[usize::from(x)],
    );
    (m & MID_LETTER != 0 && p & x & LETTER != 0) || (m & MID_NUM != 0 && p & x & DIGIT != 0)
}

/// The words of an ASCII stretch: runs of word bytes and of joiners between two letters or
/// two digits, kept when they hold a letter or digit. 64 bytes at a time: [`block_masks`]
/// marks the word bytes and the few bytes that could be joiners; a candidate with word bytes
/// on both sides is checked by [`bridges`] and joined to them, and each change between word
/// and non-word bytes starts or ends a word.
fn ascii_words(b: &[u8], base: usize, f: &mut impl FnMut(usize, usize)) {
    let n = b.len();
    let (mut in_word, mut start, mut carry) = (false, 0, 0u64);
    let mut emit = |start: usize, end: usize| {
        if b[start] != b'_' || b[start..end].iter().any(|&c| c != b'_') {
            f(base + start, base + end);
        }
    };
    for at in (0..n).step_by(64) {
        let (mut words, joiners) = masks_at(b, at);
        // Joiner candidates with a word byte on each side (at the block's edges, checked).
        let mut cand = joiners & (words << 1 | 1) & (words >> 1 | 1 << 63);
        while cand != 0 {
            let i = cand.trailing_zeros() as usize;
            cand &= cand - 1;
            let k = at + i;
            if k >= 1 && k + 1 < n && bridges(b[k - 1], b[k], b[k + 1]) {
                words |= 1 << i;
            }
        }
        let mut edges = words ^ (words << 1 | carry);
        carry = words >> 63;
        while edges != 0 {
            let k = at + edges.trailing_zeros() as usize;
            edges &= edges - 1;
            if in_word {
                emit(start, k);
            } else {
                start = k;
            }
            in_word = !in_word;
        }
    }
    if in_word {
        emit(start, n);
    }
}

/// Byte ranges of quoted stretches in `text`, sorted and disjoint. Curly and guillemet
/// quotes open and close explicitly; a straight `"` toggles. A line break ends any quote.
fn quote_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match c {
            '\n' => {
                if let Some(s) = open.take() {
                    out.push((s, i));
                }
            }
            '\u{201C}' | '\u{00AB}' | '\u{201E}' => {
                if let Some(s) = open.take() {
                    out.push((s, i));
                }
                open = Some(i);
            }
            '\u{201D}' | '\u{00BB}' => {
                if let Some(s) = open.take() {
                    out.push((s, i));
                }
            }
            '"' => match open.take() {
                Some(s) => out.push((s, i)),
                None => open = Some(i),
            },
            _ => {}
        }
    }
    if let Some(s) = open {
        out.push((s, text.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use proptest::prelude::*;

    fn norm() -> Normalization {
        Settings::default().normalization
    }

    fn words<'a>(text: &'a str, toks: &[Token]) -> Vec<&'a str> {
        toks.iter().map(|t| &text[t.range()]).collect()
    }

    #[test]
    fn words_keep_their_spans() {
        let text = "Rubio’s “unlock the door” — U.S. talks, 1,000 km.";
        let toks = tokenize(text, 0, &norm());
        assert_eq!(
            words(text, &toks),
            [
                "Rubio’s",
                "unlock",
                "the",
                "door",
                "U.S",
                "talks",
                "1,000",
                "km"
            ]
        );
        assert!(toks[1].quoted && toks[3].quoted && !toks[0].quoted && !toks[4].quoted);
    }

    #[test]
    fn typographic_and_case_folding_match() {
        let a = tokenize("Russia’s WAR", 0, &norm());
        let b = tokenize("russia's war", 0, &norm());
        assert_eq!(
            a.iter().map(|t| t.key).collect::<Vec<_>>(),
            b.iter().map(|t| t.key).collect::<Vec<_>>()
        );
    }

    #[test]
    fn spelling_and_numbers_match_when_enabled() {
        let a = tokenize("He emphasised three goals towards the centre", 0, &norm());
        let b = tokenize("he emphasized 3 goals toward the center", 0, &norm());
        let ka: Vec<_> = a.iter().map(|t| t.key).collect();
        let kb: Vec<_> = b.iter().map(|t| t.key).collect();
        assert_eq!(ka, kb);
        let mut off = norm();
        off.spelling = false;
        off.numbers = false;
        let a = tokenize("emphasised three", 0, &off);
        let b = tokenize("emphasized 3", 0, &off);
        assert_ne!(a[0].key, b[0].key);
        assert_ne!(a[1].key, b[1].key);
    }

    #[test]
    fn sentence_edges() {
        let text = "He left. She said: \"no\"\nThen U.S. talks";
        let t = tokenize(text, 0, &norm());
        let starts: Vec<bool> = t.iter().map(|t| t.sent_start).collect();
        let ends: Vec<bool> = t.iter().map(|t| t.sent_end).collect();
        // He left | She said no | Then U.S | talks
        assert_eq!(starts, [true, false, true, false, false, true, false, true]);
        assert_eq!(ends, [false, true, false, false, true, false, true, true]);
    }

    #[test]
    fn body_start_skips_the_date_line() {
        let text = " date 2025-02-19 Russia and";
        let toks = tokenize(text, 16, &norm());
        assert_eq!(words(text, &toks), ["Russia", "and"]);
        assert_eq!(toks[0].start, 17);
    }

    #[test]
    fn stems_pair_inflections() {
        let a = tokenize("restored embassies", 0, &norm());
        let b = tokenize("restoring embassy", 0, &norm());
        assert_ne!(a[0].key, b[0].key);
        assert_eq!(a[0].stem, b[0].stem);
        assert_eq!(a[1].stem, b[1].stem);
    }

    fn words_of(text: &str, fast: bool) -> Vec<(usize, String)> {
        let mut v = Vec::new();
        if fast {
            for_each_word(text, |o, w| v.push((o, w.to_string())));
        } else {
            for_each_word_unicode(text, |o, w| v.push((o, w.to_string())));
        }
        v
    }

    #[test]
    fn fast_path_examples() {
        for t in [
            "U.S. 1,000 a.b 10:30 a:b 1;2 x_y _ __a a' 'a don't 3.5. e.g. Rubio’s “talks”",
            "a\u{0301}b c\u{093E} \u{093E}x  \u{2003} y\r\nz é.e 1.é",
        ] {
            assert_eq!(words_of(t, true), words_of(t, false), "{t:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The ASCII fast path gives exactly the Unicode path's words on ASCII-heavy text.
        #[test]
        fn fast_path_matches_unicode(text in "([a-zA-Z0-9_ .,:;'\"\n\t\r-]|[\u{80}-\u{10FFFF}]{0,1}|\u{2019}|\u{301}|\u{93E}|\u{200D}|\u{1F1E6}){0,80}") {
            prop_assert_eq!(words_of(&text, true), words_of(&text, false));
        }
    }

    /// [`tokenize`] as it was before the fast paths: the reference normaliser and stopword
    /// search, one `String` per word.
    fn reference_tokenize(text: &str, body_start: usize, norm: &Normalization) -> Vec<Token> {
        let hasher = word_hasher();
        let body = &text[body_start..];
        let quotes = quote_ranges(body);
        let mut q = 0usize;
        let mut tokens = Vec::new();
        for_each_word_unicode(body, |offset, word| {
            let mut buf = String::new();
            normalize::reference::normalize_into(word, norm, &mut buf);
            if buf.is_empty() {
                return;
            }
            let mut stem = String::new();
            normalize::stem_into(&buf, &mut stem);
            while q < quotes.len() && quotes[q].1 <= offset {
                q += 1;
            }
            let start = body_start + offset;
            tokens.push(Token {
                start: start as u32,
                end: (start + word.len()) as u32,
                key: hasher.hash_one(buf.as_str()),
                stem: hasher.hash_one(stem.as_str()),
                quoted: q < quotes.len() && quotes[q].0 <= offset,
                stop: normalize::reference::is_stopword(&buf),
                sent_start: false,
                sent_end: false,
                name: false,
            });
        });
        mark_sentences(text, body_start, &mut tokens);
        tokens
    }

    /// News-like text: English words (listed British spellings, number words, stopwords,
    /// capitals), punctuation, quotes, numbers with separators, abbreviations, and some
    /// arbitrary Unicode.
    fn news_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            6 => proptest::sample::select(vec![
                "the", "The", "colour", "Centres", "travelled", "organisation", "analysed",
                "Three", "twenty", "U.S.", "e.g.", "1,000", "3.5", "don't", "Rubio's", "towards",
                "programme", "favourites", "honourable", "mum", "grey", "licence", "defence",
                "realise", "surprised", "because", "Said", "x_y", "a.b", "10:30", "O'Neil",
                "\u{2019}s", "\u{201C}", "\u{201D}", "\"", "\n", ".", ",", "!", "?", "-", "\u{2014}",
                "caf\u{E9}", "\u{212A}m", "na\u{EF}ve", "\u{AD}", "\u{200B}", "`", "(", ")",
            ]).prop_map(str::to_string),
            2 => "[a-zA-Z0-9]{1,12}",
            1 => "[ \n]{1,2}",
            1 => "\\PC{0,4}",
        ];
        proptest::collection::vec((piece, proptest::bool::ANY), 0..60).prop_map(|v| {
            v.iter()
                .map(|(p, space)| if *space { format!("{p} ") } else { p.clone() })
                .collect()
        })
    }

    fn all_settings() -> Vec<Normalization> {
        [(false, false), (true, false), (false, true), (true, true)]
            .into_iter()
            .map(|(spelling, numbers)| Normalization {
                case_and_typography: true,
                spelling,
                numbers,
            })
            .collect()
    }

    #[test]
    fn cache_evictions_keep_keys_exact() {
        // Twice as many distinct words as the cache has slots, in mixed case, then the same
        // words in another order and interleaved with frequent ones: the full table replaces
        // entries, and every key stays exact.
        let word = |i: usize| {
            if i.is_multiple_of(2) {
                format!("Wd{i} ")
            } else {
                format!("colour{i}s ")
            }
        };
        let first: String = (0..2 * SLOTS).map(word).collect();
        let second: String = (0..2 * SLOTS)
            .rev()
            .map(|i| format!("{}the Said {}", word(i), word(i / 7)))
            .collect();
        let norm = norm();
        let mut words = WordKeys::new(&norm);
        let mut keys = Vec::new();
        for text in [&first, &second, &first] {
            let want: Vec<u64> = tokenize(text, 0, &norm).iter().map(|t| t.key).collect();
            words.keys_into(text, 0, &mut keys);
            assert_eq!(keys, want);
        }
        assert_eq!(words.slots.len(), SLOTS);
        assert_eq!(words.used, 3 * SLOTS / 4);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// Tokens are exactly those of the implementation before the fast paths, and
        /// [`keys_into`] gives exactly their keys.
        #[test]
        fn tokens_and_keys_match_the_reference(text in news_text(), cut in 0usize..20) {
            let start = text.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(text.len());
            let mut keys = vec![7];
            for norm in all_settings() {
                let toks = tokenize(&text, start, &norm);
                prop_assert_eq!(&toks, &reference_tokenize(&text, start, &norm));
                keys_into(&text, start, &norm, &mut keys);
                prop_assert_eq!(&keys, &toks.iter().map(|t| t.key).collect::<Vec<_>>());
            }
        }

        /// One [`WordKeys`] over many texts (its cache carried over) gives each text's keys.
        #[test]
        fn cached_keys_match_across_documents(texts in proptest::collection::vec(news_text(), 1..8)) {
            let norm = all_settings()[3].clone();
            let mut words = WordKeys::new(&norm);
            let mut keys = Vec::new();
            for t in texts.iter().chain(&texts) {
                words.keys_into(t, 0, &mut keys);
                prop_assert_eq!(&keys, &tokenize(t, 0, &norm).iter().map(|t| t.key).collect::<Vec<_>>());
            }
        }

        /// Both builds of [`fold_case`] lower-case exactly the ASCII capitals of any bytes.
        #[test]
        fn fold_case_lowers_ascii_capitals(bytes in proptest::collection::vec(any::<u8>(), 16)) {
            let p = u128::from_le_bytes(bytes.clone().try_into().unwrap());
            let want = u128::from_le_bytes(bytes.to_ascii_lowercase().try_into().unwrap());
            prop_assert_eq!(fold_case(p), want);
            prop_assert_eq!(fold_case_swar(p), want);
        }

        /// What makes the cache's case folding exact: a word and its ASCII lower-case form
        /// normalise alike, under every setting.
        #[test]
        fn normalising_ignores_ascii_case(w in "([A-Za-z0-9'.,]|\\PC){1,20}") {
            for norm in all_settings() {
                let (mut a, mut b) = (String::new(), String::new());
                normalize::normalize_into(&w, &norm, &mut a);
                normalize::normalize_into(&w.to_ascii_lowercase(), &norm, &mut b);
                prop_assert_eq!(a, b);
            }
        }

        #[test]
        fn hash_word_is_the_str_hash(w in "\\PC{0,40}") {
            let h = word_hasher();
            prop_assert_eq!(hash_word(&h, w.as_bytes()), h.hash_one(w.as_str()));
        }
    }

    proptest! {
        /// Both mask builds give the definition on any ASCII block.
        #[test]
        fn block_masks_match_the_definition(v in proptest::collection::vec(0u8..128, 64)) {
            let block: [u8; 64] = v.try_into().unwrap();
            let mask = |keep: &dyn Fn(u8) -> bool| {
                (0..64).fold(0u64, |m, i| m | u64::from(keep(block[i])) << i)
            };
            let want = (
                mask(&|c| c.is_ascii_alphanumeric() || c == b'_'),
                mask(&|c| (b'\''..=b';').contains(&c) && !c.is_ascii_digit()),
            );
            prop_assert_eq!(block_masks(&block), want);
            prop_assert_eq!(block_masks_swar(&block), want);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// Long ASCII stretches: words and joiners across the 64-byte blocks of the masks.
        #[test]
        fn long_ascii_matches_unicode(text in "([a-zA-Z]{1,9}|[0-9]{1,4}|_|[ .,:;'\n()+/-]){0,200}") {
            prop_assert_eq!(words_of(&text, true), words_of(&text, false));
        }
    }

    #[test]
    fn block_masks_mark_word_bytes_and_joiners() {
        for odd in [0, 1] {
            let block: [u8; 64] = std::array::from_fn(|i| (i * 2 + odd) as u8);
            let mask = |keep: &dyn Fn(u8) -> bool| {
                (0..64).fold(0u64, |m, i| m | u64::from(keep(block[i])) << i)
            };
            let (words, joiners) = block_masks(&block);
            assert_eq!((words, joiners), block_masks_swar(&block));
            assert_eq!(words, mask(&|c| c.is_ascii_alphanumeric() || c == b'_'));
            assert_eq!(
                joiners,
                mask(&|c| (b'\''..=b';').contains(&c) && !c.is_ascii_digit())
            );
            for c in [b'\'', b',', b'.', b':', b';'] {
                assert!(joiners & mask(&|x| x == c) != 0 || !block.contains(&c));
            }
        }
    }

    proptest! {
        #[test]
        fn spans_slice_back_to_words(text in "\\PC{0,200}", cut in 0usize..50) {
            let start = text.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(text.len());
            let toks = tokenize(&text, start, &norm());
            let mut last = start;
            for t in &toks {
                prop_assert!(t.start as usize >= last);
                prop_assert!(text.is_char_boundary(t.start as usize));
                prop_assert!(text.is_char_boundary(t.end as usize));
                let w = &text[t.range()];
                prop_assert!(w.chars().any(char::is_alphanumeric));
                last = t.end as usize;
            }
        }
    }
}
