//! Segment files: the sketches of one batch of archived documents, immutable and
//! memory-mapped.
//!
//! A segment holds what the candidate and verification stages read for every archived
//! document, laid out so that a query reads only the parts it needs: the sorted shingle set
//! and MinHash signature of each document, and two inverted indexes — shingle → documents
//! (postings) and LSH band key → documents — as sorted columns searched in place. Nothing is
//! parsed on open beyond the header, so opening an archive costs the same whatever its size.
//!
//! # Format, version 1 (little-endian; every section starts at a multiple of 8 bytes)
//!
//! ```text
//! header, 64 bytes:
//!   0  magic "WIRECOPY-SEG\0\0\0\n"      16 bytes
//!   16 u32 format version (1)
//!   20 u32 documents                     24 u32 permutations
//!   28 u32 outlet names (bytes of JSON)  32 u64 shingles in all (sum of set sizes)
//!   40 u64 band entries                  48 u32 CRC-32 of everything after the header
//!   52 u32 0                             56 u32 0
//!   60 u32 CRC-32 of bytes 0..60
//! u64 × (documents + 1)   set offsets: document d's set is sets[off[d]..off[d+1]]
//! u64 × shingles          sets, each sorted
//! u64 × shingles          postings, hash column, sorted by (hash, document)
//! u32 × shingles          postings, document column
//! u64 × band entries      band keys, sorted by (key, document)
//! u32 × band entries      band key documents
//! u32 × documents × perms signatures
//! u32 × documents         outlet of each document (index into the names)
//! u8  × documents         1 when the document is wire (reference) copy
//! names                   JSON array of outlet names
//! ```
//!
//! The file is written to a temporary name, synced and renamed by the writer
//! ([`super::Writer`]); it is part of the archive only once the catalog's manifest names it,
//! in the same transaction that adds its documents.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use memmap2::Mmap;
use rayon::prelude::*;

use crate::error::{Error, Result};

#[cfg(not(target_endian = "little"))]
compile_error!("archive segments are read in place as little-endian arrays");

/// The magic first bytes of a segment file.
pub const MAGIC: &[u8; 16] = b"WIRECOPY-SEG\0\0\0\n";
/// The current format version.
pub const VERSION: u32 = 1;
const HEADER: usize = 64;

/// One document's sketch, as a segment stores it.
pub struct DocSketch<'a> {
    /// Sorted distinct shingle hashes.
    pub set: &'a [u64],
    /// MinHash signature.
    pub signature: &'a [u32],
    /// LSH band keys.
    pub bands: Vec<u64>,
    /// Outlet name.
    pub outlet: &'a str,
    /// Wire (reference) copy.
    pub wire: bool,
}

/// Write a segment of `docs` to `path` (created; the caller renames it into place) and sync
/// it. Returns its size in bytes.
pub fn write(path: &Path, docs: &[DocSketch], permutations: usize) -> std::io::Result<u64> {
    let n = docs.len();
    let mut names: Vec<&str> = Vec::new();
    let mut name_ids: std::collections::HashMap<&str, u32> = Default::default();
    let outlets: Vec<u32> = docs
        .iter()
        .map(|d| {
            *name_ids.entry(d.outlet).or_insert_with(|| {
                names.push(d.outlet);
                names.len() as u32 - 1
            })
        })
        .collect();
    let names = serde_json::to_vec(&names).expect("strings serialise");
    let total: usize = docs.iter().map(|d| d.set.len()).sum();
    let mut postings: Vec<(u64, u32)> = Vec::with_capacity(total);
    let mut band_entries: Vec<(u64, u32)> = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        postings.extend(d.set.iter().map(|&h| (h, i as u32)));
        band_entries.extend(d.bands.iter().map(|&k| (k, i as u32)));
    }
    postings.par_sort_unstable();
    band_entries.par_sort_unstable();
    band_entries.dedup();

    let file = File::create(path)?;
    let mut body = Body {
        out: BufWriter::with_capacity(1 << 20, file),
        crc: crc32fast::Hasher::new(),
        len: 0,
    };
    body.out.write_all(&[0; HEADER])?;
    let mut off = 0u64;
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0u64);
    for d in docs {
        off += d.set.len() as u64;
        offsets.push(off);
    }
    body.u64s(&offsets)?;
    for d in docs {
        body.u64s(d.set)?;
    }
    body.columns(&postings)?;
    drop(postings);
    body.columns(&band_entries)?;
    for d in docs {
        assert_eq!(d.signature.len(), permutations, "signature length");
        body.raw(bytes_of(d.signature))?;
    }
    body.pad()?;
    body.u32s(&outlets)?;
    body.raw(&docs.iter().map(|d| u8::from(d.wire)).collect::<Vec<_>>())?;
    body.pad()?;
    body.raw(&names)?;

    let mut h = [0u8; HEADER];
    h[..16].copy_from_slice(MAGIC);
    h[16..20].copy_from_slice(&VERSION.to_le_bytes());
    h[20..24].copy_from_slice(&(n as u32).to_le_bytes());
    h[24..28].copy_from_slice(&(permutations as u32).to_le_bytes());
    h[28..32].copy_from_slice(&(names.len() as u32).to_le_bytes());
    h[32..40].copy_from_slice(&(total as u64).to_le_bytes());
    h[40..48].copy_from_slice(&(band_entries.len() as u64).to_le_bytes());
    h[48..52].copy_from_slice(&body.crc.clone().finalize().to_le_bytes());
    let crc = crc32fast::hash(&h[..60]);
    h[60..64].copy_from_slice(&crc.to_le_bytes());
    let len = HEADER as u64 + body.len;
    let mut file = body.out.into_inner().map_err(|e| e.into_error())?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&h)?;
    file.sync_all()?;
    Ok(len)
}

/// The body of a segment being written: buffered, its CRC and length kept on the way.
struct Body {
    out: BufWriter<File>,
    crc: crc32fast::Hasher,
    len: u64,
}

impl Body {
    fn raw(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.crc.update(b);
        self.len += b.len() as u64;
        self.out.write_all(b)
    }
    fn pad(&mut self) -> std::io::Result<()> {
        let rem = (self.len % 8) as usize;
        if rem != 0 {
            self.raw(&[0; 8][..8 - rem])?;
        }
        Ok(())
    }
    fn u64s(&mut self, v: &[u64]) -> std::io::Result<()> {
        self.raw(bytes_of(v))
    }
    fn u32s(&mut self, v: &[u32]) -> std::io::Result<()> {
        self.raw(bytes_of(v))?;
        self.pad()
    }
    /// Sorted (key, document) entries as two columns, a chunk at a time (no copy of the
    /// whole column is made).
    fn columns(&mut self, entries: &[(u64, u32)]) -> std::io::Result<()> {
        let mut keys = Vec::with_capacity(8192);
        for chunk in entries.chunks(8192) {
            keys.clear();
            keys.extend(chunk.iter().map(|e| e.0));
            self.raw(bytes_of(&keys))?;
        }
        let mut docs = Vec::with_capacity(8192);
        for chunk in entries.chunks(8192) {
            docs.clear();
            docs.extend(chunk.iter().map(|e| e.1));
            self.raw(bytes_of(&docs))?;
        }
        self.pad()
    }
}

fn bytes_of<T: Copy>(v: &[T]) -> &[u8] {
    // SAFETY: u32 and u64 have no padding or invalid bit patterns; the target is
    // little-endian (checked at compile time), which is the file's byte order.
    unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u8>(), std::mem::size_of_val(v)) }
}

/// An open segment file.
#[derive(Debug)]
pub struct Segment {
    path: PathBuf,
    map: Mmap,
    docs: usize,
    perms: usize,
    total: usize,
    bands: usize,
    names_len: usize,
    body_crc: u32,
}

fn round8(x: usize) -> usize {
    x.div_ceil(8) * 8
}

impl Segment {
    /// Open and map `path`, checking its header and size (not its body: see
    /// [`Segment::verify`]). A file that is not a whole segment is refused naming it.
    pub fn open(path: &Path) -> Result<Segment> {
        let bad = |detail: String| Error::BadFile {
            path: path.to_path_buf(),
            detail,
        };
        let file = File::open(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        // SAFETY: segment files are never modified once renamed into place (the writer makes
        // new files and removes old ones; a removed file stays mapped intact).
        let map = unsafe { Mmap::map(&file) }.map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        if map.len() < HEADER || &map[..16] != MAGIC {
            return Err(bad(
                "not a wirecopy archive segment (wrong magic bytes)".into()
            ));
        }
        let u32_at = |o: usize| u32::from_le_bytes(map[o..o + 4].try_into().unwrap());
        let u64_at = |o: usize| u64::from_le_bytes(map[o..o + 8].try_into().unwrap());
        if crc32fast::hash(&map[..60]) != u32_at(60) {
            return Err(bad("damaged segment header (checksum mismatch)".into()));
        }
        if u32_at(16) != VERSION {
            return Err(bad(format!(
                "segment format version {} (this wirecopy reads version {VERSION})",
                u32_at(16)
            )));
        }
        let s = Segment {
            path: path.to_path_buf(),
            docs: u32_at(20) as usize,
            perms: u32_at(24) as usize,
            names_len: u32_at(28) as usize,
            total: u64_at(32) as usize,
            bands: u64_at(40) as usize,
            body_crc: u32_at(48),
            map,
        };
        let want = s.section(Section::End);
        if s.map.len() != want {
            let len = s.map.len();
            return Err(bad(format!(
                "truncated or damaged segment: {len} bytes, its header says {want}"
            )));
        }
        // The small sections are checked now, so a damaged file is found on open: names
        // parse, set offsets grow to the total, outlet numbers name an outlet. (The whole
        // body's checksum is [`Segment::verify`], run by `index compact`.)
        let names = s.outlet_names()?.len();
        let off = s.u64s(Section::Offsets, s.docs + 1);
        if off[0] != 0 || off[s.docs] as usize != s.total || off.windows(2).any(|w| w[0] > w[1]) {
            return Err(bad("damaged segment (set offsets out of order)".into()));
        }
        if s.outlets().iter().any(|&o| o as usize >= names) || s.wire().iter().any(|&w| w > 1) {
            return Err(bad("damaged segment (outlet numbers out of range)".into()));
        }
        Ok(s)
    }

    /// Check the body's checksum (reads the whole file).
    pub fn verify(&self) -> Result<()> {
        if crc32fast::hash(&self.map[HEADER..]) != self.body_crc {
            return Err(Error::BadFile {
                path: self.path.clone(),
                detail: "damaged segment (body checksum mismatch)".into(),
            });
        }
        Ok(())
    }

    fn section(&self, s: Section) -> usize {
        let (n, t, b) = (self.docs, self.total, self.bands);
        let mut off = HEADER;
        let sizes = [
            (Section::Offsets, 8 * (n + 1)),
            (Section::Sets, 8 * t),
            (Section::PostHash, 8 * t),
            (Section::PostDoc, round8(4 * t)),
            (Section::BandKey, 8 * b),
            (Section::BandDoc, round8(4 * b)),
            (Section::Signatures, round8(4 * n * self.perms)),
            (Section::Outlets, round8(4 * n)),
            (Section::Wire, round8(n)),
            (Section::Names, self.names_len),
        ];
        for (name, size) in sizes {
            if name == s {
                return off;
            }
            off += size;
        }
        off
    }

    fn u64s(&self, s: Section, len: usize) -> &[u64] {
        let off = self.section(s);
        let bytes = &self.map[off..off + 8 * len];
        // SAFETY: the map is page-aligned and every section starts at a multiple of 8; the
        // length was checked against the file size on open.
        unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<u64>(), len) }
    }

    fn u32s(&self, s: Section, len: usize) -> &[u32] {
        let off = self.section(s);
        let bytes = &self.map[off..off + 4 * len];
        // SAFETY: as for u64s.
        unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<u32>(), len) }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of documents.
    pub fn docs(&self) -> usize {
        self.docs
    }

    /// Signature length.
    pub fn permutations(&self) -> usize {
        self.perms
    }

    /// Size in bytes.
    pub fn bytes(&self) -> u64 {
        self.map.len() as u64
    }

    /// Sorted shingle set of document `d`.
    pub fn set(&self, d: usize) -> &[u64] {
        let off = self.u64s(Section::Offsets, self.docs + 1);
        let (lo, hi) = (off[d] as usize, off[d + 1] as usize);
        if lo > hi || hi > self.total {
            return &[];
        }
        &self.u64s(Section::Sets, self.total)[lo..hi]
    }

    /// Signature of document `d`.
    pub fn signature(&self, d: usize) -> &[u32] {
        &self.u32s(Section::Signatures, self.docs * self.perms)
            [d * self.perms..(d + 1) * self.perms]
    }

    /// Outlet (index into [`Segment::outlet_names`]) of each document.
    pub fn outlets(&self) -> &[u32] {
        self.u32s(Section::Outlets, self.docs)
    }

    /// Wire flag of each document.
    pub fn wire(&self) -> &[u8] {
        let off = self.section(Section::Wire);
        &self.map[off..off + self.docs]
    }

    /// The outlet names.
    pub fn outlet_names(&self) -> Result<Vec<String>> {
        let off = self.section(Section::Names);
        serde_json::from_slice(&self.map[off..off + self.names_len]).map_err(|e| Error::BadFile {
            path: self.path.clone(),
            detail: format!("damaged segment (outlet names: {e})"),
        })
    }

    /// The postings' hash column (sorted) and document column.
    pub fn postings_columns(&self) -> (&[u64], &[u32]) {
        (
            self.u64s(Section::PostHash, self.total),
            self.u32s(Section::PostDoc, self.total),
        )
    }

    /// Let go of the pages read so far: they leave this process's memory and stay in the
    /// page cache, and a later read maps them again. A query calls it between stages, so its
    /// memory follows what a stage reads rather than every page the query ever touched.
    pub fn release(&self) {
        // SAFETY: the map is shared and read-only over a file that is never modified once in
        // place, so a page dropped here reads back the same bytes. A failure only leaves the
        // pages mapped.
        let _ = unsafe {
            self.map
                .unchecked_advise(memmap2::UncheckedAdvice::DontNeed)
        };
    }

    /// The band buckets' key column (sorted) and document column.
    pub fn band_columns(&self) -> (&[u64], &[u32]) {
        (
            self.u64s(Section::BandKey, self.bands),
            self.u32s(Section::BandDoc, self.bands),
        )
    }

    /// Documents (ascending) whose set holds shingle `h` (queries use [`Self::postings_columns`]).
    #[cfg(test)]
    pub fn postings(&self, h: u64) -> &[u32] {
        let keys = self.u64s(Section::PostHash, self.total);
        let lo = keys.partition_point(|&k| k < h);
        let hi = lo + keys[lo..].partition_point(|&k| k == h);
        &self.u32s(Section::PostDoc, self.total)[lo..hi]
    }

    /// Documents (ascending) with band key `k` (queries use [`Self::band_columns`]).
    #[cfg(test)]
    pub fn band(&self, k: u64) -> &[u32] {
        let keys = self.u64s(Section::BandKey, self.bands);
        let lo = keys.partition_point(|&x| x < k);
        let hi = lo + keys[lo..].partition_point(|&x| x == k);
        &self.u32s(Section::BandDoc, self.bands)[lo..hi]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Offsets,
    Sets,
    PostHash,
    PostDoc,
    BandKey,
    BandDoc,
    Signatures,
    Outlets,
    Wire,
    Names,
    End,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(dir: &Path) -> PathBuf {
        let sets: Vec<Vec<u64>> = vec![vec![1, 5, 9], vec![], vec![5, 7, 9, 11]];
        let sigs: Vec<Vec<u32>> = vec![vec![1, 2], vec![u32::MAX; 2], vec![3, 4]];
        let outlets = ["ap", "daily", "ap"];
        let docs: Vec<DocSketch> = (0..3)
            .map(|d| DocSketch {
                set: &sets[d],
                signature: &sigs[d],
                bands: if sets[d].is_empty() {
                    vec![]
                } else {
                    vec![100 + d as u64 % 2]
                },
                outlet: outlets[d],
                wire: d != 1,
            })
            .collect();
        let p = dir.join("s.wcseg");
        write(&p, &docs, 2).unwrap();
        p
    }

    #[test]
    fn a_segment_reads_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let s = Segment::open(&sample(dir.path())).unwrap();
        s.verify().unwrap();
        assert_eq!(s.docs(), 3);
        assert_eq!(s.set(0), [1, 5, 9]);
        assert_eq!(s.set(1), [] as [u64; 0]);
        assert_eq!(s.set(2), [5, 7, 9, 11]);
        assert_eq!(s.signature(2), [3, 4]);
        assert_eq!(s.postings(5), [0, 2]);
        assert_eq!(s.postings(7), [2]);
        assert_eq!(s.postings(6), [] as [u32; 0]);
        assert_eq!(s.band(100), [0, 2]);
        assert_eq!(s.wire(), [1, 0, 1]);
        assert_eq!(s.outlet_names().unwrap(), ["ap", "daily"]);
        assert_eq!(s.outlets(), [0, 1, 0]);
    }

    #[test]
    fn truncated_garbage_and_damaged_files_are_refused_naming_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = sample(dir.path());
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() - 8]).unwrap();
        let e = Segment::open(&p).unwrap_err().to_string();
        assert!(e.contains("s.wcseg") && e.contains("truncated"), "{e}");
        std::fs::write(
            &p,
            b"garbage, not a segment at all, garbage garbage garbage garbage garbage",
        )
        .unwrap();
        let e = Segment::open(&p).unwrap_err().to_string();
        assert!(e.contains("s.wcseg") && e.contains("magic"), "{e}");
        let mut damaged = bytes.clone();
        damaged[HEADER + 8 * 4 + 1] ^= 1; // in the sets, past the offsets
        std::fs::write(&p, &damaged).unwrap();
        let e = Segment::open(&p).unwrap().verify().unwrap_err().to_string();
        assert!(e.contains("checksum"), "{e}");
        let mut damaged = bytes;
        damaged[21] ^= 1;
        std::fs::write(&p, &damaged).unwrap();
        let e = Segment::open(&p).unwrap_err().to_string();
        assert!(e.contains("header"), "{e}");
    }
}

/// For each of the sorted, distinct `keys`, the range of `col` (sorted) holding it, written
/// to `out[j * width + slot]` for key `j` (a caller fills one slot per column). One galloping
/// merge, so looking up many keys costs about one pass over the column rather than a binary
/// search (a cache miss per step) for each.
pub fn ranges_into(col: &[u64], keys: &[u64], out: &mut [(u32, u32)], width: usize, slot: usize) {
    let Some(&first) = keys.first() else {
        return;
    };
    let mut pos = col.partition_point(|&x| x < first);
    for (j, &k) in keys.iter().enumerate() {
        pos = gallop(col, pos, k);
        let end = gallop_past(col, pos, k);
        out[j * width + slot] = (pos as u32, end as u32);
        pos = end;
    }
}

/// The first index at or after `from` whose value is at least `k`.
pub(crate) fn gallop(col: &[u64], from: usize, k: u64) -> usize {
    let mut step = 1;
    let mut lo = from;
    while lo + step <= col.len() && col[lo + step - 1] < k {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step).min(col.len());
    lo + col[lo..hi].partition_point(|&x| x < k)
}

/// The first index at or after `from` whose value is greater than `k`.
fn gallop_past(col: &[u64], from: usize, k: u64) -> usize {
    let mut step = 1;
    let mut lo = from;
    while lo + step <= col.len() && col[lo + step - 1] <= k {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step).min(col.len());
    lo + col[lo..hi].partition_point(|&x| x <= k)
}

#[cfg(test)]
mod ranges_tests {
    use proptest::prelude::*;

    proptest! {
        /// The galloping merge finds each key's run exactly as two binary searches do.
        #[test]
        fn ranges_match_binary_search(mut col in proptest::collection::vec(0u64..200, 0..300),
                                      mut keys in proptest::collection::vec(0u64..220, 1..60)) {
            col.sort_unstable();
            keys.sort_unstable();
            keys.dedup();
            // Two columns per key, this one in the second slot.
            let mut got = vec![(u32::MAX, u32::MAX); 2 * keys.len()];
            super::ranges_into(&col, &keys, &mut got, 2, 1);
            for (j, k) in keys.iter().enumerate() {
                prop_assert_eq!(got[2 * j].0, u32::MAX);
                let (lo, hi) = got[2 * j + 1];
                let want_lo = col.partition_point(|x| x < k);
                let want_hi = col.partition_point(|x| x <= k);
                prop_assert_eq!((lo as usize, hi as usize), (want_lo, want_hi));
            }
        }
    }
}
