//! `wirecopy report` on the samples and on small generated inputs.

use crate::support::{samples, Fixture};

fn json(run: &crate::support::Run) -> serde_json::Value {
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    serde_json::from_str(&run.stdout).expect("valid JSON")
}

#[test]
fn samples_json_spans_slice_back_in_chars_and_bytes() {
    let f = Fixture::new();
    let s = samples();
    let r = json(&f.run(&["report", s.to_str().unwrap(), "--format", "json"]));
    let passages = r["passages"].as_array().unwrap();
    assert!(!passages.is_empty());
    for p in passages {
        for side in ["a", "b"] {
            let sd = &p[side];
            let doc = sd["doc"].as_str().unwrap();
            let bytes = std::fs::read(s.join(doc)).unwrap();
            let text = String::from_utf8(bytes.clone()).unwrap();
            let chars: Vec<char> = text.chars().collect();
            let (st, en) = (
                sd["start"].as_u64().unwrap() as usize,
                sd["end"].as_u64().unwrap() as usize,
            );
            let (bs, be) = (
                sd["byte_start"].as_u64().unwrap() as usize,
                sd["byte_end"].as_u64().unwrap() as usize,
            );
            let want = sd["text"].as_str().unwrap();
            assert_eq!(chars[st..en].iter().collect::<String>(), want);
            assert_eq!(&bytes[bs..be], want.as_bytes());
        }
        for e in p["edits"].as_array().unwrap() {
            assert!(e["a_start"].as_u64() <= e["a_end"].as_u64());
        }
    }
}

#[test]
fn samples_001_004_is_the_strongest_pair_and_edited() {
    let f = Fixture::new();
    let r = json(&f.run(&["report", samples().to_str().unwrap(), "--format", "json"]));
    let mut words: std::collections::BTreeMap<(String, String), u64> = Default::default();
    for p in r["passages"].as_array().unwrap() {
        let mut k = [
            p["a"]["doc"].as_str().unwrap().to_string(),
            p["b"]["doc"].as_str().unwrap().to_string(),
        ];
        k.sort();
        *words.entry((k[0].clone(), k[1].clone())).or_default() += p["words"].as_u64().unwrap();
    }
    let best = words.iter().max_by_key(|(_, w)| **w).unwrap().0;
    assert!(
        best.0.starts_with("001_") && best.1.starts_with("004_"),
        "{words:?}"
    );
    let long_edited = r["passages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "edited" && p["words"].as_u64().unwrap() >= 40)
        .count();
    assert!(long_edited >= 2, "001/004 should give long edited passages");
    let quotes = r["passages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "quote")
        .count();
    assert!(quotes >= 1, "shared quotations should be found");
    // Two samples start with " date 2025-02-19 ": the date is read, offsets still count from byte 0.
    let d = r["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "004_689d69b119cd025c.txt")
        .unwrap();
    assert_eq!(d["date"], "2025-02-19");
}

#[test]
fn output_is_identical_with_one_and_two_threads() {
    let f = Fixture::new();
    let s = samples();
    let one = f.run_with(
        &["report", s.to_str().unwrap(), "--format", "json"],
        &[("RAYON_NUM_THREADS", "1")],
        None,
    );
    let two = f.run_with(
        &["report", s.to_str().unwrap(), "--format", "json"],
        &[("RAYON_NUM_THREADS", "2")],
        None,
    );
    let four = f.run(&[
        "report",
        s.to_str().unwrap(),
        "--format",
        "json",
        "--threads",
        "4",
    ]);
    assert_eq!(one.code, 0);
    assert_eq!(one.stdout_bytes, two.stdout_bytes);
    assert_eq!(one.stdout_bytes, four.stdout_bytes);
}

#[test]
fn ids_and_outlets_follow_the_layout() {
    let f = Fixture::new();
    let story = "Russia and the United States agreed on Tuesday to begin working toward ending the conflict and improving diplomatic and economic ties, officials from both countries said after the talks.";
    f.write("corpus/ap/story-17.txt", story);
    f.write(
        "corpus/daily/today.txt",
        format!("Our reporter writes. {story}"),
    );
    f.write(
        "corpus/loose.txt",
        "A loose file with some words in it for the record.",
    );
    f.write(
        "more.jsonl",
        format!(
            "{{\"id\":\"j1\",\"text\":{},\"outlet\":\"Wire\",\"section\":\"world\"}}\n",
            serde_json::to_string(story).unwrap()
        ),
    );
    let r = json(&f.run(&["report", "corpus", "more.jsonl", "--format", "json"]));
    let docs: Vec<(String, String)> = r["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().into(),
                d["outlet"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        docs,
        [
            ("ap/story-17.txt".into(), "ap".into()),
            ("daily/today.txt".into(), "daily".into()),
            ("loose.txt".into(), "loose".into()),
            ("j1".into(), "Wire".into()),
        ]
    );
    let j1 = &r["documents"][3];
    assert_eq!(j1["extra"]["section"], "world");
    assert_eq!(r["summary"]["passages"], 3);
    let verbatim = r["passages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "verbatim")
        .count();
    assert_eq!(verbatim, 3);
}

#[test]
fn text_report_fits_80_columns_and_shows_edits() {
    let f = Fixture::new();
    let run = f.run(&["report", samples().to_str().unwrap()]);
    assert_eq!(run.code, 0);
    for line in run.stdout.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line}");
    }
    assert!(run.stdout.contains("EDITED"));
    assert!(run.stdout.contains("[-") && run.stdout.contains("{+"));
}

#[test]
fn stdin_jsonl() {
    let f = Fixture::new();
    let t = "the prime minister announced a new plan for rail investment in the north of the country on monday";
    let input = format!(
        "{{\"id\":\"a\",\"outlet\":\"x\",\"text\":\"{t}\"}}\n{{\"id\":\"b\",\"outlet\":\"y\",\"text\":\"{t}\"}}\n"
    );
    let run = f.run_with(
        &["report", "-", "--format", "json"],
        &[],
        Some(input.as_bytes()),
    );
    let r = json(&run);
    assert_eq!(r["summary"]["passages"], 1);
}

#[test]
fn missing_path_is_a_usage_error() {
    let f = Fixture::new();
    let run = f.run(&["report", "does-not-exist"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does-not-exist"), "{}", run.stderr);
}

/// A wire story run by twelve outlets, each taking a different stretch with one word
/// changed: the partner cap aligns far fewer pairs than were verified, yet every copy's
/// reused share is what aligning every pair gives, and `--lsh` finds the same.
#[test]
fn partner_cap_keeps_every_copys_coverage() {
    let f = Fixture::new();
    let wire = std::fs::read_to_string(samples().join("001_0315c482c362d048.txt")).unwrap();
    let sentences: Vec<&str> = wire
        .split_inclusive(". ")
        .filter(|s| s.split_whitespace().count() > 6)
        .collect();
    assert!(sentences.len() >= 12, "{}", sentences.len());
    let mut jsonl = String::new();
    let line = |id: &str, outlet: &str, text: &str| {
        serde_json::json!({"id": id, "outlet": outlet, "text": text}).to_string() + "\n"
    };
    jsonl += &line("ap/story", "AP", &wire);
    for k in 0..12 {
        let from = k % 5;
        let take = 4 + k % 4;
        let mut body: String = sentences[from..(from + take).min(sentences.len())].concat();
        body = body.replacen(" the ", &format!(" word{k} "), 1);
        let text = format!(
            "Outlet {k} opens with a sentence of its own about the day in Riyadh. {body} \
             Closing remarks {k} belong to this outlet alone and to no other one here."
        );
        jsonl += &line(&format!("o{k}/copy"), &format!("outlet-{k}"), &text);
    }
    f.write("corpus.jsonl", &jsonl);
    let run = |extra: &[&str]| {
        let mut args = vec!["report", "corpus.jsonl", "--format", "json"];
        args.extend_from_slice(extra);
        json(&f.run(&args))
    };
    let all = run(&["--max-partners", "0"]);
    let capped = run(&["--max-partners", "3"]);
    let lsh = run(&["--max-partners", "3", "--candidates", "lsh"]);
    let verified = all["summary"]["verified_pairs"].as_u64().unwrap();
    assert_eq!(all["summary"]["aligned_pairs"].as_u64().unwrap(), verified);
    assert_eq!(
        capped["summary"]["verified_pairs"].as_u64().unwrap(),
        verified
    );
    let aligned = capped["summary"]["aligned_pairs"].as_u64().unwrap();
    assert!(aligned * 2 < verified, "{aligned} of {verified}");
    assert_eq!(capped["pairs"].as_array().unwrap().len() as u64, aligned);
    let coverage = |r: &serde_json::Value| -> Vec<(String, u64)> {
        r["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["id"].as_str().unwrap().to_string(),
                    d["reused_chars"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    for (x, y) in coverage(&all).iter().zip(coverage(&capped)) {
        assert_eq!(x.0, y.0);
        if x.0 != "ap/story" {
            assert!(x.1 > 0, "{} reuses nothing", x.0);
            assert!(x.1.abs_diff(y.1) * 50 <= x.1, "{}: {} vs {}", x.0, x.1, y.1);
        }
    }
    assert_eq!(coverage(&capped), coverage(&lsh));
}

/// A file is read twice (texts are dropped after sketching and read back for aligned pairs);
/// standard input once (its texts are kept). Both give the same report, and the HTML page
/// shows the texts either way.
#[test]
fn jsonl_from_a_file_and_from_stdin_give_the_same_report() {
    let f = Fixture::new();
    let mut names: Vec<_> = std::fs::read_dir(samples())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let feed: String = names
        .iter()
        .map(|p| {
            let id = p.file_stem().unwrap().to_str().unwrap();
            let text = std::fs::read_to_string(p).unwrap();
            format!("{}\n", serde_json::json!({"id": id, "text": text}))
        })
        .collect();
    f.write("feed.jsonl", &feed);
    let from_file = json(&f.run(&["report", "feed.jsonl", "--format", "json"]));
    let from_stdin = json(&f.run_with(
        &["report", "-", "--format", "json"],
        &[],
        Some(feed.as_bytes()),
    ));
    let without_paths = |mut r: serde_json::Value| {
        for d in r["documents"].as_array_mut().unwrap() {
            d.as_object_mut().unwrap().remove("path");
        }
        r
    };
    // Words of an article with passages from outside every passage: only its full text has
    // them.
    let first = &from_file["passages"][0]["a"];
    let doc = first["doc"].as_str().unwrap();
    let text = std::fs::read_to_string(samples().join(format!("{doc}.txt"))).unwrap();
    let chars: Vec<char> = text.chars().collect();
    let spans: Vec<(usize, usize)> = from_file["passages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| [&p["a"], &p["b"]])
        .filter(|s| s["doc"] == doc)
        .map(|s| {
            (
                s["start"].as_u64().unwrap() as usize,
                s["end"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    let outside = (0..chars.len().saturating_sub(30))
        .find(|&i| {
            spans.iter().all(|&(s, e)| i + 30 <= s || i >= e)
                && chars[i..i + 30]
                    .iter()
                    .all(|c| c.is_ascii_alphabetic() || *c == ' ')
        })
        .map(|i| chars[i..i + 30].iter().collect::<String>())
        .expect("30 plain characters outside the passages");
    assert!(!from_file["passages"].as_array().unwrap().is_empty());
    assert_eq!(without_paths(from_file), without_paths(from_stdin));
    for input in [None, Some(feed.as_bytes())] {
        let arg = if input.is_some() { "-" } else { "feed.jsonl" };
        let run = f.run_with(&["report", arg, "--format", "html"], &[], input);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains(&outside),
            "{outside:?} not in the page ({arg})"
        );
    }
}
