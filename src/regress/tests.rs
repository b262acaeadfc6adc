use super::render::{self, TextOptions};
use super::*;
use crate::corpus::{Corpus, Document};
use crate::report::build::fingerprint;

const P1: &str = "Russia and the United States agreed on Tuesday to begin working toward ending the war in Ukraine and improving their diplomatic and economic ties, officials from both countries said after the talks in the Saudi capital.";
const P2: &str = "The meeting of senior officials lasted four and a half hours and was the first such contact between the two countries since the full scale invasion began nearly three years ago.";
const P3: &str = "European leaders gathered in Paris for an emergency summit on the same day, worried that they would be left out of any settlement negotiated over their heads by Washington and Moscow.";
const OTHER: &str = "The city council voted on Monday to extend the opening hours of public libraries during the winter months, citing a rise in the number of students using them for revision.";

fn corpus(docs: &[(&str, &str)]) -> Corpus {
    Corpus::from_documents(
        docs.iter()
            .map(|(id, text)| Document::new(id, id, text))
            .collect(),
    )
}

fn run(docs: &[(&str, &str)], settings: &Settings) -> Report {
    crate::analyze(&corpus(docs), settings).unwrap()
}

fn wire() -> String {
    format!("{P1}\n\n{P2}\n\n{P3}")
}

fn outlet() -> String {
    format!("Our correspondent reports.\n\n{P1}\n\nAnd in other news.\n\n{P3}")
}

fn base() -> Report {
    run(
        &[("ap", &wire()), ("daily", &outlet())],
        &Settings::default(),
    )
}

#[test]
fn a_report_equals_itself() {
    let r = base();
    assert!(r.passages.len() >= 2, "{:?}", r.passages);
    let d = compare(&r, &r, DEFAULT_TOLERANCE);
    assert!(d.is_clean(), "{d:?}");
    assert_eq!(d.unchanged, r.passages.len());
    assert!(render::text(&d, &TextOptions::default()).contains("OK: no changes"));
}

#[test]
fn unrelated_document_changes_no_passage_id() {
    let old = base();
    let new = run(
        &[("ap", &wire()), ("other", OTHER), ("daily", &outlet())],
        &Settings::default(),
    );
    let d = compare(&old, &new, DEFAULT_TOLERANCE);
    assert!(d.lost.is_empty() && d.found.is_empty() && d.changed.is_empty());
    assert_eq!(d.unchanged, old.passages.len());
    assert_eq!(d.documents.added.len(), 1);
    assert_eq!(d.documents.added[0].id, "other");
    assert!(!d.settings.mismatch);
    // The new outlet shows up in coverage; document and outlet count once each.
    assert_eq!(d.differences, 2, "{d:#?}");
}

#[test]
fn slightly_edited_passage_is_changed_not_lost_and_found() {
    let old = base();
    let edited = outlet().replace("economic ties", "monetary ties");
    let new = run(&[("ap", &wire()), ("daily", &edited)], &Settings::default());
    let d = compare(&old, &new, DEFAULT_TOLERANCE);
    assert!(d.lost.is_empty() && d.found.is_empty(), "{d:#?}");
    assert_eq!(d.changed.len(), 1, "{d:#?}");
    let c = &d.changed[0];
    assert_eq!(c.matched_by, MatchedBy::Overlap);
    assert!(matches!(c.changes[0], Change::Id { .. }), "{:?}", c.changes);
    assert!(c
        .changes
        .iter()
        .any(|ch| matches!(ch, Change::Text { doc, removed, added }
            if doc == "daily" && removed == "economic" && added == "monetary")));
    assert!(c
        .changes
        .iter()
        .any(|ch| matches!(ch, Change::Words { .. })));
    let text = render::text(&d, &TextOptions::default());
    assert!(text.contains("CHANGED (1 passage)"), "{text}");
    assert!(text.contains("      removed: economic\n"), "{text}");
    assert!(text.contains("      added: monetary\n"), "{text}");
}

#[test]
fn removed_paragraph_is_lost_and_later_passages_moved() {
    let old = base();
    let cut = outlet().replace(&format!("{P1}\n\n"), "");
    let new = run(&[("ap", &wire()), ("daily", &cut)], &Settings::default());
    let d = compare(&old, &new, DEFAULT_TOLERANCE);
    assert_eq!(d.lost.len(), 1, "{d:#?}");
    assert!(d.lost[0].b.text.starts_with("Russia and the United States"));
    assert!(d.found.is_empty());
    // The P3 passage keeps its id; its span in `daily` moved.
    assert_eq!(d.changed.len(), 1);
    assert_eq!(d.changed[0].matched_by, MatchedBy::Id);
    assert!(matches!(&d.changed[0].changes[..], [Change::Span { doc, .. }] if doc == "daily"));
    assert_eq!(d.documents.modified.len(), 1);
    let text = render::text(&d, &TextOptions::default());
    assert!(text.contains("LOST (1 passage"), "{text}");
    assert!(text.contains("(moved; text unchanged)"), "{text}");
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line}");
    }
}

#[test]
fn settings_change_is_explained_by_field() {
    let old = base();
    let mut s = Settings {
        min_words: 12,
        ..Settings::default()
    };
    s.normalization.spelling = false;
    let new = run(&[("ap", &wire()), ("daily", &outlet())], &s);
    let d = compare(&old, &new, DEFAULT_TOLERANCE);
    assert!(d.settings.mismatch);
    let fields: Vec<&str> = d.settings.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["normalization.spelling", "min_words"]);
    assert_eq!(d.settings.fields[1].old, 8);
    assert_eq!(d.settings.fields[1].new, 12);
    let text = render::text(&d, &TextOptions::default());
    assert!(text.contains("min_words: 8 -> 12"), "{text}");
    assert!(!d.is_clean());
}

#[test]
fn version_change_is_a_mismatch() {
    let old = base();
    let mut new = old.clone();
    new.wirecopy_version = "9.9.9".into();
    let d = compare(&old, &new, DEFAULT_TOLERANCE);
    assert!(d.settings.mismatch && d.settings.fields.is_empty());
    assert_eq!(d.differences, 1);
    assert!(render::text(&d, &TextOptions::default()).contains("wirecopy version: 0.1.0 -> 9.9.9"));
}

#[test]
fn similarity_and_coverage_respect_the_tolerance() {
    let old = base();
    let mut new = old.clone();
    new.passages[0].similarity -= 0.015;
    new.outlets[0].coverage += 0.015;
    assert!(compare(&old, &new, 0.02).is_clean());
    let d = compare(&old, &new, 0.01);
    assert_eq!(d.changed.len(), 1);
    assert!(matches!(
        d.changed[0].changes[..],
        [Change::Similarity { .. }]
    ));
    assert_eq!(d.coverage.len(), 1);
    assert_eq!(d.differences, 2);
}

#[test]
fn kind_and_source_changes_are_reported() {
    let old = base();
    let mut new = old.clone();
    new.passages[0].kind = Kind::Boilerplate;
    new.passages[0].direction = Direction::AToB;
    let d = compare(&old, &new, DEFAULT_TOLERANCE);
    let c = &d.changed[0].changes;
    assert!(c.iter().any(|x| matches!(x, Change::Kind { .. })), "{c:?}");
    assert!(c
        .iter()
        .any(|x| matches!(x, Change::Source { new: Some(_), .. })));
}

#[test]
fn text_delta_trims_common_words() {
    assert_eq!(text_delta("a b c d", "a x d"), ("b c", "x"));
    assert_eq!(text_delta("a b c", "b c"), ("a", ""));
    assert_eq!(text_delta("a b", "a b c"), ("", "c"));
    assert_eq!(text_delta("a a", "a"), ("a", ""));
    assert_eq!(text_delta("x  y\nz", "x  z"), ("y", ""));
    assert_eq!(text_delta("", "q"), ("", "q"));
}

#[test]
fn json_round_trips() {
    let old = base();
    let cut = outlet().replace(&format!("{P1}\n\n"), "");
    let new = run(&[("ap", &wire()), ("daily", &cut)], &Settings::default());
    let d = compare(&old, &new, DEFAULT_TOLERANCE);
    let back: Diff = serde_json::from_str(&render::json(&d)).unwrap();
    assert_eq!(back, d);
}

#[test]
fn read_report_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("broken.json");
    std::fs::write(&p, "{ not json").unwrap();
    let e = read_report(&p).unwrap_err().to_string();
    assert!(e.contains("broken.json"), "{e}");
    std::fs::write(&p, r#"{"schema_version": 99}"#).unwrap();
    let e = read_report(&p).unwrap_err().to_string();
    assert!(e.contains("broken.json") && e.contains("99"), "{e}");
    let missing = dir.path().join("missing.json");
    assert!(read_report(&missing)
        .unwrap_err()
        .to_string()
        .contains("missing.json"));
    std::fs::write(&p, crate::report::json::render(&base())).unwrap();
    assert_eq!(read_report(&p).unwrap(), base());
}

/// Every settings field, nested ones included, is hashed into the fingerprint: mutating any
/// leaf of the serialised settings changes it. New fields are covered automatically.
#[test]
fn fingerprint_covers_every_settings_field() {
    let base = Settings::default();
    let value = serde_json::to_value(&base).unwrap();
    let mut leaves = Vec::new();
    fn walk(v: &Value, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let mut p = path.clone();
                    p.push(k.clone());
                    walk(x, p, out);
                }
            }
            _ => out.push(path),
        }
    }
    walk(&value, Vec::new(), &mut leaves);
    let mut checked = 0;
    for leaf in &leaves {
        let mut v = value.clone();
        let mut slot = &mut v;
        for k in leaf {
            slot = slot.get_mut(k).unwrap();
        }
        *slot = match slot.clone() {
            Value::Bool(b) => Value::Bool(!b),
            Value::Number(n) if n.is_u64() => Value::from(n.as_u64().unwrap() + 1),
            Value::Number(n) => Value::from(n.as_f64().unwrap() / 2.0 + 0.01),
            Value::Array(_) => Value::from(vec!["x"]),
            // Enums with one variant (candidates) cannot change yet.
            Value::String(_) => continue,
            other => panic!("unexpected settings value {other}"),
        };
        let changed: Settings = serde_json::from_value(v).unwrap();
        assert_ne!(changed, base, "{leaf:?}");
        assert_ne!(fingerprint(&changed), fingerprint(&base), "{leaf:?}");
        checked += 1;
    }
    assert!(checked >= 17, "only {checked} fields checked");
}
