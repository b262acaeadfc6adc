//! Where output goes: `-o` (and every other file wirecopy writes) replaces a regular file
//! atomically, writes through symbolic links to their targets, and writes devices and FIFOs
//! in place; a failed write is exit 2 naming the path, on `-o` and standard output alike.
//!
//! Every device node here is made by `mknod` inside the test's own temporary directory
//! (`c 1 7` is a full device, `c 1 3` a null device); no test points wirecopy at a system
//! path. Without the right to `mknod` (not root, or a container without CAP_MKNOD), those
//! tests say so and pass without checking.

#![cfg(unix)]

use std::os::unix::fs::{symlink, FileTypeExt};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{samples, Fixture};

/// Copy the samples to `corpus/` (a JSON report of ~100 KiB, more than a pipe holds).
fn with_corpus() -> Fixture {
    let f = Fixture::new();
    for entry in std::fs::read_dir(samples()).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap();
        f.write(&format!("corpus/{name}"), std::fs::read(&p).unwrap());
        // An outlet that reprints every sample: the report no longer fits a pipe's buffer.
        f.write(
            &format!("corpus/reprint/{name}"),
            std::fs::read(&p).unwrap(),
        );
    }
    std::fs::create_dir(f.path("out")).unwrap();
    f
}

/// Make a character device `major:minor` at `path`; false (with a note) when not allowed.
fn mknod(path: &Path, major: u32, minor: u32) -> bool {
    let out = Command::new("mknod")
        .arg(path)
        .arg("c")
        .arg(major.to_string())
        .arg(minor.to_string())
        .output()
        .expect("run mknod");
    if !out.status.success() {
        println!(
            "skipped: cannot mknod {} (needs root): {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return false;
    }
    assert!(is_char_device(path), "mknod made no device");
    true
}

fn is_char_device(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_char_device())
}

/// The file names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The report in `format` as `-o` writes it to a regular file.
fn regular_output(f: &Fixture, format: &str) -> Vec<u8> {
    let dest = format!("out/regular.{format}");
    let run = f.run(&["report", "corpus", "--format", format, "-o", &dest]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(f.path(&dest)).unwrap();
    std::fs::remove_file(f.path(&dest)).unwrap();
    assert!(bytes.len() > 64 << 10, "the report should not fit a pipe");
    bytes
}

#[test]
fn full_device_is_exit_2_naming_it_and_stays_a_device() {
    let f = with_corpus();
    if !mknod(&f.path("out/full"), 1, 7) {
        return;
    }
    // JSON streams through a writer; text is rendered first: both paths fail the same way.
    for format in ["json", "text"] {
        let run = f.run(&["report", "corpus", "--format", format, "-o", "out/full"]);
        assert_eq!(run.code, 2, "{format}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("wirecopy: error: cannot write out/full: No space left on device"),
            "{format}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(is_char_device(&f.path("out/full")), "device node replaced");
        assert_eq!(names(&f.path("out")), ["full"], "a file was left beside it");
    }
}

#[test]
fn full_standard_output_is_exit_2_naming_it() {
    let f = with_corpus();
    if !mknod(&f.path("out/full"), 1, 7) {
        return;
    }
    for format in ["json", "text"] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open(f.path("out/full"))
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_wirecopy"))
            .args(["report", "corpus", "--format", format])
            .current_dir(f.dir.path())
            .stdin(Stdio::null())
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{format}: {stderr}");
        assert!(
            stderr.contains("cannot write standard output: No space left on device"),
            "{format}: {stderr}"
        );
    }
}

#[test]
fn null_device_is_written_in_place_and_stays_a_device() {
    let f = with_corpus();
    if !mknod(&f.path("out/null"), 1, 3) {
        return;
    }
    for format in ["json", "csv"] {
        let run = f.run(&["report", "corpus", "--format", format, "-o", "out/null"]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        assert!(is_char_device(&f.path("out/null")), "device node replaced");
        assert_eq!(names(&f.path("out")), ["null"], "a file was left beside it");
    }
}

#[test]
fn symlink_stays_a_link_and_its_target_holds_the_whole_report() {
    let f = with_corpus();
    let expected = regular_output(&f, "json");
    std::fs::create_dir(f.path("out/reports")).unwrap();
    f.write("out/reports/2026-12-07.json", "old report");
    symlink("reports/2026-12-07.json", f.path("out/latest.json")).unwrap();
    // A dangling link: its target is created.
    symlink("reports/2026-12-08.json", f.path("out/next.json")).unwrap();
    for (link, target) in [
        ("out/latest.json", "out/reports/2026-12-07.json"),
        ("out/next.json", "out/reports/2026-12-08.json"),
    ] {
        let run = f.run(&["report", "corpus", "--format", "json", "-o", link]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let m = std::fs::symlink_metadata(f.path(link)).unwrap();
        assert!(m.file_type().is_symlink(), "{link} replaced by a file");
        assert!(
            std::fs::read(f.path(target)).unwrap() == expected,
            "{target}"
        );
    }
    assert_eq!(
        names(&f.path("out")),
        ["latest.json", "next.json", "reports"]
    );
    assert_eq!(
        names(&f.path("out/reports")),
        ["2026-12-07.json", "2026-12-08.json"]
    );
}

/// `--outlets-csv`, `check --update`'s baseline and `sketch -o` use the same writer: each
/// goes through a link to its target.
#[test]
fn every_output_file_writes_through_a_link() {
    let f = with_corpus();
    std::fs::create_dir(f.path("store")).unwrap();
    for name in ["outlets.csv", "base.json", "corpus.wcsketch"] {
        symlink(format!("../store/{name}"), f.path(&format!("out/{name}"))).unwrap();
    }
    let run = f.run(&[
        "report",
        "corpus",
        "--outlets-csv",
        "out/outlets.csv",
        "-o",
        "out/report.txt",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = f.run(&["check", "--update", "--baseline", "out/base.json", "corpus"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = f.run(&["sketch", "corpus", "-o", "out/corpus.wcsketch"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for name in ["outlets.csv", "base.json", "corpus.wcsketch"] {
        let link = f.path(&format!("out/{name}"));
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(std::fs::metadata(&link).unwrap().len() > 0, "{name} empty");
    }
    assert!(std::fs::read_to_string(f.path("store/outlets.csv"))
        .unwrap()
        .starts_with("outlet,"));
    // The baseline behind the link reads back and is current.
    let run = f.run(&["check", "--baseline", "out/base.json", "corpus"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Only the links and the lock file of the update; no temporary file anywhere.
    assert_eq!(
        names(&f.path("store")),
        [
            ".base.json.lock",
            "base.json",
            "corpus.wcsketch",
            "outlets.csv"
        ]
    );
}

#[test]
fn fifo_with_a_reader_gets_the_whole_report() {
    let f = with_corpus();
    let expected = regular_output(&f, "json");
    let fifo = f.path("out/pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let run = f.run(&["report", "corpus", "--format", "json", "-o", "out/pipe"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = reader.join().unwrap();
    assert!(
        got == expected,
        "{} bytes through the FIFO, {} in the file",
        got.len(),
        expected.len()
    );
    let m = std::fs::symlink_metadata(&fifo).unwrap();
    assert!(m.file_type().is_fifo(), "the FIFO was replaced");
    assert_eq!(names(&f.path("out")), ["pipe"]);
}

/// A regular file that cannot be written whole (the file-size limit, `ulimit -f`, with
/// SIGXFSZ ignored so the write fails with EFBIG as a full disk fails with ENOSPC): exit 2
/// naming the file, the old report intact, and no partial temporary file left beside it.
#[test]
fn failed_write_of_a_regular_file_is_exit_2_and_leaves_the_old_file_alone() {
    let f = with_corpus();
    let old = b"{\"old\": \"report\"}\n";
    f.write("out/report.json", old);
    let out = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 8 && exec \"$0\" report corpus --format json -o out/report.json")
        .arg(env!("CARGO_BIN_EXE_wirecopy"))
        .current_dir(f.dir.path())
        .env_remove("RAYON_NUM_THREADS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("wirecopy: error: cannot write out/report.json: File too large"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(f.path("out/report.json")).unwrap(), old);
    assert_eq!(names(&f.path("out")), ["report.json"], "partial file left");
}
