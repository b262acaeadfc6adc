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
mod writer;

pub use writer::{AddSummary, Writer};

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::error::{Error, Result};
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

pub(crate) fn catalog_path(dir: &Path) -> PathBuf {
    dir.join("catalog.sqlite")
}

pub(crate) fn segments_dir(dir: &Path) -> PathBuf {
    dir.join("segments")
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
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

pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

pub(crate) fn read_settings(cat: &Catalog) -> Result<ArchiveSettings> {
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
