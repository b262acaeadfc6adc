//! The catalog workload: documents (id, ~200 bytes of metadata JSON, a deflated ~3 KB
//! text) in one store per engine.
//!
//! Question: which engine adds a batch of documents durably (one transaction, fsync) and
//! serves point lookups by id (with the text inflated) fastest and smallest, and opens an
//! existing store quickest?
//!
//! Every store lives in a directory of its own, so a store is copied (to repeat an add on
//! the same starting state) and measured (bytes on disk) the same way for every engine.
//! Each engine gets the same cache budget, [`CACHE_BYTES`].

use std::path::Path;
use std::time::{Duration, Instant};

use crate::data::{inflate, Corpus};

/// Page/block cache given to every engine.
pub const CACHE_BYTES: usize = 256 << 20;

/// A catalog engine under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// SQLite, WAL, synchronous=FULL; a rowid table (texts stored in table b-tree leaves).
    SqliteRowid,
    /// SQLite as `src/archive/catalog.rs` lays out `docs` today: WITHOUT ROWID, keyed
    /// (seg, local), text inline (rows live in an index b-tree, whose cells spill to
    /// overflow pages past ~1,000 bytes).
    SqliteWithoutRowid,
    /// redb 2, `&str -> (&str, &[u8])`, Durability::Immediate.
    Redb,
    /// fjall 2 (LSM), key id, value meta_len | meta | text; journal fsync'd on commit.
    Fjall,
}

impl Engine {
    /// All catalog engines, in table order.
    pub const ALL: [Engine; 4] = [
        Engine::SqliteRowid,
        Engine::SqliteWithoutRowid,
        Engine::Redb,
        Engine::Fjall,
    ];

    /// Column heading.
    pub fn name(self) -> &'static str {
        match self {
            Engine::SqliteRowid => "sqlite rowid",
            Engine::SqliteWithoutRowid => "sqlite w/o rowid",
            Engine::Redb => "redb",
            Engine::Fjall => "fjall",
        }
    }
}

const REDB_DOCS: redb::TableDefinition<&str, (&str, &[u8])> = redb::TableDefinition::new("docs");

/// Opens an SQLite catalog with the archive's settings.
pub fn sqlite_open(dir: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(dir.join("catalog.sqlite")).expect("open sqlite");
    let mode: String = c
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .expect("wal");
    assert_eq!(mode, "wal");
    c.pragma_update(None, "synchronous", "FULL").expect("sync");
    c.pragma_update(None, "cache_size", -((CACHE_BYTES >> 10) as i64))
        .expect("cache");
    c
}

/// Opens a redb store.
pub fn redb_open(dir: &Path) -> Result<redb::Database, redb::DatabaseError> {
    redb::Builder::new()
        .set_cache_size(CACHE_BYTES)
        .create(dir.join("store.redb"))
}

/// Opens a fjall keyspace and its partition.
pub fn fjall_open(dir: &Path, name: &str) -> (fjall::Keyspace, fjall::PartitionHandle) {
    let ks = fjall::Config::new(dir.join("fjall"))
        .cache_size(CACHE_BYTES as u64)
        .open()
        .expect("open fjall");
    let p = ks
        .open_partition(name, fjall::PartitionCreateOptions::default())
        .expect("partition");
    (ks, p)
}

fn fjall_value(meta: &str, text: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(4 + meta.len() + text.len());
    v.extend_from_slice(&(meta.len() as u32).to_le_bytes());
    v.extend_from_slice(meta.as_bytes());
    v.extend_from_slice(text);
    v
}

fn fjall_split(v: &[u8]) -> (&[u8], &[u8]) {
    let n = u32::from_le_bytes(v[..4].try_into().unwrap()) as usize;
    (&v[4..4 + n], &v[4 + n..])
}

/// Creates an empty store in `dir`.
pub fn create(engine: Engine, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    match engine {
        Engine::SqliteRowid => sqlite_open(dir)
            .execute_batch(
                "CREATE TABLE docs(doc INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                     meta TEXT NOT NULL, text BLOB NOT NULL);",
            )
            .unwrap(),
        Engine::SqliteWithoutRowid => sqlite_open(dir)
            .execute_batch(
                "CREATE TABLE docs(seg INTEGER NOT NULL, local INTEGER NOT NULL,
                     id TEXT NOT NULL UNIQUE, meta TEXT NOT NULL, text BLOB NOT NULL,
                     PRIMARY KEY (seg, local)) WITHOUT ROWID;",
            )
            .unwrap(),
        Engine::Redb => {
            let db = redb_open(dir).unwrap();
            let w = db.begin_write().unwrap();
            w.open_table(REDB_DOCS).unwrap();
            w.commit().unwrap();
        }
        Engine::Fjall => {
            let (ks, _p) = fjall_open(dir, "docs");
            ks.persist(fjall::PersistMode::SyncAll).unwrap();
        }
    }
}

/// Adds documents `docs` in one durable transaction; returns the time from opening the
/// store to the durable commit (fsync) returning. Closing is not timed: fjall's close
/// waits up to a few hundred ms for its background threads to notice the stop signal.
pub fn add(engine: Engine, dir: &Path, corpus: &Corpus, docs: std::ops::Range<u32>) -> Duration {
    let t = Instant::now();
    match engine {
        Engine::SqliteRowid | Engine::SqliteWithoutRowid => {
            let mut c = sqlite_open(dir);
            let tx = c
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .unwrap();
            {
                let rowid = engine == Engine::SqliteRowid;
                let mut st = tx
                    .prepare(if rowid {
                        "INSERT INTO docs(doc, id, meta, text) VALUES (?1, ?2, ?3, ?4)"
                    } else {
                        "INSERT INTO docs(seg, local, id, meta, text) VALUES (?1, ?2, ?3, ?4, ?5)"
                    })
                    .unwrap();
                for n in docs {
                    let r = corpus.record(n);
                    if rowid {
                        st.execute(rusqlite::params![r.doc, r.id, r.meta, r.text])
                            .unwrap();
                    } else {
                        st.execute(rusqlite::params![
                            r.doc / 10_000,
                            r.doc % 10_000,
                            r.id,
                            r.meta,
                            r.text
                        ])
                        .unwrap();
                    }
                }
            }
            tx.commit().unwrap();
            let d = t.elapsed();
            c.close().unwrap();
            d
        }
        Engine::Redb => {
            let db = redb_open(dir).unwrap();
            let w = db.begin_write().unwrap();
            {
                let mut t = w.open_table(REDB_DOCS).unwrap();
                for n in docs {
                    let r = corpus.record(n);
                    t.insert(r.id.as_str(), (r.meta.as_str(), r.text)).unwrap();
                }
            }
            w.commit().unwrap();
            t.elapsed()
        }
        Engine::Fjall => {
            let (ks, p) = fjall_open(dir, "docs");
            let mut b = ks.batch().durability(Some(fjall::PersistMode::SyncAll));
            for n in docs {
                let r = corpus.record(n);
                b.insert(&p, r.id.as_bytes(), fjall_value(&r.meta, r.text));
            }
            b.commit().unwrap();
            ks.persist(fjall::PersistMode::SyncAll).unwrap();
            t.elapsed()
        }
    }
}

/// Opens the store, then looks up `ids` one by one, inflating each text; returns the time
/// from opening to the last lookup (closing excluded) and the bytes of metadata and
/// inflated text read (a checksum every engine must agree on).
pub fn lookup(engine: Engine, dir: &Path, ids: &[String]) -> (Duration, usize) {
    let mut total = 0;
    let t = Instant::now();
    let d = match engine {
        Engine::SqliteRowid | Engine::SqliteWithoutRowid => {
            let c = sqlite_open(dir);
            let mut st = c
                .prepare("SELECT meta, text FROM docs WHERE id = ?1")
                .unwrap();
            for id in ids {
                st.query_row([id], |row| {
                    let meta = row.get_ref(0)?.as_str()?;
                    let text = row.get_ref(1)?.as_blob()?;
                    total += meta.len() + inflate(text).len();
                    Ok(())
                })
                .unwrap();
            }
            t.elapsed()
        }
        Engine::Redb => {
            let db = redb_open(dir).unwrap();
            let r = db.begin_read().unwrap();
            let tb = r.open_table(REDB_DOCS).unwrap();
            for id in ids {
                let v = tb.get(id.as_str()).unwrap().expect("present");
                let (meta, text) = v.value();
                total += meta.len() + inflate(text).len();
            }
            t.elapsed()
        }
        Engine::Fjall => {
            let (_ks, p) = fjall_open(dir, "docs");
            for id in ids {
                let v = p.get(id.as_bytes()).unwrap().expect("present");
                let (meta, text) = fjall_split(&v);
                total += meta.len() + inflate(text).len();
            }
            t.elapsed()
        }
    };
    (d, total)
}

/// Opens the store and reads one document: what a query pays before its first lookup.
pub fn open_and_get(engine: Engine, dir: &Path, id: &str) -> Duration {
    lookup(engine, dir, &[id.to_string()]).0
}

/// Number of documents (untimed check).
pub fn count(engine: Engine, dir: &Path) -> u64 {
    use redb::ReadableTableMetadata;
    match engine {
        Engine::SqliteRowid | Engine::SqliteWithoutRowid => sqlite_open(dir)
            .query_row("SELECT count(*) FROM docs", [], |r| r.get(0))
            .unwrap(),
        Engine::Redb => {
            let db = redb_open(dir).unwrap();
            let r = db.begin_read().unwrap();
            r.open_table(REDB_DOCS).unwrap().len().unwrap()
        }
        Engine::Fjall => fjall_open(dir, "docs").1.len().unwrap() as u64,
    }
}

/// Child-process side of the crash test: adds `docs`, commits durably, says "committed"
/// on stdout, then keeps writing an uncommitted transaction until it is killed.
pub fn crash_child(engine: Engine, dir: &Path, corpus: &Corpus, docs: std::ops::Range<u32>) {
    use std::io::Write;
    let say = || {
        println!("committed");
        std::io::stdout().flush().unwrap();
    };
    let next = docs.end..docs.end + 1_000_000;
    match engine {
        Engine::SqliteRowid | Engine::SqliteWithoutRowid => {
            let _ = add(engine, dir, corpus, docs);
            say();
            let c = sqlite_open(dir);
            c.execute_batch("BEGIN IMMEDIATE").unwrap();
            let sql = if engine == Engine::SqliteRowid {
                "INSERT INTO docs(doc, id, meta, text) VALUES (?1, ?2, '{}', x'00')"
            } else {
                "INSERT INTO docs(seg, local, id, meta, text) VALUES (1000000, ?1, ?2, '{}', x'00')"
            };
            let mut st = c.prepare(sql).unwrap();
            for n in next {
                st.execute(rusqlite::params![n, format!("uncommitted-{n}")])
                    .unwrap();
            }
        }
        Engine::Redb => {
            let db = redb_open(dir).unwrap();
            let w = db.begin_write().unwrap();
            {
                let mut t = w.open_table(REDB_DOCS).unwrap();
                for n in docs {
                    let r = corpus.record(n);
                    t.insert(r.id.as_str(), (r.meta.as_str(), r.text)).unwrap();
                }
            }
            w.commit().unwrap();
            say();
            let w = db.begin_write().unwrap();
            let mut t = w.open_table(REDB_DOCS).unwrap();
            for n in next {
                t.insert(format!("uncommitted-{n}").as_str(), ("{}", &[0u8][..]))
                    .unwrap();
            }
        }
        Engine::Fjall => {
            let (ks, p) = fjall_open(dir, "docs");
            let mut b = ks.batch().durability(Some(fjall::PersistMode::SyncAll));
            for n in docs {
                let r = corpus.record(n);
                b.insert(&p, r.id.as_bytes(), fjall_value(&r.meta, r.text));
            }
            b.commit().unwrap();
            say();
            // The next batch is being filled (a batch is fjall's transaction here) and is
            // never committed.
            let mut b = ks.batch().durability(Some(fjall::PersistMode::SyncAll));
            for n in next {
                b.insert(
                    &p,
                    format!("uncommitted-{n}").as_bytes(),
                    fjall_value("{}", &[0]),
                );
            }
            std::thread::sleep(std::time::Duration::from_secs(60));
            b.commit().unwrap();
        }
    }
    std::thread::sleep(std::time::Duration::from_secs(60));
}
