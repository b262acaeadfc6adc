//! Concurrency and crash facts, checked with real second processes (this binary
//! re-executed as `archive-engines probe|crash ...`), never taken from documentation.
//!
//! Questions: can a second process read while one writes, and what does it see? What
//! does a second writer get? After a writer is SIGKILLed right after a durable commit and
//! in the middle of the next transaction, does the store open, how long does that take,
//! and does it hold exactly the committed state?

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::catalog::{self, fjall_open, redb_open, sqlite_open, Engine};

fn me() -> Command {
    Command::new(std::env::current_exe().expect("own path"))
}

fn probe(engine: &str, dir: &Path) -> String {
    let out = me()
        .args(["probe", engine])
        .arg(dir)
        .output()
        .expect("run probe");
    let mut s = String::from_utf8_lossy(&out.stdout).trim_end().to_string();
    if !out.status.success() {
        s.push_str(&format!(
            " [probe exited {}: {}]",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    s
}

/// The child side of `probe`: prints what a second process can do with the store.
pub fn probe_child(engine: &str, dir: &Path) {
    match engine {
        "sqlite" => {
            let c = sqlite_open(dir);
            let n: u64 = c
                .query_row("SELECT count(*) FROM docs", [], |r| r.get(0))
                .unwrap();
            print!("read ok ({n} docs); ");
            c.busy_timeout(Duration::from_millis(200)).unwrap();
            let t = Instant::now();
            match c.execute_batch("BEGIN IMMEDIATE") {
                Ok(()) => print!("write lock taken"),
                Err(e) => print!(
                    "second writer refused after {} ms: \"{e}\"",
                    t.elapsed().as_millis()
                ),
            }
            println!();
        }
        "redb" => match redb_open(dir) {
            Ok(db) => {
                use redb::ReadableTableMetadata;
                let r = db.begin_read().unwrap();
                let t = r
                    .open_table(redb::TableDefinition::<&str, (&str, &[u8])>::new("docs"))
                    .unwrap();
                println!("opened, read ok ({} docs)", t.len().unwrap());
            }
            Err(e) => println!("open refused: \"{e}\" ({e:?})"),
        },
        "fjall" => {
            let (ks, p) = fjall_open(dir, "docs");
            print!("opened, read ok ({} docs); ", p.len().unwrap());
            p.insert("child-was-here", "x").unwrap();
            ks.persist(fjall::PersistMode::SyncAll).unwrap();
            println!("wrote and synced a key");
        }
        _ => panic!("unknown probe {engine}"),
    }
}

/// Second-process facts for each catalog engine, on a copy of a 100k-document store
/// made by `fresh()` for each engine.
pub fn facts(fresh: &dyn Fn(Engine) -> std::path::PathBuf) -> Vec<String> {
    let mut out = Vec::new();

    // SQLite: a writer holds an open transaction with 10 uncommitted rows.
    let dir = fresh(Engine::SqliteRowid);
    let c = sqlite_open(&dir);
    c.execute_batch("BEGIN IMMEDIATE").unwrap();
    for i in 0..10 {
        c.execute(
            "INSERT INTO docs(id, meta, text) VALUES (?1, '{}', x'00')",
            [format!("pending-{i}")],
        )
        .unwrap();
    }
    out.push(format!(
        "sqlite: while a writer holds 10 uncommitted rows: {}",
        probe("sqlite", &dir)
    ));
    c.execute_batch("COMMIT").unwrap();
    out.push(format!(
        "sqlite: after the writer commits:              {}",
        probe("sqlite", &dir)
    ));
    drop(c);

    // redb: a process has the database open (no transaction at all).
    let dir = fresh(Engine::Redb);
    let db = redb_open(&dir).unwrap();
    out.push(format!(
        "redb:   while another process has it open:     {}",
        probe("redb", &dir)
    ));
    drop(db);
    out.push(format!(
        "redb:   after that process closes it:          {}",
        probe("redb", &dir)
    ));

    // fjall: a process has the keyspace open and has written a key.
    let dir = fresh(Engine::Fjall);
    let (ks, p) = fjall_open(&dir, "docs");
    p.insert("parent-1", "x").unwrap();
    ks.persist(fjall::PersistMode::SyncAll).unwrap();
    out.push(format!(
        "fjall:  while another process has it open:     {}",
        probe("fjall", &dir)
    ));
    p.insert("parent-2", "x").unwrap();
    ks.persist(fjall::PersistMode::SyncAll).unwrap();
    drop(p);
    drop(ks);
    let (_ks, p) = fjall_open(&dir, "docs");
    let has = |k: &str| p.get(k).unwrap().is_some();
    out.push(format!(
        "fjall:  reopened after both wrote: parent-1 {}, child-was-here {}, parent-2 {} \
         (no lock file: two writers run unguarded)",
        has("parent-1"),
        has("child-was-here"),
        has("parent-2")
    ));
    out
}

/// What reopening after a SIGKILL costs and finds.
pub struct Crash {
    /// Open + first lookup after the kill (recovery included).
    pub reopen: Duration,
    /// Documents found / documents committed before the kill.
    pub found: u64,
    /// Documents durably committed before the kill.
    pub committed: u64,
}

/// Kills a writer (SIGKILL) 300 ms into an uncommitted transaction that follows a durable
/// commit of 1,000 documents, then reopens the store.
pub fn crash(engine: Engine, dir: &Path, base: usize, added: usize, probe_id: &str) -> Crash {
    let before = catalog::count(engine, dir);
    let total = (base + added) as u32;
    let mut child = me()
        .args(["crash", &format!("{engine:?}")])
        .arg(dir)
        .args([base.to_string(), added.to_string(), total.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn crash child");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "committed", "crash child said {line:?}");
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL on unix
    child.wait().unwrap();
    let reopen = catalog::open_and_get(engine, dir, probe_id);
    Crash {
        reopen,
        found: catalog::count(engine, dir),
        committed: before + 1000,
    }
}
