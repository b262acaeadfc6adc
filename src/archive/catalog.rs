//! The catalog: an SQLite database (WAL journal, `synchronous=FULL`) holding the archive's
//! settings, the manifest of segment files, and every document's metadata and compressed
//! text.
//!
//! SQLite gives the archive its crash safety and its readers' snapshots: an `add` commits
//! the new segment's manifest row and its documents in one transaction, so a reader (or a
//! process started after a crash) sees the archive before or after it, never between.
//!
//! Tables:
//!
//! ```sql
//! meta(key PRIMARY KEY, value)          -- format, settings (JSON), created
//! segments(seg PRIMARY KEY, file, docs, bytes)
//! docs(key PRIMARY KEY = seg·2³² + local, seg, local, id UNIQUE, outlet, date, wire,
//!      body_start, lossy, words, meta (JSON: title, url, extra), path, line, added)
//! texts(key PRIMARY KEY, text (LZ4))  -- apart, so scans of metadata skip the texts
//! removed(seg, local, PRIMARY KEY (seg, local))  -- entries of segments no longer live
//! ```

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::corpus::Document;
use crate::error::{Error, Result};

/// The `format` value in `meta`.
pub const FORMAT: &str = "wirecopy-archive 1";

/// An open catalog.
pub struct Catalog {
    pub(crate) conn: Connection,
    path: PathBuf,
}

/// What the catalog stores of a document besides its text.
#[derive(Debug, Clone)]
pub struct DocRow {
    /// Segment and position in it.
    pub seg: i64,
    /// Position in the segment.
    pub local: u32,
    /// The document, text included when asked for.
    pub doc: Document,
    /// Wire (reference) copy.
    pub wire: bool,
    /// Words (tokens).
    pub words: usize,
}

impl Catalog {
    /// Open the catalog of an archive (`create`: make it, with the settings JSON).
    pub fn open(path: &Path, create: Option<&str>) -> Result<Catalog> {
        let flags = if create.is_some() {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        } else {
            if !path.exists() {
                return Err(Error::BadFile {
                    path: path.to_path_buf(),
                    detail:
                        "missing: not a wirecopy archive (make one with `wirecopy index create`)"
                            .into(),
                });
            }
            OpenFlags::SQLITE_OPEN_READ_WRITE
        };
        let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| bad(path, e))?;
        let c = Catalog {
            conn,
            path: path.to_path_buf(),
        };
        c.conn
            .busy_timeout(std::time::Duration::from_secs(30))
            .map_err(|e| c.err(e))?;
        c.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| c.err(e))?;
        c.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| c.err(e))?;
        // A large add's pages stay in memory until its commit (the default 2 MB cache spills
        // them to the log mid-transaction, writing many twice).
        c.conn
            .pragma_update(None, "cache_size", -262_144)
            .map_err(|e| c.err(e))?;
        if let Some(settings) = create {
            c.conn
                .execute_batch(
                    "BEGIN;
                     CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                     CREATE TABLE segments(seg INTEGER PRIMARY KEY, file TEXT NOT NULL,
                         docs INTEGER NOT NULL, bytes INTEGER NOT NULL);
                     CREATE TABLE docs(key INTEGER PRIMARY KEY, seg INTEGER NOT NULL,
                         local INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,
                         outlet TEXT NOT NULL, date TEXT, wire INTEGER NOT NULL,
                         body_start INTEGER NOT NULL, lossy INTEGER NOT NULL,
                         words INTEGER NOT NULL, meta TEXT NOT NULL, path TEXT, line INTEGER,
                         added TEXT NOT NULL);
                     CREATE TABLE texts(key INTEGER PRIMARY KEY, text BLOB NOT NULL);
                     CREATE INDEX docs_date ON docs(date);
                     CREATE TABLE removed(seg INTEGER NOT NULL, local INTEGER NOT NULL,
                         PRIMARY KEY (seg, local)) WITHOUT ROWID;",
                )
                .map_err(|e| c.err(e))?;
            c.conn
                .execute(
                    "INSERT INTO meta(key, value) VALUES ('format', ?1), ('settings', ?2)",
                    params![FORMAT, settings],
                )
                .map_err(|e| c.err(e))?;
            c.conn.execute_batch("COMMIT").map_err(|e| c.err(e))?;
        }
        let format: Option<String> = c
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| c.err(e))?;
        match format.as_deref() {
            Some(FORMAT) => Ok(c),
            Some(other) => Err(Error::BadFile {
                path: path.to_path_buf(),
                detail: format!("archive format {other:?}; this wirecopy reads {FORMAT:?}"),
            }),
            None => Err(Error::BadFile {
                path: path.to_path_buf(),
                detail: "not a wirecopy archive catalog (no format recorded)".into(),
            }),
        }
    }

    /// The error of an SQLite call, naming the catalog.
    pub(crate) fn err(&self, e: rusqlite::Error) -> Error {
        bad(&self.path, e)
    }

    /// The catalog file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A `meta` value.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The segments, in order: (seg, file, docs).
    pub fn segments(&self) -> Result<Vec<(i64, String, usize)>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT seg, file, docs FROM segments ORDER BY seg")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as usize))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// The removed (seg, local) entries, sorted.
    pub fn removed(&self) -> Result<Vec<(i64, u32)>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT seg, local FROM removed ORDER BY seg, local")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Where an id is in the archive: (seg, local, "path:line" it was added from).
    pub fn find(&self, id: &str) -> Result<Option<(i64, u32, String)>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT seg, local, path, line, added FROM docs WHERE id = ?1")
            .map_err(|e| self.err(e))?;
        st.query_row([id], |r| {
            let path: Option<String> = r.get(2)?;
            let line: Option<i64> = r.get(3)?;
            let added: String = r.get(4)?;
            let mut from = path.unwrap_or_else(|| "-".into());
            if let Some(l) = line {
                from.push_str(&format!(":{l}"));
            }
            Ok((r.get(0)?, r.get(1)?, format!("{from}, on {added}")))
        })
        .optional()
        .map_err(|e| self.err(e))
    }

    /// Insert one document (inside the caller's transaction). `text` is compressed.
    pub fn insert(
        &self,
        (seg, local): (i64, u32),
        d: &Document,
        wire: bool,
        words: usize,
        added: &str,
        text: &[u8],
    ) -> Result<()> {
        let meta = serde_json::json!({"title": d.title, "url": d.url, "extra": d.extra});
        let mut st = self
            .conn
            .prepare_cached(
                "INSERT INTO docs(key, seg, local, id, outlet, date, wire, body_start, lossy,
                     words, meta, path, line, added)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )
            .map_err(|e| self.err(e))?;
        st.execute(params![
            key(seg, local),
            seg,
            local,
            d.id,
            d.outlet,
            d.date,
            wire,
            d.body_start as i64,
            d.lossy,
            words as i64,
            meta.to_string(),
            d.path,
            d.line.map(|l| l as i64),
            added,
        ])
        .map_err(|e| self.err(e))?;
        let mut st = self
            .conn
            .prepare_cached("INSERT INTO texts(key, text) VALUES (?1, ?2)")
            .map_err(|e| self.err(e))?;
        st.execute(params![key(seg, local), text])
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Read the documents at `(seg, local)` keys, with their texts.
    pub fn docs(&self, keys: &[(i64, u32)]) -> Result<Vec<DocRow>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT id, outlet, date, wire, body_start, lossy, words, meta, path, line, text
                 FROM docs JOIN texts USING (key) WHERE key = ?1",
            )
            .map_err(|e| self.err(e))?;
        let mut out = Vec::with_capacity(keys.len());
        for &(seg, local) in keys {
            let row = st
                .query_row(params![key(seg, local)], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, bool>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, bool>(5)?,
                        r.get::<_, i64>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, Option<String>>(8)?,
                        r.get::<_, Option<i64>>(9)?,
                        r.get::<_, Vec<u8>>(10)?,
                    ))
                })
                .optional()
                .map_err(|e| self.err(e))?;
            let Some((id, outlet, date, wire, body_start, lossy, words, meta, path, line, text)) =
                row
            else {
                return Err(Error::BadFile {
                    path: self.path.clone(),
                    detail: format!("no document at segment {seg}, entry {local}"),
                });
            };
            let text = decompress(&text).map_err(|e| Error::BadFile {
                path: self.path.clone(),
                detail: format!("the text of document {id} is damaged: {e}"),
            })?;
            let meta: serde_json::Value = serde_json::from_str(&meta).unwrap_or_default();
            let mut doc = Document::new(&id, &outlet, "");
            doc.text = text;
            doc.date = date;
            doc.body_start = (body_start as usize).min(doc.text.len());
            doc.lossy = lossy;
            doc.path = path;
            doc.line = line.map(|l| l as usize);
            doc.title = meta["title"].as_str().map(str::to_string);
            doc.url = meta["url"].as_str().map(str::to_string);
            if let Some(extra) = meta["extra"].as_object() {
                doc.extra = extra.clone();
            }
            out.push(DocRow {
                seg,
                local,
                doc,
                wire,
                words: words as usize,
            });
        }
        Ok(out)
    }
}

/// A document's key: its segment and position in it, in one integer (rows are appended in
/// key order, which SQLite stores cheapest).
pub fn key(seg: i64, local: u32) -> i64 {
    (seg << 32) | i64::from(local)
}

fn bad(path: &Path, e: rusqlite::Error) -> Error {
    let detail = match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            "not a wirecopy archive catalog (not an SQLite database)".to_string()
        }
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            format!("damaged archive catalog ({e})")
        }
        _ => format!("archive catalog: {e}"),
    };
    Error::BadFile {
        path: path.to_path_buf(),
        detail,
    }
}

/// Compress a text for the catalog (LZ4 block, size prepended).
pub fn compress(text: &str) -> Vec<u8> {
    lz4_flex::compress_prepend_size(text.as_bytes())
}

fn decompress(bytes: &[u8]) -> std::io::Result<String> {
    let raw = lz4_flex::decompress_size_prepended(bytes)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    String::from_utf8(raw).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}
