//! Property tests of every renderer on hostile corpora: ids, outlets, titles, urls and
//! copied passage text laced with terminal escapes (CSI, OSC 8 hyperlinks, BEL), C1
//! controls, bidirectional overrides, spreadsheet formula prefixes and HTML markup. Each
//! output must be safe where it is opened ([`crate::report::safe`]):
//!
//! * text report and `check`/`diff` text: no control character but the renderer's own
//!   newlines (and, with colour, its own SGR codes), nothing in C1, no bidi control, and
//!   every line within the width;
//! * CSV (passages and outlets, read back with the `csv` crate): no cell a spreadsheet
//!   would evaluate, no ESC; with `raw`, every cell exactly the report's text;
//! * HTML: no tag or attribute from the corpus (a small tokenizer lists every tag and
//!   attribute outside the page's own script and style), no `<` in the data block, which
//!   parses back to the exact texts, and a link only for an `http(s)` url;
//! * JSON: unchanged, the texts exactly the documents' slices.

use proptest::prelude::*;

use super::check_spans;
use crate::config::Settings;
use crate::corpus::{Corpus, Document};
use crate::regress::render as diff_render;
use crate::report::csv::{self as csv_report, CsvOptions, OUTLET_COLUMNS, PASSAGE_COLUMNS};
use crate::report::html::{self, HtmlOptions};
use crate::report::safe::{is_bidi, is_formula, is_terminal_unsafe};
use crate::report::text::{self, TextOptions};
use crate::report::{json, Report};

/// Hostile pieces: terminal escapes, C1, bidi, formula prefixes, markup, urls.
const HOSTILE: &[&str] = &[
    "\x1b[2J",
    "\x1b[31m",
    "\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07",
    "\x1b]0;title\x1b\\",
    "\x07",
    "\x00",
    "\x7f",
    "\u{9b}2J",
    "\u{85}",
    "\u{90}",
    "\u{202e}",
    "\u{202a}",
    "\u{2066}",
    "\u{2069}",
    "\u{200e}",
    "\u{200f}",
    "\u{61c}",
    "=HYPERLINK(\"http://x\",\"y\")",
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(A1:A9)",
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "<script>document.title='pwned'</script>",
    "\"><img src=x onerror=\"document.title='pwned'\">",
    "'><svg onload=alert(1)>",
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "&amp;&lt;",
    "\"",
    "'",
    ",",
    "\\u{1b}",
];

const URLS: &[&str] = &[
    "javascript:alert(1)",
    "JavaScript:alert(document.domain)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/relative/path",
    "//evil.example/",
    "https://example.com/a?b=1&c=\"2\"",
    "HTTP://EXAMPLE.COM/",
    "http://x\" onmouseover=\"alert(1)",
    "vbscript:msgbox",
];

/// Sentences the documents share, so that passages are found and carry what is planted in
/// them.
const STORY: &[&str] = &[
    "Russia and the United States agreed on Tuesday to begin working toward ending the war",
    "in Ukraine and improving their diplomatic and economic ties, officials said.",
    "The meeting of senior officials lasted four and a half hours in the Saudi capital",
    "and was the first such contact between the two countries in nearly three years.",
];

/// A short hostile string: hostile pieces and words.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(HOSTILE).prop_map(str::to_string),
        1 => proptest::sample::select(&["x", "daily", " ", "ap"][..]).prop_map(str::to_string),
        1 => "[\\x00-\\x1f\\x7f-\\u{9f}\\u{202a}-\\u{202e}=+@<>\"' -]{1,4}",
    ];
    proptest::collection::vec(piece, 1..5).prop_map(|v| v.concat())
}

/// The shared story with hostile strings planted between its sentences and at its start.
fn story() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::option::of(hostile()), STORY.len() + 1).prop_map(|h| {
        let mut s = String::new();
        for (i, planted) in h.iter().enumerate() {
            if let Some(p) = planted {
                s.push_str(p);
                s.push(' ');
            }
            if let Some(sentence) = STORY.get(i) {
                s.push_str(sentence);
                s.push(' ');
            }
        }
        s
    })
}

#[derive(Debug, Clone)]
struct Meta {
    id: String,
    outlet: String,
    title: String,
    url: String,
    prefix: String,
    suffix: String,
    edit: bool,
}

fn meta() -> impl Strategy<Value = Meta> {
    (
        hostile(),
        hostile(),
        hostile(),
        prop_oneof![
            proptest::sample::select(URLS).prop_map(str::to_string),
            hostile()
        ],
        hostile(),
        hostile(),
        any::<bool>(),
    )
        .prop_map(|(id, outlet, title, url, prefix, suffix, edit)| Meta {
            id,
            outlet,
            title,
            url,
            prefix,
            suffix,
            edit,
        })
}

/// A corpus of 2–4 documents with hostile metadata sharing the story (some with an edit).
fn corpus_of(story: &str, metas: &[Meta]) -> Corpus {
    let docs = metas
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let body = if m.edit {
                story
                    .replacen("begin", "start", 1)
                    .replacen("senior", "", 1)
            } else {
                story.to_string()
            };
            let text = format!("{} {body}{}", m.prefix, m.suffix);
            // Ids must be unique; the index goes last so a hostile prefix stays first.
            let mut d = Document::new(
                &format!("{}{i}", m.id),
                &format!("{}{}", m.outlet, i % 3),
                &text,
            );
            d.title = Some(m.title.clone());
            d.url = Some(m.url.clone());
            d.date = Some(format!("2025-02-1{i}"));
            d
        })
        .collect();
    Corpus::from_documents(docs)
}

const SGR: [&str; 6] = [
    "\x1b[33m", "\x1b[32m", "\x1b[31m", "\x1b[1m", "\x1b[2m", "\x1b[0m",
];

/// Terminal output is safe: only the renderer's newlines and (with colour) SGR codes, and
/// every line within `width` characters.
fn assert_terminal_safe(out: &str, width: usize, color: bool) -> Result<(), TestCaseError> {
    let mut plain = out.to_string();
    if color {
        for code in SGR {
            plain = plain.replace(code, "");
        }
    }
    for (n, line) in plain.lines().enumerate() {
        let bad: Vec<char> = line.chars().filter(|&c| is_terminal_unsafe(c)).collect();
        prop_assert!(bad.is_empty(), "line {n} holds {bad:?}: {line:?}");
        prop_assert!(
            line.chars().count() <= width,
            "line {n} wider than {width}: {line:?}"
        );
    }
    prop_assert!(!plain.contains('\r'), "no CR");
    Ok(())
}

/// Read CSV back; every record has `columns` fields.
fn read_csv(s: &str, columns: usize) -> Result<Vec<Vec<String>>, TestCaseError> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(s.as_bytes());
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| TestCaseError::fail(format!("bad CSV: {e}\n{s:?}")))?;
        prop_assert_eq!(rec.len(), columns);
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

fn assert_csv_safe(rows: &[Vec<String>]) -> Result<(), TestCaseError> {
    for row in rows {
        for cell in row {
            prop_assert!(!is_formula(cell), "formula cell {cell:?}");
            // Tabs, line breaks and bidi controls are kept inside a cell; nothing else.
            prop_assert!(
                !cell.chars().any(|c| is_terminal_unsafe(c)
                    && !matches!(c, '\t' | '\r' | '\n')
                    && !is_bidi(c)),
                "control character in {cell:?}"
            );
        }
    }
    Ok(())
}

/// Every tag and attribute name outside the page's own script and style blocks, with the
/// attribute values, from a small tokenizer (quoted values end at their quote: the renderer
/// escapes quotes inside them).
fn tags(markup: &str) -> Vec<(String, Vec<(String, String)>)> {
    let b = markup.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' || i + 1 >= b.len() || !(b[i + 1].is_ascii_alphabetic() || b[i + 1] == b'/')
        {
            i += 1;
            continue;
        }
        i += 1;
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
            i += 1;
        }
        let name = markup[start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                i += 1;
                break;
            }
            let s = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'>' {
                i += 1;
            }
            let attr = markup[s..i].to_ascii_lowercase();
            let mut value = String::new();
            if i < b.len() && b[i] == b'=' {
                i += 1;
                if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                    let q = b[i];
                    let s = i + 1;
                    i = s;
                    while i < b.len() && b[i] != q {
                        i += 1;
                    }
                    value = markup[s..i.min(b.len())].to_string();
                    i += 1;
                } else {
                    let s = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = markup[s..i].to_string();
                }
            }
            attrs.push((attr, value));
        }
        out.push((name, attrs));
    }
    out
}

const OWN_TAGS: &[&str] = &[
    "!doctype", "html", "head", "meta", "title", "script", "/script", "style", "/style", "body",
    "header", "h1", "p", "main", "section", "h2", "div", "table", "thead", "tr", "th", "span",
    "tbody", "td", "form", "label", "select", "option", "input", "ol", "button", "noscript",
    "article", "i", "br",
];

fn assert_html_safe(page: &str, report: &Report, corpus: &Corpus) -> Result<(), TestCaseError> {
    // Our own three script blocks (error hook, data, viewer), nothing else.
    prop_assert_eq!(page.matches("<script").count(), 3);
    prop_assert_eq!(page.matches("</script>").count(), 3);
    let open = "<script type=\"application/json\" id=\"data\">";
    let ds = page.find(open).expect("data block") + open.len();
    let de = ds + page[ds..].find("</script>").expect("data block end");
    let block = &page[ds..de];
    prop_assert!(!block.contains('<'), "a < in the data block");
    // Markup outside the blocks of code and data that the renderer writes itself.
    let markup_end = page.find("<style>").expect("style") + "<style>".len();
    let body_start = page.find("</style>").expect("style end");
    let mut markup = page[..markup_end].to_string();
    markup.push_str(&page[body_start..ds]);
    let hook = "<script>(function(){";
    if let Some(h) = markup.find(hook) {
        let end = h + markup[h..].find("</script>").unwrap();
        markup.replace_range(h + "<script>".len()..end, "");
    }
    for (name, attrs) in tags(&markup) {
        let tag = name.trim_start_matches('/');
        prop_assert!(
            OWN_TAGS.contains(&name.as_str()) || OWN_TAGS.contains(&tag),
            "tag <{}> from the corpus",
            name
        );
        for (a, v) in attrs {
            prop_assert!(!a.starts_with("on"), "event handler {a}={v:?} on <{name}>");
            prop_assert!(
                !["href", "src", "action", "formaction"].contains(&a.as_str()),
                "link attribute {a}={v:?} on <{name}>"
            );
            prop_assert!(
                !v.to_ascii_lowercase().contains("javascript:") || a == "title",
                "javascript: in {a} on <{name}>"
            );
        }
    }
    // The data block parses back: exact texts, a link only for http(s).
    let data: serde_json::Value = serde_json::from_str(block).expect("data block is JSON");
    for d in data["docs"].as_array().unwrap() {
        let id = d["id"].as_str().unwrap();
        let doc = corpus.documents.iter().find(|x| x.id == id).unwrap();
        prop_assert_eq!(d["text"].as_str(), Some(doc.text.as_str()));
        prop_assert_eq!(d["url"].as_str(), doc.url.as_deref());
        let url = doc.url.as_deref().unwrap_or("").to_ascii_lowercase();
        let http = (url.starts_with("http://") || url.starts_with("https://"))
            && !url.contains(|c: char| c <= ' ');
        prop_assert_eq!(d["link"].as_bool().unwrap_or(false), http, "{:?}", url);
    }
    prop_assert!(report.passages.is_empty() || !data["passages"].as_array().unwrap().is_empty());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn hostile_corpora_render_safely_everywhere(
        story in story(),
        metas in proptest::collection::vec(meta(), 2..5),
        width in prop_oneof![Just(40usize), Just(80), Just(140)],
        color in any::<bool>(),
        label in hostile(),
    ) {
        let corpus = corpus_of(&story, &metas);
        let settings = Settings { min_words: 6, ..Settings::default() };
        let report = crate::analyze(&corpus, &settings).unwrap();
        // The hostile text does reach the passages (the property would be empty otherwise).
        prop_assert!(!report.passages.is_empty(), "no passage found");

        // JSON: the exact text, every span slicing back, and the same again when read back.
        check_spans(&report, &corpus);
        let back = json::parse(&json::render(&report)).unwrap();
        prop_assert_eq!(&back.passages.iter().map(|p| (&p.a, &p.b)).collect::<Vec<_>>(),
            &report.passages.iter().map(|p| (&p.a, &p.b)).collect::<Vec<_>>());
        for (b, d) in back.documents.iter().zip(&corpus.documents) {
            prop_assert_eq!((&b.id, &b.outlet, &b.title, &b.url), (&d.id, &d.outlet, &d.title, &d.url));
        }

        // Terminal.
        let out = text::render(&report, &TextOptions { width, color, ..Default::default() });
        assert_terminal_safe(&out, width, color)?;

        // check/diff: a baseline with hostile version and fingerprint, other settings,
        // one document changed, so every section has something to show.
        let mut old = report.clone();
        old.wirecopy_version = label.clone();
        old.fingerprint = label.clone();
        let mut changed = corpus.clone();
        let last = changed.documents.last_mut().unwrap();
        last.text = last.text.replacen("Ukraine", "Kyiv", 1);
        let new = crate::analyze(&changed, &Settings { min_words: 7, ..settings.clone() }).unwrap();
        let diff = crate::regress::compare(&old, &new, 0.0);
        let dw = width.min(100);
        let out = diff_render::text(&diff, &diff_render::TextOptions {
            width: dw,
            old_label: label.clone(),
            new_label: label.clone(),
        });
        let plain: String = out.chars().filter(|&c| c != '\n').collect();
        prop_assert!(!plain.chars().any(is_terminal_unsafe), "diff text: {out:?}");

        // CSV, defused and raw.
        for raw in [false, true] {
            let opts = CsvOptions { raw, ..Default::default() };
            let passages = read_csv(&csv_report::passages(&report, &opts), PASSAGE_COLUMNS.len())?;
            let outlets = read_csv(&csv_report::outlets(&report, &opts), OUTLET_COLUMNS.len())?;
            prop_assert_eq!(passages.len(), report.passages.len() + 1);
            prop_assert_eq!(outlets.len(), report.outlets.len() + 1);
            if raw {
                // Reuse passages come first, then boilerplate, each in report order.
                let mut ordered: Vec<_> = report.passages.iter().filter(|p| p.kind.is_reuse()).collect();
                ordered.extend(report.passages.iter().filter(|p| !p.kind.is_reuse()));
                for (row, p) in passages[1..].iter().zip(ordered) {
                    prop_assert_eq!(&row[2], &p.a.doc);
                    prop_assert_eq!(&row[3], &p.a.outlet);
                    prop_assert_eq!(&row[14], &p.a.text);
                    prop_assert_eq!(&row[15], &p.b.text);
                }
                for (row, o) in outlets[1..].iter().zip(&report.outlets) {
                    prop_assert_eq!(&row[0], &o.outlet);
                }
            } else {
                assert_csv_safe(&passages)?;
                assert_csv_safe(&outlets)?;
                // Numbers wirecopy computes stay numbers.
                for row in &passages[1..] {
                    for col in [4, 5, 8, 9, 11, 13] {
                        prop_assert!(row[col].parse::<usize>().is_ok(), "{:?}", row[col]);
                    }
                    prop_assert!(row[10].parse::<f64>().is_ok());
                }
            }
        }

        // HTML, with the full texts and a hostile title.
        let texts: Vec<(&str, &str)> = corpus.documents.iter().map(|d| (d.id.as_str(), d.text.as_str())).collect();
        let page = html::render(&report, &texts, &HtmlOptions { title: label.clone(), ..Default::default() });
        assert_html_safe(&page, &report, &corpus)?;
    }
}

#[test]
fn the_tokenizer_sees_markup_the_checks_reject() {
    // The HTML checks must be able to fail: live markup shows up as a tag or attribute.
    let t =
        tags("<p title=\"a &quot;b\">x</p><img src=x onerror=\"alert(1)\"><a href='javascript:x'>");
    let names: Vec<&str> = t.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["p", "/p", "img", "a"]);
    assert_eq!(t[0].1, [("title".to_string(), "a &quot;b".to_string())]);
    assert_eq!(t[2].1[1], ("onerror".to_string(), "alert(1)".to_string()));
    assert_eq!(t[3].1[0].1, "javascript:x");
    assert!(tags("&lt;img src=x onerror=alert(1)&gt;").is_empty());
}
