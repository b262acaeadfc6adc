//! `wirecopy check` and `wirecopy diff`: baselines, exit codes, what the diff says, stable
//! passage ids and atomic `--update`.

use crate::support::{samples, Fixture, Run};

const DOC_001: &str = "corpus/001_0315c482c362d048.txt";

/// Copy the samples to `corpus/` and write `base.json` with `check --update`.
fn with_baseline() -> Fixture {
    let f = Fixture::new();
    for entry in std::fs::read_dir(samples()).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap();
        f.write(&format!("corpus/{name}"), std::fs::read(&p).unwrap());
    }
    let run = f.run(&["check", "--update", "--baseline", "base.json", "corpus"]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(
        run.stdout.contains("baseline base.json written"),
        "{}",
        run.stdout
    );
    f
}

fn check(f: &Fixture, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--baseline", "base.json", "corpus"];
    args.extend_from_slice(extra);
    f.run(&args)
}

/// Remove the paragraph (line) of sample 001 that starts with `start`.
fn delete_paragraph(f: &Fixture, start: &str) {
    let text = std::fs::read_to_string(f.path(DOC_001)).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with(start)).collect();
    assert_eq!(
        kept.len() + 1,
        text.lines().count(),
        "no paragraph {start:?}"
    );
    f.write(DOC_001, kept.join("\n") + "\n");
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).expect("valid JSON")
}

#[test]
fn check_against_fresh_baseline_is_clean() {
    let f = with_baseline();
    let run = check(&f, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run
        .stdout
        .contains("19 unchanged, 0 lost, 0 found, 0 changed"));
    assert!(run.stdout.contains("OK: no changes beyond tolerance 0.02"));
}

#[test]
fn committed_sample_baseline_is_clean() {
    let f = Fixture::new();
    let s = samples();
    let expected = s.with_extension("expected.json");
    let run = f.run(&[
        "check",
        "--baseline",
        expected.to_str().unwrap(),
        s.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn deleted_paragraph_is_a_lost_passage_with_its_text() {
    let f = with_baseline();
    // A paragraph that is one passage of its own (001 <-> 004).
    delete_paragraph(&f, "The meeting took place as a beleaguered Ukraine");
    let run = check(&f, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(out.contains("LOST (1 passage in the baseline"), "{out}");
    assert!(out.contains("EDITED pb24ae18c0e2803fb"), "{out}");
    assert!(
        out.contains("The meeting took place as a beleaguered Ukraine"),
        "{out}"
    );
    assert!(out.contains("CHANGED: "), "{out}");
    for line in out.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line}");
    }
}

#[test]
fn deleted_paragraph_inside_a_longer_passage_is_a_changed_passage() {
    let f = with_baseline();
    // "Ties between Russia and the US" opens the long 001 <-> 004 passage: the passage
    // survives, shorter, and the diff shows the words it lost.
    let base: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(f.path("base.json")).unwrap()).unwrap();
    let id = base["passages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["a"]["text"]
                .as_str()
                .unwrap()
                .contains("Ties between Russia and the US")
        })
        .expect("the paragraph is part of a baseline passage")["id"]
        .as_str()
        .unwrap()
        .to_string();
    delete_paragraph(&f, "Ties between Russia and the US");
    let run = check(&f, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(out.contains(&format!("id: {id} -> ")), "{out}");
    assert!(out.contains("(matched by overlapping spans)"), "{out}");
    assert!(
        out.contains("removed: Ties between Russia and the US had fallen"),
        "{out}"
    );
    assert!(out.contains("COVERAGE"), "{out}");
    let j = json(&check(&f, &["--format", "json"]));
    assert_eq!(j["lost"].as_array().unwrap().len(), 0);
    let changed = j["changed"].as_array().unwrap();
    assert!(
        changed.iter().any(|c| c["old"]["id"] == id.as_str()),
        "{changed:?}"
    );
}

#[test]
fn changed_setting_is_explained_by_the_fingerprint() {
    let f = with_baseline();
    let run = check(&f, &["--min-words", "12"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("SETTINGS (fingerprint "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("min_words: 8 -> 12"), "{}", run.stdout);
    let j = json(&check(&f, &["--min-words", "12", "--format", "json"]));
    assert_eq!(j["settings"]["mismatch"], true);
    assert_eq!(j["settings"]["fields"][0]["field"], "min_words");
}

#[test]
fn update_prints_the_diff_then_rewrites_the_baseline() {
    let f = with_baseline();
    delete_paragraph(&f, "The meeting took place as a beleaguered Ukraine");
    let run = check(&f, &["--bless"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("LOST (1 passage"), "{}", run.stdout);
    assert!(run.stdout.ends_with("baseline base.json updated\n"));
    assert_eq!(check(&f, &[]).code, 0);
    let again = check(&f, &["--update"]);
    assert!(again.stdout.contains("up to date; not rewritten"));
}

#[test]
fn passage_ids_survive_an_unrelated_document_and_thread_counts() {
    let f = with_baseline();
    f.write(
        "corpus/zzz_unrelated.txt",
        "The city council voted on Monday to extend the opening hours of public libraries \
         during the winter months, citing a rise in the number of students using them.",
    );
    let run = check(&f, &["--format", "json", "--threads", "1"]);
    assert_eq!(run.code, 1, "a new document is a difference");
    let j = json(&run);
    for k in ["lost", "found", "changed"] {
        assert_eq!(j[k].as_array().unwrap().len(), 0, "{k}: {}", run.stdout);
    }
    assert_eq!(j["unchanged"], 19);
    assert_eq!(j["documents"]["added"][0]["id"], "zzz_unrelated.txt");
    std::fs::remove_file(f.path("corpus/zzz_unrelated.txt")).unwrap();
    for threads in ["1", "2", "3"] {
        let run = check(&f, &["--threads", threads]);
        assert_eq!(run.code, 0, "--threads {threads}: {}", run.stdout);
    }
}

#[test]
fn diff_of_a_report_with_itself_is_clean() {
    let f = with_baseline();
    let run = f.run(&["diff", "base.json", "base.json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("OK: no changes"));
    let run = f.run(&["diff", "base.json", "base.json", "--format", "json"]);
    assert_eq!(json(&run)["differences"], 0);
}

#[test]
fn diff_of_two_saved_reports() {
    let f = with_baseline();
    let run = f.run(&[
        "report",
        "corpus",
        "--format",
        "json",
        "--min-similarity",
        "0.9",
        "-o",
        "new.json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = f.run(&["diff", "base.json", "new.json", "--tolerance", "0.5"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("min_similarity: 0.5 -> 0.9"));
    assert!(run.stdout.contains("LOST ("));
}

#[test]
fn missing_baseline_is_a_usage_error_with_a_hint() {
    let f = Fixture::new();
    let s = samples();
    let run = f.run(&["check", "--baseline", "nope.json", s.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("nope.json") && run.stderr.contains("--update"));
    let run = f.run(&["check", s.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--baseline"), "{}", run.stderr);
}

#[test]
fn corrupt_or_missing_reports_are_usage_errors_naming_the_file() {
    let f = with_baseline();
    f.write("broken.json", "{\"schema_version\": 1, \"passages\": [");
    let run = f.run(&["check", "--baseline", "broken.json", "corpus"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("broken.json"), "{}", run.stderr);
    let run = f.run(&["diff", "base.json", "broken.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("broken.json"), "{}", run.stderr);
    let run = f.run(&["diff", "gone.json", "base.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("gone.json"), "{}", run.stderr);
    let run = check(&f, &["--tolerance", "2"]);
    assert_eq!(run.code, 2);
}

#[test]
fn update_into_an_impossible_path_fails_and_names_it() {
    let f = with_baseline();
    // The baseline's parent is a file: nothing can be written there, even as root.
    let run = f.run(&[
        "check",
        "--update",
        "--baseline",
        "base.json/inner.json",
        "corpus",
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("base.json/inner.json"),
        "{}",
        run.stderr
    );
    assert_eq!(check(&f, &[]).code, 0, "the old baseline is intact");
}

/// `--update` killed in the middle of writing leaves the old baseline intact. The file-size
/// limit (`ulimit -f`) makes the kernel kill the process with SIGXFSZ once the new report
/// passes 4 KiB (the report is ~100 KiB): a non-atomic writer would have truncated the
/// baseline by then. The partial temporary file (`.base.json.PID.tmp`) stays behind; that
/// is documented.
#[cfg(unix)]
#[test]
fn update_killed_mid_write_leaves_the_old_baseline_intact() {
    use std::os::unix::process::ExitStatusExt;
    let f = with_baseline();
    let old = std::fs::read(f.path("base.json")).unwrap();
    delete_paragraph(&f, "The meeting took place as a beleaguered Ukraine");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 8 && exec \"$0\" check --update --baseline base.json corpus")
        .arg(env!("CARGO_BIN_EXE_wirecopy"))
        .current_dir(f.dir.path())
        .env_remove("RAYON_NUM_THREADS")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(
        status.signal(),
        Some(25),
        "not killed by SIGXFSZ: {status:?}"
    );
    let now = std::fs::read(f.path("base.json")).unwrap();
    assert!(
        now == old,
        "baseline damaged: {} bytes, was {}",
        now.len(),
        old.len()
    );
    let leftovers: Vec<String> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    assert!(leftovers[0].starts_with(".base.json."), "{leftovers:?}");
    // The next --update replaces the baseline; the stale temporary file is harmless.
    assert_eq!(check(&f, &["--update"]).code, 0);
    assert_eq!(check(&f, &[]).code, 0);
}

#[test]
fn truth_floors_decide_the_exit_code() {
    let f = with_baseline();
    let truth = crate::support::samples().with_file_name("riyadh-2025-02-18.truth.json");
    let t = truth.to_str().unwrap();
    let ok = f.run(&["check", "--truth", t, "--min-f1", "0.5", "corpus"]);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(ok.stdout.contains("macro   precision"), "{}", ok.stdout);
    let both = f.run(&["check", "--baseline", "base.json", "--truth", t, "corpus"]);
    assert_eq!(both.code, 0, "{}{}", both.stdout, both.stderr);
    assert!(both.stdout.contains("TRUTH"));
    let high = f.run(&[
        "check",
        "--baseline",
        "base.json",
        "--truth",
        t,
        "--min-recall",
        "0.999",
        "corpus",
    ]);
    assert_eq!(high.code, 1, "{}{}", high.stdout, high.stderr);
    assert!(
        high.stderr.contains("below --min-recall"),
        "{}",
        high.stderr
    );
    let json = f.run(&[
        "check",
        "--baseline",
        "base.json",
        "--truth",
        t,
        "--format",
        "json",
        "corpus",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert!(v["truth"]["f1"].as_f64().unwrap() > 0.5);
    assert!(v["baseline"].is_object());
    let none = f.run(&["check", "corpus"]);
    assert_eq!(none.code, 2);
}

#[test]
fn an_error_prints_its_cause_once() {
    let f = Fixture::new();
    f.write("old.json", "not json");
    f.write("new.json", "not json");
    let run = f.run(&["diff", "old.json", "new.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("old.json"), "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("expected ident").count(),
        1,
        "{}",
        run.stderr
    );
}

/// Copy of the baseline made from the corpus without one paragraph: the "old" baseline of
/// the update tests below (the corpus itself is left whole).
fn older_baseline(f: &Fixture) -> Vec<u8> {
    let text = std::fs::read(f.path(DOC_001)).unwrap();
    delete_paragraph(f, "The meeting took place as a beleaguered Ukraine");
    let run = f.run(&["check", "--update", "--baseline", "old.json", "corpus"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    f.write(DOC_001, text);
    std::fs::read(f.path("old.json")).unwrap()
}

/// While another process holds the baseline's update lock, `--update` refuses (exit 2,
/// saying why) and leaves the baseline as it was; once the lock is released it goes on.
#[cfg(unix)]
#[test]
fn update_while_the_baseline_is_locked_is_refused_and_writes_nothing() {
    let f = with_baseline();
    let old = older_baseline(&f);
    f.write("base.json", &old);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(f.path(".base.json.lock"))
        .unwrap();
    lock.try_lock()
        .expect("the fixture's own update has released the lock");
    let run = check(&f, &["--update"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("wirecopy: error: another wirecopy is updating base.json; not written"),
        "{}",
        run.stderr
    );
    assert!(std::fs::read(f.path("base.json")).unwrap() == old);
    drop(lock);
    let run = check(&f, &["--update"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::read(f.path("base.json")).unwrap() != old);
    assert_eq!(check(&f, &[]).code, 0);
}

fn spawn_update(f: &Fixture, paths: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_wirecopy"))
        .args(["check", "--update", "--baseline", "base.json"])
        .args(paths)
        .current_dir(f.dir.path())
        .env_remove("RAYON_NUM_THREADS")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Exit code and stderr of a finished child.
fn outcome(child: std::process::Child) -> (i32, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const LOCKED: &str = "wirecopy: error: another wirecopy is updating base.json; not written";

/// Two `--update`s of one baseline at once, made to overlap without relying on timing: the
/// first also reads a FIFO, and is held there (inside its update) until the second has
/// finished. The second is refused (exit 2, saying so) and writes nothing; the first then
/// writes its whole baseline, byte for byte what the same run gives alone.
#[cfg(unix)]
#[test]
fn second_update_while_one_is_running_is_refused_and_the_first_writes_whole() {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let f = with_baseline();
    let old = std::fs::read(f.path("base.json")).unwrap();
    let gate = f.path("gate.txt");
    assert!(std::process::Command::new("mkfifo")
        .arg(&gate)
        .status()
        .unwrap()
        .success());
    let mut first = spawn_update(&f, &["corpus", "gate.txt"]);
    // Opening the FIFO's write end without blocking succeeds once the first run has opened
    // it to read, which it does after taking the lock and reading the corpus.
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
                    "the first update ended before reading the FIFO"
                );
                assert!(start.elapsed().as_secs() < 20, "the FIFO was never opened");
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(e) => panic!("{e}"),
        }
    };
    let (code, stderr) = outcome(spawn_update(&f, &["corpus"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(LOCKED), "{stderr}");
    assert!(std::fs::read(f.path("base.json")).unwrap() == old);
    writer
        .write_all(b"Gate edition. Russia and the United States agreed on Tuesday to begin working toward ending the war in Ukraine.")
        .unwrap();
    drop(writer);
    let (code, stderr) = outcome(first);
    assert_eq!(code, 0, "{stderr}");
    // The same run with the FIFO's text in a regular file of the same name, alone.
    let written = std::fs::read(f.path("base.json")).unwrap();
    std::fs::remove_file(&gate).unwrap();
    f.write("gate.txt", b"Gate edition. Russia and the United States agreed on Tuesday to begin working toward ending the war in Ukraine.");
    let run = f.run(&[
        "check",
        "--update",
        "--baseline",
        "alone.json",
        "corpus",
        "gate.txt",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(written != old, "the first update wrote nothing");
    assert!(written == std::fs::read(f.path("alone.json")).unwrap());
}

/// Three `--update`s of one baseline started together, a few times over: each either wins
/// (exit 0) or is refused and says so (exit 2), and the baseline is always exactly one
/// whole run's.
#[cfg(unix)]
#[test]
fn updates_started_together_leave_one_whole_baseline() {
    let f = with_baseline();
    let new = std::fs::read(f.path("base.json")).unwrap();
    let old = older_baseline(&f);
    let mut refused = 0;
    for round in 0..5 {
        f.write("base.json", &old);
        let children: Vec<_> = (0..3).map(|_| spawn_update(&f, &["corpus"])).collect();
        let outcomes: Vec<(i32, String)> = children.into_iter().map(outcome).collect();
        for (code, stderr) in &outcomes {
            match code {
                0 => {}
                2 if stderr.contains(LOCKED) => refused += 1,
                _ => panic!("round {round}: exit {code}: {stderr}"),
            }
        }
        assert!(
            outcomes.iter().any(|o| o.0 == 0),
            "round {round}: no winner"
        );
        let now = std::fs::read(f.path("base.json")).unwrap();
        assert!(
            now == new,
            "round {round}: baseline of {} bytes is not one whole run's ({})",
            now.len(),
            new.len()
        );
    }
    println!("{refused} of 15 updates found the baseline locked");
}

/// `--update` killed with SIGKILL at moments spread over its whole run: the baseline is
/// always byte for byte the old one or the new one. The temporary files the kills leave
/// behind are never taken for the baseline, and a killed run never leaves it locked.
#[cfg(unix)]
#[test]
fn update_killed_at_any_moment_leaves_the_old_or_the_new_baseline() {
    let f = with_baseline();
    let new = std::fs::read(f.path("base.json")).unwrap();
    let old = older_baseline(&f);
    assert!(old != new);
    // How long one whole update takes here.
    f.write("base.json", &old);
    let start = std::time::Instant::now();
    let out = spawn_update(&f, &["corpus"]).wait_with_output().unwrap();
    let whole = start.elapsed();
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read(f.path("base.json")).unwrap() == new);
    const RUNS: u32 = 30;
    let (mut olds, mut news) = (0, 0);
    for i in 0..RUNS {
        f.write("base.json", &old);
        let mut child = spawn_update(&f, &["corpus"]);
        // From at once to half again the whole run's time.
        std::thread::sleep(whole * 3 * i / (2 * RUNS));
        let _ = child.kill(); // SIGKILL; it may have finished already
        child.wait().unwrap();
        let now = std::fs::read(f.path("base.json")).unwrap();
        if now == old {
            olds += 1;
        } else if now == new {
            news += 1;
        } else {
            panic!(
                "run {i}: torn baseline of {} bytes (old {}, new {})",
                now.len(),
                old.len(),
                new.len()
            );
        }
    }
    assert!(
        olds > 0 && news > 0,
        "kills not spread: {olds} old, {news} new"
    );
    let mid_write = std::fs::read_dir(f.dir.path())
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            let name = name.to_string_lossy();
            name.starts_with(".base.json.") && name.ends_with(".tmp")
        })
        .count();
    println!("{olds} old, {news} new baselines; {mid_write} killed while writing");
    // Stray temporary files and the killed runs' locks do not stop the next update.
    f.write("base.json", &old);
    let run = check(&f, &["--update"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::read(f.path("base.json")).unwrap() == new);
}
