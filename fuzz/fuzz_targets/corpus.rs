//! The corpus loader on arbitrary bytes: JSONL parsing (strict and lossy, with a small
//! `--max-doc-bytes` so the size check is reached) and the plain-text date prefix. Every
//! loaded document must have a body start on a character boundary inside its text, and every
//! line that is not blank must give either a document or a problem naming its line.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wirecopy::config::LoadOptions;
use wirecopy::corpus::{date_prefix, parse_jsonl};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, bytes)) = data.split_first() else {
        return;
    };
    let opts = LoadOptions {
        lossy: flags & 1 == 1,
        max_doc_bytes: if flags & 2 == 2 { 64 } else { 1 << 20 },
        ..LoadOptions::default()
    };
    let mut problems = Vec::new();
    let docs = parse_jsonl(bytes, "fuzz.jsonl", &opts, &mut problems);
    let lines = bytes.split(|&b| b == b'\n').count();
    for d in &docs {
        assert!(d.text.is_char_boundary(d.body_start) && d.body_start <= d.text.len());
        assert!(d.line.is_some_and(|l| l >= 1 && l <= lines));
    }
    for p in &problems {
        assert!(p.line.is_none_or(|l| l >= 1 && l <= lines));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        let (date, start) = date_prefix(text);
        assert!(text.is_char_boundary(start));
        assert_eq!(date.is_some(), start > 0);
    }
    let text = String::from_utf8_lossy(bytes);
    let (_, start) = date_prefix(&text);
    assert!(text.is_char_boundary(start));
});
