//! Word normalisation: what makes two differently written words the same word.
//!
//! Applied in this order to one word (never to the text, so offsets are untouched):
//! 1. lower-case; typographic apostrophes → `'`, quotes → `"`, dashes → `-`; invisible
//!    format characters (soft hyphen, zero-width space/joiners, BOM) dropped;
//! 2. letters separated by dots lose the dots (`u.s` → `us`), digit groups lose their
//!    separators (`1,000` → `1000`);
//! 3. number words up to twenty and the tens become digits (`three` → `3`), if enabled;
//! 4. British spellings become American ones (`emphasise` → `emphasize`, `centre` →
//!    `center`, `travelled` → `traveled`, `towards` → `toward`), if enabled: a rule for
//!    `-ise/-isation/-yse` with a list of words the rule must not touch, and word lists for
//!    `-our`, `-re`, doubled `l` and a few others.
//!
//! The stem ([`stem_into`]) removes a possessive, a plural and common verb endings; it is used
//! only to score near matches during alignment.
//!
//! Speed: an ASCII word of up to [`FAST_MAX`] bytes is normalised in a stack buffer
//! ([`normalize_ascii`]); other words take the general, `char`-wise path. The word lists are
//! open-addressing tables of words packed into integers, and each spelling rule finds its one
//! candidate stem from the word's own letters, so no rule scans its list. The implementation
//! before these fast paths is kept, test-only, as `reference`: property tests and an
//! exhaustive test over the lists hold both paths, and the stopword test, to its results.

use crate::config::Normalization;

/// Longest word, in bytes, that the ASCII fast path ([`normalize_ascii`]) takes.
pub const FAST_MAX: usize = 48;
/// Size of the fast path's output buffer (a rewrite adds at most one byte).
pub const FAST_BUF: usize = 64;

/// Normalise `word` into `out` (cleared first).
pub fn normalize_into(word: &str, norm: &Normalization, out: &mut String) {
    let mut buf = [0u8; FAST_BUF];
    match normalize_ascii(word.as_bytes(), norm, &mut buf) {
        Some(n) => {
            out.clear();
            out.extend(buf[..n].iter().map(|&b| char::from(b)));
        }
        None => normalize_general(word, norm, out),
    }
}

/// Reusable scratch space for normalising the words of a text: the ASCII fast path writes
/// into a stack buffer, other words into one reused string, so no word allocates.
#[derive(Debug, Clone)]
pub struct Normalizer {
    norm: Normalization,
    buf: [u8; FAST_BUF],
    general: String,
}

impl Normalizer {
    /// A normaliser with the given settings.
    pub fn new(norm: &Normalization) -> Normalizer {
        Normalizer {
            norm: norm.clone(),
            buf: [0; FAST_BUF],
            general: String::with_capacity(32),
        }
    }

    /// Its settings.
    pub fn normalization(&self) -> &Normalization {
        &self.norm
    }

    /// The normalised `word` (what [`normalize_into`] gives), valid until the next call.
    #[inline]
    pub fn normalize(&mut self, word: &str) -> &str {
        match normalize_ascii(word.as_bytes(), &self.norm, &mut self.buf) {
            Some(n) => std::str::from_utf8(&self.buf[..n]).expect("ASCII in, ASCII out"),
            None => {
                normalize_general(word, &self.norm, &mut self.general);
                &self.general
            }
        }
    }

    /// [`Normalizer::normalize`] as UTF-8 bytes, without re-checking the fast path's output.
    #[inline]
    pub fn normalize_bytes(&mut self, word: &str) -> &[u8] {
        match normalize_ascii(word.as_bytes(), &self.norm, &mut self.buf) {
            Some(n) => &self.buf[..n],
            None => {
                normalize_general(word, &self.norm, &mut self.general);
                self.general.as_bytes()
            }
        }
    }
}

/// The fast path of [`normalize_into`] for an ASCII `word` of at most [`FAST_MAX`] bytes:
/// writes the normalised word to `buf` and returns its length, or `None` (and writes
/// nothing) when the word is not such a word. Byte for byte the general path's result (a
/// property test checks this).
#[inline]
pub fn normalize_ascii(
    word: &[u8],
    norm: &Normalization,
    buf: &mut [u8; FAST_BUF],
) -> Option<usize> {
    if word.len() > FAST_MAX || !word.is_ascii() {
        return None;
    }
    let mut n = word.len();
    let (mut dot, mut comma) = (false, false);
    for (o, &c) in buf.iter_mut().zip(word) {
        *o = if c == b'`' {
            b'\''
        } else {
            c.to_ascii_lowercase()
        };
        dot |= c == b'.';
        comma |= c == b',';
    }
    if dot && dotted_letters(&buf[..n]) {
        n = remove_byte(buf, n, b'.');
    }
    if comma
        && buf[..n]
            .iter()
            .all(|&b| b.is_ascii_digit() || b == b',' || b == b'.')
    {
        n = remove_byte(buf, n, b',');
    }
    let whole = whole_word(&buf[..n]);
    if norm.numbers {
        if let Some(d) = number_word(whole) {
            buf[..d.len()].copy_from_slice(d.as_bytes());
            return Some(d.len());
        }
    }
    if norm.spelling {
        if let Some((keep, insert, from)) = americanize(&buf[..n], whole) {
            let tail = keep + insert.len();
            buf.copy_within(from..n, tail);
            buf[keep..tail].copy_from_slice(insert.as_bytes());
            n = tail + (n - from);
        }
    }
    Some(n)
}

/// Whether every dot-separated part of the ASCII `w` is at most two letters (`u.s`, `e.g`).
fn dotted_letters(w: &[u8]) -> bool {
    let mut run = 0;
    for &c in w {
        if c == b'.' {
            run = 0;
        } else if c.is_ascii_alphabetic() && run < 2 {
            run += 1;
        } else {
            return false;
        }
    }
    true
}

/// Drop every `x` from `buf[..n]`; the new length.
fn remove_byte(buf: &mut [u8], n: usize, x: u8) -> usize {
    let mut m = 0;
    for i in 0..n {
        let c = buf[i];
        buf[m] = c;
        m += usize::from(c != x);
    }
    m
}

/// The general path: any word, any script.
fn normalize_general(word: &str, norm: &Normalization, out: &mut String) {
    out.clear();
    for c in word.chars() {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' | '`' | '\u{00B4}' => {
                out.push('\'')
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
            | '\u{00BB}' => out.push('"'),
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' => out.push('-'),
            '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
    if out.contains('.')
        && out
            .split('.')
            .all(|p| p.len() <= 2 && p.chars().all(char::is_alphabetic))
    {
        out.retain(|c| c != '.');
    }
    if out.contains(',')
        && out
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
    {
        out.retain(|c| c != ',');
    }
    let whole = whole_word(out.as_bytes());
    if norm.numbers {
        if let Some(d) = number_word(whole) {
            out.clear();
            out.push_str(d);
            return;
        }
    }
    if norm.spelling {
        if let Some((keep, insert, from)) = americanize(out.as_bytes(), whole) {
            out.replace_range(keep..from, insert);
        }
    }
}

/// A word of 1 to 15 bytes as one integer (bytes little-endian, the length in the top
/// byte): the key of the word tables, so a lookup compares integers, never strings.
#[inline]
pub(crate) fn pack(w: &[u8]) -> Option<u128> {
    let n = w.len();
    if n == 0 || n > 15 {
        return None;
    }
    let (lo, hi) = if n <= 8 {
        (read_le(w), 0)
    } else {
        (read_le(&w[..8]), read_le(&w[8..]))
    };
    Some(u128::from(lo) | u128::from(hi) << 64 | (n as u128) << 120)
}

/// Up to 8 bytes as a little-endian integer, without a copy loop.
#[inline]
pub(crate) fn read_le(w: &[u8]) -> u64 {
    let n = w.len();
    if n >= 4 {
        let a = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        let b = u32::from_le_bytes([w[n - 4], w[n - 3], w[n - 2], w[n - 1]]);
        u64::from(a) | u64::from(b) << (8 * (n - 4))
    } else if n > 0 {
        u64::from(w[0])
            | u64::from(w[n / 2]) << (8 * (n / 2))
            | u64::from(w[n - 1]) << (8 * (n - 1))
    } else {
        0
    }
}

/// The byte masks of a packed word: bit `i` set when byte `i` of `p` equals `c`.
#[inline(always)]
fn bytes_equal(p: u128, c: u8) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of x86-64: every processor this code runs on has it.
        unsafe { bytes_equal_sse2(p, c) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    bytes_equal_scalar(p, c)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn bytes_equal_sse2(p: u128, c: u8) -> u32 {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set1_epi8};
    // SAFETY: `u128` and `__m128i` are both 16 bytes of plain integer data.
    let x = unsafe { std::mem::transmute::<u128, __m128i>(p) };
    _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(c as i8))) as u32
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn bytes_equal_scalar(p: u128, c: u8) -> u32 {
    (0..16).fold(0, |m, i| m | u32::from(p.to_le_bytes()[i] == c) << i)
}

/// Endings a word that the `-re`, doubled-`l` and `-ise`/`-yse` rules rewrite ends with, as
/// (length, little-endian bytes).
const RULE_ENDINGS: [(u32, &[u8]); 19] = [
    (2, b"re"),
    (3, b"res"),
    (3, b"red"),
    (4, b"lled"),
    (4, b"ller"),
    (5, b"lling"),
    (5, b"llers"),
    (8, b"isations"),
    (7, b"isation"),
    (5, b"ising"),
    (4, b"ised"),
    (4, b"ises"),
    (4, b"iser"),
    (5, b"isers"),
    (3, b"ise"),
    (5, b"ysing"),
    (4, b"ysed"),
    (4, b"yses"),
    (3, b"yse"),
];

/// Whether the ASCII word packed in `p` ([`pack`], its capitals lower-cased) is its own
/// normalisation under every setting, so that its key is the hash of its bytes as they are.
/// `h` is its [`WordTable::slot`]. Conservative: the word is plain when it
/// is ASCII, has no byte that a rule rewrites or drops (`` ` `` `.` `,`), is not a listed
/// whole word (number words, British spellings), holds no `our`, and ends in none of the
/// [`RULE_ENDINGS`]; a word turned away may still be unchanged (a property test checks that
/// no word called plain changes).
#[inline(always)]
pub(crate) fn is_plain(p: u128, h: usize) -> bool {
    const HIGH: u128 = u128::from_le_bytes([0x80; 16]) >> 8;
    // Each ending as (shift, value): the word ends with it when `tail >> shift == value`.
    const ENDS: [(u32, u64); RULE_ENDINGS.len()] = {
        let mut t = [(0, 0); RULE_ENDINGS.len()];
        let mut e = 0;
        while e < t.len() {
            let (k, s) = RULE_ENDINGS[e];
            let mut v = 0;
            let mut i = 0;
            while i < s.len() {
                v |= (s[i] as u64) << (8 * i);
                i += 1;
            }
            t[e] = (64 - 8 * k, v);
            e += 1;
        }
        t
    };
    let n = (p >> 120) as u32;
    let w = p & (u128::MAX >> 8);
    let odd = bytes_equal(w, b'`') | bytes_equal(w, b'.') | bytes_equal(w, b',');
    let our = bytes_equal(w, b'o') & bytes_equal(w, b'u') >> 1 & bytes_equal(w, b'r') >> 2;
    // The last eight bytes of the word, the last in the top byte.
    let tail = ((w << (8 * (16 - n))) >> 64) as u64;
    let ending = ENDS
        .iter()
        .fold(false, |e, &(shift, v)| e | (tail >> shift == v));
    w & HIGH == 0 && odd | our == 0 && !ending && (n < 3 || TABLES.whole.get_packed(p, h).is_none())
}

/// An open-addressing set of packed words, each with the index of its first occurrence in
/// the list it was built from. A quarter full, so most misses stop at the first slot.
#[derive(Debug)]
pub(crate) struct WordTable {
    slots: Vec<(u128, usize)>,
    mask: usize,
}

impl WordTable {
    fn new<'w>(words: impl Iterator<Item = &'w str> + Clone) -> WordTable {
        let size = (4 * words.clone().count()).next_power_of_two();
        let mut t = WordTable {
            slots: vec![(0, 0); size],
            mask: size - 1,
        };
        for (i, w) in words.enumerate() {
            let key = pack(w.as_bytes()).expect("table words have 1 to 15 bytes");
            let mut s = Self::slot(key) & t.mask;
            while t.slots[s].0 != 0 && t.slots[s].0 != key {
                s = (s + 1) & t.mask;
            }
            if t.slots[s].0 == 0 {
                t.slots[s] = (key, i);
            }
        }
        t
    }

    #[inline]
    pub(crate) fn slot(key: u128) -> usize {
        let x = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
        (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize
    }

    /// The list index of `w`, if listed.
    #[inline]
    fn get(&self, w: &[u8]) -> Option<usize> {
        let key = pack(w)?;
        self.get_packed(key, Self::slot(key))
    }

    /// [`Self::get`] of a packed word `key` whose [`Self::slot`] is `h`.
    #[inline]
    fn get_packed(&self, key: u128, h: usize) -> Option<usize> {
        let mut s = h & self.mask;
        loop {
            let (k, i) = self.slots[s];
            if k == key {
                return Some(i);
            }
            if k == 0 {
                return None;
            }
            s = (s + 1) & self.mask;
        }
    }
}

/// The word lists as tables, built once.
struct Tables {
    /// [`NUMBERS`] then [`WORDS`]: one lookup per word serves both rules.
    whole: WordTable,
    our: WordTable,
    re: WordTable,
    ll: WordTable,
    ise_keep: WordTable,
    yse: WordTable,
    stop: WordTable,
}

static TABLES: std::sync::LazyLock<Tables> = std::sync::LazyLock::new(|| Tables {
    whole: WordTable::new(NUMBERS.iter().chain(WORDS).map(|p| p.0)),
    our: WordTable::new(OUR.iter().copied()),
    re: WordTable::new(RE.iter().copied()),
    ll: WordTable::new(LL.iter().copied()),
    ise_keep: WordTable::new(ISE_KEEP.iter().map(|w| &w[..w.len() - 3])),
    yse: WordTable::new(YSE_CHANGE.iter().map(|w| &w[..w.len() - 3])),
    stop: WordTable::new(STOP.iter().copied()),
});

/// Where the whole word `w` is listed: an index into [`NUMBERS`], or past them into
/// [`WORDS`].
#[inline]
fn whole_word(w: &[u8]) -> Option<usize> {
    if (3..=15).contains(&w.len()) {
        TABLES.whole.get(w)
    } else {
        None
    }
}

/// The digits of a number word, from its [`whole_word`] index.
#[inline]
fn number_word(whole: Option<usize>) -> Option<&'static str> {
    NUMBERS.get(whole?).map(|p| p.1)
}

const NUMBERS: &[(&str, &str)] = &[
    ("zero", "0"),
    ("one", "1"),
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("ten", "10"),
    ("eleven", "11"),
    ("twelve", "12"),
    ("thirteen", "13"),
    ("fourteen", "14"),
    ("fifteen", "15"),
    ("sixteen", "16"),
    ("seventeen", "17"),
    ("eighteen", "18"),
    ("nineteen", "19"),
    ("twenty", "20"),
    ("thirty", "30"),
    ("forty", "40"),
    ("fifty", "50"),
    ("sixty", "60"),
    ("seventy", "70"),
    ("eighty", "80"),
    ("ninety", "90"),
    ("hundred", "100"),
];

/// Whole-word British → American replacements (and a few house-style variants).
const WORDS: &[(&str, &str)] = &[
    ("towards", "toward"),
    ("afterwards", "afterward"),
    ("backwards", "backward"),
    ("forwards", "forward"),
    ("upwards", "upward"),
    ("downwards", "downward"),
    ("amongst", "among"),
    ("whilst", "while"),
    ("defence", "defense"),
    ("offence", "offense"),
    ("licence", "license"),
    ("pretence", "pretense"),
    ("programme", "program"),
    ("programmes", "programs"),
    ("grey", "gray"),
    ("tyre", "tire"),
    ("tyres", "tires"),
    ("cheque", "check"),
    ("cheques", "checks"),
    ("aluminium", "aluminum"),
    ("manoeuvre", "maneuver"),
    ("manoeuvres", "maneuvers"),
    ("ageing", "aging"),
    ("judgement", "judgment"),
    ("acknowledgement", "acknowledgment"),
    ("sceptical", "skeptical"),
    ("sceptic", "skeptic"),
    ("sceptics", "skeptics"),
    ("plough", "plow"),
    ("mould", "mold"),
    ("storey", "story"),
    ("storeys", "stories"),
    ("jewellery", "jewelry"),
    ("catalogue", "catalog"),
    ("analogue", "analog"),
    ("kerb", "curb"),
    ("pyjamas", "pajamas"),
    ("enrol", "enroll"),
    ("fulfil", "fulfill"),
    ("instalment", "installment"),
    ("cosy", "cozy"),
    ("draught", "draft"),
    ("gaol", "jail"),
    ("mum", "mom"),
];

/// Stems spelled `-our` in British English (`colour` → `color`, with any suffix).
const OUR: &[&str] = &[
    "armour",
    "behaviour",
    "candour",
    "clamour",
    "colour",
    "endeavour",
    "favour",
    "fervour",
    "flavour",
    "harbour",
    "honour",
    "humour",
    "labour",
    "neighbour",
    "odour",
    "parlour",
    "rancour",
    "rigour",
    "rumour",
    "saviour",
    "savour",
    "splendour",
    "tumour",
    "valour",
    "vapour",
    "vigour",
];

/// Words spelled `-re` in British English (`centre` → `center`), with plural/verb forms.
const RE: &[&str] = &[
    "calibre",
    "centre",
    "fibre",
    "litre",
    "lustre",
    "meagre",
    "metre",
    "sabre",
    "sceptre",
    "sombre",
    "spectre",
    "theatre",
    "kilometre",
    "millimetre",
    "centimetre",
];

/// Verbs that double a final `l` in British English (`travelled` → `traveled`).
const LL: &[&str] = &[
    "cancel", "channel", "counsel", "dial", "duel", "equal", "fuel", "funnel", "label", "level",
    "marshal", "model", "panel", "pedal", "quarrel", "rival", "shovel", "signal", "total",
    "travel", "tunnel", "unravel", "label",
];

/// Words ending in `-ise` that are not `-ize` verbs in American English.
const ISE_KEEP: &[&str] = &[
    "advertise",
    "advise",
    "apprise",
    "arise",
    "chastise",
    "circumcise",
    "comprise",
    "compromise",
    "concise",
    "demise",
    "despise",
    "devise",
    "disguise",
    "enfranchise",
    "enterprise",
    "excise",
    "exercise",
    "expertise",
    "franchise",
    "improvise",
    "incise",
    "merchandise",
    "noise",
    "otherwise",
    "paradise",
    "poise",
    "praise",
    "precise",
    "premise",
    "promise",
    "raise",
    "revise",
    "rise",
    "supervise",
    "surmise",
    "surprise",
    "televise",
    "treatise",
    "wise",
    "cruise",
    "bruise",
    "likewise",
    "clockwise",
    "anticlockwise",
    "counterclockwise",
    "mortise",
    "reprise",
    "valise",
    "chemise",
    "guise",
    "braise",
    "appraise",
    "upraise",
    "streetwise",
    "unwise",
    "advertise",
    "merchandise",
    "disguise",
    "misadvise",
];

/// The `-yse` words that do become `-yze`.
const YSE_CHANGE: &[&str] = &["analyse", "paralyse", "catalyse", "dialyse", "breathalyse"];

/// The `-ise`/`-yse` ending of `w` and its American form, as (ending length, new ending),
/// tried in this order (at most one can match). Slice patterns compare bytes in place.
#[inline]
fn ise_ending(w: &[u8]) -> Option<(usize, &'static str)> {
    Some(match w {
        [.., b'i', b's', b'a', b't', b'i', b'o', b'n', b's'] => (8, "izations"),
        [.., b'i', b's', b'a', b't', b'i', b'o', b'n'] => (7, "ization"),
        [.., b'i', b's', b'i', b'n', b'g'] => (5, "izing"),
        [.., b'i', b's', b'e', b'd'] => (4, "ized"),
        [.., b'i', b's', b'e', b's'] => (4, "izes"),
        [.., b'i', b's', b'e', b'r'] => (4, "izer"),
        [.., b'i', b's', b'e', b'r', b's'] => (5, "izers"),
        [.., b'i', b's', b'e'] => (3, "ize"),
        [.., b'y', b's', b'i', b'n', b'g'] => (5, "yzing"),
        [.., b'y', b's', b'e', b'd'] => (4, "yzed"),
        [.., b'y', b's', b'e', b's'] => (4, "yzes"),
        [.., b'y', b's', b'e'] => (3, "yze"),
        _ => return None,
    })
}

/// Suffixes an `-our` stem may take.
fn our_suffix(rest: &[u8]) -> bool {
    matches!(
        rest,
        b"" | b"s"
            | b"ed"
            | b"ing"
            | b"ite"
            | b"ites"
            | b"able"
            | b"ably"
            | b"ful"
            | b"er"
            | b"ers"
            | b"hood"
            | b"ist"
    )
}

/// A rewrite of a word `w`: `w[..keep] + insert + w[from..]`.
type Edit = (usize, &'static str, usize);

/// The American spelling of the British word `w` as an [`Edit`], or `None` to keep it.
/// Each rule has at most one candidate for a word (the stems of a list are not prefixes of
/// one another; tested), found from the word's own letters and confirmed by one table
/// lookup, so no rule scans its list.
fn americanize(w: &[u8], whole: Option<usize>) -> Option<Edit> {
    let n = w.len();
    if n < 4 || !w.is_ascii() {
        return None;
    }
    if let Some(i) = whole.and_then(|i| i.checked_sub(NUMBERS.len())) {
        return Some((0, WORDS[i].1, n));
    }
    let t = &*TABLES;
    // -our words with any suffix: colour, colours, coloured, favourite, honourable...
    for p in 0..=(n - 3).min(12) {
        if &w[p..p + 3] == b"our" && t.our.get(&w[..p + 3]).is_some() && our_suffix(&w[p + 3..]) {
            return Some((p + 1, "r", p + 3));
        }
    }
    // -re words, plural and past: centre, centres, centred.
    let base = if w.ends_with(b"re") {
        n
    } else if w.ends_with(b"res") || w.ends_with(b"red") {
        n - 1
    } else {
        0
    };
    if base > 0 && t.re.get(&w[..base]).is_some() {
        return Some(if base < n && w[n - 1] == b'd' {
            (base - 2, "ered", n)
        } else {
            (base - 2, "er", base)
        });
    }
    // Doubled l: travelled, travelling, traveller, travellers.
    let suffix = match w {
        [.., b'e', b'd'] | [.., b'e', b'r'] => 2,
        [.., b'i', b'n', b'g'] | [.., b'e', b'r', b's'] => 3,
        _ => 0,
    };
    if suffix > 0 && n > suffix + 1 {
        let b = n - suffix - 1;
        if w[b] == b'l' && t.ll.get(&w[..b]).is_some() {
            return Some((b, "", b + 1));
        }
    }
    // -ise / -isation / -yse rule.
    let (len, us) = ise_ending(w)?;
    let stem = &w[..n - len];
    if stem.len() < 3 {
        return None;
    }
    let change = if w[n - len] == b'y' {
        t.yse.get(stem).is_some()
    } else {
        t.ise_keep.get(stem).is_none()
    };
    change.then_some((stem.len(), us, n))
}

/// Remove a possessive, plural and common verb suffix: only for near-match scoring.
pub fn stem_into(word: &str, out: &mut String) {
    out.clear();
    let mut w = word;
    for p in ["'s", "'"] {
        if let Some(s) = w.strip_suffix(p) {
            w = s;
            break;
        }
    }
    let n = w.len();
    if n > 4 && w.is_ascii() {
        if let Some(s) = w.strip_suffix("ies") {
            out.push_str(s);
            out.push('y');
            return;
        }
        for suf in ["ing", "ed", "es", "s", "ly"] {
            if let Some(s) = w.strip_suffix(suf) {
                if suf == "s" && (s.ends_with('s') || s.ends_with('u') || s.ends_with('i')) {
                    continue;
                }
                if s.len() >= 3 {
                    out.push_str(s);
                    // "restored" → "restor", "restoring" → "restor", "restore" → "restor"
                    return;
                }
            }
        }
        if let Some(s) = w.strip_suffix('e') {
            if s.len() >= 3 {
                out.push_str(s);
                return;
            }
        }
    }
    out.push_str(w);
}

/// English function words: anchors made only of these are not evidence of reuse.
pub fn is_stopword(w: &str) -> bool {
    w.len() <= 7 && TABLES.stop.get(w.as_bytes()).is_some()
}

const STOP: &[&str] = &[
    "'s", "-", "1", "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "between", "both", "but", "by", "can", "could",
    "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "here", "him", "his",
    "how", "i", "if", "in", "into", "is", "it", "its", "just", "last", "like", "may", "me", "more",
    "most", "mr", "ms", "my", "new", "no", "not", "now", "of", "on", "one", "only", "or", "other",
    "our", "out", "over", "said", "says", "she", "should", "so", "some", "such", "than", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "told", "two",
    "under", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while",
    "who", "will", "with", "would", "year", "years", "you", "your",
];

/// The implementation before the fast path and the word tables, kept verbatim as the
/// reference the property tests hold the fast code to: keys must not change.
#[cfg(test)]
pub(crate) mod reference {
    use super::{ISE_KEEP, LL, OUR, RE, STOP, WORDS};
    use crate::config::Normalization;

    /// Normalise `word` into `out` (cleared first).
    pub(crate) fn normalize_into(word: &str, norm: &Normalization, out: &mut String) {
        out.clear();
        for c in word.chars() {
            match c {
                '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' | '`'
                | '\u{00B4}' => out.push('\''),
                '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
                | '\u{00BB}' => out.push('"'),
                '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
                | '\u{2212}' => out.push('-'),
                '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
                c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
                c => out.extend(c.to_lowercase()),
            }
        }
        if out.contains('.')
            && out
                .split('.')
                .all(|p| p.len() <= 2 && p.chars().all(char::is_alphabetic))
        {
            out.retain(|c| c != '.');
        }
        if out.contains(',')
            && out
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
        {
            out.retain(|c| c != ',');
        }
        if norm.numbers {
            if let Some(d) = number_word(out) {
                out.clear();
                out.push_str(d);
                return;
            }
        }
        if norm.spelling {
            americanize(out);
        }
    }

    fn number_word(w: &str) -> Option<&'static str> {
        Some(match w {
            "zero" => "0",
            "one" => "1",
            "two" => "2",
            "three" => "3",
            "four" => "4",
            "five" => "5",
            "six" => "6",
            "seven" => "7",
            "eight" => "8",
            "nine" => "9",
            "ten" => "10",
            "eleven" => "11",
            "twelve" => "12",
            "thirteen" => "13",
            "fourteen" => "14",
            "fifteen" => "15",
            "sixteen" => "16",
            "seventeen" => "17",
            "eighteen" => "18",
            "nineteen" => "19",
            "twenty" => "20",
            "thirty" => "30",
            "forty" => "40",
            "fifty" => "50",
            "sixty" => "60",
            "seventy" => "70",
            "eighty" => "80",
            "ninety" => "90",
            "hundred" => "100",
            _ => return None,
        })
    }

    fn americanize(w: &mut String) {
        if !w.is_ascii() || w.len() < 4 {
            return;
        }
        if let Some((_, us)) = WORDS.iter().find(|(uk, _)| *uk == w.as_str()) {
            *w = (*us).to_string();
            return;
        }
        // -our words with any suffix: colour, colours, coloured, favourite, honourable...
        for base in OUR {
            if let Some(rest) = w.strip_prefix(base) {
                if rest.is_empty()
                    || [
                        "s", "ed", "ing", "ite", "ites", "able", "ably", "ful", "ed", "er", "ers",
                        "hood", "ist",
                    ]
                    .contains(&rest)
                {
                    let mut s = base[..base.len() - 2].to_string();
                    s.push('r');
                    s.push_str(rest);
                    *w = s;
                    return;
                }
            }
        }
        for base in RE {
            if let Some(rest) = w.strip_prefix(base) {
                if rest.is_empty() || rest == "s" || rest == "d" {
                    let mut s = base[..base.len() - 2].to_string();
                    s.push_str("er");
                    s.push_str(if rest == "d" { "ed" } else { rest });
                    *w = s;
                    return;
                }
            }
        }
        for base in LL {
            if let Some(rest) = w.strip_prefix(base) {
                if let Some(suffix) = rest.strip_prefix('l') {
                    if ["ed", "ing", "er", "ers"].contains(&suffix) {
                        *w = format!("{base}{suffix}");
                        return;
                    }
                }
            }
        }
        // -ise / -isation / -yse rule.
        for (uk, us) in [
            ("isations", "izations"),
            ("isation", "ization"),
            ("ising", "izing"),
            ("ised", "ized"),
            ("ises", "izes"),
            ("iser", "izer"),
            ("isers", "izers"),
            ("ise", "ize"),
            ("ysing", "yzing"),
            ("ysed", "yzed"),
            ("yses", "yzes"),
            ("yse", "yze"),
        ] {
            if let Some(stem) = w.strip_suffix(uk) {
                if stem.len() < 3 {
                    return;
                }
                let base_ise = format!("{stem}{}", if uk.starts_with('y') { "yse" } else { "ise" });
                if ISE_KEEP.contains(&base_ise.as_str()) {
                    return;
                }
                if uk.starts_with('y')
                    && !["analyse", "paralyse", "catalyse", "dialyse", "breathalyse"]
                        .contains(&base_ise.as_str())
                {
                    return;
                }
                let new = format!("{stem}{us}");
                *w = new;
                return;
            }
        }
    }

    pub(crate) fn is_stopword(w: &str) -> bool {
        STOP.binary_search(&w).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(w: &str) -> String {
        let mut out = String::new();
        normalize_into(
            w,
            &Normalization {
                case_and_typography: true,
                spelling: true,
                numbers: true,
            },
            &mut out,
        );
        out
    }

    #[test]
    fn stopwords_are_sorted() {
        assert!(
            STOP.windows(2).all(|w| w[0] < w[1]),
            "STOP must be sorted (the reference binary-searches it)"
        );
    }

    /// What the single-candidate lookups of [`americanize`] and the packed tables rely on.
    #[test]
    fn word_lists_fit_the_tables() {
        let no_prefix = |list: &[&str]| {
            list.iter()
                .all(|a| list.iter().all(|b| a == b || !b.starts_with(a)))
        };
        assert!(OUR.iter().all(|w| w.ends_with("our")) && no_prefix(OUR));
        assert!(RE.iter().all(|w| w.ends_with("re")) && no_prefix(RE));
        assert!(LL.iter().all(|w| w.ends_with('l')));
        assert!(ISE_KEEP.iter().all(|w| w.ends_with("ise")));
        assert!(YSE_CHANGE.iter().all(|w| w.ends_with("yse")));
        let all = NUMBERS.iter().chain(WORDS).map(|p| p.0);
        let all = all.chain(OUR.iter().chain(RE).chain(LL).chain(STOP).copied());
        for w in all.chain(ISE_KEEP.iter().chain(YSE_CHANGE).map(|w| &w[..w.len() - 3])) {
            assert!(pack(w.as_bytes()).is_some(), "{w}");
        }
        assert!(STOP.iter().all(|w| w.len() <= 7));
    }

    #[test]
    fn pack_is_injective_on_short_words() {
        let mut seen = std::collections::HashMap::new();
        let words = [
            "a",
            "a\0",
            "ab",
            "ba",
            "abc",
            "abcd",
            "abcdefgh",
            "abcdefghi",
        ];
        for w in words
            .iter()
            .copied()
            .chain((1..=15).map(|n| &"abcdefghijklmnop"[..n]))
        {
            if let Some(prev) = seen.insert(pack(w.as_bytes()).unwrap(), w) {
                assert_eq!(prev, w);
            }
        }
        assert_eq!(pack(b""), None);
        assert_eq!(pack(b"abcdefghijklmnop"), None);
    }

    fn all_settings() -> Vec<Normalization> {
        let mut v = Vec::new();
        for spelling in [false, true] {
            for numbers in [false, true] {
                v.push(Normalization {
                    case_and_typography: true,
                    spelling,
                    numbers,
                });
            }
        }
        v
    }

    /// Suffixes (and a few prefixes) that the rules look at, and some they must ignore.
    const AFFIXES: &[&str] = &[
        "",
        "s",
        "d",
        "ed",
        "ing",
        "er",
        "ers",
        "l",
        "led",
        "ling",
        "ler",
        "lers",
        "ite",
        "ites",
        "able",
        "ably",
        "ful",
        "hood",
        "ist",
        "es",
        "isation",
        "isations",
        "ise",
        "ised",
        "ises",
        "iser",
        "isers",
        "ising",
        "yse",
        "ysed",
        "yses",
        "ysing",
        "re",
        "res",
        "red",
        "our",
        "ours",
        "e",
        "x",
        "un",
        "\u{2019}s",
        ".",
        ",",
    ];

    /// Every listed word and stem, with their replacements and some near misses.
    fn listed() -> Vec<&'static str> {
        let pairs = NUMBERS.iter().chain(WORDS).flat_map(|p| [p.0, p.1]);
        let lists = OUR
            .iter()
            .chain(RE)
            .chain(LL)
            .chain(ISE_KEEP)
            .chain(YSE_CHANGE);
        pairs
            .chain(lists.copied())
            .chain(STOP.iter().copied())
            .chain([
                "organ", "real", "critic", "hour", "tour", "your", "analys", "centr", "our",
            ])
            .collect()
    }

    /// Words that exercise every rule: listed words and stems, each list equally likely, with
    /// listed and unlisted affixes, in mixed case; plain ASCII noise with dots, commas and
    /// apostrophes; and arbitrary Unicode (`K` Kelvin sign lower-cases to ASCII `k`).
    fn word() -> impl Strategy<Value = String> {
        use proptest::sample::select;
        let stem = prop_oneof![
            select(NUMBERS.iter().flat_map(|p| [p.0, p.1]).collect::<Vec<_>>()),
            select(WORDS.iter().flat_map(|p| [p.0, p.1]).collect::<Vec<_>>()),
            select(OUR),
            select(RE),
            select(LL),
            select(ISE_KEEP),
            select(STOP),
            select(listed()),
            select(vec!["organ", "critic", "anal", "paral", "real", "pr", "x"]),
        ];
        let prefix = prop_oneof![6 => Just(""), 1 => select(AFFIXES)];
        let listed_word =
            (prefix, stem, select(AFFIXES), any::<u32>()).prop_map(|(a, s, b, case)| {
                let w = format!("{a}{s}{b}");
                w.chars()
                    .enumerate()
                    .map(|(i, c)| {
                        if case >> (i % 32) & 1 == 1 {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        }
                    })
                    .collect::<String>()
            });
        prop_oneof![
            4 => listed_word,
            3 => "[a-zA-Z0-9.,'`_:;-]{0,20}",
            1 => "[a-z.]{1,8}|[0-9.,]{1,8}|[a-zA-Z]{40,70}",
            2 => "\\PC{0,12}",
            1 => "(\u{212A}|\u{2019}|\u{AD}|\u{200D}|[a-zA-Z]|\u{130}|\u{DF}){0,12}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// The fast path and the table-driven rules give exactly the reference's words.
        #[test]
        fn normalisation_matches_the_reference(w in word()) {
            for norm in all_settings() {
                let mut want = String::new();
                reference::normalize_into(&w, &norm, &mut want);
                let mut general = String::new();
                normalize_general(&w, &norm, &mut general);
                prop_assert_eq!(&general, &want, "general path, {:?}", norm);
                let mut buf = [0u8; FAST_BUF];
                if let Some(len) = normalize_ascii(w.as_bytes(), &norm, &mut buf) {
                    prop_assert_eq!(&buf[..len], want.as_bytes(), "fast path, {:?}", norm);
                } else {
                    prop_assert!(!w.is_ascii() || w.len() > FAST_MAX);
                }
                let mut out = String::from("stale");
                normalize_into(&w, &norm, &mut out);
                prop_assert_eq!(&out, &want);
                let mut fast = Normalizer::new(&norm);
                prop_assert_eq!(fast.normalize(&w), want.as_str());
            }
            let mut lower = String::new();
            reference::normalize_into(&w, &all_settings()[0], &mut lower);
            for x in [&w, &lower] {
                prop_assert_eq!(is_stopword(x), reference::is_stopword(x), "{}", x);
            }
        }
    }

    /// Whether [`is_plain`] calls `w` plain: packed as the word cache packs it (ASCII
    /// capitals lower-cased), when it has 1 to 15 bytes.
    fn called_plain(w: &str) -> bool {
        pack(w.to_ascii_lowercase().as_bytes()).is_some_and(|p| is_plain(p, WordTable::slot(p)))
    }

    /// A word called plain is its own normalisation, lower-cased, under every setting.
    fn check_plain(w: &str) -> Result<(), TestCaseError> {
        if called_plain(w) {
            for norm in all_settings() {
                let mut want = String::new();
                reference::normalize_into(w, &norm, &mut want);
                prop_assert_eq!(&want, &w.to_ascii_lowercase(), "{:?} {:?}", w, norm);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn plain_words_normalise_to_themselves(w in word()) {
            check_plain(&w)?;
        }

        /// Words assembled from the letters and endings the rules look at.
        #[test]
        fn plain_words_near_the_rules(
            parts in proptest::collection::vec(
                prop_oneof![
                    "[a-z]",
                    proptest::sample::select(
                        RULE_ENDINGS
                            .iter()
                            .map(|e| String::from_utf8(e.1.to_vec()).unwrap())
                            .chain(["our", "l", "ou", "r", "e", ".", ",", "`"].map(String::from))
                            .collect::<Vec<_>>()
                    ),
                ],
                1..6,
            ),
        ) {
            check_plain(&parts.concat())?;
        }

        /// Both builds of [`bytes_equal`] mark exactly the equal bytes.
        #[test]
        fn bytes_equal_marks_equal_bytes(bytes in proptest::collection::vec(prop_oneof![Just(b'o'), any::<u8>()], 16)) {
            let p = u128::from_le_bytes(bytes.clone().try_into().unwrap());
            let want = (0..16).fold(0, |m, i| m | u32::from(bytes[i] == b'o') << i);
            prop_assert_eq!(bytes_equal(p, b'o'), want);
            prop_assert_eq!(bytes_equal_scalar(p, b'o'), want);
        }
    }

    #[test]
    fn plain_words_and_not() {
        // The fast path is taken for ordinary words...
        for w in [
            "the",
            "Said",
            "president",
            "talks",
            "Riyadh",
            "u",
            "don't",
            "2025",
            "x_y",
        ] {
            assert!(called_plain(w), "{w}");
        }
        // ...and never for a word a rule could touch, or one it does not pack.
        for w in [
            "colour",
            "Colours",
            "centre",
            "centred",
            "travelled",
            "labelling",
            "organise",
            "analysed",
            "realisations",
            "three",
            "towards",
            "u.s",
            "1,000",
            "`twas",
            "café",
            "internationalisation",
        ] {
            assert!(!called_plain(w), "{w}");
        }
    }

    /// Every listed word with every affix: none called plain changes.
    #[test]
    fn listed_words_called_plain_are_unchanged() {
        for w in listed() {
            for s in AFFIXES {
                for w in [format!("{w}{s}"), format!("{s}{w}")] {
                    check_plain(&w).unwrap();
                }
            }
        }
    }

    /// Exhaustive over the lists: each listed word with each affix, in every setting.
    #[test]
    fn every_listed_word_matches_the_reference() {
        for norm in all_settings() {
            for w in listed() {
                for s in AFFIXES {
                    for w in [format!("{w}{s}"), format!("{s}{w}")] {
                        let mut want = String::new();
                        reference::normalize_into(&w, &norm, &mut want);
                        let mut out = String::new();
                        normalize_into(&w, &norm, &mut out);
                        assert_eq!(out, want, "{w} {norm:?}");
                        assert_eq!(is_stopword(&w), reference::is_stopword(&w), "{w}");
                    }
                }
            }
        }
    }

    #[test]
    fn british_to_american() {
        for (uk, us) in [
            ("emphasised", "emphasized"),
            ("Organisation", "organization"),
            ("analyse", "analyze"),
            ("colours", "colors"),
            ("favourite", "favorite"),
            ("centre", "center"),
            ("travelled", "traveled"),
            ("neighbouring", "neighboring"),
            ("Towards", "toward"),
            ("defence", "defense"),
        ] {
            assert_eq!(n(uk), us, "{uk}");
        }
    }

    #[test]
    fn words_the_rules_must_not_touch() {
        for w in [
            "rise",
            "promise",
            "exercise",
            "enterprise",
            "hour",
            "your",
            "tour",
            "noise",
            "otherwise",
            "analysis",
            "premises",
            "compromised",
            "surprised",
            "cruises",
        ] {
            assert_eq!(n(w), w, "{w}");
        }
    }

    #[test]
    fn dots_commas_numbers() {
        assert_eq!(n("U.S"), "us");
        assert_eq!(n("1,000"), "1000");
        assert_eq!(n("Three"), "3");
        assert_eq!(n("3.5"), "3.5");
        assert_eq!(n("Kyiv’s"), "kyiv's");
    }

    #[test]
    fn stems() {
        let s = |w: &str| {
            let mut o = String::new();
            stem_into(w, &mut o);
            o
        };
        assert_eq!(s("restored"), s("restoring"));
        assert_eq!(s("restore"), s("restored"));
        assert_eq!(s("embassies"), "embassy");
        assert_eq!(s("talks"), s("talk"));
        assert_eq!(s("russia's"), "russia");
        assert_eq!(s("crisis"), "crisis");
    }
}
