//! Sketch files: the MinHash signatures and LSH band keys of a corpus, persisted.
//!
//! `wirecopy sketch PATH… -o FILE` writes one. A sketch is only meaningful together with the
//! exact hash functions and normalisation that made it, so the header records all of them and
//! [`read`] refuses a file whose parameters differ from the expected ones
//! ([`Error::SettingsMismatch`], naming the file and every differing field). Without this,
//! signatures made with another seed or `n` would compare silently and wrongly.
//!
//! # Format, version 2
//!
//! ```text
//! WIRECOPY-SKETCH 2\n                      magic line and format version
//! {header JSON}\n                          one line, see SketchParams (+ "documents": count)
//! record × documents                       binary, little-endian:
//!   u32 id length, id (UTF-8)
//!   u32 outlet length, outlet (UTF-8)
//!   u32 distinct shingles
//!   u32 × permutations                     the signature
//!   u64 × bands                            the band keys (lsh::band_keys)
//! ```
//!
//! The header's `hash_family` names the word/shingle hasher (ahash, exact version, fixed
//! keys, and a check value: the hashes of a fixed word and shingle, which differ when ahash
//! uses its AES hasher or another platform's) and the permutation family ([`crate::minhash`]: the shingle hash folded to 32 bits,
//! then `(x ^ b)·a mod 2³²`, with `a`, `b` from SplitMix64 of the seed).
//! Version 1 used multiply-shift `(a·x + b) >> 32` on the 64-bit hash; its files are refused.
//! Files are written atomically.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::{LoadOptions, Normalization, Settings};
use crate::corpus::{Corpus, Document, Input};
use crate::error::{Error, Problem, Result};
use crate::minhash::MinHasher;
use crate::progress::{Progress, Stage};

/// The magic first line of a sketch file.
pub const MAGIC: &str = "WIRECOPY-SKETCH";
/// The current format version.
pub const FORMAT_VERSION: u32 = 2;
/// The hash family this build uses (ahash is pinned exactly in `Cargo.toml`); the header
/// records it with [`crate::shingle::hash_check`] appended ([`hash_family`]).
pub const HASH_FAMILY: &str =
    "ahash-0.8.12 fixed keys (words, shingles); x = hash^(hash>>32) as u32, (x^b)*a mod 2^32, splitmix64 parameters";

/// [`HASH_FAMILY`] and this build's [`crate::shingle::hash_check`]: ahash computes other
/// values when built with AES instructions enabled (`-C target-cpu=native`, say) or on
/// another platform, and the check tells such builds apart.
pub fn hash_family() -> String {
    format!("{HASH_FAMILY}; check {:016x}", crate::shingle::hash_check())
}

/// Everything that makes two sketches comparable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SketchParams {
    /// Format version.
    pub format_version: u32,
    /// Hash functions ([`HASH_FAMILY`]).
    pub hash_family: String,
    /// Seed of the hash functions.
    pub seed: u64,
    /// Words per shingle.
    pub shingle: usize,
    /// Permutations (signature length).
    pub permutations: usize,
    /// Word normalisation.
    pub normalization: Normalization,
    /// LSH bands.
    pub bands: usize,
    /// Rows per band.
    pub rows: usize,
}

impl SketchParams {
    /// The parameters the given settings produce.
    pub fn from_settings(s: &Settings) -> SketchParams {
        let (bands, rows) = crate::lsh::optimal_params(
            s.lsh.threshold,
            s.permutations,
            s.lsh.false_positive_weight,
            s.lsh.false_negative_weight,
        );
        SketchParams {
            format_version: FORMAT_VERSION,
            hash_family: hash_family(),
            seed: s.seed,
            shingle: s.shingle,
            permutations: s.permutations,
            normalization: s.normalization.clone(),
            bands,
            rows,
        }
    }

    /// Human-readable list of the fields that differ (`field: this vs other`).
    pub fn differences(&self, other: &SketchParams) -> Vec<String> {
        let a = serde_json::to_value(self).unwrap_or_default();
        let b = serde_json::to_value(other).unwrap_or_default();
        let mut out = Vec::new();
        if let (Some(a), Some(b)) = (a.as_object(), b.as_object()) {
            for (k, va) in a {
                let vb = b.get(k).cloned().unwrap_or_default();
                if *va != vb {
                    out.push(format!("{k}: {vb} in the file, {va} expected"));
                }
            }
        }
        out
    }
}

/// One document's sketch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocSketch {
    /// Document id.
    pub id: String,
    /// Outlet.
    pub outlet: String,
    /// Number of distinct shingles.
    pub shingles: u32,
    /// MinHash signature.
    pub signature: Vec<u32>,
    /// LSH band keys (empty when the document has no shingles).
    pub band_keys: Vec<u64>,
}

/// A corpus sketch.
#[derive(Debug, Clone, PartialEq)]
pub struct Sketch {
    /// How it was made.
    pub params: SketchParams,
    /// Documents in corpus order.
    pub docs: Vec<DocSketch>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    #[serde(flatten)]
    params: SketchParams,
    documents: usize,
}

/// Tokenise, shingle and sign every document of `corpus` (in parallel, in corpus order).
pub fn sketch_corpus(corpus: &Corpus, settings: &Settings, progress: &dyn Progress) -> Sketch {
    let params = SketchParams::from_settings(settings);
    let hasher = MinHasher::new(settings.permutations, settings.seed);
    progress.start(Stage::Sketch, Some(corpus.documents.len() as u64));
    let docs = sketch_docs(&corpus.documents, &params, &hasher, settings, progress);
    progress.finish(Stage::Sketch);
    Sketch { params, docs }
}

/// [`sketch_corpus`] on a corpus read in a stream, batch by batch: no text is held beyond
/// the batch being sketched. This is the hot path measured by `wirecopy sketch --timings`,
/// which reports reading and sketching apart (the parts "read" and "sketch" of stage
/// [`Stage::Read`]). Problems of the inputs go to `problems`.
pub fn sketch_stream(
    inputs: &[Input],
    opts: &LoadOptions,
    settings: &Settings,
    problems: &mut Vec<Problem>,
    progress: &dyn Progress,
) -> Result<Sketch> {
    settings.validate()?;
    let params = SketchParams::from_settings(settings);
    let hasher = MinHasher::new(settings.permutations, settings.seed);
    let mut docs = Vec::new();
    let mut text_bytes = 0u64;
    progress.start(Stage::Read, None);
    let started = std::time::Instant::now();
    // Only the sketching is timed as such: reading (and dropping the texts) is the rest.
    let mut sketching = std::time::Duration::ZERO;
    crate::corpus::load_batches(inputs, opts, problems, &mut |batch| {
        let t = std::time::Instant::now();
        docs.extend(sketch_docs(batch, &params, &hasher, settings, progress));
        sketching += t.elapsed();
        text_bytes += batch.iter().map(|d| d.text.len() as u64).sum::<u64>();
    })?;
    let total = started.elapsed();
    progress.part("read", total.saturating_sub(sketching), Some(text_bytes));
    progress.part("sketch", sketching, Some(text_bytes));
    progress.finish(Stage::Read);
    Ok(Sketch { params, docs })
}

fn sketch_docs(
    docs: &[Document],
    params: &SketchParams,
    hasher: &MinHasher,
    settings: &Settings,
    progress: &dyn Progress,
) -> Vec<DocSketch> {
    docs.par_iter()
        .map_init(
            || {
                (
                    Vec::new(),
                    Vec::new(),
                    crate::shingle::DistinctTable::default(),
                )
            },
            |(keys, shingles, table), d| {
                crate::tokenize::keys_into(&d.text, d.body_start, &settings.normalization, keys);
                // A minimum ignores repeats: no set is needed, only its size.
                let (signature, distinct) = crate::shingle::sign(
                    keys,
                    settings.shingle,
                    settings.seed,
                    hasher,
                    shingles,
                    table,
                );
                let band_keys = crate::lsh::band_keys(&signature, params.bands, params.rows);
                progress.advance(1);
                DocSketch {
                    id: d.id.clone(),
                    outlet: d.outlet.clone(),
                    shingles: distinct as u32,
                    signature,
                    band_keys,
                }
            },
        )
        .collect()
}

impl Sketch {
    /// Serialise (format version 2).
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            params: self.params.clone(),
            documents: self.docs.len(),
        };
        let mut out = format!("{MAGIC} {FORMAT_VERSION}\n").into_bytes();
        out.extend(serde_json::to_vec(&header).unwrap_or_default());
        out.push(b'\n');
        for d in &self.docs {
            for s in [&d.id, &d.outlet] {
                out.extend((s.len() as u32).to_le_bytes());
                out.extend(s.as_bytes());
            }
            out.extend(d.shingles.to_le_bytes());
            for x in &d.signature {
                out.extend(x.to_le_bytes());
            }
            for x in &d.band_keys {
                out.extend(x.to_le_bytes());
            }
        }
        out
    }

    /// Write atomically to `path`.
    pub fn write(&self, path: &Path) -> Result<()> {
        crate::output::write_atomic(path, &self.to_bytes())
    }

    /// Append `other`, which must have been made with the same parameters.
    pub fn extend(&mut self, other: Sketch, other_path: &Path) -> Result<()> {
        check(other_path, &other.params, &self.params)?;
        self.docs.extend(other.docs);
        Ok(())
    }
}

fn check(path: &Path, found: &SketchParams, expected: &SketchParams) -> Result<()> {
    let mut diff = expected.differences(found);
    if diff.is_empty() {
        return Ok(());
    }
    let family = |p: &SketchParams| p.hash_family.split("; check").next().map(str::to_string);
    if found.hash_family != expected.hash_family && family(found) == family(expected) {
        diff.push(
            "the same hash functions compute other values in this build: ahash built with or \
             without AES instructions (RUSTFLAGS=\"-C target-cpu=native\"), or another \
             platform; sketch with one build"
                .into(),
        );
    }
    Err(Error::SettingsMismatch {
        path: path.to_path_buf(),
        detail: diff.join("; "),
    })
}

/// Read a sketch file, refusing it unless it was made with `expected` parameters.
pub fn read(path: &Path, expected: &SketchParams) -> Result<Sketch> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let bad = |m: &str| Error::Invalid(format!("{}: not a wirecopy sketch: {m}", path.display()));
    let mut r = BufReader::new(std::fs::File::open(path).map_err(io)?);
    let mut line = String::new();
    r.read_line(&mut line).map_err(io)?;
    let version = line
        .trim_end()
        .strip_prefix(MAGIC)
        .and_then(|v| v.trim().parse::<u32>().ok())
        .ok_or_else(|| bad("no WIRECOPY-SKETCH header line"))?;
    if version != FORMAT_VERSION {
        return Err(Error::SettingsMismatch {
            path: path.to_path_buf(),
            detail: format!("format_version: {version} in the file, {FORMAT_VERSION} expected"),
        });
    }
    line.clear();
    r.read_line(&mut line).map_err(io)?;
    let header: Header = serde_json::from_str(&line).map_err(|source| Error::Json {
        path: path.to_path_buf(),
        what: "sketch header",
        source,
    })?;
    check(path, &header.params, expected)?;
    let p = header.params;
    let mut rest = Vec::new();
    r.read_to_end(&mut rest).map_err(io)?;
    let mut cur = &rest[..];
    let mut take = |n: usize| -> Result<&[u8]> {
        if cur.len() < n {
            return Err(bad("truncated"));
        }
        let (a, b) = cur.split_at(n);
        cur = b;
        Ok(a)
    };
    let mut docs = Vec::with_capacity(header.documents);
    for _ in 0..header.documents {
        let mut strings = [String::new(), String::new()];
        for s in &mut strings {
            let len = u32::from_le_bytes(take(4)?.try_into().unwrap()) as usize;
            *s = String::from_utf8(take(len)?.to_vec()).map_err(|_| bad("invalid UTF-8"))?;
        }
        let shingles = u32::from_le_bytes(take(4)?.try_into().unwrap());
        let signature = take(4 * p.permutations)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect::<Vec<_>>();
        let nb = if shingles == 0 { 0 } else { p.bands };
        let band_keys = take(8 * nb)?
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        let [id, outlet] = strings;
        docs.push(DocSketch {
            id,
            outlet,
            shingles,
            signature,
            band_keys,
        });
    }
    if !cur.is_empty() {
        return Err(bad("trailing bytes after the last record"));
    }
    Ok(Sketch { params: p, docs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Document;
    use crate::progress::NoProgress;

    fn corpus() -> Corpus {
        Corpus::from_documents(vec![
            Document::new(
                "a",
                "ap",
                "Russia and the United States agreed on Tuesday to talk.",
            ),
            Document::new("b", "bbc", "Short."),
        ])
    }

    #[test]
    fn round_trip() {
        let s = Settings::default();
        let sk = sketch_corpus(&corpus(), &s, &NoProgress);
        assert_eq!(sk.docs[0].band_keys.len(), sk.params.bands);
        assert!(sk.docs[1].band_keys.is_empty());
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.wcsketch");
        sk.write(&p).unwrap();
        let back = read(&p, &SketchParams::from_settings(&s)).unwrap();
        assert_eq!(back, sk);
    }

    #[test]
    fn version_1_files_are_refused() {
        let s = Settings::default();
        let mut bytes = sketch_corpus(&corpus(), &s, &NoProgress).to_bytes();
        assert!(bytes.starts_with(b"WIRECOPY-SKETCH 2\n"));
        bytes[16] = b'1';
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("old.wcsketch");
        std::fs::write(&p, bytes).unwrap();
        let err = read(&p, &SketchParams::from_settings(&s)).unwrap_err();
        assert!(matches!(err, Error::SettingsMismatch { .. }), "{err}");
        assert!(err
            .to_string()
            .contains("format_version: 1 in the file, 2 expected"));
    }

    #[test]
    fn mismatch_is_refused_naming_file_and_fields() {
        let s = Settings::default();
        let sk = sketch_corpus(&corpus(), &s, &NoProgress);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.wcsketch");
        sk.write(&p).unwrap();
        let other = Settings {
            seed: 7,
            shingle: 4,
            ..Settings::default()
        };
        let err = read(&p, &SketchParams::from_settings(&other)).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::SettingsMismatch { .. }), "{msg}");
        assert!(msg.contains("c.wcsketch") && msg.contains("seed") && msg.contains("shingle"));
        assert!(!msg.contains("permutations"), "{msg}");
        let mut mine = sketch_corpus(&corpus(), &other, &NoProgress);
        assert!(mine.extend(sk.clone(), &p).is_err());
        std::fs::write(&p, b"garbage").unwrap();
        assert!(read(&p, &SketchParams::from_settings(&s)).is_err());
    }

    /// A sketch made by a build whose ahash computes other values (its AES hasher, say) is
    /// refused, and the message says why.
    #[test]
    fn a_build_with_other_hash_values_is_refused() {
        let s = Settings::default();
        let sk = sketch_corpus(&corpus(), &s, &NoProgress);
        assert!(sk
            .params
            .hash_family
            .ends_with(&format!("; check {:016x}", crate::shingle::hash_check())));
        let mut aes = sk.clone();
        aes.params.hash_family = format!("{HASH_FAMILY}; check 0123456789abcdef");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("aes.wcsketch");
        aes.write(&p).unwrap();
        let msg = read(&p, &sk.params).unwrap_err().to_string();
        assert!(
            msg.contains("aes.wcsketch") && msg.contains("check 0123456789abcdef"),
            "{msg}"
        );
        assert!(msg.contains("AES instructions"), "{msg}");
        let mut mine = sk.clone();
        assert!(mine.extend(aes, &p).is_err());
    }
}
