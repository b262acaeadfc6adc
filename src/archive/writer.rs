//! The one writer of an archive: adds (one transaction each), retention and compaction.

use std::fs::File;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::catalog::{self, Catalog};
use super::segment;
use super::{
    catalog_path, io, query, read_settings, segments_dir, sync_dir, Archive, ArchiveSettings,
    OnDuplicate, SEGMENT_DOCS,
};
use crate::config::LoadOptions;
use crate::corpus::{self, Document, Input};
use crate::error::{Error, Problem, Result};
use crate::progress::{Progress, Stage};

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
            let (seg, local) = self.stage_sketch(set, sig, d.outlet.clone(), is_wire)?;
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
