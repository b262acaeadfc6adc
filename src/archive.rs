//! The archive: a persistent, growing corpus of wire and outlet copy that new articles are
//! reported against, without reading, sketching and indexing it again on every run.
//!
//! ```text
//! ARCHIVE/
//!   catalog.sqlite        settings, segment manifest, documents: metadata and LZ4-compressed text
//!   segments/seg-N.wcseg  immutable sketches of one batch: sets, signatures, postings, bands
//!   write.lock            held (flock) by the one writer
//! ```
//!
//! * [`create`] records the settings that change sketches ([`SketchParams`]); every later
//!   `add` and query is checked against them ([`Error::SettingsMismatch`] names the fields).
//! * [`Writer::add`] reads documents like `report` does, sketches them, writes their segment
//!   (temporary name, fsync, rename, fsync of the directory), and commits the segment's
//!   manifest row and the documents in one SQLite transaction: an `add` killed at any moment
//!   leaves the archive as it was before or after, and a file left behind by a killed writer
//!   (a temporary segment, or one the manifest never named) is removed by the next writer.
//! * [`Archive::open`] takes a read snapshot (an SQLite read transaction in WAL mode) and
//!   maps the segments it names: a writer adding meanwhile is not seen, and never blocks it.
//! * One writer at a time: [`Writer::open`] takes an exclusive lock on `write.lock` and a
//!   second writer is refused at once ([`Error::Locked`]).
//!
//! Queries ([`query::analyze`]) read only what they need: postings are binary-searched in
//! the mapped segments, and only the texts of archived documents in verified pairs are read
//! and inflated. Memory grows with the new documents and their candidates, not with the
//! archive.

pub mod catalog;
pub mod query;
pub mod segment;

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::{LoadOptions, Settings};
use crate::corpus::{self, Document, Input};
use crate::error::{Error, Problem, Result};
use crate::progress::{Progress, Stage};
use crate::sketch::SketchParams;

use catalog::Catalog;
use segment::Segment;

/// Documents per segment file, at most: a larger `add` writes several (one transaction).
pub const SEGMENT_DOCS: usize = 32_768;

/// What an archive records about how it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchiveSettings {
    /// The settings that change sketches: every `add` and query must match them.
    pub sketch: SketchParams,
    /// The settings given to `index create`; queries take their detection settings from
    /// here unless told otherwise.
    pub created_with: Settings,
}

/// What to do with a document whose id is already archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDuplicate {
    /// Skip it, with a problem naming both.
    Skip,
    /// Replace the archived document.
    Replace,
}

fn catalog_path(dir: &Path) -> PathBuf {
    dir.join("catalog.sqlite")
}

fn segments_dir(dir: &Path) -> PathBuf {
    dir.join("segments")
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Make an empty archive at `dir` (created; an existing directory must be empty).
pub fn create(dir: &Path, settings: &Settings) -> Result<()> {
    settings.validate()?;
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::Invalid(format!(
                    "{}: exists and is not empty; an archive is made in a new or empty directory",
                    dir.display()
                )));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(io(dir))?
        }
        Err(e) => return Err(io(dir)(e)),
    }
    std::fs::create_dir_all(segments_dir(dir)).map_err(io(dir))?;
    let recorded = ArchiveSettings {
        sketch: SketchParams::from_settings(settings),
        created_with: Settings {
            wire: Vec::new(),
            ..settings.clone()
        },
    };
    let json = serde_json::to_string(&recorded).expect("settings serialise");
    // Written under a temporary name and renamed: a half-made catalog is never an archive.
    let tmp = dir.join(".catalog.sqlite.tmp");
    let _ = std::fs::remove_file(&tmp);
    drop(Catalog::open(&tmp, Some(&json))?);
    std::fs::rename(&tmp, catalog_path(dir)).map_err(io(dir))?;
    sync_dir(dir)?;
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

fn read_settings(cat: &Catalog) -> Result<ArchiveSettings> {
    let json = cat.meta("settings")?.ok_or_else(|| Error::BadFile {
        path: cat.path().to_path_buf(),
        detail: "no settings recorded".into(),
    })?;
    serde_json::from_str(&json).map_err(|e| Error::BadFile {
        path: cat.path().to_path_buf(),
        detail: format!("unreadable settings: {e}"),
    })
}

/// One mapped segment of a snapshot.
#[derive(Debug)]
pub(crate) struct Seg {
    /// The manifest's segment number.
    pub(crate) id: i64,
    pub(crate) file: Segment,
    /// Archive ordinal of its first document: documents are in the order they were added.
    pub(crate) base: u32,
    /// Entries no longer live (removed or replaced), when there are any.
    pub(crate) removed: Option<Vec<bool>>,
    /// The segment's outlet numbers as the snapshot's.
    pub(crate) outlet_of: Vec<u32>,
}

impl Seg {
    pub(crate) fn live(&self, local: usize) -> bool {
        self.removed.as_ref().is_none_or(|r| !r[local])
    }
}

/// A read snapshot of an archive.
pub struct Archive {
    dir: PathBuf,
    pub(crate) catalog: Catalog,
    pub(crate) segs: Vec<Seg>,
    pub(crate) settings: ArchiveSettings,
    /// Outlet names, numbered across segments.
    pub(crate) outlets: Vec<String>,
}

impl std::fmt::Debug for Archive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive").field("dir", &self.dir).finish()
    }
}

impl Archive {
    /// Open `dir` for reading: one consistent snapshot, whatever a writer does meanwhile.
    pub fn open(dir: &Path) -> Result<Archive> {
        if !dir.is_dir() {
            return Err(Error::Invalid(format!(
                "{}: no archive here (make one with `wirecopy index create {}`)",
                dir.display(),
                dir.display()
            )));
        }
        let mut tries = 0;
        loop {
            let catalog = Catalog::open(&catalog_path(dir), None)?;
            // The snapshot: every read below sees the state of this moment.
            catalog
                .conn
                .execute_batch("BEGIN DEFERRED")
                .map_err(|e| catalog.err(e))?;
            let settings = read_settings(&catalog)?;
            match Self::map(dir, &catalog) {
                Ok((segs, outlets)) => {
                    return Ok(Archive {
                        dir: dir.to_path_buf(),
                        catalog,
                        segs,
                        settings,
                        outlets,
                    })
                }
                // A compaction removed a segment between our snapshot and its mapping:
                // take a new snapshot.
                Err(Error::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound && tries < 5 =>
                {
                    tries += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn map(dir: &Path, catalog: &Catalog) -> Result<(Vec<Seg>, Vec<String>)> {
        let removed = catalog.removed()?;
        let mut outlets: Vec<String> = Vec::new();
        let mut outlet_ids: HashMap<String, u32> = HashMap::new();
        let mut segs = Vec::new();
        let mut base = 0u32;
        for (id, file, docs) in catalog.segments()? {
            let path = segments_dir(dir).join(&file);
            let seg = Segment::open(&path)?;
            if seg.docs() != docs {
                return Err(Error::BadFile {
                    path,
                    detail: format!("holds {} documents, the catalog says {docs}", seg.docs()),
                });
            }
            let outlet_of = seg
                .outlet_names()?
                .into_iter()
                .map(|name| {
                    let next = outlets.len() as u32;
                    *outlet_ids.entry(name.clone()).or_insert_with(|| {
                        outlets.push(name);
                        next
                    })
                })
                .collect();
            let lo = removed.partition_point(|&(s, _)| s < id);
            let hi = removed.partition_point(|&(s, _)| s <= id);
            let removed = (lo < hi).then(|| {
                let mut r = vec![false; docs];
                for &(_, l) in &removed[lo..hi] {
                    if let Some(x) = r.get_mut(l as usize) {
                        *x = true;
                    }
                }
                r
            });
            segs.push(Seg {
                id,
                file: seg,
                base,
                removed,
                outlet_of,
            });
            base = base
                .checked_add(docs as u32)
                .ok_or_else(|| Error::Invalid("archive too large (2^32 entries)".into()))?;
        }
        Ok((segs, outlets))
    }

    /// The archive's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the archive was made with.
    pub fn settings(&self) -> &ArchiveSettings {
        &self.settings
    }

    /// Refuse `settings` whose sketches would differ from the archive's, naming the fields.
    pub fn check_settings(&self, settings: &Settings) -> Result<()> {
        check_params(&self.dir, &self.settings.sketch, settings)
    }

    /// Documents, outlets, dates, size on disk and settings.
    pub fn stats(&self) -> Result<Stats> {
        let c = &self.catalog;
        let q = |sql: &str| -> Result<(i64, Option<String>, Option<String>)> {
            c.conn
                .query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(|e| c.err(e))
        };
        let (documents, first_date, last_date) =
            q("SELECT count(*), min(date), max(date) FROM docs")?;
        let (wire, _, _) = q("SELECT count(*), NULL, NULL FROM docs WHERE wire")?;
        let (outlets, _, _) = q("SELECT count(DISTINCT outlet), NULL, NULL FROM docs")?;
        let (undated, _, _) = q("SELECT count(*), NULL, NULL FROM docs WHERE date IS NULL")?;
        let removed: usize = self
            .segs
            .iter()
            .map(|s| {
                s.removed
                    .as_ref()
                    .map_or(0, |r| r.iter().filter(|&&x| x).count())
            })
            .sum();
        let mut bytes = 0;
        for entry in walk_files(&self.dir) {
            bytes += entry;
        }
        Ok(Stats {
            archive: self.dir.display().to_string(),
            documents: documents as usize,
            wire_documents: wire as usize,
            outlets: outlets as usize,
            undated: undated as usize,
            first_date,
            last_date,
            segments: self.segs.len(),
            removed_entries: removed,
            bytes,
            settings: self.settings.clone(),
        })
    }
}

fn walk_files(dir: &Path) -> Vec<u64> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => out.extend(walk_files(&e.path())),
                Ok(m) => out.push(m.len()),
                Err(_) => {}
            }
        }
    }
    out
}

fn check_params(dir: &Path, recorded: &SketchParams, settings: &Settings) -> Result<()> {
    let want = SketchParams::from_settings(settings);
    let diff = want.differences(recorded);
    if diff.is_empty() {
        return Ok(());
    }
    Err(Error::SettingsMismatch {
        path: dir.to_path_buf(),
        detail: format!(
            "{} (an archive keeps the settings it was created with)",
            diff.join("; ")
        ),
    })
}

/// What `index stats` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// The archive directory.
    pub archive: String,
    /// Live documents.
    pub documents: usize,
    /// Of which wire (reference) copy.
    pub wire_documents: usize,
    /// Distinct outlets.
    pub outlets: usize,
    /// Documents without a date.
    pub undated: usize,
    /// Earliest date.
    pub first_date: Option<String>,
    /// Latest date.
    pub last_date: Option<String>,
    /// Segment files.
    pub segments: usize,
    /// Entries of removed or replaced documents still in segments (`index compact` drops them).
    pub removed_entries: usize,
    /// Size on disk.
    pub bytes: u64,
    /// Settings.
    pub settings: ArchiveSettings,
}

/// What an `add` did.
#[derive(Debug, Default)]
pub struct AddSummary {
    /// Documents added (replacements included).
    pub added: usize,
    /// Archived documents replaced.
    pub replaced: usize,
    /// Skipped inputs and warnings (bad input, ids already archived).
    pub problems: Vec<Problem>,
    /// Live documents afterwards.
    pub total: usize,
    /// Whether the add was committed (not when `strict` and something was skipped).
    pub committed: bool,
}

/// The one process allowed to change an archive (it holds `write.lock`).
pub struct Writer {
    dir: PathBuf,
    _lock: File,
    catalog: Catalog,
    settings: ArchiveSettings,
}

/// Documents sketched, waiting for their segment.
#[derive(Default)]
struct Staged {
    sets: Vec<Vec<u64>>,
    signatures: Vec<Vec<u32>>,
    outlets: Vec<String>,
    wire: Vec<bool>,
}

impl Writer {
    /// Take the write lock of `dir` (refused at once if another process holds it) and
    /// remove what a killed writer left behind.
    pub fn open(dir: &Path) -> Result<Writer> {
        // Reading first names a missing or damaged archive before anything is made in it.
        let reader = Archive::open(dir)?;
        drop(reader);
        let lock_path = dir.join("write.lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Invalid(format!(
                    "another wirecopy is writing to {}; try again when it has finished",
                    dir.display()
                )))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&lock_path)(e)),
        }
        let catalog = Catalog::open(&catalog_path(dir), None)?;
        let settings = read_settings(&catalog)?;
        let w = Writer {
            dir: dir.to_path_buf(),
            _lock: lock,
            catalog,
            settings,
        };
        w.collect_garbage()?;
        Ok(w)
    }

    /// The settings recorded at `create`.
    pub fn settings(&self) -> &ArchiveSettings {
        &self.settings
    }

    /// Remove segment files the manifest does not name: a killed writer's.
    fn collect_garbage(&self) -> Result<()> {
        let named: std::collections::HashSet<String> = self
            .catalog
            .segments()?
            .into_iter()
            .map(|(_, f, _)| f)
            .collect();
        let dir = segments_dir(&self.dir);
        let rd = std::fs::read_dir(&dir).map_err(io(&dir))?;
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let ours = name.ends_with(".wcseg") || name.ends_with(".tmp");
            if ours && !named.contains(&name) {
                std::fs::remove_file(e.path()).map_err(io(&e.path()))?;
            }
        }
        let _ = std::fs::remove_file(self.dir.join(".catalog.sqlite.tmp"));
        Ok(())
    }

    fn begin(&self) -> Result<()> {
        self.catalog
            .conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.catalog.err(e))
    }

    fn commit(&self) -> Result<()> {
        self.catalog
            .conn
            .execute_batch("COMMIT")
            .map_err(|e| self.catalog.err(e))
    }

    fn live_count(&self) -> Result<usize> {
        let n: i64 = self
            .catalog
            .conn
            .query_row("SELECT count(*) FROM docs", [], |r| r.get(0))
            .map_err(|e| self.catalog.err(e))?;
        Ok(n as usize)
    }

    fn next_segment(&self) -> Result<i64> {
        let n: Option<i64> = self
            .catalog
            .conn
            .query_row("SELECT max(seg) FROM segments", [], |r| r.get(0))
            .map_err(|e| self.catalog.err(e))?;
        Ok(n.unwrap_or(0) + 1)
    }

    /// Read `inputs` as `report` does and add their documents (one transaction). `wire`
    /// specs mark wire documents as `--wire` does. Ids already archived are skipped with a
    /// problem naming both, or replace the archived ones.
    pub fn add(
        &mut self,
        inputs: &[Input],
        opts: &LoadOptions,
        wire: &[String],
        on_dup: OnDuplicate,
        strict: bool,
        progress: &dyn Progress,
    ) -> Result<AddSummary> {
        let settings = self.settings.created_with.clone();
        let hasher = crate::minhash::MinHasher::new(settings.permutations, settings.seed);
        let mut add = Adding::new(self)?;
        let mut problems = Vec::new();
        progress.start(Stage::Read, None);
        let started = std::time::Instant::now();
        let mut failed = None;
        let (mut sketching, mut text) = (std::time::Duration::ZERO, 0u64);
        corpus::load_batches(inputs, opts, &mut problems, &mut |batch| {
            if failed.is_some() {
                return;
            }
            let t = std::time::Instant::now();
            let mut sk = crate::Sketches::default();
            sk.extend(batch, &hasher, &settings, progress);
            sketching += t.elapsed();
            text += batch.iter().map(|d| d.text.len() as u64).sum::<u64>();
            let flags = crate::attribute::wire_flags(batch, wire);
            let docs = std::mem::take(batch);
            if let Err(e) = add.push(docs, sk.sets, sk.signatures, sk.words, flags, on_dup) {
                failed = Some(e);
            }
        })?;
        let stored = add.storing;
        let read = started.elapsed().saturating_sub(sketching + stored);
        progress.part("read", read, Some(text));
        progress.part("sketch", sketching, Some(text));
        progress.finish(Stage::Read);
        if let Some(e) = failed {
            return Err(e);
        }
        if strict && (problems.iter().chain(&add.problems).any(|p| p.skipped)) {
            problems.append(&mut add.problems);
            // Dropped without a commit: rolled back, nothing added.
            drop(add);
            return Ok(AddSummary {
                problems,
                total: self.live_count()?,
                ..AddSummary::default()
            });
        }
        let t = std::time::Instant::now();
        let mut summary = add.finish(progress)?;
        progress.part("store", stored + t.elapsed(), Some(text));
        problems.append(&mut summary.problems);
        summary.problems = problems;
        Ok(summary)
    }

    /// Add documents already read and sketched (`report --archive --add`): texts that were
    /// dropped are read again from their files.
    pub fn add_sketched(
        &mut self,
        new: query::NewDocs,
        opts: &LoadOptions,
        on_dup: OnDuplicate,
    ) -> Result<AddSummary> {
        let query::NewDocs {
            mut docs,
            sets,
            signatures,
            words,
            wire,
        } = new;
        let texts: Vec<Option<String>> = docs
            .par_iter()
            .map(|d| {
                if d.text.is_empty() && d.origin != corpus::Origin::Memory {
                    corpus::reread(d, opts).map(Some)
                } else {
                    Ok(None)
                }
            })
            .collect::<Result<_>>()?;
        for (d, t) in docs.iter_mut().zip(texts) {
            if let Some(t) = t {
                d.text = t;
            }
        }
        let mut add = Adding::new(self)?;
        add.push(docs, sets, signatures, words, wire, on_dup)?;
        add.finish(&crate::progress::NoProgress)
    }

    /// Remove documents by id. Returns the ids removed and those not found.
    pub fn remove_ids(&mut self, ids: &[String]) -> Result<(usize, Vec<String>)> {
        self.begin()?;
        let mut missing = Vec::new();
        let mut removed = 0;
        for id in ids {
            match self.catalog.find(id)? {
                Some((seg, local, _)) => {
                    self.remove_entry(seg, local)?;
                    removed += 1;
                }
                None => missing.push(id.clone()),
            }
        }
        self.commit()?;
        Ok((removed, missing))
    }

    /// Remove the documents dated before `date` (`YYYY-MM-DD`; undated ones are kept).
    pub fn remove_before(&mut self, date: &str) -> Result<usize> {
        self.begin()?;
        let keys: Vec<(i64, u32)> = {
            let mut st = self
                .catalog
                .conn
                .prepare("SELECT seg, local FROM docs WHERE date IS NOT NULL AND date < ?1")
                .map_err(|e| self.catalog.err(e))?;
            let rows = st
                .query_map([date], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| self.catalog.err(e))?;
            rows.collect::<rusqlite::Result<_>>()
                .map_err(|e| self.catalog.err(e))?
        };
        for &(seg, local) in &keys {
            self.remove_entry(seg, local)?;
        }
        self.commit()?;
        Ok(keys.len())
    }

    fn remove_entry(&self, seg: i64, local: u32) -> Result<()> {
        let c = &self.catalog;
        for sql in [
            "DELETE FROM docs WHERE key = ?1",
            "DELETE FROM texts WHERE key = ?1",
        ] {
            c.conn
                .execute(sql, [catalog::key(seg, local)])
                .map_err(|e| c.err(e))?;
        }
        c.conn
            .execute(
                "INSERT OR IGNORE INTO removed(seg, local) VALUES (?1, ?2)",
                rusqlite::params![seg, local],
            )
            .map_err(|e| c.err(e))?;
        Ok(())
    }

    /// Rewrite the segments without removed entries, merged into as few files as
    /// [`SEGMENT_DOCS`] allows, documents kept in order (answers do not change). Returns
    /// (segments before, segments after).
    pub fn compact(&mut self) -> Result<(usize, usize)> {
        let snapshot = Archive::open(&self.dir)?;
        let before = snapshot.segs.len();
        let sketch = self.settings.sketch.clone();
        let dir = self.dir.clone();
        let mut add = Adding::new(self)?;
        let mut moves: Vec<((i64, u32), (i64, u32))> = Vec::new();
        for s in &snapshot.segs {
            s.file.verify()?;
        }
        for s in &snapshot.segs {
            let names = s.file.outlet_names()?;
            for local in 0..s.file.docs() {
                if !s.live(local) {
                    continue;
                }
                let to = add.stage_sketch(
                    s.file.set(local).to_vec(),
                    s.file.signature(local).to_vec(),
                    names[s.file.outlets()[local] as usize].clone(),
                    s.file.wire()[local] != 0,
                    &sketch,
                )?;
                moves.push(((s.id, local as u32), to));
            }
        }
        add.flush()?;
        let c = &add.writer.catalog;
        // Move every document row to its new place: first out of the way (negative
        // segments), then in, so no two rows ever share a key.
        for &((seg, local), _) in &moves {
            let k = catalog::key(seg, local);
            for sql in [
                "UPDATE docs SET key = -?1 - 1 WHERE key = ?1",
                "UPDATE texts SET key = -?1 - 1 WHERE key = ?1",
            ] {
                c.conn.execute(sql, [k]).map_err(|e| c.err(e))?;
            }
        }
        for &((seg, local), (to_seg, to_local)) in &moves {
            let (k, to) = (catalog::key(seg, local), catalog::key(to_seg, to_local));
            c.conn
                .execute(
                    "UPDATE docs SET key = ?2, seg = ?3, local = ?4 WHERE key = -?1 - 1",
                    rusqlite::params![k, to, to_seg, to_local],
                )
                .map_err(|e| c.err(e))?;
            c.conn
                .execute(
                    "UPDATE texts SET key = ?2 WHERE key = -?1 - 1",
                    rusqlite::params![k, to],
                )
                .map_err(|e| c.err(e))?;
        }
        let old: Vec<String> = snapshot
            .segs
            .iter()
            .map(|s| {
                s.file
                    .path()
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        for s in &snapshot.segs {
            c.conn
                .execute("DELETE FROM segments WHERE seg = ?1", [s.id])
                .map_err(|e| c.err(e))?;
        }
        c.conn
            .execute("DELETE FROM removed", [])
            .map_err(|e| c.err(e))?;
        let after = add.segments_written;
        add.writer.commit()?;
        drop(add);
        drop(snapshot);
        for f in old {
            let _ = std::fs::remove_file(segments_dir(&dir).join(f));
        }
        Ok((before, after))
    }
}

/// An `add` in progress: one transaction, segments written as they fill.
struct Adding<'w> {
    writer: &'w mut Writer,
    staged: Staged,
    seg: i64,
    segments_written: usize,
    added: usize,
    replaced: usize,
    problems: Vec<Problem>,
    today: String,
    /// Time spent compressing, cataloguing and writing segments so far.
    storing: std::time::Duration,
}

impl<'w> Adding<'w> {
    fn new(writer: &'w mut Writer) -> Result<Adding<'w>> {
        writer.begin()?;
        let seg = writer.next_segment()?;
        Ok(Adding {
            writer,
            staged: Staged::default(),
            seg,
            segments_written: 0,
            added: 0,
            replaced: 0,
            problems: Vec::new(),
            today: today(),
            storing: std::time::Duration::ZERO,
        })
    }

    /// Stage a batch of read, sketched documents: catalog rows now, sketches for the segment.
    fn push(
        &mut self,
        docs: Vec<Document>,
        sets: Vec<Vec<u64>>,
        signatures: Vec<Vec<u32>>,
        words: Vec<usize>,
        wire: Vec<bool>,
        on_dup: OnDuplicate,
    ) -> Result<()> {
        let t = std::time::Instant::now();
        let texts: Vec<Vec<u8>> = docs
            .par_iter()
            .map(|d| catalog::compress(&d.text))
            .collect();
        let sketch = self.writer.settings.sketch.clone();
        for ((((d, set), sig), (w, text)), is_wire) in docs
            .into_iter()
            .zip(sets)
            .zip(signatures)
            .zip(words.into_iter().zip(texts))
            .zip(wire)
        {
            if let Some((seg, local, from)) = self.writer.catalog.find(&d.id)? {
                match on_dup {
                    OnDuplicate::Skip => {
                        self.problems.push(Problem {
                            path: d.path.clone().unwrap_or_else(|| "-".into()),
                            line: d.line,
                            doc: Some(d.id.clone()),
                            message: format!(
                                "id {} is already in the archive (added from {from}); use --replace to replace it",
                                d.id
                            ),
                            skipped: true,
                        });
                        continue;
                    }
                    OnDuplicate::Replace => {
                        self.writer.remove_entry(seg, local)?;
                        self.replaced += 1;
                    }
                }
            }
            let (seg, local) = self.stage_sketch(set, sig, d.outlet.clone(), is_wire, &sketch)?;
            self.writer
                .catalog
                .insert((seg, local), &d, is_wire, w, &self.today, &text)?;
            self.added += 1;
        }
        self.storing += t.elapsed();
        Ok(())
    }

    /// Stage one sketch; returns where it will be (segment, entry).
    fn stage_sketch(
        &mut self,
        set: Vec<u64>,
        sig: Vec<u32>,
        outlet: String,
        wire: bool,
        _sketch: &SketchParams,
    ) -> Result<(i64, u32)> {
        if self.staged.sets.len() >= SEGMENT_DOCS {
            self.flush()?;
        }
        let local = self.staged.sets.len() as u32;
        self.staged.sets.push(set);
        self.staged.signatures.push(sig);
        self.staged.outlets.push(outlet);
        self.staged.wire.push(wire);
        Ok((self.seg, local))
    }

    /// Write the staged sketches as a segment (not yet committed).
    fn flush(&mut self) -> Result<()> {
        let st = std::mem::take(&mut self.staged);
        if st.sets.is_empty() {
            return Ok(());
        }
        let p = &self.writer.settings.sketch;
        let docs: Vec<segment::DocSketch> = (0..st.sets.len())
            .into_par_iter()
            .map(|i| segment::DocSketch {
                set: &st.sets[i],
                signature: &st.signatures[i],
                bands: if st.sets[i].is_empty() {
                    Vec::new()
                } else {
                    crate::lsh::band_keys(&st.signatures[i], p.bands, p.rows)
                },
                outlet: &st.outlets[i],
                wire: st.wire[i],
            })
            .collect();
        let dir = segments_dir(&self.writer.dir);
        let name = format!("seg-{:08}.wcseg", self.seg);
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let path = dir.join(&name);
        let bytes = segment::write(&tmp, &docs, p.permutations).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        sync_dir(&dir)?;
        let c = &self.writer.catalog;
        c.conn
            .execute(
                "INSERT INTO segments(seg, file, docs, bytes) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![self.seg, name, docs.len() as i64, bytes as i64],
            )
            .map_err(|e| c.err(e))?;
        self.seg += 1;
        self.segments_written += 1;
        Ok(())
    }

    fn finish(mut self, progress: &dyn Progress) -> Result<AddSummary> {
        let t = std::time::Instant::now();
        self.flush()?;
        progress.part("segments", t.elapsed(), None);
        let t = std::time::Instant::now();
        self.writer.commit()?;
        progress.part("commit", t.elapsed(), None);
        Ok(AddSummary {
            added: self.added,
            replaced: self.replaced,
            problems: std::mem::take(&mut self.problems),
            total: self.writer.live_count()?,
            committed: true,
        })
    }
}

impl Drop for Adding<'_> {
    fn drop(&mut self) {
        // Not committed (an error): roll back; the segment files written are garbage the
        // next writer removes.
        let _ = self.writer.catalog.conn.execute_batch("ROLLBACK");
    }
}

/// Today's date (UTC), `YYYY-MM-DD`, recorded with each added document.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
