//! Property tests of the whole pipeline on adversarial Unicode: combining marks, right-to-left
//! scripts, emoji with zero-width joiners, CJK without spaces, byte-order marks, replacement
//! characters, typographic quotes and `date` lines, mixed with a shared English passage so
//! that documents do match. [`crate::analyze`] must never panic, and every span of the report
//! (passage sides, edits, credit hits) must slice back to its text, in bytes and in chars.

mod hostile;

use proptest::prelude::*;

use crate::config::Settings;
use crate::corpus::{date_prefix, parse_jsonl, Corpus, Document};
use crate::report::Report;

const FRAGMENTS: &[&str] = &[
    "Russia and the United States agreed on Tuesday to begin working toward ending the war ",
    "in Ukraine and improving their diplomatic and economic ties, officials said. ",
    "e\u{301}te\u{301} cafe\u{301} n\u{303}o\u{308}\u{332} ",
    "مرحبا بالعالم، قال المتحدث ",
    "שלום עולם \u{200F}אמר\u{200E} ",
    "👩\u{200D}👩\u{200D}👧 🇺🇸🇷🇺 👍🏽 ❤\u{FE0F} ",
    "东京都新宿区で会談が行われた。俄罗斯和美国同意",
    "\u{200B}zero\u{200C}width\u{200D}joiners\u{2060} ",
    "\u{FEFF}",
    "\u{FFFD}\u{FFFD} ",
    "“unlock the door” «guillemets» „low“ \"straight\" ",
    "Rubio’s U.S. talks, 1,000 km, twenty-one colour ",
    "date 2025-02-18 ",
    "\n\n",
    "\t \u{A0}\u{2003}",
    "ไทยไม่มีช่องว่าง ",
    "नमस्ते दुनिया क्षत्रिय ",
    "Ⅻ ½ ①②③ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ",
    "a",
    "\u{10FFFF}\u{E000} ",
];

fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => any::<String>().prop_map(|s| s.chars().take(40).collect()),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn check_spans(report: &Report, corpus: &Corpus) {
    let doc = |id: &str| {
        corpus
            .documents
            .iter()
            .find(|d| d.id == id)
            .expect("passage names a document")
    };
    let char_slice = |t: &str, s: usize, e: usize| -> String {
        assert!(s <= e, "{s}..{e}");
        t.chars().skip(s).take(e - s).collect()
    };
    for p in &report.passages {
        for side in [&p.a, &p.b] {
            let t = &doc(&side.doc).text;
            assert!(side.byte_start <= side.byte_end && side.byte_end <= t.len());
            assert!(t.is_char_boundary(side.byte_start) && t.is_char_boundary(side.byte_end));
            assert_eq!(&t[side.byte_start..side.byte_end], side.text);
            assert_eq!(char_slice(t, side.start, side.end), side.text);
        }
        let (ta, tb) = (&doc(&p.a.doc).text, &doc(&p.b.doc).text);
        for e in &p.edits {
            let (sa, sb) = (
                char_slice(ta, e.a_start, e.a_end),
                char_slice(tb, e.b_start, e.b_end),
            );
            if let Some(a) = &e.a_text {
                assert_eq!(&sa, a);
            }
            if let Some(b) = &e.b_text {
                assert_eq!(&sb, b);
            }
        }
    }
    for d in &report.documents {
        if let Some(c) = &d.credit {
            for m in &c.matches {
                assert_eq!(char_slice(&doc(&d.id).text, m.start, m.end), m.text);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn adversarial_unicode_never_panics_and_spans_slice_back(
        texts in proptest::collection::vec(text(), 1..6),
        shingle in 1usize..6,
    ) {
        let docs: Vec<Document> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut d = Document::new(&format!("d{i}"), &format!("o{}", i % 3), t);
                let (date, start) = date_prefix(t);
                d.date = date;
                d.body_start = start;
                d
            })
            .collect();
        let corpus = Corpus::from_documents(docs);
        let settings = Settings { shingle, min_words: 2, ..Settings::default() };
        let report = crate::analyze(&corpus, &settings).unwrap();
        check_spans(&report, &corpus);
        // The report renders in both formats.
        let _ = crate::report::json::render(&report);
        let _ = crate::report::text::render(&report, &crate::report::text::TextOptions { width: 20, ..Default::default() });
    }

    #[test]
    fn any_jsonl_bytes_give_documents_or_problems(
        lines in proptest::collection::vec(
            prop_oneof![
                text().prop_map(|t| serde_json::json!({"id": t.clone() + "x", "text": t}).to_string().into_bytes()),
                proptest::collection::vec(any::<u8>(), 0..60),
                text().prop_map(String::into_bytes),
            ],
            0..8,
        ),
        lossy in any::<bool>(),
    ) {
        let bytes = lines.join(&b'\n');
        let opts = crate::config::LoadOptions { lossy, ..Default::default() };
        let mut problems = Vec::new();
        let docs = parse_jsonl(&bytes, "p.jsonl", &opts, &mut problems);
        // A UTF-8 byte-order mark at the start of the file is not content.
        let content = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let nonblank = content
            .split(|&b| b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .count();
        // Nothing is dropped silently: each non-blank line is a document or a problem
        // (a binary input is one problem for the whole file).
        let binary = bytes.iter().take(8192).any(|&b| b == 0);
        if binary {
            prop_assert!(docs.is_empty() && problems.len() == 1);
        } else {
            let line_problems = problems.iter().filter(|p| p.line.is_some()).count();
            prop_assert_eq!(docs.len() + line_problems, nonblank);
        }
        let corpus = Corpus::from_documents(docs);
        let report = crate::analyze(&corpus, &Settings::default()).unwrap();
        check_spans(&report, &corpus);
    }
}
