//! Bad input and failures: every bad file or line is named with its reason, the rest of the
//! corpus is still reported, exit codes follow the README, nothing panics, and no output is
//! ever half-written. Committed cases live in `tests/data/bad/` (see its README); cases git
//! cannot hold (links, FIFOs, huge files) are made in each test's temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{Fixture, Run};

/// The committed bad-input corpus.
fn bad() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad")
}

const STORY: &str = "Russia and the United States agreed on Tuesday to begin working toward ending the war in Ukraine and improving their diplomatic and economic ties, officials from both countries said after talks in Riyadh.";

/// Two documents from different outlets sharing a passage: a corpus that reports.
fn good(f: &Fixture) {
    f.write("corpus/ap/story.txt", STORY);
    f.write(
        "corpus/daily/story.txt",
        format!("From our correspondent. {STORY}"),
    );
}

fn no_panic(run: &Run) {
    assert!(
        !run.stderr.contains("panicked"),
        "wirecopy panicked: {}",
        run.stderr
    );
}

/// The stderr lines naming `what` (a path suffix, with line when given).
fn lines_about<'a>(run: &'a Run, what: &str) -> Vec<&'a str> {
    run.stderr.lines().filter(|l| l.contains(what)).collect()
}

/// Exactly one stderr line names `what`, and it contains every one of `parts`.
fn reported(run: &Run, what: &str, parts: &[&str]) {
    let lines = lines_about(run, what);
    assert_eq!(lines.len(), 1, "one line about {what}: {}", run.stderr);
    for p in parts {
        assert!(lines[0].contains(p), "{what}: want {p:?} in {:?}", lines[0]);
    }
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).expect("valid JSON report")
}

#[test]
fn bad_corpus_lists_every_bad_file_and_reports_on_the_good_ones() {
    let f = Fixture::new();
    let dir = bad();
    let run = f.run(&["report", dir.to_str().unwrap(), "--format", "json"]);
    no_panic(&run);
    assert_eq!(run.code, 1, "skipped documents give exit 1: {}", run.stderr);
    let skipped = " (skipped)";
    reported(
        &run,
        "bad/binary.txt",
        &["binary file (NUL byte at offset 4)", skipped],
    );
    reported(
        &run,
        "bad/binary.jsonl",
        &["binary file (NUL byte at offset 4)", skipped],
    );
    reported(&run, "bad/empty.txt", &["empty document", skipped]);
    reported(
        &run,
        "bad/whitespace.txt",
        &["no text (only white space", skipped],
    );
    reported(
        &run,
        "bad/date-only.txt",
        &["no text (only white space or a date line)", skipped],
    );
    reported(
        &run,
        "bad/invalid-utf8.txt",
        &["invalid UTF-8 at byte 3", "--lossy", skipped],
    );
    reported(&run, "bad/empty.jsonl", &["warning: ", "no JSONL records"]);
    reported(
        &run,
        "bad/short.txt",
        &[
            "warning: ",
            "only 3 words, fewer than one shingle (--shingle 5)",
            "never match",
        ],
    );
    let records = [
        (2, "malformed JSON: EOF while parsing"),
        (3, "missing field \"id\""),
        (4, "[no-text]: missing field \"text\""),
        (5, "field \"id\" must be a string, not a number"),
        (
            6,
            "[text-array]: field \"text\" must be a string, not an array",
        ),
        (7, "field \"outlet\" must be a string or null, not a number"),
        (8, "not a JSON object but an array"),
        (9, "field \"id\" is empty"),
        (10, "[nul-text]: binary text (NUL character"),
        (11, "[blank-text]: document has no text"),
        (12, "lone UTF-16 surrogate escape; use --lossy"),
        (13, "[wire-1]: duplicate id, first seen at "),
        (14, "[ap/riyadh.txt]: duplicate id, first seen at "),
        (15, "invalid UTF-8 at byte 29 of the line"),
    ];
    for (line, message) in records {
        reported(
            &run,
            &format!("bad/records.jsonl:{line}"),
            &[message, skipped],
        );
    }
    // Duplicates name both places, across files too.
    assert!(lines_about(&run, "records.jsonl:13")[0].contains("records.jsonl:1 "));
    assert!(lines_about(&run, "records.jsonl:14")[0].ends_with("bad/ap/riyadh.txt (skipped)"));
    let summary = run.stderr.lines().last().unwrap();
    assert_eq!(
        summary,
        "wirecopy: 20 input(s) skipped; the report covers the other 5 document(s)"
    );
    let r = json(&run);
    let ids: Vec<&str> = r["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "ap/riyadh.txt",
            "bom-1",
            "daily/riyadh.txt",
            "wire-1",
            "short.txt"
        ],
        "the good documents, in input order"
    );
    assert_eq!(r["summary"]["skipped"], 20);
    assert_eq!(r["problems"].as_array().unwrap().len(), 22);
    assert!(r["summary"]["passages"].as_u64().unwrap() >= 2);
}

#[test]
fn bad_corpus_under_strict_writes_nothing_and_exits_2() {
    let f = Fixture::new();
    let dir = bad();
    let run = f.run(&[
        "report",
        dir.to_str().unwrap(),
        "--strict",
        "-o",
        "out.json",
    ]);
    no_panic(&run);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        !f.path("out.json").exists(),
        "nothing written under --strict"
    );
    assert!(run
        .stderr
        .contains("bad/binary.txt [binary.txt]: binary file"));
    assert!(run
        .stderr
        .ends_with("wirecopy: error: 20 input(s) skipped and --strict is set; nothing written\n"));
}

#[test]
fn lossy_decodes_invalid_utf8_and_lone_surrogates_and_offsets_refer_to_the_decoded_text() {
    let f = Fixture::new();
    let dir = bad();
    let run = f.run(&[
        "report",
        dir.to_str().unwrap(),
        "--lossy",
        "--format",
        "json",
    ]);
    no_panic(&run);
    assert_eq!(run.code, 1);
    let r = json(&run);
    let doc = |id: &str| {
        r["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("{id} loaded with --lossy"))
            .clone()
    };
    for id in ["invalid-utf8.txt", "latin1", "lone-surrogate"] {
        assert_eq!(doc(id)["lossy"], true, "{id}");
    }
    // "Caf\xe9 owners…": the byte 0xE9 became U+FFFD (3 bytes), so the decoded text is two
    // bytes longer than the file and has as many characters as the file has bytes.
    let file_bytes = std::fs::metadata(dir.join("invalid-utf8.txt"))
        .unwrap()
        .len();
    let d = doc("invalid-utf8.txt");
    assert_eq!(d["bytes"].as_u64().unwrap(), file_bytes + 2);
    assert_eq!(d["chars"].as_u64().unwrap(), file_bytes);
    assert!(!run.stderr.contains("invalid UTF-8"));
    assert!(!run.stderr.contains("surrogate"));
}

#[test]
fn lossy_offsets_slice_the_decoded_text() {
    let f = Fixture::new();
    // One invalid byte (0xFF for the "w" of "working") inside the reused passage.
    let mut bytes = STORY.as_bytes().to_vec();
    let at = STORY.find("working").unwrap();
    bytes[at] = 0xFF;
    f.write("c/ap/a.txt", &bytes);
    f.write("c/daily/b.txt", format!("Lead. {STORY}"));
    let run = f.run(&["report", "c", "--lossy", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = json(&run);
    let decoded = String::from_utf8_lossy(&bytes).into_owned();
    let mut seen = false;
    for p in r["passages"].as_array().unwrap() {
        for side in ["a", "b"] {
            let s = &p[side];
            if s["doc"] != "ap/a.txt" {
                continue;
            }
            seen = true;
            let (bs, be) = (
                s["byte_start"].as_u64().unwrap(),
                s["byte_end"].as_u64().unwrap(),
            );
            let (cs, ce) = (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap());
            let want = s["text"].as_str().unwrap();
            assert_eq!(&decoded[bs as usize..be as usize], want);
            let chars: String = decoded
                .chars()
                .skip(cs as usize)
                .take((ce - cs) as usize)
                .collect();
            assert_eq!(chars, want);
            assert!(want.contains('\u{FFFD}'));
        }
    }
    assert!(seen, "the lossy document has a passage");
}

#[test]
fn missing_path_fails_before_reading_and_names_every_missing_argument() {
    let f = Fixture::new();
    good(&f);
    let run = f.run(&["report", "corpus", "nope", "gone.jsonl", "-o", "out.txt"]);
    no_panic(&run);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "wirecopy: error: 2 paths cannot be read; nothing written:\n  nope: no such file or directory\n  gone.jsonl: no such file or directory\n"
    );
    assert!(!f.path("out.txt").exists());
}

#[cfg(unix)]
#[test]
fn broken_links_and_link_loops() {
    use std::os::unix::fs::symlink;
    let f = Fixture::new();
    good(&f);
    symlink("missing.txt", f.path("corpus/dangling.txt")).unwrap();
    symlink("missing-dir", f.path("corpus/dangling-dir")).unwrap();
    symlink("b.txt", f.path("corpus/a.txt")).unwrap();
    symlink("a.txt", f.path("corpus/b.txt")).unwrap();
    symlink("..", f.path("corpus/ap/up")).unwrap(); // a directory loop
    let run = f.run(&["report", "corpus", "--format", "json"]);
    no_panic(&run);
    assert_eq!(run.code, 1, "{}", run.stderr);
    reported(
        &run,
        "corpus/dangling.txt",
        &["cannot read: broken symbolic link to missing.txt (skipped)"],
    );
    reported(&run, "corpus/a.txt", &["symbolic link loop", "(skipped)"]);
    reported(&run, "corpus/b.txt", &["symbolic link loop", "(skipped)"]);
    // Neither loses a document: warnings.
    reported(
        &run,
        "corpus/dangling-dir",
        &["warning: ", "broken symbolic link to missing-dir"],
    );
    reported(
        &run,
        "corpus/ap/up",
        &["warning: ", "symbolic link loop", "not followed again"],
    );
    assert_eq!(json(&run)["summary"]["documents"], 2);

    // Named directly, a broken link or a loop is a missing argument.
    let run = f.run(&["report", "corpus", "corpus/dangling.txt", "corpus/a.txt"]);
    assert_eq!(run.code, 2);
    assert!(run
        .stderr
        .contains("corpus/dangling.txt: broken symbolic link to missing.txt"));
    assert!(run
        .stderr
        .contains("corpus/a.txt: symbolic link loop (links to b.txt)"));
}

#[cfg(unix)]
#[test]
fn fifo_in_a_directory_is_reported_not_read_and_a_directory_named_txt_is_walked() {
    let f = Fixture::new();
    good(&f);
    let fifo = f.path("corpus/pipe.txt");
    let ok = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo");
    f.write("corpus/folder.txt/inside.txt", format!("Inside. {STORY}"));
    let run = f.run(&["report", "corpus", "--format", "json"]);
    no_panic(&run);
    assert_eq!(run.code, 1, "{}", run.stderr);
    reported(
        &run,
        "corpus/pipe.txt",
        &["not a regular file (a FIFO); not read (skipped)"],
    );
    assert!(lines_about(&run, "folder.txt").is_empty(), "{}", run.stderr);
    let r = json(&run);
    assert_eq!(r["documents"][2]["id"], "folder.txt/inside.txt");
}

#[test]
fn huge_file_is_skipped_without_being_read() {
    let f = Fixture::new();
    good(&f);
    // 5 GiB, sparse: reading it would take minutes and all the memory.
    let huge = std::fs::File::create(f.path("corpus/huge.txt")).unwrap();
    huge.set_len(5 << 30).unwrap();
    drop(huge);
    let run = f.run(&["report", "corpus"]);
    no_panic(&run);
    assert_eq!(run.code, 1, "{}", run.stderr);
    reported(
        &run,
        "corpus/huge.txt",
        &["5368709120 bytes is larger than --max-doc-bytes 67108864 (skipped)"],
    );
    let max = STORY.len().to_string();
    let run = f.run(&["report", "corpus", "--max-doc-bytes", &max]);
    assert_eq!(run.code, 1);
    let size = format!(
        "{} bytes is larger than --max-doc-bytes {max}",
        24 + STORY.len()
    );
    reported(&run, "daily/story.txt", &[&size]);
}

#[test]
fn enormous_lines_load_or_are_skipped_by_line() {
    let f = Fixture::new();
    good(&f);
    // A 2 MB text file on a single line loads and matches.
    let long: String = std::iter::repeat_n("lorem ipsum dolor sit amet ", 80_000).collect();
    f.write("corpus/long/one-line.txt", format!("{long}{STORY}"));
    // A JSONL line over --max-doc-bytes is skipped by line number; the next line loads.
    let big = serde_json::json!({"id": "big", "text": long}).to_string();
    let next = serde_json::json!({"id": "next", "outlet": "w", "text": STORY}).to_string();
    f.write("lines.jsonl", format!("{big}\n{next}\n"));
    let run = f.run(&[
        "report",
        "corpus",
        "lines.jsonl",
        "--max-doc-bytes",
        "2500000",
        "--format",
        "json",
    ]);
    no_panic(&run);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = f.run(&[
        "report",
        "corpus",
        "lines.jsonl",
        "--max-doc-bytes",
        "1000000",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1);
    reported(
        &run,
        "lines.jsonl:1",
        &["line of 2160022 bytes is larger than --max-doc-bytes 1000000 (skipped)"],
    );
    reported(
        &run,
        "one-line.txt",
        &["bytes is larger than --max-doc-bytes 1000000"],
    );
    let r = json(&run);
    let ids: Vec<_> = r["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].clone())
        .collect();
    assert_eq!(ids, ["ap/story.txt", "daily/story.txt", "next"]);
}

#[test]
fn empty_corpus_is_an_input_error() {
    let f = Fixture::new();
    std::fs::create_dir_all(f.path("nothing")).unwrap();
    f.write("nothing/notes.md", "not a corpus file");
    let run = f.run(&["report", "nothing"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "wirecopy: error: no documents to compare (no .txt or .jsonl files found)\n"
    );
    f.write("only-bad/empty.txt", "");
    let run = f.run(&["report", "only-bad", "-o", "out.txt"]);
    assert_eq!(run.code, 2);
    assert!(run
        .stderr
        .contains("empty.txt [empty.txt]: empty document (skipped)"));
    assert!(run
        .stderr
        .ends_with("wirecopy: error: no documents to compare (1 input(s) skipped)\n"));
    assert!(!f.path("out.txt").exists());
    let run = f.run_with(&["report", "-"], &[], Some(b""));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("-: no JSONL records"));
}

#[test]
fn stdin_problems_name_the_line() {
    let f = Fixture::new();
    let input = format!(
        "{}\n{{oops\n{}\n",
        serde_json::json!({"id": "a", "outlet": "x", "text": STORY}),
        serde_json::json!({"id": "b", "outlet": "y", "text": STORY})
    );
    let run = f.run_with(&["report", "-"], &[], Some(input.as_bytes()));
    assert_eq!(run.code, 1);
    reported(&run, "wirecopy: -:2:", &["malformed JSON", "(skipped)"]);
}

/// `wirecopy report … | head -1`: the reader goes away early; wirecopy ends quietly.
#[test]
fn broken_pipe_on_stdout_is_quiet_success() {
    let f = Fixture::new();
    let s = crate::support::samples();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wirecopy"))
        .args(["report", s.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .current_dir(f.dir.path())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // closed before wirecopy writes a byte
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `wirecopy report bad 2>&1 | head -1`: stdout and stderr both closed early, with problems to
/// print; no panic (exit 101) and no error exit.
#[cfg(unix)]
#[test]
fn closed_stdout_and_stderr_do_not_panic() {
    let f = Fixture::new();
    let dir = bad();
    for strict in [false, true] {
        let mut args = vec!["report", dir.to_str().unwrap()];
        if strict {
            args.push("--strict");
        }
        // Pipes whose read ends are closed before the child starts, so every write fails
        // (closing them after spawning raced with a fast child's first write).
        let closed = || {
            let (reader, writer) = std::io::pipe().unwrap();
            drop(reader);
            Stdio::from(writer)
        };
        let code = Command::new(env!("CARGO_BIN_EXE_wirecopy"))
            .args(&args)
            .stdin(Stdio::null())
            .stdout(closed())
            .stderr(closed())
            .current_dir(f.dir.path())
            .status()
            .unwrap()
            .code();
        // Problems were to be reported (1) or --strict failed (2); the closed pipes change
        // neither into a crash. Without --strict the report write hits the closed stdout:
        // quiet success.
        assert_eq!(code, Some(if strict { 2 } else { 0 }), "strict: {strict}");
    }
}

/// A report being overwritten survives the writer being killed mid-write: the old bytes
/// stay until the new file is complete and renamed over them.
#[cfg(unix)]
#[test]
fn report_survives_sigkill_during_overwrite() {
    let f = Fixture::new();
    // 40 outlets with the same 400-word story, lightly edited: 780 aligned pairs and a JSON
    // report of ~15 MB, which takes a while to write and sync.
    let words: Vec<String> = (0..400).map(|i| format!("w{}", i % 97 * 31 + i)).collect();
    for o in 0..40 {
        let mut w = words.clone();
        for k in 0..10 {
            w[(o * 37 + k * 41) % 400] = format!("edit{o}x{k}");
        }
        f.write(&format!("big/o{o:02}/s.txt"), w.join(" "));
    }
    let old = b"{\"old\": \"report\"}\n";
    let report = f.path("out/report.json");
    let mut killed_mid_write = 0;
    for _attempt in 0..6 {
        f.write("out/report.json", old);
        let mut child = Command::new(env!("CARGO_BIN_EXE_wirecopy"))
            .args(["report", "big", "--format", "json", "-o", "out/report.json"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .current_dir(f.dir.path())
            .spawn()
            .unwrap();
        let tmp_seen = loop {
            let tmp = std::fs::read_dir(f.path("out"))
                .unwrap()
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with(".report.json."));
            if tmp {
                child.kill().unwrap(); // SIGKILL
                break true;
            }
            if child.try_wait().unwrap().is_some() {
                break false;
            }
            std::thread::sleep(std::time::Duration::from_micros(300));
        };
        child.wait().unwrap();
        let now = std::fs::read(&report).unwrap();
        if now == old {
            assert!(tmp_seen, "finished without replacing the report");
            killed_mid_write += 1;
        } else {
            // The kill came after the rename: then it must be the whole new report.
            let v: serde_json::Value =
                serde_json::from_slice(&now).expect("never a half-written report");
            assert_eq!(v["summary"]["documents"], 40);
        }
        for e in std::fs::read_dir(f.path("out")).unwrap().flatten() {
            if e.file_name() != "report.json" {
                std::fs::remove_file(e.path()).unwrap();
            }
        }
        if killed_mid_write >= 2 {
            break;
        }
    }
    assert!(killed_mid_write >= 1, "never caught the write in progress");
}

/// Run wirecopy in `f` like [`Fixture::run`], but fail the test instead of hanging when it
/// takes longer than `limit`.
#[cfg(unix)]
fn run_within(f: &Fixture, args: &[&str], limit: std::time::Duration) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wirecopy"))
        .args(args)
        .current_dir(f.dir.path())
        .env_remove("RAYON_NUM_THREADS")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("wirecopy {args:?} still running after {limit:?}: a hang");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        stdout_bytes: out.stdout,
    }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo");
}

/// A FIFO named on the command line that no one writes to is skipped once `--read-timeout`
/// passes, named with the reason; the rest of the corpus is reported (exit 1), no hang.
#[cfg(unix)]
#[test]
fn named_fifo_without_a_writer_is_skipped_after_the_read_timeout() {
    let f = Fixture::new();
    good(&f);
    mkfifo(&f.path("silent.txt"));
    mkfifo(&f.path("silent.jsonl"));
    let start = std::time::Instant::now();
    let run = run_within(
        &f,
        &[
            "report",
            "corpus",
            "silent.txt",
            "silent.jsonl",
            "--format",
            "json",
            "--read-timeout",
            "0.5",
        ],
        std::time::Duration::from_secs(20),
    );
    no_panic(&run);
    assert!(start.elapsed() >= std::time::Duration::from_millis(1000));
    assert_eq!(run.code, 1, "{}", run.stderr);
    reported(
        &run,
        "silent.txt",
        &[
            "a FIFO that gave no data for 0.5 s (--read-timeout)",
            "(skipped)",
        ],
    );
    reported(
        &run,
        "silent.jsonl",
        &[
            "a FIFO that gave no data for 0.5 s (--read-timeout)",
            "(skipped)",
        ],
    );
    assert_eq!(json(&run)["summary"]["documents"], 2);
}

/// A FIFO named on the command line whose writer comes late (within the timeout) is read
/// whole, as plain text and as JSONL.
#[cfg(unix)]
#[test]
fn named_fifo_with_a_late_writer_is_read() {
    use std::io::Write;
    let f = Fixture::new();
    good(&f);
    let late = |path: PathBuf, text: String| {
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            // Blocks until wirecopy has opened the FIFO for reading.
            let mut w = std::fs::OpenOptions::new().write(true).open(path).unwrap();
            w.write_all(text.as_bytes()).unwrap();
        })
    };
    mkfifo(&f.path("late.txt"));
    mkfifo(&f.path("late.jsonl"));
    let writers = [
        late(f.path("late.txt"), format!("Late edition. {STORY}")),
        late(
            f.path("late.jsonl"),
            format!(
                "{}\n",
                serde_json::json!({"id": "feed-1", "outlet": "feed", "text": STORY})
            ),
        ),
    ];
    let run = run_within(
        &f,
        &[
            "report",
            "corpus",
            "late.txt",
            "late.jsonl",
            "--format",
            "json",
        ],
        std::time::Duration::from_secs(20),
    );
    for w in writers {
        w.join().unwrap();
    }
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = json(&run);
    let ids: Vec<&str> = r["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["ap/story.txt", "daily/story.txt", "late.txt", "feed-1"]
    );
}

/// A socket and a device named like documents inside a directory are reported by kind and
/// never opened, as a FIFO is (a FIFO named `.jsonl` too); the rest is read (exit 1).
#[cfg(unix)]
#[test]
fn sockets_devices_and_fifos_in_a_directory_are_skipped_by_kind() {
    let f = Fixture::new();
    good(&f);
    let _socket = std::os::unix::net::UnixListener::bind(f.path("corpus/socket.txt")).unwrap();
    mkfifo(&f.path("corpus/feed.jsonl"));
    // A null device of the test's own (mknod needs root); reading it would give nothing.
    let device = Command::new("mknod")
        .arg(f.path("corpus/device.txt"))
        .args(["c", "1", "3"])
        .status()
        .unwrap()
        .success();
    if !device {
        println!("no device case: cannot mknod (needs root)");
    }
    let run = run_within(
        &f,
        &["report", "corpus", "--format", "json"],
        std::time::Duration::from_secs(20),
    );
    no_panic(&run);
    assert_eq!(run.code, 1, "{}", run.stderr);
    reported(
        &run,
        "corpus/socket.txt",
        &["not a regular file (a socket); not read (skipped)"],
    );
    reported(
        &run,
        "corpus/feed.jsonl",
        &["not a regular file (a FIFO); not read (skipped)"],
    );
    if device {
        reported(
            &run,
            "corpus/device.txt",
            &["not a regular file (a device); not read (skipped)"],
        );
    }
    assert_eq!(json(&run)["summary"]["documents"], 2);
}
