//! The reports people read: terminal (width, colour, filters) and CSV.

use crate::support::{samples, Fixture, Run};

fn sample_run(f: &Fixture, extra: &[&str]) -> Run {
    let s = samples();
    let mut args = vec!["report", s.to_str().unwrap()];
    args.extend_from_slice(extra);
    let run = f.run(&args);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    run
}

/// Drop ANSI escape sequences (`ESC [ … m`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\x1b' {
            for d in it.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn max_width(s: &str) -> usize {
    s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn text_colour_follows_the_flag_and_no_color() {
    let f = Fixture::new();
    // The fixture sets NO_COLOR and stdout is a pipe: no colour unless asked.
    assert!(!sample_run(&f, &["--top", "2"]).stdout.contains('\x1b'));
    assert!(!sample_run(&f, &["--top", "2", "--color", "never"])
        .stdout
        .contains('\x1b'));
    let auto = f.run_with(
        &["report", samples().to_str().unwrap(), "--top", "2"],
        &[("NO_COLOR", "")],
        None,
    );
    assert!(
        !auto.stdout.contains('\x1b'),
        "auto: a pipe is not a terminal"
    );
    let colour = sample_run(&f, &["--top", "2", "--color", "always"]);
    assert!(
        colour.stdout.contains("\x1b[33m"),
        "replaced words in yellow"
    );
    assert!(colour.stdout.contains("\x1b[0m"));
    // Colour replaces the markers; without colour they carry the edits.
    let plain = strip_ansi(&colour.stdout);
    assert!(!plain.contains("{+"));
    assert!(max_width(&plain) <= 80, "{plain}");
}

#[test]
fn text_fits_its_width_stacked_and_side_by_side() {
    let f = Fixture::new();
    for width in ["40", "80", "119"] {
        let run = sample_run(&f, &["--width", width]);
        let w: usize = width.parse().unwrap();
        for line in run.stdout.lines() {
            assert!(line.chars().count() <= w, "wider than {w}: {line}");
        }
        assert!(!run.stdout.contains(" │ "), "stacked below 120 columns");
        assert!(run.stdout.contains("edits (A -> B)"));
    }
    let wide = sample_run(&f, &["--width", "140", "--color", "always"]);
    let plain = strip_ansi(&wide.stdout);
    assert!(max_width(&plain) <= 140);
    assert!(plain.contains(" │ "), "side by side from 120 columns");
    let wide = sample_run(&f, &["--width", "140"]);
    assert!(wide.stdout.contains(" │ "));
    assert!(wide.stdout.contains("[-") && wide.stdout.contains("{+"));
}

#[test]
fn text_table_and_filters() {
    let f = Fixture::new();
    let all = sample_run(&f, &[]);
    assert!(all
        .stdout
        .contains("outlet                arts  pass  reused"));
    // The row of 001: one article, some passages, a reused share.
    let row: Vec<&str> = all
        .stdout
        .lines()
        .find(|l| l.starts_with("001_0315c482c362d048 "))
        .expect("a row for 001")
        .split_whitespace()
        .collect();
    assert_eq!(row[1], "1", "{row:?}");
    assert!(row[2].parse::<usize>().unwrap() > 0, "{row:?}");
    assert!(row[3].ends_with('%'), "{row:?}");
    let one = sample_run(&f, &["--outlet", "003_ca3ab9a7ae8844ac"]);
    assert!(one.stdout.contains("OUTLETS (1 outlet of 5"));
    let heads: Vec<&str> = one
        .stdout
        .lines()
        .filter(|l| l.contains(".txt <-> ") || l.contains(".txt -> "))
        .collect();
    let json = sample_run(&f, &["--format", "json"]);
    let r: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let involving = r["passages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["a"]["outlet"] == "003_ca3ab9a7ae8844ac" || p["b"]["outlet"] == "003_ca3ab9a7ae8844ac"
        })
        .count();
    assert_eq!(heads.len(), involving, "passages with a side in 003");
    assert!(heads.iter().all(|l| l.contains("003_ca3ab9a7ae8844ac")));
    let big = sample_run(&f, &["--show-min-words", "40"]);
    let words: Vec<usize> = big
        .stdout
        .lines()
        .filter_map(|l| l.trim().split_once(" identical words"))
        .map(|(n, _)| n.parse().unwrap())
        .collect();
    assert!(
        !words.is_empty() && words.iter().all(|&n| n >= 40),
        "{words:?}"
    );
    assert!(big.stdout.contains(&format!("{} shown", words.len())));
    let bad = f.run(&["report", samples().to_str().unwrap(), "--outlet", "nope"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("no outlet named nope"),
        "{}",
        bad.stderr
    );
    assert!(bad.stdout.is_empty());
}

/// RFC 4180: records end in CRLF; quoted fields may hold commas, CR, LF and `""`.
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = s.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "bare CR outside quotes");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\n') => panic!("bare LF outside quotes"),
            (false, c) => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && row.is_empty(),
        "ends with CRLF"
    );
    rows
}

#[test]
fn csv_round_trips_commas_quotes_and_newlines() {
    let f = Fixture::new();
    let story = "The minister said, \"we will, of course, act\"\non Tuesday,\r\nand the plan for rail investment in the north of the country goes ahead, officials said.";
    f.write("c/wire/a.txt", story);
    f.write("c/daily/b.txt", format!("Our reporter writes: {story}"));
    let run = f.run(&["report", "c", "--format", "csv", "--outlets-csv", "o.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = parse_csv(&run.stdout);
    assert_eq!(rows[0][0], "id");
    assert_eq!(rows[0].len(), 16);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let json = f.run(&["report", "c", "--format", "json"]);
    let r: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let p = &r["passages"][0];
    let row = &rows[1];
    assert_eq!(row[0], p["id"].as_str().unwrap());
    assert_eq!(row[2], p["a"]["doc"].as_str().unwrap());
    assert_eq!(row[3], p["a"]["outlet"].as_str().unwrap());
    assert_eq!(row[7], p["b"]["outlet"].as_str().unwrap());
    assert_eq!(row[4], p["a"]["start"].to_string());
    assert_eq!(row[14], p["a"]["text"].as_str().unwrap());
    assert_eq!(row[15], p["b"]["text"].as_str().unwrap());
    assert!(row[14].contains(",") && row[14].contains("\"we") && row[14].contains("\r\n"));
    let outlets = parse_csv(&std::fs::read_to_string(f.path("o.csv")).unwrap());
    assert_eq!(outlets[0][0], "outlet");
    let names: Vec<&str> = outlets[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["daily", "wire"]);
}
