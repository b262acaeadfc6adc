//! Issue 15: article text is untrusted. A corpus whose ids, outlets, titles, urls and copied
//! text hold terminal escapes, bidi overrides, spreadsheet formulas and markup gives reports
//! that are safe to print, to open in a spreadsheet and (see `html.rs`) in a browser, while
//! the JSON keeps every text exactly.

use crate::support::{Fixture, Run};

/// The text two outlets share, with escapes planted inside (ESC[2J clears a terminal, OSC 8
/// makes a hyperlink, U+202E reverses the line, U+009B is a one-byte CSI).
pub const PLANTED: &str = "-1+1 Russia and the United States agreed on Tuesday to begin working toward ending the war in Ukraine \x1b[2J\x1b]8;;http://evil.example/\x07click here\x1b]8;;\x07 and improving their diplomatic and economic ties, \u{202e}officials said\u{202c} \u{9b}31m. =HYPERLINK(\"http://x\",\"y\") The meeting of senior officials lasted four and a half hours <script>document.title='pwned'</script> in the Saudi capital \"><img src=x onerror=\"document.title='pwned'\"> and was the first such contact in years.";

/// The records of the hostile corpus, as (id, outlet, title, url, text).
pub fn records() -> Vec<[String; 5]> {
    let r =
        |a: &str, b: &str, c: &str, d: &str, e: String| [a.into(), b.into(), c.into(), d.into(), e];
    vec![
        r(
            "=1+1\x1b[31m",
            "=HYPERLINK(\"http://x\",\"y\")",
            "<script>document.title='pwned'</script>",
            "javascript:alert(document.title='pwned')",
            format!("date 2025-02-17\n{PLANTED}"),
        ),
        r(
            "+cmd|' /C calc'!A0",
            "@daily\u{202e}",
            "\"><img src=x onerror=\"document.title='pwned'\">",
            "https://example.com/story?a=1&b=\"2\"",
            format!("Officials: {PLANTED} More later."),
        ),
        r(
            "\tthird\r",
            "-wire\x1b]8;;http://evil.example/\x07",
            "x",
            "data:text/html,<script>alert(1)</script>",
            format!("{PLANTED}\n\nUnrelated closing words about the weather in spring."),
        ),
    ]
}

/// Write `hostile.jsonl` (the records, then a duplicate of the first id, skipped with a
/// message naming it) into the fixture.
pub fn write_corpus(f: &Fixture) {
    let mut jsonl = String::new();
    for [id, outlet, title, url, text] in records() {
        let line = serde_json::json!({
            "id": id, "outlet": outlet, "title": title, "url": url, "text": text
        });
        jsonl.push_str(&line.to_string());
        jsonl.push('\n');
    }
    jsonl.push_str(&serde_json::json!({"id": records()[0][0], "text": "again"}).to_string());
    jsonl.push('\n');
    f.write("hostile.jsonl", jsonl);
}

fn run(f: &Fixture, args: &[&str]) -> Run {
    let run = f.run(args);
    assert_eq!(run.code, 1, "the duplicate is skipped: {}", run.stderr);
    run
}

/// Characters that must not reach a terminal: C0 but newline, DEL, C1, bidi controls.
fn unsafe_for_terminal(c: char) -> bool {
    (c < ' ' && c != '\n')
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn assert_terminal_safe(what: &str, s: &str) {
    let bad: Vec<(usize, char)> = s
        .char_indices()
        .filter(|&(_, c)| unsafe_for_terminal(c))
        .collect();
    assert!(bad.is_empty(), "{what}: {bad:?} in\n{s}");
}

/// Cells of a CSV file, read with the `csv` crate.
fn cells(csv_text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes())
        .records()
        .map(|r| r.expect("valid CSV").iter().map(str::to_string).collect())
        .collect()
}

/// `^[=+\-@]|,[=+\-@]` in the sense of a cell start (a line break inside a quoted cell is
/// not a cell start), plus tab and CR.
fn formula_cells(rows: &[Vec<String>]) -> Vec<String> {
    rows.iter()
        .flatten()
        .filter(|c| c.starts_with(['=', '+', '-', '@', '\t', '\r']))
        .cloned()
        .collect()
}

#[test]
fn hostile_csv_has_no_formula_cell_and_no_escape_byte() {
    let f = Fixture::new();
    write_corpus(&f);
    let out = run(
        &f,
        &[
            "report",
            "hostile.jsonl",
            "--format",
            "csv",
            "--outlets-csv",
            "outlets.csv",
        ],
    );
    let outlets = std::fs::read(f.path("outlets.csv")).unwrap();
    for (what, bytes) in [("passages", &out.stdout_bytes), ("outlets", &outlets)] {
        assert!(!bytes.contains(&0x1b), "{what}: an ESC byte");
        let rows = cells(std::str::from_utf8(bytes).unwrap());
        assert!(rows.len() > 1, "{what}: rows");
        assert_eq!(formula_cells(&rows), Vec::<String>::new(), "{what}");
    }
    let rows = cells(&out.stdout);
    assert!(rows.len() >= 3, "passages between the three: {rows:?}");
    // The planted cells are there, defused: a leading ', the ESC shown as text.
    let all: Vec<&String> = rows.iter().flatten().collect();
    assert!(all.iter().any(|c| c.starts_with("'=HYPERLINK(")), "{all:?}");
    assert!(
        all.iter().any(|c| c.as_str() == "'=1+1\\u{1b}[31m"),
        "{all:?}"
    );
    assert!(all.iter().any(|c| c.contains("\\u{1b}[2J")));

    // --csv-raw writes the cells as they are.
    let raw = run(
        &f,
        &[
            "report",
            "hostile.jsonl",
            "--format",
            "csv",
            "--csv-raw",
            "--outlets-csv",
            "raw-outlets.csv",
        ],
    );
    let raw_rows = cells(&raw.stdout);
    assert!(!formula_cells(&raw_rows).is_empty());
    assert!(raw.stdout.contains("\x1b[2J"));
    let raw_outlets = cells(&std::fs::read_to_string(f.path("raw-outlets.csv")).unwrap());
    assert!(raw_outlets
        .iter()
        .any(|r| r[0] == "=HYPERLINK(\"http://x\",\"y\")"));
}

#[test]
fn hostile_text_report_and_stderr_hold_no_control_character() {
    let f = Fixture::new();
    write_corpus(&f);
    for width in ["40", "80", "140"] {
        let out = run(&f, &["report", "hostile.jsonl", "--width", width]);
        assert_terminal_safe("text report", &out.stdout);
        assert_terminal_safe("stderr", &out.stderr);
        assert!(
            out.stdout.contains("\\u{1b}[2J") && out.stdout.contains("\\u{202e}"),
            "the escapes are shown: {}",
            out.stdout
        );
        let w: usize = width.parse().unwrap();
        assert!(out.stdout.lines().all(|l| l.chars().count() <= w));
        // The duplicate's id is named on stderr, escaped.
        assert!(out.stderr.contains("[=1+1\\u{1b}[31m]"), "{}", out.stderr);
    }
    // An error naming the corpus's outlets (the usage error of an unknown --outlet).
    let err = f.run(&["report", "hostile.jsonl", "--outlet", "nope"]);
    assert_eq!(err.code, 2);
    assert!(
        err.stderr.contains("no outlet named nope"),
        "{}",
        err.stderr
    );
    assert!(err.stderr.contains("-wire\\u{1b}]8;;"), "{}", err.stderr);
    assert_terminal_safe("error", &err.stderr);
    // With colour, the only escapes are the renderer's own colours.
    let out = run(&f, &["report", "hostile.jsonl", "--color", "always"]);
    let mut plain = out.stdout.clone();
    for code in [
        "\x1b[33m", "\x1b[32m", "\x1b[31m", "\x1b[1m", "\x1b[2m", "\x1b[0m",
    ] {
        plain = plain.replace(code, "");
    }
    assert_ne!(plain, out.stdout, "colour was used");
    assert_terminal_safe("coloured text report", &plain);
}

#[test]
fn hostile_check_and_diff_hold_no_control_character() {
    let f = Fixture::new();
    write_corpus(&f);
    // The baseline: the same corpus with another edit, so passages are lost and found.
    let mut jsonl = std::fs::read_to_string(f.path("hostile.jsonl")).unwrap();
    let base = run(
        &f,
        &[
            "report",
            "hostile.jsonl",
            "--format",
            "json",
            "-o",
            "new.json",
        ],
    );
    assert_terminal_safe("stderr", &base.stderr);
    jsonl = jsonl.replacen("senior officials", "officials", 1);
    f.write("old/hostile.jsonl", jsonl);
    let old = f.run(&[
        "report",
        "old/hostile.jsonl",
        "--min-words",
        "9",
        "--format",
        "json",
        "-o",
        "old.json",
    ]);
    assert_eq!(old.code, 1, "{}", old.stderr);
    let check = f.run(&["check", "--baseline", "old.json", "hostile.jsonl"]);
    assert_eq!(check.code, 1, "changed: {}", check.stderr);
    assert_terminal_safe("check", &check.stdout);
    assert_terminal_safe("check stderr", &check.stderr);
    assert!(check.stdout.contains("\\u{1b}"), "{}", check.stdout);
    let diff = f.run(&["diff", "old.json", "new.json"]);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    assert_terminal_safe("diff", &diff.stdout);
    assert!(diff.stdout.contains("SETTINGS") && diff.stdout.contains("\\u{"));
}

#[test]
fn hostile_json_keeps_every_text_exactly() {
    let f = Fixture::new();
    write_corpus(&f);
    let out = run(&f, &["report", "hostile.jsonl", "--format", "json"]);
    let r: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let recs = records();
    let input = |id: &str| -> &str {
        &recs
            .iter()
            .find(|r| r[0] == id)
            .expect("a document of the input")[4]
    };
    let docs = r["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 3);
    for (d, rec) in docs.iter().zip(&recs) {
        for (field, i) in [("id", 0), ("outlet", 1), ("title", 2), ("url", 3)] {
            assert_eq!(d[field].as_str(), Some(rec[i].as_str()), "{field}");
        }
    }
    let passages = r["passages"].as_array().unwrap();
    assert!(!passages.is_empty());
    let mut planted = 0;
    for p in passages {
        for side in [&p["a"], &p["b"]] {
            let text = input(side["doc"].as_str().unwrap());
            let (bs, be) = (
                side["byte_start"].as_u64().unwrap() as usize,
                side["byte_end"].as_u64().unwrap() as usize,
            );
            let got = side["text"].as_str().unwrap();
            assert_eq!(got.as_bytes(), &text.as_bytes()[bs..be], "byte slice");
            let (cs, ce) = (
                side["start"].as_u64().unwrap() as usize,
                side["end"].as_u64().unwrap() as usize,
            );
            let chars: String = text.chars().skip(cs).take(ce - cs).collect();
            assert_eq!(got, chars, "char slice");
            planted += usize::from(got.contains("\x1b[2J") && got.contains('\u{202e}'));
        }
    }
    assert!(planted > 0, "the escapes are in the passages, unchanged");
}
