//! Synthetic archive data shaped like news wire copy, generated from the document
//! number alone so that every engine sees exactly the same bytes.
//!
//! * **Texts**: ~3 KB of English-like prose (a 3,000-word vocabulary drawn with a
//!   skewed, Zipf-like law, sentences of 8–28 words, paragraphs of 3–5 sentences), so
//!   deflate compresses them about as much as real articles. Only [`UNIQUE_TEXTS`]
//!   distinct texts are compressed for the base documents (document `n` of the base
//!   stores text `n % UNIQUE_TEXTS`); the added documents each have their own. The
//!   engines never see that texts repeat (no engine here deduplicates values).
//! * **Metadata**: ~200 bytes of JSON (id, outlet, date, title, url, wire flag, words).
//! * **Shingles**: ~500 distinct u64 hashes per document, as `wirecopy` hashes word
//!   5-grams. 90 % are unique to the document; 10 % come from a shared pool of
//!   [`POOL`] hashes (stock phrases, reused wire paragraphs), so a present hash has
//!   on average a few documents, as in a real archive.
//!
//! The generator is splitmix64 (Steele, Lea, Flood 2014), used both as a stream and as a
//! stateless mixing function of (document, index).

/// Distinct hashes in the shared pool of stock phrases.
pub const POOL: u64 = 500_000;
/// Shingle hashes drawn per document (a few collide in the pool and are deduplicated).
pub const SHINGLES_PER_DOC: u64 = 500;
/// Distinct texts compressed for the base documents.
pub const UNIQUE_TEXTS: usize = 10_000;

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
const SEED_SHINGLE: u64 = 0x5348_494e_474c_4531;
const SEED_POOL: u64 = 0x504f_4f4c_0000_0001;

/// The splitmix64 output function: a bijective mix of one u64.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// splitmix64 as a stream.
pub struct Rng(u64);

impl Rng {
    /// A stream seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(mix(seed ^ GOLDEN))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// A number in `0..n` (Lemire's multiply-shift; the bias is below 2^-40 here).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The `i`-th shingle hash drawn for document `doc` (stateless).
pub fn shingle(doc: u32, i: u64) -> u64 {
    let r = mix(SEED_SHINGLE ^ (u64::from(doc) << 20) ^ i);
    if r.is_multiple_of(10) {
        mix(SEED_POOL.wrapping_add(mix(r) % POOL))
    } else {
        r
    }
}

/// Document `doc`'s distinct shingle hashes, sorted.
pub fn shingles(doc: u32) -> Vec<u64> {
    let mut v: Vec<u64> = (0..SHINGLES_PER_DOC).map(|i| shingle(doc, i)).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The postings of documents `docs`, as `(hash << 32) | doc` keys, sorted: the order of
/// (hash, doc) pairs, which every engine receives already sorted.
pub fn postings(docs: std::ops::Range<u32>) -> Vec<u128> {
    let mut v: Vec<u128> = Vec::with_capacity(docs.len() * SHINGLES_PER_DOC as usize);
    for d in docs {
        v.extend(
            shingles(d)
                .into_iter()
                .map(|h| (u128::from(h) << 32) | u128::from(d)),
        );
    }
    v.sort_unstable();
    v
}

/// Splits a posting key into (hash, doc).
pub fn split(key: u128) -> (u64, u32) {
    ((key >> 32) as u64, key as u32)
}

const OUTLETS: [&str; 8] = [
    "ap", "reuters", "afp", "dpa", "bbc", "guardian", "nytimes", "lemonde",
];

/// Document `n`'s id, e.g. `reuters-2026-11-03-0012345`.
pub fn doc_id(n: u32) -> String {
    let (outlet, month, day) = place(n);
    format!("{outlet}-2026-{month:02}-{day:02}-{n:07}")
}

fn place(n: u32) -> (&'static str, u32, u32) {
    let r = mix(u64::from(n) ^ 0xD0C);
    (
        OUTLETS[(r % 8) as usize],
        9 + ((r >> 8) % 3) as u32,
        1 + ((r >> 16) % 28) as u32,
    )
}

/// Document `n`'s metadata, ~200 bytes of JSON.
pub fn meta(n: u32, words: usize) -> String {
    let (outlet, month, day) = place(n);
    let mut rng = Rng::new(u64::from(n) ^ 0x3e7a);
    let title: Vec<String> = (0..6).map(|_| word(rng.below(800) as usize)).collect();
    format!(
        "{{\"id\":\"{}\",\"outlet\":\"{outlet}\",\"date\":\"2026-{month:02}-{day:02}\",\
         \"title\":\"{}\",\"url\":\"https://{outlet}.example/world/2026/{month:02}/{day:02}/{}\",\
         \"wire\":{},\"words\":{words}}}",
        doc_id(n),
        title.join(" "),
        title.join("-"),
        matches!(outlet, "ap" | "reuters" | "afp" | "dpa"),
    )
}

const SYLLABLES: [&str; 32] = [
    "ba", "ter", "lo", "min", "ca", "re", "sta", "de", "vi", "an", "gor", "pe", "tu", "ris", "mo",
    "na", "el", "sen", "ko", "ral", "di", "ve", "ment", "tion", "or", "ed", "ing", "al", "pro",
    "con", "ex", "un",
];

/// The `k`-th word of the vocabulary (small k: short, frequent words).
fn word(k: usize) -> String {
    let mut z = mix(k as u64 ^ 0x5709);
    let len = 1 + (k > 40) as u64 + (k > 400) as u64 + (z & 1) * (k > 10) as u64;
    let mut s = String::new();
    for _ in 0..len {
        s.push_str(SYLLABLES[(z % 32) as usize]);
        z >>= 5;
    }
    s
}

/// The vocabulary, built once.
pub struct Vocabulary(Vec<String>);

impl Vocabulary {
    /// 3,000 words.
    pub fn new() -> Vocabulary {
        Vocabulary((0..3000).map(word).collect())
    }

    /// Text number `n`: ~3 KB of prose, and its word count.
    pub fn text(&self, n: u64) -> (String, usize) {
        let mut rng = Rng::new(n ^ 0x7e47);
        let target = 2500 + rng.below(1000) as usize;
        let mut s = String::with_capacity(target + 200);
        let mut words = 0;
        while s.len() < target {
            for _ in 0..3 + rng.below(3) {
                let len = 8 + rng.below(21);
                for w in 0..len {
                    // Skewed draw: u^3 puts most mass on the first words.
                    let k = (rng.unit().powi(3) * self.0.len() as f64) as usize;
                    let word = &self.0[k];
                    if w == 0 {
                        let mut c = word.chars();
                        if let Some(f) = c.next() {
                            s.extend(f.to_uppercase());
                            s.push_str(c.as_str());
                        }
                    } else {
                        s.push(' ');
                        s.push_str(word);
                    }
                    words += 1;
                }
                s.push_str(". ");
            }
            s.push_str("\n\n");
        }
        (s, words)
    }
}

/// Deflate at the level `wirecopy`'s catalog uses (`Compression::fast()`).
pub fn deflate(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(text.len() / 2),
        flate2::Compression::fast(),
    );
    z.write_all(text.as_bytes()).expect("writing to memory");
    z.finish().expect("writing to memory")
}

/// Inflates a stored text.
pub fn inflate(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut s = String::new();
    flate2::read::DeflateDecoder::new(bytes)
        .read_to_string(&mut s)
        .expect("a stored text inflates");
    s
}

/// The catalog's documents: ids and metadata generated on demand, texts compressed once.
pub struct Corpus {
    base: usize,
    texts: Vec<(Vec<u8>, usize)>,
    /// Raw text bytes compressed, and the time it took (engine-independent).
    pub deflated_raw: usize,
    /// Compressed bytes.
    pub deflated_bytes: usize,
    /// Time spent compressing.
    pub deflate_time: std::time::Duration,
}

/// One catalog row.
pub struct Record<'a> {
    /// Document number (dense, 0-based).
    pub doc: u32,
    /// External id.
    pub id: String,
    /// Metadata JSON.
    pub meta: String,
    /// Deflated text.
    pub text: &'a [u8],
}

impl Corpus {
    /// `base` documents already in the store and `added` new ones.
    pub fn new(base: usize, added: usize) -> Corpus {
        let vocab = Vocabulary::new();
        let t = std::time::Instant::now();
        let count = UNIQUE_TEXTS.min(base) + added;
        let mut raw = 0;
        let texts: Vec<(Vec<u8>, usize)> = (0..count)
            .map(|k| {
                let (s, words) = vocab.text(k as u64);
                raw += s.len();
                (deflate(&s), words)
            })
            .collect();
        Corpus {
            base,
            deflated_bytes: texts.iter().map(|t| t.0.len()).sum(),
            deflated_raw: raw,
            deflate_time: t.elapsed(),
            texts,
        }
    }

    /// Distinct texts compressed.
    pub fn texts(&self) -> usize {
        self.texts.len()
    }

    /// Document `n`'s row.
    pub fn record(&self, n: u32) -> Record<'_> {
        let n_us = n as usize;
        let k = if n_us < self.base {
            n_us % UNIQUE_TEXTS.min(self.base)
        } else {
            // Past the added documents (the crash test's extra rows), texts wrap around.
            let added = self.texts.len() - UNIQUE_TEXTS.min(self.base);
            UNIQUE_TEXTS.min(self.base) + (n_us - self.base) % added
        };
        let (text, words) = &self.texts[k];
        Record {
            doc: n,
            id: doc_id(n),
            meta: meta(n, *words),
            text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_are_sorted_and_distinct() {
        let p = postings(0..50);
        assert!(p.windows(2).all(|w| w[0] < w[1]));
        assert!(p.len() > 50 * 490);
    }

    #[test]
    fn metadata_is_about_200_bytes_and_texts_about_3k() {
        let v = Vocabulary::new();
        let (t, words) = v.text(7);
        assert!((2500..3700).contains(&t.len()), "{}", t.len());
        let m = meta(7, words);
        assert!((150..260).contains(&m.len()), "{}: {m}", m.len());
        assert_eq!(inflate(&deflate(&t)), t);
    }
}
