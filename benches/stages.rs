//! Per-stage benchmarks on committed inputs (see `benches/texts/README.md`).
//!
//! Questions: how fast is tokenising (ASCII fast path vs the Unicode reference; word keys
//! alone vs full tokens)? shingling + MinHash per MB, and the whole sketch path from raw text?
//! what does the candidate index cost against all pairs, on the same documents? what does
//! aligning the verified pairs cost?

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use wirecopy::config::{CandidateMode, Settings};
use wirecopy::tokenize::{for_each_word, for_each_word_unicode, keys_into, tokenize};
use wirecopy::{align, lsh, minhash, shingle};

fn texts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let gen = include_str!("texts/generated-200.jsonl");
    for line in gen.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        out.push((
            v["outlet"].as_str().unwrap().to_string(),
            v["text"].as_str().unwrap().to_string(),
        ));
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/riyadh-2025-02-18");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        out.push((
            f.display().to_string(),
            std::fs::read_to_string(&f).unwrap(),
        ));
    }
    out
}

fn stages(c: &mut Criterion) {
    let docs = texts();
    let s = Settings::default();
    let bytes: usize = docs.iter().map(|(_, t)| t.len()).sum();

    let mut g = c.benchmark_group("tokenise");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("words/fast", |b| {
        b.iter(|| {
            let mut n = 0;
            for (_, t) in &docs {
                for_each_word(t, |_, _| n += 1);
            }
            n
        })
    });
    g.bench_function("words/unicode", |b| {
        b.iter(|| {
            let mut n = 0;
            for (_, t) in &docs {
                for_each_word_unicode(t, |_, _| n += 1);
            }
            n
        })
    });
    g.bench_function("tokens+normalise", |b| {
        b.iter(|| {
            docs.iter()
                .map(|(_, t)| tokenize(t, 0, &s.normalization).len())
                .sum::<usize>()
        })
    });
    g.bench_function("keys", |b| {
        let mut keys = Vec::new();
        b.iter(|| {
            let mut n = 0;
            for (_, t) in &docs {
                keys_into(t, 0, &s.normalization, &mut keys);
                n += keys.len();
            }
            n
        })
    });
    g.finish();

    let toks: Vec<_> = docs
        .iter()
        .map(|(_, t)| tokenize(t, 0, &s.normalization))
        .collect();
    let hasher = minhash::MinHasher::new(s.permutations, s.seed);
    let mut g = c.benchmark_group("shingle+minhash");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("5-grams, 128 permutations", |b| {
        b.iter(|| {
            toks.iter()
                .map(|t| hasher.signature(&shingle::shingle_set(t, s.shingle, s.seed))[0])
                .fold(0u32, |a, x| a ^ x)
        })
    });
    // What `wirecopy sketch` does per document, from raw text.
    g.bench_function("raw text: keys, 5-grams, 128 permutations, count", |b| {
        let (mut keys, mut sh, mut table) =
            (Vec::new(), Vec::new(), shingle::DistinctTable::default());
        b.iter(|| {
            let mut acc = 0u32;
            for (_, t) in &docs {
                keys_into(t, 0, &s.normalization, &mut keys);
                shingle::hashes_into(&keys, s.shingle, s.seed, &mut sh);
                acc ^= hasher.signature(&sh)[0];
                acc ^= shingle::distinct_count(&sh, &mut table) as u32;
            }
            acc
        })
    });
    g.finish();

    let sets: Vec<Vec<u64>> = toks
        .iter()
        .map(|t| shingle::shingle_set(t, s.shingle, s.seed))
        .collect();
    let sigs: Vec<Vec<u32>> = sets.iter().map(|x| hasher.signature(x)).collect();
    let outlets: Vec<&str> = docs.iter().map(|(o, _)| o.as_str()).collect();
    let wire = vec![false; docs.len()];
    let mut g = c.benchmark_group("candidates");
    for mode in [CandidateMode::AllPairs, CandidateMode::Lsh] {
        let st = Settings {
            candidates: mode,
            ..Settings::default()
        };
        g.bench_with_input(
            BenchmarkId::new("mode", format!("{mode:?}")),
            &st,
            |b, st| b.iter(|| lsh::candidates(&outlets, &wire, &sets, &sigs, st).len()),
        );
    }
    g.finish();

    let pairs = lsh::candidates(&outlets, &wire, &sets, &sigs, &s);
    let stock = wirecopy::shingle::frequent(&sets, s.lsh.max_df);
    let rule = wirecopy::verify::Evidence::new(&stock, &s, sets.len());
    let verified = wirecopy::verify::verify(&pairs, &sets, &sigs, &rule);
    let params = align::AlignParams::from_settings(&s);
    let mut g = c.benchmark_group("align");
    g.throughput(Throughput::Elements(verified.len() as u64));
    g.bench_function("verified pairs", |b| {
        b.iter(|| {
            verified
                .iter()
                .map(|p| align::align(&toks[p.a], &toks[p.b], &params).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
