//! The tokeniser on arbitrary text: spans are in order, inside the body, on character
//! boundaries, and slice back to words that hold a letter or digit.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wirecopy::config::Settings;
use wirecopy::corpus::date_prefix;
use wirecopy::tokenize::tokenize;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, bytes)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(bytes);
    let mut norm = Settings::default().normalization;
    norm.spelling = flags & 1 == 1;
    norm.numbers = flags & 2 == 2;
    let (_, body_start) = date_prefix(&text);
    let tokens = tokenize(&text, body_start, &norm);
    let mut last = body_start;
    for t in &tokens {
        let r = t.range();
        assert!(r.start >= last && r.start < r.end && r.end <= text.len());
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        assert!(text[r.clone()].chars().any(char::is_alphanumeric));
        last = r.end;
    }
});
