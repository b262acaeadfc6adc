//! The aligner on two token sequences made from fuzz bytes: each byte is a word from a small
//! vocabulary (so that anchors repeat and gaps occur), the first bytes choose the parameters.
//! Every passage must lie inside both sequences, its edit script must cover exactly its
//! ranges in order, and its counts must agree with the script.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wirecopy::align::{align, AlignParams, Op};
use wirecopy::config::Settings;
use wirecopy::tokenize::tokenize;

const WORDS: [&str; 16] = [
    "the", "talks", "in", "riyadh", "russia", "ukraine", "said", "on", "tuesday", "war", "ending",
    "ties", "envoy", "rubio", "lavrov", "peace",
];

fn text(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes {
        s.push_str(WORDS[(b & 15) as usize]);
        // The high bits pick the separator, so sentences and quotes vary too.
        s.push_str(match b >> 6 {
            0 => " ",
            1 => ", ",
            2 => ". ",
            _ => " \"",
        });
    }
    s
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let params = AlignParams {
        anchor: 1 + (data[0] % 6) as usize,
        max_gap: (data[1] % 20) as usize,
        min_words: 1 + (data[2] % 10) as usize,
        min_similarity: (data[3] % 11) as f64 / 10.0,
    };
    let rest = &data[4..];
    let split = rest
        .iter()
        .position(|&b| b == 0xFF)
        .unwrap_or(rest.len() / 2);
    let (a_bytes, b_bytes) = (&rest[..split], rest.get(split + 1..).unwrap_or(&[]));
    let norm = Settings::default().normalization;
    let (ta, tb) = (text(a_bytes), text(b_bytes));
    let (a, b) = (tokenize(&ta, 0, &norm), tokenize(&tb, 0, &norm));
    for al in align(&a, &b, &params) {
        assert!(al.a.start < al.a.end && al.a.end <= a.len());
        assert!(al.b.start < al.b.end && al.b.end <= b.len());
        let (mut ia, mut ib, mut matches, mut columns) = (al.a.start, al.b.start, 0, 0);
        for e in &al.edits {
            assert_eq!((e.a.start, e.b.start), (ia, ib), "edit script has a hole");
            match e.op {
                Op::Equal => {
                    assert_eq!(e.a.len(), e.b.len());
                    for k in 0..e.a.len() {
                        assert_eq!(a[e.a.start + k].key, b[e.b.start + k].key);
                    }
                    matches += e.a.len();
                    columns += e.a.len();
                }
                Op::Replace => {
                    assert_eq!(e.a.len(), e.b.len());
                    columns += e.a.len();
                }
                Op::Insert => {
                    assert!(e.a.is_empty() && !e.b.is_empty());
                    columns += e.b.len();
                }
                Op::Delete => {
                    assert!(e.b.is_empty() && !e.a.is_empty());
                    columns += e.a.len();
                }
            }
            ia = e.a.end;
            ib = e.b.end;
        }
        assert_eq!(
            (ia, ib),
            (al.a.end, al.b.end),
            "edit script does not cover the passage"
        );
        assert_eq!((al.matches, al.columns), (matches, columns));
        assert!(al.matches >= params.min_words);
        assert!(al.similarity() + 1e-9 >= params.min_similarity);
    }
});
