//! The archive's safety: damaged and missing files named, one writer at a time, an `add`
//! killed at any moment, a reader while a writer adds.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};

use super::*;

/// A garbage or truncated catalog or segment is refused (exit 2) by readers and writers
/// with a message naming the file; a directory that is not an archive, or no directory,
/// says so; `index create` refuses a directory that is not empty.
#[test]
fn damaged_or_missing_archive_files_are_named() {
    let s = archived();
    let f = &s.f;
    let copy = |name: &str| {
        let to = f.path(name);
        std::fs::create_dir_all(to.join("segments")).unwrap();
        for rel in ["catalog.sqlite", "write.lock"] {
            if f.path(&format!("A/{rel}")).exists() {
                std::fs::copy(f.path(&format!("A/{rel}")), to.join(rel)).unwrap();
            }
        }
        for e in std::fs::read_dir(f.path("A/segments")).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, to.join("segments").join(p.file_name().unwrap())).unwrap();
        }
    };
    let refused = |archive: &str, file: &str| {
        for args in [
            vec!["index", "stats", archive],
            vec!["report", "--archive", archive, QUERY],
            vec!["index", "add", archive, ADDS[1]],
        ] {
            let run = f.run(&args);
            assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
            assert!(
                run.stderr.contains(file),
                "{args:?}: want {file}: {}",
                run.stderr
            );
            assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
        }
    };

    copy("G");
    let mut rng = Lcg(3);
    let garbage: Vec<u8> = (0..8192).map(|_| rng.next() as u8).collect();
    f.write("G/catalog.sqlite", &garbage);
    refused("G", "G/catalog.sqlite");

    copy("T");
    let seg = f.path("T/segments/seg-00000002.wcseg");
    let len = seg.metadata().unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&seg)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    refused("T", "T/segments/seg-00000002.wcseg");

    copy("H");
    f.write("H/segments/seg-00000003.wcseg", &garbage);
    refused("H", "H/segments/seg-00000003.wcseg");

    copy("C");
    let cat = f.path("C/catalog.sqlite");
    let len = cat.metadata().unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&cat)
        .unwrap()
        .set_len(len / 3)
        .unwrap();
    refused("C", "C/catalog.sqlite");

    // Not an archive.
    for args in [
        vec!["index", "stats", "dir"],
        vec!["report", "--archive", "dir", QUERY],
        vec!["index", "add", "dir", ADDS[1]],
        vec!["index", "stats", "nowhere"],
        vec!["report", "--archive", "nowhere", QUERY],
    ] {
        let run = f.run(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("not a wirecopy archive") || run.stderr.contains("no archive"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("wirecopy index create"),
            "{}",
            run.stderr
        );
    }
    assert!(!f.path("dir/catalog.sqlite").exists() && !f.path("dir/write.lock").exists());
    assert!(!f.path("nowhere").exists());
    let run = f.run(&["index", "create", "dir"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("dir: exists and is not empty"),
        "{}",
        run.stderr
    );
    // The original is untouched by all this.
    assert_eq!(documents(f, "A"), 200);
}

/// A segment whose body is garbage (its header, and so its size, intact) is refused with
/// exit 2 naming it by a query and by `index compact`, which read it, rather than crashing
/// or answering from garbage.
#[test]
fn segment_with_a_garbage_body_is_refused_naming_it() {
    let s = archived();
    let f = &s.f;
    let seg = f.path("A/segments/seg-00000002.wcseg");
    let mut bytes = std::fs::read(&seg).unwrap();
    let mut rng = Lcg(11);
    // Keep the 64-byte header and the outlet names at the end.
    let end = bytes.len() - 200;
    for b in &mut bytes[64..end] {
        *b = rng.next() as u8;
    }
    std::fs::write(&seg, &bytes).unwrap();
    for args in [
        vec!["report", "--archive", "A", QUERY, "--format", "json"],
        vec!["index", "compact", "A"],
    ] {
        let run = f.run(&args);
        assert_eq!(run.code, 2, "{args:?}: exit {}: {}", run.code, run.stderr);
        assert!(
            run.stderr.contains("A/segments/seg-00000002.wcseg"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

/// Spawn wirecopy in the fixture directory, its stderr piped.
fn spawn(f: &Fixture, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_wirecopy"))
        .args(args)
        .current_dir(f.dir.path())
        .env_remove("RAYON_NUM_THREADS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Exit code and stderr of a finished child.
fn outcome(child: Child) -> (i32, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every command that writes is refused (exit 2, saying why) while the archive's write
/// lock is held, and changes nothing; readers go on; once the lock is released, writing
/// works again.
#[cfg(unix)]
#[test]
fn writers_are_refused_while_the_lock_is_held() {
    let s = archived();
    let f = &s.f;
    let before = stats(f, "A");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(f.path("A/write.lock"))
        .unwrap();
    lock.try_lock().expect("no writer is running");
    f.write(
        "new.jsonl",
        renamed(
            &s.query_docs().into_iter().cloned().collect::<Vec<_>>(),
            "n-",
        ),
    );
    for args in [
        vec!["index", "add", "A", "new.jsonl"],
        vec!["index", "remove", "A", "--id", "wire-0001"],
        vec!["index", "remove", "A", "--before", OUTLET_DAY],
        vec!["index", "compact", "A"],
        vec![
            "report",
            "--archive",
            "A",
            "--add",
            "new.jsonl",
            "-o",
            "r.json",
        ],
    ] {
        let run = f.run(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("wirecopy: error: {LOCKED}")),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert_eq!(stats(f, "A"), before);
    // Readers do not need the lock.
    assert!(coverage(&query_report(f, &[QUERY], &[]), &s.query).0 > 0);
    drop(lock);
    let run = f.run(&["index", "add", "A", "new.jsonl"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(documents(f, "A"), 220);
}

/// An `index add` started while another is running (held inside its add by a FIFO it reads)
/// is refused at once (exit 2, saying so) and adds nothing; readers see the archive as it
/// was; the first add then finishes and adds all of its documents.
#[cfg(unix)]
#[test]
fn second_add_while_one_is_running_is_refused() {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let s = archived();
    let f = &s.f;
    let before = stats(f, "A");
    let q: Vec<Doc> = s.query_docs().into_iter().cloned().collect();
    f.write("first.jsonl", renamed(&q, "first-"));
    f.write("second.jsonl", renamed(&q, "second-"));
    let gate = f.path("gate.jsonl");
    assert!(Command::new("mkfifo")
        .arg(&gate)
        .status()
        .unwrap()
        .success());
    let mut first = spawn(
        f,
        &[
            "index",
            "add",
            "A",
            "first.jsonl",
            "gate.jsonl",
            "--read-timeout",
            "60",
        ],
    );
    // Opening the FIFO's write end without blocking succeeds once the add has opened it to
    // read, which it does after taking the lock.
    let start = std::time::Instant::now();
    let mut writer = loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&gate)
        {
            Ok(w) => break w,
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
                assert!(
                    first.try_wait().unwrap().is_none(),
                    "the first add ended before reading the FIFO"
                );
                assert!(start.elapsed().as_secs() < 20, "the FIFO was never opened");
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(e) => panic!("{e}"),
        }
    };
    let (code, stderr) = outcome(spawn(f, &["index", "add", "A", "second.jsonl"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!("wirecopy: error: {LOCKED}")),
        "{stderr}"
    );
    assert_eq!(stats(f, "A"), before, "readers see the archive as it was");
    let line = serde_json::json!({"id": "gate", "outlet": "gate", "text": q[0].text});
    writer.write_all(format!("{line}\n").as_bytes()).unwrap();
    drop(writer);
    let (code, stderr) = outcome(first);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("added 21 document(s) to A (221 in the archive)"),
        "{stderr}"
    );
    assert_eq!(documents(f, "A"), 221);
    // The first add's documents are archived, the second's are not.
    let run = f.run(&[
        "index",
        "remove",
        "A",
        "--id",
        "gate",
        "--id",
        "first-outlet-01/0004",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = f.run(&["index", "remove", "A", "--id", "second-outlet-01/0004"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("no document second-outlet-01/0004 in the archive"),
        "{}",
        run.stderr
    );
}

/// `index add` killed (SIGKILL) at moments spread over its whole run, 20 times: each time
/// `index stats` still reads the archive, which holds the documents of before the add or
/// of after it, never another count; what the killed runs left behind does not stop the
/// next add, whose garbage collection leaves only the segments the archive names.
#[cfg(unix)]
#[test]
fn add_killed_at_any_moment_leaves_the_old_or_the_new_archive() {
    let s = archived();
    let f = &s.f;
    let batch = |name: &str| {
        let text: String = (0..3)
            .map(|c| renamed(&s.docs, &format!("{name}-{c}-")))
            .collect();
        f.write(&format!("{name}.jsonl"), text);
        format!("{name}.jsonl")
    };
    const BATCH: u64 = 660;
    // How long one whole add takes here.
    let warm = batch("warm");
    let start = std::time::Instant::now();
    let (code, stderr) = outcome(spawn(f, &["index", "add", "A", &warm]));
    let whole = start.elapsed();
    assert_eq!(code, 0, "{stderr}");
    let mut count = documents(f, "A");
    assert_eq!(count, 200 + BATCH);
    let mut rng = Lcg(2026);
    const RUNS: u32 = 20;
    let (mut olds, mut news) = (0, 0);
    for i in 0..RUNS {
        let path = batch(&format!("kill{i}"));
        let mut child = spawn(f, &["index", "add", "A", &path]);
        // Anywhere from at once to twice the whole add's time.
        let delay = whole.mul_f64(2.0 * rng.below(1000) as f64 / 1000.0);
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL; it may have finished already
        child.wait().unwrap();
        let run = f.run(&["index", "stats", "A", "--format", "json"]);
        assert_eq!(
            run.code, 0,
            "run {i} (killed after {delay:?}): {}",
            run.stderr
        );
        let now = json(&run)["documents"].as_u64().unwrap();
        if now == count {
            olds += 1;
        } else if now == count + BATCH {
            news += 1;
        } else {
            panic!("run {i}: {now} documents, {count} before the add, {BATCH} added");
        }
        count = now;
        if i % 5 == 4 {
            let run = f.run(&["report", "--archive", "A", QUERY, "--format", "json"]);
            assert_eq!(run.code, 0, "run {i}: {}", run.stderr);
        }
    }
    println!("{olds} killed before the commit, {news} after (one add takes {whole:?})");
    assert!(
        olds > 0 && news > 0,
        "kills not spread: {olds} old, {news} new"
    );
    let last = batch("last");
    let run = f.run(&["index", "add", "A", &last]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let st = stats(f, "A");
    assert_eq!(st["documents"].as_u64().unwrap(), count + BATCH);
    let files: Vec<String> = std::fs::read_dir(f.path("A/segments"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.iter().all(|n| n.ends_with(".wcseg")), "{files:?}");
    assert_eq!(
        files.len() as u64,
        st["segments"].as_u64().unwrap(),
        "{files:?}"
    );
    // The query is still answered: with the corpus added 20 times over, its text is common
    // to the archive, so it comes back as boilerplate groups more than as passages.
    let r = query_report(f, &[QUERY], &[]);
    let boilerplate = r["boilerplate"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["outlets"].as_array().unwrap())
        .flat_map(|o| o["occurrences"].as_array().unwrap())
        .filter(|o| s.query.contains(o["doc"].as_str().unwrap()))
        .count();
    assert!(coverage(&r, &s.query).0 + boilerplate > 0);
}

/// While a writer adds 5 batches of 7 documents one after another, a reader running
/// `index stats` in a loop always sees a whole state: old + 7k documents in old segments
/// + k, never an error.
#[test]
fn reader_during_adds_sees_whole_states() {
    let s = archived();
    let f = &s.f;
    let before = stats(f, "A");
    let (docs0, segs0) = (
        before["documents"].as_u64().unwrap(),
        before["segments"].as_u64().unwrap(),
    );
    for k in 0..5 {
        f.write(
            &format!("b{k}.jsonl"),
            renamed(&s.docs[..7], &format!("b{k}-")),
        );
    }
    let done = std::sync::atomic::AtomicBool::new(false);
    let mut seen = Vec::new();
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            for k in 0..5 {
                let run = f.run(&["index", "add", "A", &format!("b{k}.jsonl")]);
                assert_eq!(run.code, 0, "batch {k}: {}", run.stderr);
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        while !done.load(std::sync::atomic::Ordering::SeqCst) && !writer.is_finished() {
            let run = f.run(&["index", "stats", "A", "--format", "json"]);
            assert_eq!(run.code, 0, "reader: {}", run.stderr);
            let st = json(&run);
            seen.push((
                st["documents"].as_u64().unwrap(),
                st["segments"].as_u64().unwrap(),
            ));
        }
        writer.join().unwrap();
    });
    for &(docs, segs) in &seen {
        let k = segs.checked_sub(segs0).expect("fewer segments than before");
        assert!(
            k <= 5 && docs == docs0 + 7 * k,
            "saw {docs} documents in {segs} segments"
        );
    }
    let distinct: HashSet<_> = seen.iter().collect();
    println!("{} reads, {} distinct states", seen.len(), distinct.len());
    assert_eq!(documents(f, "A"), docs0 + 35);
}
