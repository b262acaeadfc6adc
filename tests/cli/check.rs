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
