//! Synthetic wire-copy corpora with exact ground truth, built from real articles.
//!
//! Input is a JSONL (or gzipped JSONL) file of articles with `id`, `outlet`, `title` and
//! `text` (the shared Reuters-21578 + BBC base). Paragraphs are split on blank lines and on
//! a newline followed by indentation (Reuters' layout), and each is re-wrapped into one line.
//! The output is a corpus (`id`, `outlet`, `date`, `title`, `text`) and a [`Truth`]:
//!
//! * **Wire stories** `wire-0001`…: Reuters articles with at least 4 paragraphs and 200
//!   words, outlet `wire`, dated day D; paragraphs joined by blank lines, paragraphs of
//!   fewer than six words (sign-offs such as "REUTER", table lines) left out.
//! * **Outlets** `outlet-01`… with `articles` articles each, dated D+1. A *copy* article picks
//!   a wire story (each outlet runs a story at most once) and copies 1–3 runs of consecutive
//!   paragraphs, with gaps between runs, sometimes in another order, sometimes cutting a
//!   run's last paragraph after a sentence. Each copied sentence gets word-level edits at rate
//!   `edit_rate` (per word): synonym or random-word substitution, deletion, insertion,
//!   British↔American spelling, number ↔ number word, and "Smith said" ↔ "said Smith".
//!   Its own paragraphs come from one BBC article (a lead sentence first, sometimes, and
//!   paragraphs between and after the copied ones). Every article of an outlet ends with
//!   that outlet's footer (a subscription notice; no two outlets share one).
//! * **Distractors** (share `distractors` of each outlet's articles) reuse nothing: a BBC
//!   article, or a Reuters article whose title shares words with a wire story's (same topic,
//!   different text). Their ids are listed in the truth's `distractors`.
//!
//! **Truth.** One case per contiguous copied block: wire paragraphs copied in order and
//! adjacent in the outlet article form one case, spanning the exact copied text in the wire
//! story and the exact edited text in the article (blank lines between paragraphs
//! included). Two articles of different outlets that copied the same wire paragraphs share
//! text too: those are cases between the two articles, spanning the sentences both copied.
//! Kind `verbatim` when both spans hold the same text, else `edited`. Footers are not cases.
//!
//! **Clean base.** Real corpora repeat themselves (re-sent wire items, templated notices):
//! a base article is only used when it shares no 8-word sequence (case-folded) with any
//! article already used, so the only reuse in the corpus is the one constructed.
//!
//! **Determinism.** All randomness comes from one SplitMix64 stream seeded by `seed`: the
//! same base and parameters give byte-identical output.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::attribute::Kind;
use crate::error::{Error, Result};
use crate::eval::truth::{Case, Span, Truth, TRUTH_VERSION};
use crate::minhash::splitmix64;

mod edits;

use edits::{edit_sentence, split_token, FOOTERS};

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct GenParams {
    /// Seed of every random choice.
    pub seed: u64,
    /// Wire stories.
    pub wires: usize,
    /// Outlets.
    pub outlets: usize,
    /// Articles per outlet (copies and distractors).
    pub articles: usize,
    /// Share of copied words edited (0–1).
    pub edit_rate: f64,
    /// Share of each outlet's articles that are distractors (0–1).
    pub distractors: f64,
    /// Read at most this many articles of the base.
    pub max_docs: usize,
}

impl Default for GenParams {
    fn default() -> Self {
        GenParams {
            seed: 1,
            wires: 30,
            outlets: 8,
            articles: 30,
            edit_rate: 0.1,
            distractors: 0.2,
            max_docs: 25_000,
        }
    }
}

impl GenParams {
    /// Copy articles per outlet.
    pub fn copies(&self) -> usize {
        self.articles - self.distractor_articles()
    }

    /// Distractor articles per outlet.
    pub fn distractor_articles(&self) -> usize {
        ((self.articles as f64) * self.distractors).round() as usize
    }

    /// Check that the values make sense together.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Invalid(m));
        if self.wires == 0 || self.outlets == 0 || self.articles == 0 {
            return bad("--wires, --outlets and --articles must be at least 1".into());
        }
        if self.outlets > 99 || self.wires > 9999 || self.articles > 9999 {
            return bad("at most 99 outlets, 9999 wires and 9999 articles per outlet".into());
        }
        for (name, v) in [
            ("--edit-rate", self.edit_rate),
            ("--distractors", self.distractors),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return bad(format!("{name} must be between 0 and 1, not {v}"));
            }
        }
        if self.copies() > self.wires {
            return bad(format!(
                "each outlet runs a wire story at most once: {} copy articles per outlet need \
                 at least as many --wires (have {})",
                self.copies(),
                self.wires
            ));
        }
        Ok(())
    }
}

/// An article of the base, split into one-line paragraphs (title line removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseArticle {
    /// Id in the base.
    pub id: String,
    /// Outlet in the base (`Reuters`, `BBC`).
    pub outlet: String,
    /// Title.
    pub title: String,
    /// Paragraphs, each on one line with single spaces.
    pub paragraphs: Vec<String>,
}

impl BaseArticle {
    fn words(&self) -> usize {
        self.paragraphs
            .iter()
            .map(|p| p.split(' ').count())
            .sum::<usize>()
    }
}

#[derive(Deserialize)]
struct BaseRecord {
    id: String,
    #[serde(default)]
    outlet: Option<String>,
    #[serde(default)]
    title: Option<String>,
    text: String,
}

/// Read a base file: JSONL, gzipped when the name ends in `.gz`. Lines that are not
/// articles are errors naming the file and line.
pub fn read_base(path: &Path, max_docs: usize) -> Result<Vec<BaseArticle>> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    parse_base(BufReader::new(reader), path, max_docs)
}

/// Parse base JSONL from a reader; `path` is only used in errors.
pub fn parse_base(reader: impl BufRead, path: &Path, max_docs: usize) -> Result<Vec<BaseArticle>> {
    let mut out = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        if out.len() >= max_docs {
            break;
        }
        let line = line.map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let rec: BaseRecord = serde_json::from_str(&line).map_err(|e| Error::BadFile {
            path: path.to_path_buf(),
            detail: format!("line {}: not a base article: {e}", i + 1),
        })?;
        let title = rec.title.unwrap_or_default();
        out.push(BaseArticle {
            paragraphs: paragraphs(&rec.text, &title),
            outlet: rec.outlet.unwrap_or_default(),
            id: rec.id,
            title,
        });
    }
    Ok(out)
}

/// Split a text into one-line paragraphs: a paragraph ends at a blank line or before a
/// line that starts with white space; lines are joined with single spaces. A first
/// paragraph equal to the title is dropped.
pub fn paragraphs(text: &str, title: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    let flush = |cur: &mut Vec<&str>, out: &mut Vec<String>| {
        let p = cur
            .iter()
            .flat_map(|l| l.split_whitespace())
            .collect::<Vec<_>>()
            .join(" ");
        if !p.is_empty() {
            out.push(p);
        }
        cur.clear();
    };
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with(char::is_whitespace) {
            flush(&mut cur, &mut out);
        }
        if !line.trim().is_empty() {
            cur.push(line);
        }
    }
    flush(&mut cur, &mut out);
    if out
        .first()
        .is_some_and(|p| p.eq_ignore_ascii_case(title.trim()))
    {
        out.remove(0);
    }
    out
}

/// Sentence byte ranges of a one-line paragraph: a sentence ends after `.`, `!` or `?`
/// (and closing quotes or brackets) followed by a space and an upper-case letter, digit or
/// opening quote, unless the word before the stop is shorter than three letters or holds a
/// dot itself ("Mr.", "U.S.").
pub fn sentences(p: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let words: Vec<(usize, &str)> = p
        .split(' ')
        .scan(0usize, |pos, w| {
            let at = *pos;
            *pos += w.len() + 1;
            Some((at, w))
        })
        .collect();
    for (i, (at, w)) in words.iter().enumerate() {
        let Some((_, next)) = words.get(i + 1) else {
            break;
        };
        let core = w.trim_end_matches(['"', '\'', ')', '’', '”']);
        let Some(body) = core.strip_suffix(['.', '!', '?']) else {
            continue;
        };
        let letters = body.trim_start_matches(|c: char| !c.is_alphanumeric());
        if letters.chars().count() < 3 || letters.contains('.') {
            continue;
        }
        let opens = next
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || "\"'“‘(".contains(c));
        if opens {
            out.push((start, at + w.len()));
            start = at + w.len() + 1;
        }
    }
    if start < p.len() {
        out.push((start, p.len()));
    }
    out
}

/// The seeded random stream.
pub(super) struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        splitmix64(&mut self.0)
    }
    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 11) as u128 * n as u128) >> 53) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// Hashes of the case-folded 8-word sequences of an article.
fn grams(a: &BaseArticle) -> Vec<u64> {
    let words: Vec<String> = a
        .paragraphs
        .iter()
        .flat_map(|p| p.split(' '))
        .map(|w| split_token(w).1.to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(8)
        .map(|w| {
            // FNV-1a: stable across builds.
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in w.join(" ").bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
            h
        })
        .collect()
}

/// A generated document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenDoc {
    /// Id.
    pub id: String,
    /// Outlet.
    pub outlet: String,
    /// Date, `YYYY-MM-DD`.
    pub date: String,
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
}

/// A generated corpus and its truth.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// Documents: wire stories, then each outlet's articles.
    pub docs: Vec<GenDoc>,
    /// The truth.
    pub truth: Truth,
    /// For each truth case, the texts its `a` and `b` spans claim to hold, as built (for
    /// checking that the spans slice back).
    pub claims: Vec<[String; 2]>,
}

impl Generated {
    /// The corpus as JSONL (`id`, `outlet`, `date`, `title`, `text`), one line per document.
    pub fn corpus_jsonl(&self) -> String {
        let mut s = String::new();
        for d in &self.docs {
            s.push_str(&serde_json::to_string(d).expect("document serialises"));
            s.push('\n');
        }
        s
    }
}

/// A copied paragraph in an outlet article.
#[derive(Debug, Clone)]
struct Piece {
    para: usize,
    /// Char spans of the kept sentences in the article.
    sents: Vec<(usize, usize)>,
    /// Sentence texts as edited.
    texts: Vec<String>,
    full: bool,
    /// Index of the paragraph in the article.
    seg: usize,
}

/// A wire story as built: per paragraph, the char spans and texts of its sentences.
struct Wire {
    doc: usize,
    sents: Vec<Vec<(usize, usize)>>,
    texts: Vec<Vec<String>>,
}

/// Build a document text from paragraphs, tracking char offsets.
#[derive(Default)]
struct TextBuilder {
    text: String,
    chars: usize,
}

impl TextBuilder {
    /// Start a new paragraph (a blank line before all but the first).
    fn paragraph(&mut self) {
        if !self.text.is_empty() {
            self.push("\n\n");
        }
    }
    /// Append text; returns its char span.
    fn push(&mut self, s: &str) -> (usize, usize) {
        let start = self.chars;
        self.text.push_str(s);
        self.chars += s.chars().count();
        (start, self.chars)
    }
}

/// The article without paragraphs of fewer than six words: Reuters' sign-offs ("REUTER",
/// "More") and stray table lines are not story text.
fn content(a: &BaseArticle) -> BaseArticle {
    BaseArticle {
        paragraphs: a
            .paragraphs
            .iter()
            .filter(|p| p.split(' ').count() >= 6)
            .cloned()
            .collect(),
        ..a.clone()
    }
}

/// Content words of a title, for picking same-topic distractors.
fn title_words(t: &str) -> HashSet<String> {
    const STOP: &[&str] = &[
        "says", "said", "with", "from", "into", "over", "after", "year", "sets", "unit", "corp",
        "group", "company", "first", "quarter", "shares", "stake", "offer", "rate", "rates",
    ];
    t.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.len() >= 4 && w.chars().all(char::is_alphabetic) && !STOP.contains(&&w[..]))
        .collect()
}

/// Generate a corpus from `base`.
pub fn generate(base: &[BaseArticle], p: &GenParams) -> Result<Generated> {
    p.validate()?;
    let mut rng = Rng(p.seed ^ 0x5EED_C0DE_0000_0001);
    let mut used: HashSet<u64> = HashSet::new();
    let mut take = |a: &BaseArticle| {
        let g = grams(a);
        if g.iter().any(|h| used.contains(h)) {
            return false;
        }
        used.extend(g);
        true
    };
    let mut vocab: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for a in base {
        for w in a.paragraphs.iter().flat_map(|p| p.split(' ')) {
            if vocab.len() >= 5000 {
                break;
            }
            if (4..=10).contains(&w.len())
                && w.chars().all(|c| c.is_ascii_lowercase())
                && seen.insert(w)
            {
                vocab.push(w.to_string());
            }
        }
    }
    if vocab.is_empty() {
        vocab.push("reportedly".into());
    }

    // Wire stories.
    let mut reuters: Vec<usize> = (0..base.len())
        .filter(|&i| base[i].outlet == "Reuters")
        .collect();
    rng.shuffle(&mut reuters);
    let mut picked = HashSet::new();
    let mut wire_src = Vec::new();
    let mut wire_base = Vec::new();
    for &i in &reuters {
        if wire_src.len() == p.wires {
            break;
        }
        let a = content(&base[i]);
        if a.paragraphs.len() >= 4 && a.words() >= 200 && take(&a) {
            wire_src.push(i);
            wire_base.push(a);
            picked.insert(i);
        }
    }
    if wire_src.len() < p.wires {
        return Err(Error::Invalid(format!(
            "the base has only {} usable wire stories (Reuters, ≥ 4 paragraphs, ≥ 200 words, \
             no shared text); asked for {}",
            wire_src.len(),
            p.wires
        )));
    }
    let mut bbc: Vec<usize> = (0..base.len())
        .filter(|&i| base[i].outlet == "BBC" && base[i].paragraphs.len() >= 3)
        .collect();
    rng.shuffle(&mut bbc);
    let mut bbc = bbc.into_iter();
    let mut next_bbc = |take: &mut dyn FnMut(&BaseArticle) -> bool| {
        bbc.by_ref().find(|&i| take(&base[i])).ok_or_else(|| {
            Error::Invalid("the base has too few BBC articles for own paragraphs and distractors; ask for fewer outlets or articles".into())
        })
    };

    let mut docs = Vec::new();
    let mut wires = Vec::new();
    for (n, a) in wire_base.iter().enumerate() {
        let mut tb = TextBuilder::default();
        let mut sents = Vec::new();
        let mut texts = Vec::new();
        for par in &a.paragraphs {
            tb.paragraph();
            let mut ps = Vec::new();
            let mut pt = Vec::new();
            for (k, (s, e)) in sentences(par).into_iter().enumerate() {
                if k > 0 {
                    tb.push(" ");
                }
                ps.push(tb.push(&par[s..e]));
                pt.push(par[s..e].to_string());
            }
            sents.push(ps);
            texts.push(pt);
        }
        wires.push(Wire {
            doc: docs.len(),
            sents,
            texts,
        });
        docs.push(GenDoc {
            id: format!("wire-{:04}", n + 1),
            outlet: "wire".into(),
            date: "2025-03-10".into(),
            title: a.title.clone(),
            text: tb.text,
        });
    }
    let wire_topics: Vec<HashSet<String>> = wire_src
        .iter()
        .map(|&i| title_words(&base[i].title))
        .collect();

    let mut truth = Truth {
        truth_version: TRUTH_VERSION,
        description: format!(
            "wirecopy generate: seed {}, {} wire stories, {} outlets x {} articles, edit rate {}, distractor share {}",
            p.seed, p.wires, p.outlets, p.articles, p.edit_rate, p.distractors
        ),
        passages: Vec::new(),
        distractors: Vec::new(),
    };
    let mut claims = Vec::new();
    // Per wire story: the copies made of it (document index, outlet, pieces).
    let mut copies: Vec<Vec<(usize, usize, Vec<Piece>)>> = vec![Vec::new(); p.wires];
    let mut topic_cursor = 0usize;

    for o in 0..p.outlets {
        let outlet = format!("outlet-{:02}", o + 1);
        let footer = match FOOTERS.get(o) {
            Some(f) => f.to_string(),
            None => {
                let words: Vec<&str> = (0..18)
                    .map(|_| vocab[rng.below(vocab.len())].as_str())
                    .collect();
                format!("{} Subscribe to {outlet}.", words.join(" "))
            }
        };
        let mut roles: Vec<bool> = (0..p.articles).map(|k| k < p.copies()).collect();
        rng.shuffle(&mut roles);
        let mut stories: Vec<usize> = (0..p.wires).collect();
        rng.shuffle(&mut stories);
        let mut stories = stories.into_iter();
        for (k, copy) in roles.into_iter().enumerate() {
            let id = format!("{outlet}/{:04}", k + 1);
            let mut tb = TextBuilder::default();
            let title;
            if copy {
                let w = stories.next().expect("validated: copies <= wires");
                let own = &base[next_bbc(&mut take)?];
                let mut own_paras = own.paragraphs.iter();
                title = base[wire_src[w]].title.clone();
                if rng.chance(0.5) {
                    if let Some(first) = own_paras.next() {
                        let (s, e) = sentences(first)[0];
                        tb.paragraph();
                        tb.push(&first[s..e]);
                    }
                }
                let plan = plan_runs(wires[w].sents.len(), &wires[w], &mut rng);
                let mut pieces: Vec<Piece> = Vec::new();
                let mut seg = usize::from(!tb.text.is_empty());
                for (idx, &(para, keep)) in plan.iter().enumerate() {
                    if idx > 0 {
                        let (prev, _) = plan[idx - 1];
                        let q = if para == prev + 1 { 0.15 } else { 0.6 };
                        if rng.chance(q) {
                            if let Some(f) = own_paras.next() {
                                tb.paragraph();
                                tb.push(f);
                                seg += 1;
                            }
                        }
                    }
                    tb.paragraph();
                    let mut sents = Vec::new();
                    let mut texts = Vec::new();
                    for (j, s) in wires[w].texts[para][..keep].iter().enumerate() {
                        if j > 0 {
                            tb.push(" ");
                        }
                        let t = edit_sentence(s, p.edit_rate, &vocab, &mut rng);
                        sents.push(tb.push(&t));
                        texts.push(t);
                    }
                    pieces.push(Piece {
                        para,
                        sents,
                        texts,
                        full: keep == wires[w].texts[para].len(),
                        seg,
                    });
                    seg += 1;
                }
                if rng.chance(0.3) {
                    if let Some(f) = own_paras.next() {
                        tb.paragraph();
                        tb.push(f);
                    }
                }
                wire_cases(&wires[w], &docs, &id, &pieces, &mut truth, &mut claims);
                copies[w].push((docs.len(), o, pieces));
            } else {
                // A same-topic Reuters article half the time, else a BBC article.
                let mut src = None;
                if rng.chance(0.5) {
                    for _ in 0..p.wires {
                        let topic = &wire_topics[topic_cursor % p.wires];
                        topic_cursor += 1;
                        src = reuters.iter().copied().find(|&i| {
                            !picked.contains(&i)
                                && title_words(&base[i].title).intersection(topic).count() >= 2
                                && base[i].paragraphs.len() >= 2
                                && take(&base[i])
                        });
                        if let Some(i) = src {
                            picked.insert(i);
                            break;
                        }
                    }
                }
                let i = match src {
                    Some(i) => i,
                    None => next_bbc(&mut take)?,
                };
                title = base[i].title.clone();
                for par in base[i].paragraphs.iter().take(10) {
                    tb.paragraph();
                    tb.push(par);
                }
                truth.distractors.push(id.clone());
            }
            tb.paragraph();
            tb.push(&footer);
            docs.push(GenDoc {
                id,
                outlet: outlet.clone(),
                date: "2025-03-11".into(),
                title,
                text: tb.text,
            });
        }
    }
    for list in &copies {
        for (x, (dx, ox, px)) in list.iter().enumerate() {
            for (dy, oy, py) in &list[x + 1..] {
                if ox != oy {
                    copy_cases(
                        (&docs[*dx], &px[..]),
                        (&docs[*dy], &py[..]),
                        &mut truth,
                        &mut claims,
                    );
                }
            }
        }
    }
    Ok(Generated {
        docs,
        truth,
        claims,
    })
}

/// Which wire paragraphs a copy takes, in article order: `(paragraph, sentences kept)`.
/// 1–3 runs of 1–4 consecutive paragraphs with at least one paragraph between runs,
/// reordered a quarter of the time; a run's last paragraph is cut after a sentence
/// three times in ten.
fn plan_runs(n: usize, wire: &Wire, rng: &mut Rng) -> Vec<(usize, usize)> {
    let mut runs: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut start = rng.below(n.div_ceil(2));
    let want = 1 + rng.below(3);
    while runs.len() < want && start < n {
        let len = 1 + rng.below(4.min(n - start));
        let mut run: Vec<(usize, usize)> = (start..start + len)
            .map(|q| (q, wire.texts[q].len()))
            .collect();
        let last = run.last_mut().expect("non-empty run");
        if last.1 >= 2 && rng.chance(0.3) {
            last.1 = 1 + rng.below(last.1 - 1);
        }
        start += len + 1 + rng.below(2);
        runs.push(run);
    }
    if runs.len() > 1 && rng.chance(0.25) {
        rng.shuffle(&mut runs);
    }
    runs.concat()
}

/// Group pieces into blocks: consecutive wire paragraphs, adjacent in the article, all but
/// the last copied whole.
fn blocks<T: Copy>(items: &[T], joins: impl Fn(T, T) -> bool) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for i in 0..items.len() {
        match out.last_mut() {
            Some(b) if joins(items[i - 1], items[i]) => b.1 = i + 1,
            _ => out.push((i, i + 1)),
        }
    }
    out
}

fn kind_of(a: &str, b: &str) -> Kind {
    if a == b {
        Kind::Verbatim
    } else {
        Kind::Edited
    }
}

/// The text a block claims: sentences joined by spaces, paragraphs by blank lines.
fn claim(paras: &[&[String]]) -> String {
    paras
        .iter()
        .map(|p| p.join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn wire_cases(
    wire: &Wire,
    docs: &[GenDoc],
    id: &str,
    pieces: &[Piece],
    truth: &mut Truth,
    claims: &mut Vec<[String; 2]>,
) {
    let wdoc = &docs[wire.doc];
    let refs: Vec<&Piece> = pieces.iter().collect();
    for (s, e) in blocks(&refs, |a: &Piece, b: &Piece| {
        b.para == a.para + 1 && b.seg == a.seg + 1 && a.full
    }) {
        let (first, last) = (&pieces[s], &pieces[e - 1]);
        let kept = last.sents.len();
        let a = Span::new(
            &wdoc.id,
            wire.sents[first.para][0].0,
            wire.sents[last.para][kept - 1].1,
        );
        let b = Span::new(id, first.sents[0].0, last.sents[kept - 1].1);
        let wire_text: Vec<&[String]> = pieces[s..e]
            .iter()
            .map(|pc| &wire.texts[pc.para][..pc.sents.len()])
            .collect();
        let copy_text: Vec<&[String]> = pieces[s..e].iter().map(|pc| &pc.texts[..]).collect();
        let (ta, tb) = (claim(&wire_text), claim(&copy_text));
        let paras = if e - s == 1 {
            format!("paragraph {}", first.para + 1)
        } else {
            format!("paragraphs {}-{}", first.para + 1, last.para + 1)
        };
        truth.passages.push(Case {
            a,
            b,
            kind: Some(kind_of(&ta, &tb)),
            note: Some(format!("{} {paras}", wdoc.id)),
        });
        claims.push([ta, tb]);
    }
}

/// Cases between two copies of the same wire story (different outlets): the sentences
/// both copied, grouped into blocks like wire cases.
fn copy_cases(
    x: (&GenDoc, &[Piece]),
    y: (&GenDoc, &[Piece]),
    truth: &mut Truth,
    claims: &mut Vec<[String; 2]>,
) {
    // Common units in x's order: (piece in x, piece in y, sentences both kept).
    let units: Vec<(&Piece, &Piece, usize)> =
        x.1.iter()
            .filter_map(|px| {
                let py = y.1.iter().find(|py| py.para == px.para)?;
                Some((px, py, px.sents.len().min(py.sents.len())))
            })
            .collect();
    let idx: Vec<usize> = (0..units.len()).collect();
    for (s, e) in blocks(&idx, |i, j| {
        let ((ax, ay, _), (bx, by, _)) = (units[i], units[j]);
        bx.para == ax.para + 1 && bx.seg == ax.seg + 1 && by.seg == ay.seg + 1 && ax.full && ay.full
    }) {
        let (fx, fy, _) = units[s];
        let (lx, ly, m) = units[e - 1];
        let a = Span::new(&x.0.id, fx.sents[0].0, lx.sents[m - 1].1);
        let b = Span::new(&y.0.id, fy.sents[0].0, ly.sents[m - 1].1);
        let part = |k: usize, side: usize| {
            let (px, py, mm) = units[k];
            let pc = if side == 0 { px } else { py };
            &pc.texts[..mm]
        };
        let ta = claim(&(s..e).map(|k| part(k, 0)).collect::<Vec<_>>());
        let tb = claim(&(s..e).map(|k| part(k, 1)).collect::<Vec<_>>());
        truth.passages.push(Case {
            a,
            b,
            kind: Some(kind_of(&ta, &tb)),
            note: Some(format!(
                "both copy paragraph {} of the same wire story",
                fx.para + 1
            )),
        });
        claims.push([ta, tb]);
    }
}

#[cfg(test)]
mod tests;
