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

/// Word keys of many documents: reusable buffers, and direct-mapped caches from a word's
/// exact bytes to its key, one for words of up to 7 bytes (16-byte entries) and one for 8 to
/// 15. News vocabulary is small and skewed, so most words skip normalising and hashing; a
/// cache only remembers a pure function, so results never depend on what it holds.
#[derive(Debug)]
pub struct WordKeys {
    hasher: RandomState,
    words: normalize::Normalizer,
    short: Vec<(u64, u64)>,
    long: Vec<(u128, u64)>,
}

/// Entries of the [`WordKeys`] caches: 256 KB each.
const SHORT_SLOTS: usize = 1 << 14;
const LONG_SLOTS: usize = 1 << 13;

impl WordKeys {
    /// Keys under the given normalisation.
    pub fn new(norm: &Normalization) -> WordKeys {
        WordKeys {
            hasher: word_hasher(),
            words: normalize::Normalizer::new(norm),
            short: vec![(0, 0); SHORT_SLOTS],
            long: vec![(0, 0); LONG_SLOTS],
        }
    }

    /// [`keys_into`].
    pub fn keys_into(&mut self, text: &str, body_start: usize, keys: &mut Vec<u64>) {
        keys.clear();
        let body = &text[body_start..];
        for_each_word(body, |o, word| {
            // With 16 bytes of text from the word's start, one load, masked, packs it.
            let k = match body.as_bytes().get(o..o + 16) {
                Some(c) if word.len() <= 15 => {
                    let x = u128::from_le_bytes(c.try_into().expect("16 bytes"));
                    let x = x & ((1 << (8 * word.len())) - 1);
                    if word.len() <= 7 {
                        self.short_key(word, x as u64)
                    } else {
                        self.long_key(word, x | (word.len() as u128) << 120)
                    }
                }
                _ => self.key(word),
            };
            if let Some(k) = k {
                keys.push(k);
            }
        });
    }

    /// The key of one word, `None` when it normalises to nothing.
    #[inline]
    pub fn key(&mut self, word: &str) -> Option<u64> {
        let b = word.as_bytes();
        if (1..=7).contains(&b.len()) {
            self.short_key(word, normalize::read_le(b))
        } else if let Some(p) = normalize::pack(b) {
            self.long_key(word, p)
        } else {
            self.compute(word)
        }
    }

    /// The key of a word of 8 to 15 bytes, given its [`normalize::pack`].
    #[inline(always)]
    fn long_key(&mut self, word: &str, p: u128) -> Option<u64> {
        let s = normalize::WordTable::slot(p) & (LONG_SLOTS - 1);
        if self.long[s].0 == p {
            return Some(self.long[s].1);
        }
        let key = self.compute(word)?;
        self.long[s] = (p, key);
        Some(key)
    }

    /// The key of a word of 1 to 7 bytes, given those bytes as a little-endian integer.
    #[inline(always)]
    fn short_key(&mut self, word: &str, bytes: u64) -> Option<u64> {
        // The bytes and, in the top byte, the length: never 0, so 0 marks a free slot.
        let p = bytes | (word.len() as u64) << 56;
        let s =
            (p.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SHORT_SLOTS.trailing_zeros())) as usize;
        if self.short[s].0 == p {
            return Some(self.short[s].1);
        }
        let key = self.compute(word)?;
        self.short[s] = (p, key);
        Some(key)
    }

    fn compute(&mut self, word: &str) -> Option<u64> {
        let w = self.words.normalize_bytes(word);
        (!w.is_empty()).then(|| hash_word(&self.hasher, w))
    }
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
        ascii_words(&text[pos..s], pos, &mut f);
        for (o, w) in text[s..e].split_word_bound_indices() {
            if w.chars().any(char::is_alphanumeric) {
                f(s + o, w);
            }
        }
        pos = e;
    }
    ascii_words(&text[pos..], pos, &mut f);
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

/// Bit `i` set when byte `i` of the 64-byte block is a word byte (letter, digit, `_`).
/// Branch-free, eight bytes at a time (SWAR); the bytes must be ASCII.
fn word_mask(block: &[u8; 64]) -> u64 {
    const fn rep(b: u8) -> u64 {
        b as u64 * 0x0101_0101_0101_0101
    }
    const HIGH: u64 = rep(0x80);
    // For bytes below 0x80, `x + rep(0x80 - lo)` sets a byte's high bit iff it is >= lo.
    let at_least = |x: u64, lo: u8| x + rep(0x80 - lo);
    let mut mask = 0;
    for (k, c) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        let lower = x | rep(0x20);
        let letter = at_least(lower, b'a') & !at_least(lower, b'z' + 1);
        let digit = at_least(x, b'0') & !at_least(x, b'9' + 1);
        let under = !((x ^ rep(b'_')) + rep(0x7F));
        let high = (letter | digit | under) & HIGH;
        // Gather the eight high bits into one byte.
        mask |= ((high >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    mask
}

/// The word masks of an ASCII stretch, computed one 64-byte block at a time as needed.
struct WordBits<'s> {
    b: &'s [u8],
    block: usize,
    mask: u64,
}

impl WordBits<'_> {
    /// The first offset at or after `from` that is (`set`) or is not a word byte, or the
    /// stretch's length.
    #[inline(always)]
    fn next(&mut self, from: usize, set: bool) -> usize {
        let n = self.b.len();
        let mut i = from;
        while i < n {
            if i / 64 != self.block {
                self.load(i / 64);
            }
            let m = if set { self.mask } else { !self.mask } >> (i % 64);
            if m != 0 {
                return (i + m.trailing_zeros() as usize).min(n);
            }
            i = (i / 64 + 1) * 64;
        }
        n
    }

    fn load(&mut self, block: usize) {
        let start = 64 * block;
        self.block = block;
        self.mask = match self.b.get(start..start + 64) {
            Some(c) => word_mask(c.try_into().expect("64 bytes")),
            None => {
                let mut pad = [0u8; 64];
                pad[..self.b.len() - start].copy_from_slice(&self.b[start..]);
                word_mask(&pad)
            }
        };
    }
}

/// The words of an ASCII stretch: runs of word bytes found 64 bytes at a time from
/// [`word_mask`], each extended across joiners (`' . :` between letters, `' . , ;` between
/// digits) and kept when it holds a letter or digit.
fn ascii_words(s: &str, base: usize, f: &mut impl FnMut(usize, &str)) {
    let b = s.as_bytes();
    let n = b.len();
    let class = |i: usize| CLASS[usize::from(b[i])];
    let mut bits = WordBits {
        b,
        block: usize::MAX,
        mask: 0,
    };
    let mut i = 0;
    while i < n {
        let start = bits.next(i, true);
        if start >= n {
            break;
        }
        i = bits.next(start, false);
        while i + 1 < n && class(i) & (MID_LETTER | MID_NUM) != 0 {
            let (p, m, x) = (class(i - 1), class(i), class(i + 1));
            if (m & MID_LETTER != 0 && p & x & LETTER != 0)
                || (m & MID_NUM != 0 && p & x & DIGIT != 0)
            {
                i = bits.next(i + 1, false);
            } else {
                break;
            }
        }
        if b[start] != b'_' || b[start..i].iter().any(|&c| c != b'_') {
            f(base + start, &s[start..i]);
        }
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
        // Far more distinct words than cache slots, in mixed case, seen twice.
        let text: String = (0..3 * SHORT_SLOTS)
            .map(|i| {
                if i % 2 == 0 {
                    format!("Wd{i} ")
                } else {
                    format!("colour{i}s ")
                }
            })
            .collect();
        let norm = norm();
        let mut words = WordKeys::new(&norm);
        let mut keys = Vec::new();
        let want: Vec<u64> = tokenize(&text, 0, &norm).iter().map(|t| t.key).collect();
        for _ in 0..2 {
            words.keys_into(&text, 0, &mut keys);
            assert_eq!(keys, want);
        }
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

        #[test]
        fn hash_word_is_the_str_hash(w in "\\PC{0,40}") {
            let h = word_hasher();
            prop_assert_eq!(hash_word(&h, w.as_bytes()), h.hash_one(w.as_str()));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// Long ASCII stretches: words across the 64-byte blocks of the word masks.
        #[test]
        fn long_ascii_matches_unicode(text in "([a-z]{1,9}|[0-9]{1,4}|_|[ .,:;'\n]){0,200}") {
            prop_assert_eq!(words_of(&text, true), words_of(&text, false));
        }
    }

    #[test]
    fn word_mask_marks_exactly_word_bytes() {
        let block: [u8; 64] = std::array::from_fn(|i| (i * 2) as u8);
        let want = (0..64).fold(0u64, |m, i| {
            let c = block[i];
            m | u64::from(c.is_ascii_alphanumeric() || c == b'_') << i
        });
        assert_eq!(word_mask(&block), want);
        let block: [u8; 64] = std::array::from_fn(|i| (i * 2 + 1) as u8);
        let want = (0..64).fold(0u64, |m, i| {
            let c = block[i];
            m | u64::from(c.is_ascii_alphanumeric() || c == b'_') << i
        });
        assert_eq!(word_mask(&block), want);
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
