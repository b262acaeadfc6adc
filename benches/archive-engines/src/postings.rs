//! The postings workload: (shingle hash u64, document u32) pairs, looked up by hash.
//!
//! Question: should the postings live in the engine's B-tree (or LSM tree), or in
//! immutable sorted segment files under the engine's manifest? An add brings ~500 new
//! pairs per document whose hashes are spread uniformly over the whole key space, so a
//! B-tree add touches almost every leaf; a segment add writes one new file sequentially.
//! A lookup against k segments costs k binary searches; compaction merges them to one.
//!
//! Every engine receives its batch already sorted by (hash, doc), the best order for
//! each. A lookup returns the documents of one hash; the number of hashes found and
//! of pairs returned is a checksum all engines must agree on.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::catalog::{redb_open, sqlite_open};
use crate::data::split;

/// A postings engine under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// SQLite table `postings(hash, doc)` WITHOUT ROWID, primary key (hash, doc).
    Sqlite,
    /// redb table `(u64, u32) -> ()`.
    Redb,
    /// fjall partition, 12-byte big-endian keys `hash | doc`, empty values.
    Fjall,
    /// One immutable segment file per add (hash column, doc column), mmapped.
    Segments,
}

impl Engine {
    /// Column heading.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Redb => "redb",
            Engine::Fjall => "fjall",
            Engine::Segments => "segments",
        }
    }
}

const REDB_POSTINGS: redb::TableDefinition<(u64, u32), ()> = redb::TableDefinition::new("postings");

fn key(h: u64, d: u32) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..8].copy_from_slice(&h.to_be_bytes());
    k[8..].copy_from_slice(&d.to_be_bytes());
    k
}

/// Creates an empty store in `dir` and loads `sorted` into it (the base archive): the
/// fastest path each engine offers (fjall: `ingest` into a fresh partition).
pub fn bulk_load(engine: Engine, dir: &Path, sorted: &[u128]) {
    std::fs::create_dir_all(dir).unwrap();
    match engine {
        Engine::Sqlite => {
            let c = sqlite_open(dir);
            c.execute_batch(
                "CREATE TABLE postings(hash INTEGER NOT NULL, doc INTEGER NOT NULL,
                     PRIMARY KEY (hash, doc)) WITHOUT ROWID;",
            )
            .unwrap();
            sqlite_insert(c, sorted, Instant::now());
        }
        Engine::Redb => {
            let db = redb_open(dir).unwrap();
            let w = db.begin_write().unwrap();
            w.open_table(REDB_POSTINGS).unwrap();
            w.commit().unwrap();
            drop(db);
            let _ = add(engine, dir, sorted);
        }
        Engine::Fjall => {
            let (ks, p) = crate::catalog::fjall_open(dir, "postings");
            p.ingest(sorted.iter().map(|&k| {
                let (h, d) = split(k);
                (key(h, d).to_vec(), Vec::<u8>::new())
            }))
            .unwrap();
            ks.persist(fjall::PersistMode::SyncAll).unwrap();
        }
        Engine::Segments => {
            // The base is written as segments of `chunk` by the caller; see `write_segment`.
            unreachable!("segments are loaded one file per add")
        }
    }
}

/// Inserts in one transaction; returns when the commit has returned (the close, which
/// may checkpoint what the commit's own auto-checkpoint left, is not timed).
fn sqlite_insert(mut c: rusqlite::Connection, sorted: &[u128], t: Instant) -> Duration {
    let tx = c
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    {
        let mut st = tx
            .prepare("INSERT INTO postings(hash, doc) VALUES (?1, ?2)")
            .unwrap();
        for &k in sorted {
            let (h, d) = split(k);
            st.execute(rusqlite::params![h as i64, d]).unwrap();
        }
    }
    tx.commit().unwrap();
    let d = t.elapsed();
    c.close().unwrap();
    d
}

/// Adds one batch of sorted postings durably, in one transaction (for segments: one
/// new file, written, fsync'd, renamed, directory fsync'd); returns the time from opening
/// the store to the durable commit returning (closing excluded, as in the catalog).
pub fn add(engine: Engine, dir: &Path, sorted: &[u128]) -> Duration {
    let t = Instant::now();
    match engine {
        Engine::Sqlite => sqlite_insert(sqlite_open(dir), sorted, t),
        Engine::Redb => {
            let db = redb_open(dir).unwrap();
            let w = db.begin_write().unwrap();
            {
                let mut t = w.open_table(REDB_POSTINGS).unwrap();
                for &k in sorted {
                    t.insert(split(k), ()).unwrap();
                }
            }
            w.commit().unwrap();
            t.elapsed()
        }
        Engine::Fjall => {
            let (ks, p) = crate::catalog::fjall_open(dir, "postings");
            let mut b = ks.batch().durability(Some(fjall::PersistMode::SyncAll));
            for &k in sorted {
                let (h, d) = split(k);
                b.insert(&p, key(h, d), Vec::<u8>::new());
            }
            b.commit().unwrap();
            ks.persist(fjall::PersistMode::SyncAll).unwrap();
            t.elapsed()
        }
        Engine::Segments => {
            let n = segment_files(dir).len();
            write_segment(dir, n, sorted.len() as u64, sorted.iter().copied());
            t.elapsed()
        }
    }
}

const SEG_MAGIC: &[u8; 8] = b"PSTSEG01";
const SEG_HEADER: usize = 16;

/// Writes segment number `n` of `dir` from `count` sorted keys: header (magic, count),
/// hash column (u64 LE), doc column (u32 LE); to a temporary name, fsync, rename, fsync
/// the directory.
pub fn write_segment(dir: &Path, n: usize, count: u64, keys: impl Iterator<Item = u128> + Clone) {
    std::fs::create_dir_all(dir).unwrap();
    let tmp = dir.join(format!("seg-{n:06}.tmp"));
    let f = File::create(&tmp).unwrap();
    let mut w = BufWriter::with_capacity(1 << 20, f);
    w.write_all(SEG_MAGIC).unwrap();
    w.write_all(&count.to_le_bytes()).unwrap();
    let mut written = 0u64;
    for k in keys.clone() {
        w.write_all(&split(k).0.to_le_bytes()).unwrap();
        written += 1;
    }
    assert_eq!(written, count);
    for k in keys {
        w.write_all(&split(k).1.to_le_bytes()).unwrap();
    }
    let f = w.into_inner().unwrap();
    f.sync_all().unwrap();
    drop(f);
    std::fs::rename(&tmp, dir.join(format!("seg-{n:06}.seg"))).unwrap();
    File::open(dir).unwrap().sync_all().unwrap();
}

/// The segment files of `dir`, in order.
pub fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "seg"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// One memory-mapped segment.
pub struct Segment {
    map: memmap2::Mmap,
    count: usize,
}

impl Segment {
    /// Maps `path` and checks its header.
    pub fn open(path: &Path) -> Segment {
        let f = File::open(path).unwrap();
        // SAFETY: segment files are immutable once renamed into place.
        let map = unsafe { memmap2::Mmap::map(&f) }.unwrap();
        assert_eq!(&map[..8], SEG_MAGIC);
        let count = u64::from_le_bytes(map[8..16].try_into().unwrap()) as usize;
        assert_eq!(map.len(), SEG_HEADER + count * 12);
        Segment { map, count }
    }

    /// The hash column.
    pub fn hashes(&self) -> &[u64] {
        let p = self.map[SEG_HEADER..].as_ptr();
        assert_eq!(p as usize % 8, 0);
        // SAFETY: in bounds (checked in `open`), aligned (checked), any bits are a u64.
        unsafe { std::slice::from_raw_parts(p.cast::<u64>(), self.count) }
    }

    /// The document column.
    pub fn docs(&self) -> &[u32] {
        let p = self.map[SEG_HEADER + 8 * self.count..].as_ptr();
        // SAFETY: as for `hashes`; 4-aligned since the hash column is a multiple of 8.
        unsafe { std::slice::from_raw_parts(p.cast::<u32>(), self.count) }
    }

    /// Sorted keys, for compaction.
    pub fn keys(&self) -> impl Iterator<Item = u128> + Clone + '_ {
        self.hashes()
            .iter()
            .zip(self.docs())
            .map(|(&h, &d)| (u128::from(h) << 32) | u128::from(d))
    }
}

/// Merges every segment of `from` into one segment in `to` (a k-way merge).
pub fn compact(from: &Path, to: &Path) {
    let segs: Vec<Segment> = segment_files(from)
        .iter()
        .map(|p| Segment::open(p))
        .collect();
    let total: u64 = segs.iter().map(|s| s.count as u64).sum();
    let merged = Merge::new(segs.iter().map(|s| s.keys()).collect());
    write_segment(to, 0, total, merged);
}

/// A k-way merge of sorted iterators (k is small: a linear scan of the heads is enough).
#[derive(Clone)]
struct Merge<I: Iterator<Item = u128> + Clone> {
    heads: Vec<(Option<u128>, I)>,
}

impl<I: Iterator<Item = u128> + Clone> Merge<I> {
    fn new(its: Vec<I>) -> Self {
        Merge {
            heads: its.into_iter().map(|mut i| (i.next(), i)).collect(),
        }
    }
}

impl<I: Iterator<Item = u128> + Clone> Iterator for Merge<I> {
    type Item = u128;
    fn next(&mut self) -> Option<u128> {
        let mut best: Option<usize> = None;
        for (i, (h, _)) in self.heads.iter().enumerate() {
            if let Some(h) = h {
                if best.is_none_or(|b| *h < self.heads[b].0.unwrap()) {
                    best = Some(i);
                }
            }
        }
        let b = best?;
        let (head, it) = &mut self.heads[b];
        let out = *head;
        *head = it.next();
        out
    }
}

/// Opens the store in `dir`, then looks up every hash of `queries`; returns the time of
/// the lookups alone, the hashes found and the pairs returned. `sorted` says the queries
/// are sorted (a query batch's hashes, as `src/archive/query.rs` probes them): the trees
/// are probed in that order, and the segments in one galloping pass each.
pub fn lookup(engine: Engine, dir: &Path, queries: &[u64], sorted: bool) -> (Duration, u64, u64) {
    let (mut found, mut pairs) = (0u64, 0u64);
    let mut tally = |n: u64| {
        found += u64::from(n > 0);
        pairs += n;
    };
    let t;
    match engine {
        Engine::Sqlite => {
            let c = sqlite_open(dir);
            let mut st = c
                .prepare("SELECT doc FROM postings WHERE hash = ?1")
                .unwrap();
            t = Instant::now();
            for &h in queries {
                let mut rows = st.query([h as i64]).unwrap();
                let mut n = 0;
                while let Some(r) = rows.next().unwrap() {
                    let _doc: u32 = r.get(0).unwrap();
                    n += 1;
                }
                tally(n);
            }
        }
        Engine::Redb => {
            let db = redb_open(dir).unwrap();
            let r = db.begin_read().unwrap();
            let tb = r.open_table(REDB_POSTINGS).unwrap();
            t = Instant::now();
            for &h in queries {
                let mut n = 0;
                for e in tb.range((h, 0)..=(h, u32::MAX)).unwrap() {
                    let _doc = e.unwrap().0.value().1;
                    n += 1;
                }
                tally(n);
            }
        }
        Engine::Fjall => {
            let (_ks, p) = crate::catalog::fjall_open(dir, "postings");
            t = Instant::now();
            for &h in queries {
                let mut n = 0;
                for e in p.prefix(h.to_be_bytes()) {
                    let (k, _) = e.unwrap();
                    let _doc = u32::from_be_bytes(k[8..12].try_into().unwrap());
                    n += 1;
                }
                tally(n);
            }
        }
        Engine::Segments => {
            let segs: Vec<Segment> = segment_files(dir)
                .iter()
                .map(|p| Segment::open(p))
                .collect();
            let cols: Vec<(&[u64], &[u32])> = segs.iter().map(|s| (s.hashes(), s.docs())).collect();
            t = Instant::now();
            if sorted {
                // One forward pass per segment: gallop from where the last key was found.
                let mut counts = vec![0u64; queries.len()];
                for (hs, ds) in &cols {
                    let mut pos = 0;
                    for (q, &h) in queries.iter().enumerate() {
                        pos = gallop(hs, pos, h);
                        let mut i = pos;
                        while i < hs.len() && hs[i] == h {
                            std::hint::black_box(ds[i]);
                            counts[q] += 1;
                            i += 1;
                        }
                    }
                }
                counts.into_iter().for_each(&mut tally);
            } else {
                for &h in queries {
                    let mut n = 0;
                    for (hs, ds) in &cols {
                        let mut i = hs.partition_point(|&x| x < h);
                        while i < hs.len() && hs[i] == h {
                            std::hint::black_box(ds[i]);
                            n += 1;
                            i += 1;
                        }
                    }
                    tally(n);
                }
            }
        }
    }
    (t.elapsed(), found, pairs)
}

/// The first index `i >= from` with `hs[i] >= h` (exponential then binary search).
fn gallop(hs: &[u64], from: usize, h: u64) -> usize {
    let mut lo = from;
    let mut step = 1;
    let mut hi = from;
    while hi < hs.len() && hs[hi] < h {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    let hi = hi.min(hs.len());
    lo + hs[lo..hi].partition_point(|&x| x < h)
}

/// Size of `store`'s files: (apparent bytes, allocated bytes).
pub fn size(dir: &Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let mut apparent = 0;
    let mut allocated = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let m = e.metadata().unwrap();
        if m.is_dir() {
            let (a, b) = size(&e.path());
            apparent += a;
            allocated += b;
        } else {
            apparent += m.len();
            allocated += m.blocks() * 512;
        }
    }
    (apparent, allocated)
}
