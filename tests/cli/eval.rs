//! `wirecopy generate` and `wirecopy eval`.

use crate::support::{Fixture, Run};

const SHARED: &str = "The central bank raised its main interest rate by half a point on Thursday, \
    saying that inflation had stayed well above its target for a third straight quarter and that \
    wage growth showed no sign of slowing before the summer.";

/// Two outlets sharing one verbatim passage; returns the truth case's char spans.
fn two_outlets(f: &Fixture) -> ((usize, usize), (usize, usize)) {
    let a = format!("Markets opened calmly in Asia. {SHARED} Analysts had expected the move.");
    let b =
        format!("In other news, a storm hit the coast overnight and closed two ports. {SHARED}");
    f.write("in/ap/story.txt", &a);
    f.write("in/daily/story.txt", &b);
    let span = |t: &str| {
        let s = t.find(SHARED).unwrap();
        (s, s + SHARED.len())
    };
    (span(&a), span(&b))
}

fn truth_json(a: (usize, usize), b: (usize, usize)) -> String {
    serde_json::json!({"truth_version": 1, "description": "test",
        "passages": [{"a": {"doc": "ap/story.txt", "start": a.0, "end": a.1},
                      "b": {"doc": "daily/story.txt", "start": b.0, "end": b.1},
                      "kind": "verbatim"}]})
    .to_string()
}

fn scores(run: &Run) -> serde_json::Value {
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    serde_json::from_str(&run.stdout).expect("valid JSON")
}

#[test]
fn eval_scores_paths_and_saved_reports_alike() {
    let f = Fixture::new();
    let (a, b) = two_outlets(&f);
    f.write("truth.json", truth_json(a, b));
    let direct = f.run(&["eval", "--truth", "truth.json", "in", "--format", "json"]);
    let s = scores(&direct);
    assert_eq!(s["cases"], 1);
    assert_eq!(s["detected_cases"], 1);
    assert_eq!(s["granularity"], 1.0);
    assert!(s["f1"].as_f64().unwrap() > 0.9, "{s}");
    let r = f.run(&["report", "in", "--format", "json", "-o", "report.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let saved = f.run(&[
        "eval",
        "--truth",
        "truth.json",
        "--report",
        "report.json",
        "--format",
        "json",
    ]);
    assert_eq!(saved.stdout, direct.stdout);
    let text = f.run(&["eval", "--truth", "truth.json", "--report", "report.json"]);
    assert_eq!(text.code, 0);
    assert!(text.stdout.contains("macro   precision"), "{}", text.stdout);
    assert!(text.stdout.contains("plagdet"), "{}", text.stdout);
}

#[test]
fn eval_exits_1_when_a_threshold_fails() {
    let f = Fixture::new();
    let (a, b) = two_outlets(&f);
    // A second case the detector cannot find: text the two documents do not share.
    let mut t: serde_json::Value = serde_json::from_str(&truth_json(a, b)).unwrap();
    t["passages"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!(
        {"a": {"doc": "ap/story.txt", "start": 0, "end": 20},
         "b": {"doc": "daily/story.txt", "start": 0, "end": 20}}));
    f.write("truth.json", t.to_string());
    let run = f.run(&["eval", "--truth", "truth.json", "in", "--min-recall", "0.9"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("recall"), "{}", run.stderr);
    assert!(run.stderr.contains("--min-recall 0.9"), "{}", run.stderr);
    let ok = f.run(&[
        "eval",
        "--truth",
        "truth.json",
        "in",
        "--min-precision",
        "0.9",
    ]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
}

#[test]
fn eval_input_errors_exit_2_and_name_the_file() {
    let f = Fixture::new();
    let (a, b) = two_outlets(&f);
    let wrong = truth_json(a, b).replace("daily/story.txt", "daily/missing.txt");
    f.write("wrong.json", wrong);
    let run = f.run(&["eval", "--truth", "wrong.json", "in"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("wrong.json") && run.stderr.contains("daily/missing.txt"),
        "{}",
        run.stderr
    );
    f.write("broken.json", "{\"truth_version\": 1, \"passages\": [");
    let run = f.run(&["eval", "--truth", "broken.json", "in"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("broken.json: not a valid truth file"),
        "{}",
        run.stderr
    );
    f.write("truth.json", truth_json(a, b));
    f.write("report.json", "{}");
    let run = f.run(&["eval", "--truth", "truth.json", "--report", "report.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("report.json: not a valid report"),
        "{}",
        run.stderr
    );
    let run = f.run(&["eval", "--truth", "truth.json"]);
    assert_eq!(run.code, 2, "neither --report nor PATH: {}", run.stderr);
    let run = f.run(&["eval", "--truth", "truth.json", "in", "--min-f1", "2"]);
    assert_eq!(run.code, 2);
}

/// A tiny base: 6 Reuters stories of 6 paragraphs, 30 BBC articles, made of pseudo-random
/// words so that no two articles share text.
fn base() -> String {
    let mut state: u64 = 42;
    let mut word = move || {
        const SYL: [&str; 12] = [
            "ka", "lo", "mi", "ne", "ru", "so", "ta", "vi", "do", "pe", "gan", "tor",
        ];
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let x = state >> 33;
        (0..2 + x % 2)
            .map(|i| SYL[((x >> (4 * i + 2)) % 12) as usize])
            .collect::<String>()
    };
    let mut para = || {
        (0..3)
            .map(|_| {
                let words: Vec<String> = (0..14).map(|_| word()).collect();
                format!("The {}.", words.join(" "))
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = String::new();
    for n in 0..6 {
        let body: Vec<String> = (0..6).map(|_| para()).collect();
        let text = format!("STORY {n}\n\n{}", body.join("\n    "));
        out += &serde_json::json!({"id": format!("r{n}"), "outlet": "Reuters",
            "title": format!("STORY {n}"), "text": text})
        .to_string();
        out.push('\n');
    }
    for n in 0..30 {
        let body: Vec<String> = (0..4).map(|_| para()).collect();
        out += &serde_json::json!({"id": format!("b{n}"), "outlet": "BBC",
            "title": format!("Tea {n}"), "text": body.join("\n\n")})
        .to_string();
        out.push('\n');
    }
    out
}

#[test]
fn generate_writes_a_corpus_whose_truth_slices_back_and_scores() {
    let f = Fixture::new();
    f.write("base.jsonl", base());
    let args = [
        "generate",
        "--base",
        "base.jsonl",
        "--wires",
        "4",
        "--outlets",
        "3",
        "--articles",
        "5",
        "--edit-rate",
        "0",
    ];
    let run = f.run(&[&args[..], &["--out", "g1"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("truth cases"), "{}", run.stdout);
    let corpus = std::fs::read_to_string(f.path("g1/corpus.jsonl")).unwrap();
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(f.path("g1/truth.json")).unwrap()).unwrap();
    let docs: std::collections::HashMap<String, String> = corpus
        .lines()
        .map(|l| {
            let d: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                d["id"].as_str().unwrap().into(),
                d["text"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(docs.len(), 4 + 3 * 5);
    let slice = |side: &serde_json::Value| -> String {
        let text = &docs[side["doc"].as_str().unwrap()];
        let (s, e) = (
            side["start"].as_u64().unwrap(),
            side["end"].as_u64().unwrap(),
        );
        text.chars()
            .skip(s as usize)
            .take((e - s) as usize)
            .collect()
    };
    let cases = truth["passages"].as_array().unwrap();
    assert!(!cases.is_empty());
    for c in cases {
        // Edit rate 0: both sides hold the same text, starting and ending on words.
        let (a, b) = (slice(&c["a"]), slice(&c["b"]));
        assert_eq!(a, b);
        assert_eq!(a.trim(), a);
        assert_eq!(c["kind"], "verbatim");
    }
    // Same seed, same bytes.
    let again = f.run(&[&args[..], &["--out", "g2"]].concat());
    assert_eq!(again.code, 0);
    for name in ["corpus.jsonl", "truth.json"] {
        assert_eq!(
            std::fs::read(f.path(&format!("g1/{name}"))).unwrap(),
            std::fs::read(f.path(&format!("g2/{name}"))).unwrap()
        );
    }
    let s = scores(&f.run(&[
        "eval",
        "--truth",
        "g1/truth.json",
        "g1/corpus.jsonl",
        "--format",
        "json",
    ]));
    assert!(s["recall"].as_f64().unwrap() > 0.8, "{s}");
    assert!(s["precision"].as_f64().unwrap() > 0.8, "{s}");
}

#[test]
fn generate_refuses_bad_options_and_missing_base() {
    let f = Fixture::new();
    let run = f.run(&["generate", "--base", "nope.jsonl", "--out", "g"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("nope.jsonl"), "{}", run.stderr);
    f.write("base.jsonl", base());
    let run = f.run(&[
        "generate",
        "--base",
        "base.jsonl",
        "--out",
        "g",
        "--edit-rate",
        "1.5",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--edit-rate"), "{}", run.stderr);
}
