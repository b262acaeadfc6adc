//! Tests of the generator.

use super::*;

fn para(topic: &str, n: usize, k: usize) -> String {
    // Distinct words per article and paragraph, so the base shares no 8-word sequence.
    (0..3)
        .map(|s| {
            format!(
                "The {topic}{n}x{k} board said{s} colour rose 3 pct and Smith{n} said it would help{k} exports{s} of {topic}{n} goods."
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn base() -> Vec<BaseArticle> {
    let mut lines = Vec::new();
    for n in 0..8 {
        let text = format!(
            "REUTERS STORY {n}\n\n{}",
            (0..6)
                .map(|k| para("cocoa", n, k).replacen(" ", "\n", 3))
                .collect::<Vec<_>>()
                .join("\n    ")
        );
        lines.push(
            serde_json::json!({"id": format!("r{n}"), "outlet": "Reuters",
            "date": "1987-02-26", "title": format!("REUTERS STORY {n}"), "text": text}),
        );
    }
    for n in 0..40 {
        let text = format!(
            "Bbc {n}\n\n{}",
            (0..4)
                .map(|k| para("tea", n, k))
                .collect::<Vec<_>>()
                .join("\n\n")
        );
        lines.push(serde_json::json!({"id": format!("b{n}"), "outlet": "BBC",
            "title": format!("Bbc {n}"), "text": text}));
    }
    let jsonl: String = lines.iter().map(|l| format!("{l}\n")).collect();
    parse_base(jsonl.as_bytes(), Path::new("base.jsonl"), 1000).unwrap()
}

fn params(rate: f64) -> GenParams {
    GenParams {
        seed: 7,
        wires: 4,
        outlets: 3,
        articles: 5,
        edit_rate: rate,
        distractors: 0.2,
        max_docs: 1000,
    }
}

fn slice(docs: &[GenDoc], s: &Span) -> String {
    let d = docs.iter().find(|d| d.id == s.doc).expect("doc exists");
    d.text.chars().skip(s.start).take(s.end - s.start).collect()
}

#[test]
fn paragraphs_split_on_blank_lines_and_indentation() {
    let ps = paragraphs("TITLE\n\nOne two\nthree.\n    Four\nfive.\n\nSix.", "Title");
    assert_eq!(ps, ["One two three.", "Four five.", "Six."]);
    let b = base();
    assert_eq!(b[0].paragraphs.len(), 6);
    assert_eq!(b[0].paragraphs[0], para("cocoa", 0, 0));
}

#[test]
fn sentences_end_at_stops_before_capitals() {
    let p = "Mr. Smith went to the U.S. Army. Prices rose 3.5 pct. \"We agree,\" he said.";
    let got: Vec<&str> = sentences(p).iter().map(|&(s, e)| &p[s..e]).collect();
    assert_eq!(
        got,
        [
            "Mr. Smith went to the U.S. Army.",
            "Prices rose 3.5 pct.",
            "\"We agree,\" he said."
        ]
    );
}

#[test]
fn truth_spans_slice_back_to_their_claims() {
    for rate in [0.0, 0.1, 0.3] {
        let g = generate(&base(), &params(rate)).unwrap();
        assert!(g.truth.check().is_ok());
        assert!(
            g.truth.passages.len() >= 3 * 4,
            "{}",
            g.truth.passages.len()
        );
        assert_eq!(g.truth.passages.len(), g.claims.len());
        for (c, [ta, tb]) in g.truth.passages.iter().zip(&g.claims) {
            assert_eq!(&slice(&g.docs, &c.a), ta, "{c:?}");
            assert_eq!(&slice(&g.docs, &c.b), tb, "{c:?}");
        }
        assert_eq!(g.truth.distractors.len(), 3);
        assert!(g
            .truth
            .passages
            .iter()
            .any(|c| c.a.doc.starts_with("outlet")));
    }
}

#[test]
fn the_same_seed_gives_the_same_output() {
    let b = base();
    let (x, y) = (
        generate(&b, &params(0.2)).unwrap(),
        generate(&b, &params(0.2)).unwrap(),
    );
    assert_eq!(x.corpus_jsonl(), y.corpus_jsonl());
    assert_eq!(x.truth.to_json(), y.truth.to_json());
    let mut other = params(0.2);
    other.seed = 8;
    assert_ne!(
        generate(&b, &other).unwrap().corpus_jsonl(),
        x.corpus_jsonl()
    );
}

#[test]
fn edit_rate_zero_copies_verbatim() {
    let g = generate(&base(), &params(0.0)).unwrap();
    for c in &g.truth.passages {
        assert_eq!(c.kind, Some(Kind::Verbatim));
        assert_eq!(slice(&g.docs, &c.a), slice(&g.docs, &c.b));
    }
    let g = generate(&base(), &params(0.3)).unwrap();
    assert!(g
        .truth
        .passages
        .iter()
        .any(|c| c.kind == Some(Kind::Edited)));
}

#[test]
fn edits_keep_the_sentence_shape() {
    let mut rng = Rng(3);
    let vocab = vec!["banana".to_string()];
    let s = "Smith said the colour of 3 cars changed.";
    let e = edit_sentence(s, 1.0, &vocab, &mut rng);
    assert!(e.starts_with("said Smith"), "{e}");
    assert!(e.contains("color") && e.contains("three"), "{e}");
    assert!(e.ends_with('.'), "{e}");
    assert_eq!(edit_sentence(s, 0.0, &vocab, &mut rng), s);
}

#[test]
fn bad_parameters_and_base_lines_are_named() {
    let mut p = params(0.1);
    p.articles = 9;
    let e = generate(&base(), &p).unwrap_err().to_string();
    assert!(e.contains("at least as many --wires"), "{e}");
    let e = parse_base(&b"{\"id\": 1}\n"[..], Path::new("b.jsonl"), 10).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("b.jsonl: line 1: not a base article"),
        "{e}"
    );
}
