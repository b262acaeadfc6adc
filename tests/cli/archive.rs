//! The archive (`wirecopy index …`, `report --archive`): a query's answers — the same as a
//! batch run's, whatever the adds' split or the thread count — stats, settings, formats and
//! `check --archive`. [`changes`]: duplicates, retention, compaction, `--add`, bad input.
//! [`safety`]: damaged files, the writer's lock, SIGKILL, a reader during a writer.
//!
//! Most tests start from [`archived`]: a generated corpus (20 wire stories, 8 outlets of 25
//! articles) split into the wire stories, three parts of outlet articles and a query of every
//! tenth outlet article, the first four added to the archive `A` in turn.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::support::{Fixture, Run};

mod changes;
mod safety;

/// `wirecopy generate` gives its wire stories this outlet (src/eval/generate.rs).
const WIRE: &str = "wire";
/// The archive's adds, in order, then the query: a directory walk of `dir` (sorted by name)
/// reads them in this order.
const ADDS: [&str; 4] = [
    "dir/a-wire.jsonl",
    "dir/b-part1.jsonl",
    "dir/c-part2.jsonl",
    "dir/d-part3.jsonl",
];
const QUERY: &str = "dir/z-query.jsonl";
/// Wire stories are dated 2025-03-10, outlet articles the day after.
const OUTLET_DAY: &str = "2025-03-11";
const LOCKED: &str = "another wirecopy is writing to A; try again when it has finished";

/// A deterministic stream of pseudo-random numbers (a 64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A pseudo-random word of 2 or 3 syllables: texts made of them share no 8-word sequence.
fn word(rng: &mut Lcg) -> String {
    const SYL: [&str; 12] = [
        "ka", "lo", "mi", "ne", "ru", "so", "ta", "vi", "do", "pe", "gan", "tor",
    ];
    let x = rng.next();
    (0..2 + x % 2)
        .map(|i| SYL[((x >> (4 * i + 2)) % 12) as usize])
        .collect()
}

/// A paragraph of three 15-word sentences.
fn paragraph(rng: &mut Lcg) -> String {
    (0..3)
        .map(|_| {
            let words: Vec<String> = (0..14).map(|_| word(rng)).collect();
            format!("The {}.", words.join(" "))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A base for `generate`: 24 Reuters stories of 6 paragraphs, 260 BBC articles of 4 (each
/// outlet article uses one BBC article of its own).
fn base() -> String {
    let mut rng = Lcg(42);
    let mut out = String::new();
    for n in 0..24 {
        let body: Vec<String> = (0..6).map(|_| paragraph(&mut rng)).collect();
        let text = format!("STORY {n}\n\n{}", body.join("\n    "));
        out += &serde_json::json!({"id": format!("r{n}"), "outlet": "Reuters",
            "title": format!("STORY {n}"), "text": text})
        .to_string();
        out.push('\n');
    }
    for n in 0..260 {
        let body: Vec<String> = (0..4).map(|_| paragraph(&mut rng)).collect();
        out += &serde_json::json!({"id": format!("b{n}"), "outlet": "BBC",
            "title": format!("Tea {n}"), "text": body.join("\n\n")})
        .to_string();
        out.push('\n');
    }
    out
}

/// One generated document: its JSONL line and the fields the tests look at.
#[derive(Clone)]
struct Doc {
    line: String,
    id: String,
    outlet: String,
    text: String,
}

fn parse_doc(line: &str) -> Doc {
    let v: Value = serde_json::from_str(line).unwrap();
    Doc {
        line: line.to_string(),
        id: v["id"].as_str().unwrap().into(),
        outlet: v["outlet"].as_str().unwrap().into(),
        text: v["text"].as_str().unwrap().into(),
    }
}

/// `wirecopy generate` into `g/`: 20 wire stories, 8 outlets x 25 articles (220 documents).
fn generated(f: &Fixture) -> Vec<Doc> {
    f.write("base.jsonl", base());
    let run = f.run(&[
        "generate",
        "--base",
        "base.jsonl",
        "--wires",
        "20",
        "--outlets",
        "8",
        "--articles",
        "25",
        "--out",
        "g",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let corpus = std::fs::read_to_string(f.path("g/corpus.jsonl")).unwrap();
    let docs: Vec<Doc> = corpus.lines().map(parse_doc).collect();
    assert_eq!(docs.len(), 220);
    assert_eq!(docs.iter().filter(|d| d.outlet == WIRE).count(), 20);
    docs
}

fn jsonl<'a>(docs: impl IntoIterator<Item = &'a Doc>) -> String {
    docs.into_iter().map(|d| d.line.clone() + "\n").collect()
}

/// The documents with `prefix` put before each id (a copy that is new to the archive).
fn renamed(docs: &[Doc], prefix: &str) -> String {
    docs.iter()
        .map(|d| {
            let mut v: Value = serde_json::from_str(&d.line).unwrap();
            v["id"] = Value::String(format!("{prefix}{}", d.id));
            v.to_string() + "\n"
        })
        .collect()
}

/// What [`archived`] made.
struct Setup {
    f: Fixture,
    docs: Vec<Doc>,
    /// Ids of the query's documents.
    query: HashSet<String>,
}

impl Setup {
    fn query_docs(&self) -> Vec<&Doc> {
        self.docs
            .iter()
            .filter(|d| self.query.contains(&d.id))
            .collect()
    }
}

/// Generate the corpus, split it into `ADDS` and `QUERY` (every tenth outlet article), make
/// the archive `A` (with `create_args`) and add the parts in order, the wire stories with
/// `--wire wire`.
fn archived_with(create_args: &[&str]) -> Setup {
    let f = Fixture::new();
    let docs = generated(&f);
    let (wire, outlets): (Vec<&Doc>, Vec<&Doc>) = docs.iter().partition(|d| d.outlet == WIRE);
    let (mut query, mut rest): (Vec<&Doc>, Vec<&Doc>) = (Vec::new(), Vec::new());
    for (i, d) in outlets.into_iter().enumerate() {
        if i % 10 == 3 {
            query.push(d);
        } else {
            rest.push(d);
        }
    }
    assert_eq!((rest.len(), query.len()), (180, 20));
    f.write(ADDS[0], jsonl(wire));
    for (k, part) in rest.chunks(60).enumerate() {
        f.write(ADDS[k + 1], jsonl(part.iter().copied()));
    }
    f.write(QUERY, jsonl(query.iter().copied()));
    let query = query.iter().map(|d| d.id.clone()).collect();
    let run = f.run(&[&["index", "create", "A"], create_args].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (k, path) in ADDS.iter().enumerate() {
        let mut args = vec!["index", "add", "A", path];
        if k == 0 {
            args.extend(["--wire", WIRE]);
        }
        let run = f.run(&args);
        assert_eq!(run.code, 0, "{path}: {}", run.stderr);
    }
    Setup { f, docs, query }
}

fn archived() -> Setup {
    archived_with(&[])
}

fn json(run: &Run) -> Value {
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("valid JSON")
}

fn stats(f: &Fixture, archive: &str) -> Value {
    json(&f.run(&["index", "stats", archive, "--format", "json"]))
}

fn documents(f: &Fixture, archive: &str) -> u64 {
    stats(f, archive)["documents"].as_u64().unwrap()
}

/// `report --archive A PATH… --format json` (exit 0).
fn query_report(f: &Fixture, paths: &[&str], extra: &[&str]) -> Value {
    json(
        &f.run(
            &[
                &["report", "--archive", "A"],
                paths,
                &["--format", "json"],
                extra,
            ]
            .concat(),
        ),
    )
}

fn passages(report: &Value) -> &Vec<Value> {
    report["passages"].as_array().unwrap()
}

/// Whether a passage has a side in document `id`.
fn involves(p: &Value, id: &str) -> bool {
    p["a"]["doc"] == id || p["b"]["doc"] == id
}

/// Which side of which document pair, and of which kind: (first id, second id, second side,
/// kind), the ids in sorted order whatever the report calls `a`.
type Side = (String, String, bool, String);
/// Sorted, disjoint character intervals (half-open).
type Spans = Vec<(u64, u64)>;

fn union(mut v: Spans) -> Spans {
    v.sort_unstable();
    let mut out: Spans = Vec::new();
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

fn length(v: &Spans) -> u64 {
    v.iter().map(|(s, e)| e - s).sum()
}

fn intersection(u: &Spans, v: &Spans) -> u64 {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < u.len() && j < v.len() {
        let (lo, hi) = (u[i].0.max(v[j].0), u[i].1.min(v[j].1));
        if lo < hi {
            n += hi - lo;
        }
        if u[i].1 < v[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    n
}

/// The characters covered by a report's passages that involve a query document, per
/// document pair, side and kind; and how many such passages there are.
fn coverage(report: &Value, query: &HashSet<String>) -> (usize, HashMap<Side, Spans>) {
    let mut cov: HashMap<Side, Spans> = HashMap::new();
    let mut n = 0;
    for p in passages(report) {
        let (a, b) = (&p["a"], &p["b"]);
        let (ad, bd) = (a["doc"].as_str().unwrap(), b["doc"].as_str().unwrap());
        if !query.contains(ad) && !query.contains(bd) {
            continue;
        }
        n += 1;
        let (x, y) = if ad <= bd { (a, b) } else { (b, a) };
        let (xd, yd) = (x["doc"].as_str().unwrap(), y["doc"].as_str().unwrap());
        let kind = p["kind"].as_str().unwrap();
        for (second, side) in [(false, x), (true, y)] {
            cov.entry((xd.into(), yd.into(), second, kind.into()))
                .or_default()
                .push((
                    side["start"].as_u64().unwrap(),
                    side["end"].as_u64().unwrap(),
                ));
        }
    }
    let cov = cov.into_iter().map(|(k, v)| (k, union(v))).collect();
    (n, cov)
}

/// Characters covered by both reports for the same pair, side and kind, over those covered
/// by either.
fn agreement(batch: &HashMap<Side, Spans>, archive: &HashMap<Side, Spans>) -> f64 {
    let (mut both, mut either) = (0, 0);
    for (k, u) in batch {
        let common = archive.get(k).map_or(0, |v| intersection(u, v));
        both += common;
        either += length(u) + archive.get(k).map_or(0, length) - common;
    }
    either += archive
        .iter()
        .filter(|(k, _)| !batch.contains_key(*k))
        .map(|(_, v)| length(v))
        .sum::<u64>();
    both as f64 / either.max(1) as f64
}

/// Every passage side's text is its document's characters `start..end`.
fn texts_slice_back(report: &Value, docs: &[Doc]) {
    let texts: HashMap<&str, Vec<char>> = docs
        .iter()
        .map(|d| (d.id.as_str(), d.text.chars().collect()))
        .collect();
    for p in passages(report) {
        for side in [&p["a"], &p["b"]] {
            let text = &texts[side["doc"].as_str().unwrap()];
            let (s, e) = (
                side["start"].as_u64().unwrap() as usize,
                side["end"].as_u64().unwrap() as usize,
            );
            let slice: String = text[s..e].iter().collect();
            assert_eq!(side["text"].as_str().unwrap(), slice, "{}", p["id"]);
        }
    }
}

/// A query against an archive built in four adds finds the passages a batch run over the
/// same documents in the same order (`report dir`: the adds, then the query) finds for the
/// query's documents: same document pairs, spans and kinds on at least 99.5 % of their
/// characters, with the default candidates, with `--candidates lsh` (the index) and with stock
/// shingles and a tight partner cap. Archived
/// documents in the report keep their metadata, and their offsets slice their stored text.
#[test]
fn same_answers_as_a_batch_run() {
    let s = archived();
    let f = &s.f;
    // The third: stock shingles (in more than 3 documents) and a partner cap of 2, so that
    // verification counts stock shingles and archived documents decide their side of a pair.
    let stock_and_cap = [
        "--candidates",
        "lsh",
        "--lsh-max-df",
        "3",
        "--max-partners",
        "2",
    ];
    // The fourth: a partner cap of 2 with the default index, so that most archived ends are
    // ruled on from a part of their shingles (and the rest by the second pass).
    let cap = ["--candidates", "lsh", "--max-partners", "2"];
    for extra in [&[][..], &["--candidates", "lsh"], &stock_and_cap, &cap] {
        let archive = query_report(f, &[QUERY], extra);
        let batch = json(
            &f.run(
                &[
                    &["report", "dir", "--wire", WIRE, "--format", "json"],
                    extra,
                ]
                .concat(),
            ),
        );
        let (n_archive, cov_archive) = coverage(&archive, &s.query);
        let (n_batch, cov_batch) = coverage(&batch, &s.query);
        assert!(
            n_batch >= 50,
            "{extra:?}: only {n_batch} batch passages involve the query"
        );
        let share = agreement(&cov_batch, &cov_archive);
        println!(
            "{extra:?}: {n_archive} archive and {n_batch} batch passages involve the query; \
             agreement {:.3} %",
            100.0 * share
        );
        assert!(share >= 0.995, "{extra:?}: agreement {share}");
        // The archive report holds only the query and the archived documents it needs.
        assert_eq!(passages(&archive).len(), n_archive, "{extra:?}");
        texts_slice_back(&archive, &s.docs);
        let batch_docs: HashMap<&str, &Value> = batch["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["id"].as_str().unwrap(), d))
            .collect();
        let mut archived_sources = 0;
        for d in archive["documents"].as_array().unwrap() {
            let id = d["id"].as_str().unwrap();
            let b = batch_docs[id];
            for k in [
                "outlet",
                "date",
                "title",
                "url",
                "path",
                "line",
                "chars",
                "bytes",
                "words",
                "body_start",
                "lossy",
                "wire",
                "extra",
            ] {
                assert_eq!(d[k], b[k], "{extra:?}: {id}: {k}");
            }
            archived_sources += usize::from(!s.query.contains(id));
        }
        assert!(archived_sources > 20, "{extra:?}: {archived_sources}");
        for id in &s.query {
            assert!(
                archive["documents"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["id"] == id.as_str()),
                "{extra:?}: query document {id} not in the report"
            );
        }
    }
}

/// `index stats --format json` counts documents, wire documents, outlets and segments, gives
/// the date range, the size on disk and the settings.
#[test]
fn stats_describe_the_archive() {
    let s = archived();
    let st = stats(&s.f, "A");
    assert_eq!(st["documents"], 200, "{st}");
    assert_eq!(st["wire_documents"], 20);
    assert_eq!(st["outlets"], 9);
    assert_eq!(st["first_date"], "2025-03-10");
    assert_eq!(st["last_date"], OUTLET_DAY);
    assert_eq!(st["segments"], 4);
    let on_disk: u64 = ["catalog.sqlite", "segments"]
        .iter()
        .map(|p| {
            let p = s.f.path(&format!("A/{p}"));
            if p.is_dir() {
                std::fs::read_dir(&p)
                    .unwrap()
                    .map(|e| e.unwrap().metadata().unwrap().len())
                    .sum()
            } else {
                p.metadata().unwrap().len()
            }
        })
        .sum();
    let bytes = st["bytes"].as_u64().unwrap();
    assert!(bytes >= on_disk, "{bytes} < {on_disk}");
    assert_eq!(st["settings"]["sketch"]["shingle"], 5);
    let text = s.f.run(&["index", "stats", "A"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("200 (20 wire)"), "{}", text.stdout);
}

/// A sketch-changing setting given to a query with another value than the archive's is
/// refused (exit 2) naming the archive and the field; without it the archive's is used.
#[test]
fn settings_mismatch_is_refused_naming_the_field() {
    let s = archived_with(&["--shingle", "4", "--min-words", "12"]);
    let f = &s.f;
    let run = f.run(&["report", "--archive", "A", "--shingle", "5", QUERY]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("A: made with different settings") && run.stderr.contains("shingle"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let run = f.run(&["report", "--archive", "A", "--permutations", "64", QUERY]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("permutations"), "{}", run.stderr);
    let run = f.run(&["report", "--archive", "A", "--no-spelling", QUERY]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("spelling"), "{}", run.stderr);
    let r = query_report(f, &[QUERY], &[]);
    assert_eq!(r["settings"]["shingle"], 4, "{}", r["settings"]);
    assert_eq!(r["settings"]["min_words"], 12, "{}", r["settings"]);
    // A setting that does not change sketches may be given another value.
    let other = query_report(f, &[QUERY], &["--min-words", "8"]);
    assert_eq!(other["settings"]["min_words"], 8, "{}", other["settings"]);
    assert!(coverage(&r, &s.query).0 > 0);
    // The archive's own value, given explicitly, is no mismatch.
    let again = query_report(f, &[QUERY], &["--shingle", "4"]);
    assert_eq!(passages(&again), passages(&r));
}

/// A query's report is the same bytes whatever the thread count.
#[test]
fn archive_query_is_the_same_whatever_the_thread_count() {
    let s = archived();
    let runs: Vec<Run> = ["1", "2", "3"]
        .iter()
        .map(|t| {
            let run = s.f.run(&[
                "report",
                "--archive",
                "A",
                QUERY,
                "--format",
                "json",
                "--threads",
                t,
            ]);
            assert_eq!(run.code, 0, "--threads {t}: {}", run.stderr);
            run
        })
        .collect();
    assert!(runs.iter().all(|r| r.stdout_bytes == runs[0].stdout_bytes));
}

/// `check --archive` makes and checks a baseline of a query (clean when nothing changed)
/// and refuses a mismatched setting; the text, HTML and CSV reports of a query name the
/// archived sources.
#[test]
fn check_and_every_format_take_the_archive() {
    let s = archived();
    let f = &s.f;
    let base = ["check", "--archive", "A", "--baseline", "base.json", QUERY];
    let run = f.run(&[&base[..], &["--update"]].concat());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = f.run(&base);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("OK: no changes"), "{}", run.stdout);
    let run = f.run(&[&base[..], &["--shingle", "4"]].concat());
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("shingle"), "{}", run.stderr);
    for format in ["text", "html", "csv"] {
        let run = f.run(&["report", "--archive", "A", QUERY, "--format", format]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        assert!(
            run.stdout.contains("wire-00"),
            "{format}: no archived source"
        );
    }
}

/// A query's answers do not depend on how the archive was split into adds: one add of
/// everything gives the same report, byte for byte, as four; adds of 7 documents at a time
/// give the same passages.
#[test]
fn answers_do_not_depend_on_how_the_archive_was_split_into_adds() {
    let s = archived();
    let f = &s.f;
    let four = f.run(&["report", "--archive", "A", QUERY, "--format", "json"]);
    assert_eq!(four.code, 0, "{}", four.stderr);
    let run = f.run(&["index", "create", "B"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = f.run(&[&["index", "add", "B"], &ADDS[..], &["--wire", WIRE]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let one = f.run(&["report", "--archive", "B", QUERY, "--format", "json"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert!(
        one.stdout_bytes == four.stdout_bytes,
        "one add and four differ"
    );

    let run = f.run(&["index", "create", "C"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = f.run(&["index", "add", "C", ADDS[0], "--wire", WIRE]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut adds = 0;
    for part in &ADDS[1..] {
        let docs: Vec<Doc> = std::fs::read_to_string(f.path(part))
            .unwrap()
            .lines()
            .map(parse_doc)
            .collect();
        for chunk in docs.chunks(7) {
            let name = format!("small/{adds:03}.jsonl");
            f.write(&name, jsonl(chunk));
            let run = f.run(&["index", "add", "C", &name]);
            assert_eq!(run.code, 0, "{name}: {}", run.stderr);
            adds += 1;
        }
    }
    assert_eq!(stats(f, "C")["segments"], adds + 1);
    let small = json(&f.run(&["report", "--archive", "C", QUERY, "--format", "json"]));
    let four: Value = serde_json::from_slice(&four.stdout_bytes).unwrap();
    assert_eq!(
        passages(&small),
        passages(&four),
        "adds of 7 give other passages"
    );
}

/// Plain-text documents with a `date` line keep it in the archive: the dates are stored,
/// and passage offsets in archived documents count from the first byte of the file, as in
/// a batch run over the same files.
#[test]
fn archived_text_files_keep_their_dates_and_offsets() {
    let f = Fixture::new();
    let mut files: Vec<_> = std::fs::read_dir(crate::support::samples())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 5);
    for (i, p) in files.iter().enumerate() {
        let name = p.file_name().unwrap().to_str().unwrap();
        let (dir, date) = match i {
            0 | 1 => ("arch/ap", "2025-02-18"),
            2 | 3 => ("arch/daily", "2025-02-19"),
            _ => ("q/herald", "2025-02-20"),
        };
        let text = std::fs::read_to_string(p).unwrap();
        f.write(&format!("{dir}/{name}"), format!("date {date}\n{text}"));
    }
    assert_eq!(f.run(&["index", "create", "A"]).code, 0);
    let run = f.run(&["index", "add", "A", "arch", "--wire", "ap"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let st = stats(&f, "A");
    assert_eq!(
        (&st["first_date"], &st["last_date"], &st["wire_documents"]),
        (&"2025-02-18".into(), &"2025-02-19".into(), &2.into())
    );
    let archive = query_report(&f, &["q"], &[]);
    let batch = json(&f.run(&["report", "arch", "q", "--wire", "ap", "--format", "json"]));
    let query: HashSet<String> =
        ["herald/".to_string() + files[4].file_name().unwrap().to_str().unwrap()].into();
    let (n, cov_archive) = coverage(&archive, &query);
    let (_, cov_batch) = coverage(&batch, &query);
    assert!(n >= 3, "{n} passages");
    assert_eq!(cov_archive, cov_batch);
    for p in passages(&archive) {
        for side in [&p["a"], &p["b"]] {
            let id = side["doc"].as_str().unwrap();
            let dir = if query.contains(id) { "q" } else { "arch" };
            let text: Vec<char> = std::fs::read_to_string(f.path(&format!("{dir}/{id}")))
                .unwrap()
                .chars()
                .collect();
            let (s, e) = (
                side["start"].as_u64().unwrap() as usize,
                side["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(
                side["text"].as_str().unwrap(),
                text[s..e].iter().collect::<String>()
            );
        }
    }
}
