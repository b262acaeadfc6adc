//! Changing the archive: duplicate ids and `--replace`, retention (`index remove`) and
//! `index compact`, the daily `report --archive --add`, bad input in an add.

use super::*;

/// An id already archived is skipped (exit 1) with a message naming the id, where the new
/// document comes from and where the archived one was added from; with `--replace` it
/// replaces the archived one: the count does not change and queries see the new text.
#[test]
fn duplicate_id_is_named_both_ways_and_replace_replaces() {
    let s = archived();
    let f = &s.f;
    let old = s
        .docs
        .iter()
        .find(|d| d.id == "outlet-01/0001")
        .expect("the generator's first outlet article");
    let line = std::fs::read_to_string(f.path(ADDS[1]))
        .unwrap()
        .lines()
        .position(|l| parse_doc(l).id == old.id)
        .expect("in the first part")
        + 1;
    let mut rng = Lcg(7);
    let new_text: Vec<String> = (0..3).map(|_| paragraph(&mut rng)).collect();
    let new_text = new_text.join("\n\n");
    let mut v: Value = serde_json::from_str(&old.line).unwrap();
    v["text"] = Value::String(new_text.clone());
    f.write("dup.jsonl", v.to_string() + "\n");
    let before = stats(f, "A");
    let run = f.run(&["index", "add", "A", "dup.jsonl"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("already in the archive"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    for part in [
        "dup.jsonl:1",
        "outlet-01/0001",
        &format!("added from {}:{line}", ADDS[1]),
        "--replace",
    ] {
        assert!(lines[0].contains(part), "want {part:?} in {}", lines[0]);
    }
    assert!(
        run.stderr.contains("(200 in the archive)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        stats(f, "A"),
        before,
        "a skipped duplicate changed the archive"
    );

    // A query with the new text (another outlet) and one with the old text.
    let mut q = v.clone();
    q["id"] = "q-new".into();
    q["outlet"] = "q-outlet".into();
    let mut q_old: Value = serde_json::from_str(&old.line).unwrap();
    q_old["id"] = "q-old".into();
    q_old["outlet"] = "q-outlet2".into();
    f.write("q.jsonl", format!("{q}\n{q_old}\n"));
    let pair = |report: &Value, query: &str| -> Vec<Value> {
        passages(report)
            .iter()
            .filter(|p| involves(p, query) && involves(p, &old.id))
            .cloned()
            .collect()
    };
    let r = query_report(f, &["q.jsonl"], &[]);
    assert!(pair(&r, "q-new").is_empty());
    assert!(!pair(&r, "q-old").is_empty(), "the old text is archived");

    let run = f.run(&["index", "add", "A", "dup.jsonl", "--replace"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("(200 in the archive)"),
        "{}",
        run.stderr
    );
    assert_eq!(documents(f, "A"), 200);
    let r = query_report(f, &["q.jsonl"], &[]);
    let found = pair(&r, "q-new");
    assert!(!found.is_empty(), "the new text is not found");
    let side = if found[0]["a"]["doc"] == old.id.as_str() {
        &found[0]["a"]
    } else {
        &found[0]["b"]
    };
    assert!(new_text.contains(side["text"].as_str().unwrap()), "{side}");
    assert!(
        pair(&r, "q-old").is_empty(),
        "the old text is still archived"
    );
}

/// `index remove --id` and `--before` take documents out of every later answer (an unknown
/// id is named, exit 1); `index compact` then changes no answer: the JSON report is byte
/// for byte the same before and after.
#[test]
fn remove_then_compact_changes_no_other_answer() {
    let s = archived();
    let f = &s.f;
    let r0 = query_report(f, &[QUERY], &[]);
    // The wire story with most passages to the query.
    let wire_id = (1..=20)
        .map(|n| format!("wire-{n:04}"))
        .max_by_key(|id| passages(&r0).iter().filter(|p| involves(p, id)).count())
        .unwrap();
    assert!(passages(&r0).iter().any(|p| involves(p, &wire_id)));
    let run = f.run(&[
        "index",
        "remove",
        "A",
        "--id",
        &wire_id,
        "--id",
        "no-such-id",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("no-such-id"), "{}", run.stderr);
    assert!(
        run.stderr.contains("removed 1 document(s) from A"),
        "{}",
        run.stderr
    );
    let st = stats(f, "A");
    assert_eq!(
        (st["documents"].as_u64(), st["wire_documents"].as_u64()),
        (Some(199), Some(19))
    );
    let removed = f.run(&["report", "--archive", "A", QUERY, "--format", "json"]);
    let r1 = json(&removed);
    assert!(!passages(&r1).iter().any(|p| involves(p, &wire_id)));
    assert!(!r1["documents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["id"] == wire_id.as_str()));
    assert!(passages(&r1).len() >= passages(&r0).len() / 2);
    let run = f.run(&["index", "compact", "A"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let compacted = f.run(&["report", "--archive", "A", QUERY, "--format", "json"]);
    assert_eq!(compacted.code, 0, "{}", compacted.stderr);
    assert!(
        compacted.stdout_bytes == removed.stdout_bytes,
        "compaction changed the report"
    );
    assert_eq!(stats(f, "A")["documents"], 199);

    // Retention: the wire stories are a day older than the outlet articles.
    let run = f.run(&["index", "remove", "A", "--before", OUTLET_DAY]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("removed 19 document(s)"),
        "{}",
        run.stderr
    );
    let st = stats(f, "A");
    assert_eq!(st["documents"], 180);
    assert_eq!(st["wire_documents"], 0);
    assert_eq!(st["first_date"], OUTLET_DAY);
    let retained = f.run(&["report", "--archive", "A", QUERY, "--format", "json"]);
    let r2 = json(&retained);
    assert!(!passages(&r2)
        .iter()
        .any(|p| p["a"]["outlet"] == WIRE || p["b"]["outlet"] == WIRE));
    assert!(!passages(&r2).is_empty(), "outlets still share copy");
    let run = f.run(&["index", "compact", "A"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let compacted = f.run(&["report", "--archive", "A", QUERY, "--format", "json"]);
    assert!(
        compacted.stdout_bytes == retained.stdout_bytes,
        "compaction changed the report"
    );
    assert_eq!(stats(f, "A")["segments"], 1);
    let run = f.run(&["index", "remove", "A", "--before", "2025-13-45"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// `report --archive A --add`: the report is written, then the query's documents are in
/// the archive; the same run again reports them (the same passages) and names them as
/// already archived (exit 1), adding nothing.
#[test]
fn report_add_writes_the_report_then_adds() {
    let s = archived();
    let f = &s.f;
    let run = f.run(&[
        "report",
        "--archive",
        "A",
        "--add",
        QUERY,
        "--format",
        "json",
        "-o",
        "r1.json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("added 20 document(s) to A (220 in the archive)"),
        "{}",
        run.stderr
    );
    assert_eq!(documents(f, "A"), 220);
    let read = |p: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(f.path(p)).unwrap()).unwrap()
    };
    let r1 = read("r1.json");
    assert!(coverage(&r1, &s.query).0 > 0);
    let run = f.run(&[
        "report",
        "--archive",
        "A",
        "--add",
        QUERY,
        "--format",
        "json",
        "-o",
        "r2.json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let dups = run
        .stderr
        .lines()
        .filter(|l| l.contains("already in the archive (added from dir/z-query.jsonl:"))
        .count();
    assert_eq!(dups, 20, "{}", run.stderr);
    assert_eq!(documents(f, "A"), 220);
    let r2 = read("r2.json");
    assert_eq!(
        passages(&r2),
        passages(&r1),
        "the archived copies changed the report"
    );
    assert!(!passages(&r2).iter().any(|p| p["a"]["doc"] == p["b"]["doc"]));
    let run = f.run(&[
        "report",
        "--archive",
        "A",
        "--add",
        "--replace",
        QUERY,
        "-o",
        "r3.txt",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(f.path("r3.txt").exists());
    assert_eq!(documents(f, "A"), 220);
}

/// A malformed line in an added JSONL file is named with file:line and skipped, the rest is
/// added (exit 1); with `--strict` nothing is added (exit 2); a missing path adds nothing
/// (exit 2).
#[test]
fn bad_input_in_add_is_named_and_the_rest_added() {
    let s = archived();
    let f = &s.f;
    let q = s.query_docs();
    let good = |d: &Doc, prefix: &str| -> String {
        let mut v: Value = serde_json::from_str(&d.line).unwrap();
        v["id"] = Value::String(format!("{prefix}{}", d.id));
        v.to_string()
    };
    let file = |prefix: &str| {
        format!(
            "{}\n{}\n{{\"id\": \"broken\", \"text\": \n{}\n{}\n",
            good(q[0], prefix),
            good(q[1], prefix),
            good(q[2], prefix),
            good(q[3], prefix)
        )
    };
    f.write("strict.jsonl", file("s-"));
    let run = f.run(&["index", "add", "A", "strict.jsonl", "--strict"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("strict.jsonl:3"), "{}", run.stderr);
    assert_eq!(documents(f, "A"), 200);
    let run = f.run(&["index", "add", "A", "nope.jsonl", ADDS[1]]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("nope.jsonl"), "{}", run.stderr);
    assert_eq!(documents(f, "A"), 200);
    f.write("bad.jsonl", file("b-"));
    let run = f.run(&["index", "add", "A", "bad.jsonl"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("bad.jsonl:"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].contains("bad.jsonl:3") && lines[0].contains("malformed JSON"),
        "{}",
        lines[0]
    );
    assert!(lines[0].ends_with("(skipped)"), "{}", lines[0]);
    assert!(
        run.stderr
            .contains("added 4 document(s) to A (204 in the archive)"),
        "{}",
        run.stderr
    );
    assert_eq!(documents(f, "A"), 204);
}

/// An add whose every input is bad has nothing to add: exit 2 naming the lines, as
/// `report` over the same file ("nothing to add" is exit 2 in the spec), and the archive is
/// unchanged.
#[test]
fn add_of_only_bad_lines_is_an_error() {
    let s = archived();
    let f = &s.f;
    f.write("allbad.jsonl", "{\"id\": \n{\"x\": 1}\n");
    let batch = f.run(&["report", "allbad.jsonl"]);
    assert_eq!(batch.code, 2, "{}", batch.stderr);
    let run = f.run(&["index", "add", "A", "allbad.jsonl"]);
    assert!(
        run.stderr.contains("allbad.jsonl:1") && run.stderr.contains("allbad.jsonl:2"),
        "{}",
        run.stderr
    );
    assert_eq!(documents(f, "A"), 200);
    assert_eq!(run.code, 2, "{}", run.stderr);
}
