//! Building a [`Report`] from the pipeline's results: offsets to characters, kinds,
//! direction, clusters, coverage and credit. Pure computation, no I/O.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use rayon::prelude::*;

use super::*;
use crate::align::{Alignment, EditRun};
use crate::attribute::{self, CreditCheck, SideRef};
use crate::corpus::Document;
use crate::tokenize::Token;
use crate::verify::PairStats;

/// What the report needs of a document's text when the text itself is no longer held: its
/// length in bytes and characters, and where its body starts, in characters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextSize {
    /// Length in bytes.
    pub bytes: usize,
    /// Length in characters (Unicode scalar values).
    pub chars: usize,
    /// [`Document::body_start`] in characters.
    pub body_start_chars: usize,
}

impl TextSize {
    /// The sizes of `text`, whose body starts at byte `body_start`.
    pub fn of(text: &str, body_start: usize) -> TextSize {
        let count = |b: &[u8]| b.iter().filter(|&&c| c & 0xC0 != 0x80).count();
        let head = count(&text.as_bytes()[..body_start]);
        TextSize {
            bytes: text.len(),
            chars: head + count(&text.as_bytes()[body_start..]),
            body_start_chars: head,
        }
    }
}

/// Byte → character offsets of one text, in O(1) memory per 64 bytes.
///
/// This is the one place offsets change unit. A character offset is the number of Unicode
/// scalar values before the byte offset, i.e. the number of bytes before it that are not
/// UTF-8 continuation bytes (`0b10xx_xxxx`).
pub struct CharIndex<'a> {
    bytes: &'a [u8],
    checkpoints: Vec<usize>,
}

const STRIDE: usize = 64;

impl<'a> CharIndex<'a> {
    /// Index `text`.
    pub fn new(text: &'a str) -> CharIndex<'a> {
        let bytes = text.as_bytes();
        let mut checkpoints = Vec::with_capacity(bytes.len() / STRIDE + 1);
        let mut count = 0usize;
        for chunk in bytes.chunks(STRIDE) {
            checkpoints.push(count);
            count += chunk.iter().filter(|&&b| b & 0xC0 != 0x80).count();
        }
        checkpoints.push(count);
        CharIndex { bytes, checkpoints }
    }

    /// Character offset of byte offset `byte` (which must be a char boundary or the end).
    pub fn char_offset(&self, byte: usize) -> usize {
        debug_assert!(byte <= self.bytes.len());
        let k = byte / STRIDE;
        self.checkpoints[k]
            + self.bytes[k * STRIDE..byte]
                .iter()
                .filter(|&&b| b & 0xC0 != 0x80)
                .count()
    }
}

/// FNV-1a, 64 bit: a stable, documented hash for ids and fingerprints (never changes with
/// crate versions or CPU features).
pub fn fnv1a(chunks: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for c in chunks {
        for &b in *c {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
        h ^= 0xFF;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// The settings fingerprint: version and settings.
pub fn fingerprint(settings: &Settings) -> String {
    let json = serde_json::to_string(settings).unwrap_or_default();
    format!(
        "{:016x}",
        fnv1a(&[env!("CARGO_PKG_VERSION").as_bytes(), json.as_bytes()])
    )
}

/// What building a pair's passages reads: documents, their tokens, boilerplate masks,
/// wire flags and character indexes.
pub struct PairContext<'a> {
    /// Documents.
    pub docs: &'a [Document],
    /// Their tokens (empty for documents in no aligned pair).
    pub tokens: &'a [Vec<Token>],
    /// Boilerplate masks.
    pub masks: &'a [Vec<bool>],
    /// Wire flags.
    pub wire: &'a [bool],
    /// Character indexes of the documents' texts.
    pub index: &'a [CharIndex<'a>],
    /// Share of quoted words that makes a passage a quote.
    pub quote_share: f64,
}

/// One aligned pair's report entries: its pair record and its passages, oriented source →
/// target. Built right after the pair is aligned ([`pair_passages`]), so the alignment
/// itself, and later every document's tokens, need not be kept for the whole corpus.
pub struct PairPassages {
    entry: PairEntry,
    raws: Vec<Raw>,
}

/// Everything the builder needs from the pipeline.
pub struct Inputs<'a> {
    /// Documents.
    pub docs: &'a [Document],
    /// Character indexes of the texts of documents in aligned pairs (others may be empty).
    pub index: Vec<CharIndex<'a>>,
    /// Sizes of every document's text.
    pub sizes: &'a [TextSize],
    /// Words per document.
    pub words: &'a [usize],
    /// Wire flags.
    pub wire: &'a [bool],
    /// The aligned pairs' entries and passages, in pair order.
    pub aligned: Vec<PairPassages>,
    /// Per document (empty for documents in no verified pair), its boilerplate runs.
    pub runs: Vec<Vec<BoilerRun>>,
    /// Pairs within the partner cap not aligned: they share only boilerplate.
    pub boilerplate_pairs: usize,
    /// Number of candidate pairs.
    pub candidate_pairs: usize,
    /// Number of verified pairs (`aligned` holds those within the partner cap).
    pub verified_pairs: usize,
    /// Settings.
    pub settings: &'a Settings,
    /// Load problems.
    pub problems: Vec<Problem>,
}

/// A stretch of boilerplate in a document: its bytes, words and group.
#[derive(Debug, Clone)]
pub struct BoilerRun {
    /// Byte span (words, with the punctuation a passage side takes along).
    pub bytes: Range<usize>,
    /// Words.
    pub words: usize,
    /// What makes it boilerplate ([`attribute::Run::keys`]).
    pub keys: Vec<attribute::GroupKey>,
}

impl BoilerRun {
    /// The runs of `doc` from its tokens.
    pub fn of(doc: &Document, toks: &[Token], runs: &[attribute::Run]) -> Vec<BoilerRun> {
        runs.iter()
            .map(|r| BoilerRun {
                bytes: passage_span(&doc.text, toks, &r.tokens),
                words: r.tokens.len(),
                keys: r.keys.clone(),
            })
            .collect()
    }
}

/// Per document: (source outlet, source document) → (memberships, byte spans).
type SourceMap = BTreeMap<(String, Option<usize>), (usize, Vec<Range<usize>>)>;

struct Raw {
    a: usize,
    b: usize,
    passage: Passage,
    a_bytes: Range<usize>,
    b_bytes: Range<usize>,
}

/// Closing punctuation a passage takes along when it directly follows its last word.
const TRAILING: &[char] = &[
    '.', '!', '?', '\u{2026}', '"', '\u{201D}', '\u{2019}', '\u{00BB}', ')', ']',
];
/// Opening quotes and brackets a passage takes along when they directly precede its first word.
const LEADING: &[char] = &['"', '\u{201C}', '\u{2018}', '\u{00AB}', '(', '['];

/// Byte span of a passage side: its words, plus sentence-final punctuation and quotation
/// marks that touch them (`ties.”`, `“We`), so a reused sentence is reported whole.
pub fn passage_span(text: &str, toks: &[Token], r: &Range<usize>) -> Range<usize> {
    let mut bs = toks[r.start].start as usize;
    let mut be = toks[r.end - 1].end as usize;
    be += text[be..]
        .chars()
        .take_while(|c| TRAILING.contains(c))
        .map(char::len_utf8)
        .sum::<usize>();
    bs -= text[..bs]
        .chars()
        .rev()
        .take_while(|c| LEADING.contains(c))
        .map(char::len_utf8)
        .sum::<usize>();
    bs..be
}

fn side(doc: &Document, idx: &CharIndex, toks: &[Token], r: &Range<usize>) -> (Side, Range<usize>) {
    let Range { start: bs, end: be } = passage_span(&doc.text, toks, r);
    (
        Side {
            doc: doc.id.clone(),
            outlet: doc.outlet.clone(),
            start: idx.char_offset(bs),
            end: idx.char_offset(be),
            byte_start: bs,
            byte_end: be,
            words: r.len(),
            text: doc.text[bs..be].to_string(),
        },
        bs..be,
    )
}

/// Byte span of a token range; an empty range sits just after the previous token (or at
/// the start of the next, for a range at the very beginning).
fn token_span(toks: &[Token], r: &Range<usize>) -> Range<usize> {
    if !r.is_empty() {
        return toks[r.start].start as usize..toks[r.end - 1].end as usize;
    }
    let at = if r.start > 0 {
        toks[r.start - 1].end as usize
    } else {
        toks.first().map_or(0, |t| t.start as usize)
    };
    at..at
}

fn edits(
    runs: &[EditRun],
    (da, ta, ia): (&Document, &[Token], &CharIndex),
    (db, tb, ib): (&Document, &[Token], &CharIndex),
) -> Vec<Edit> {
    runs.iter()
        .map(|run| {
            let sa = token_span(ta, &run.a);
            let sb = token_span(tb, &run.b);
            let texts = run.op != Op::Equal;
            Edit {
                op: run.op,
                a_start: ia.char_offset(sa.start),
                a_end: ia.char_offset(sa.end),
                b_start: ib.char_offset(sb.start),
                b_end: ib.char_offset(sb.end),
                a_text: texts.then(|| da.text[sa].to_string()),
                b_text: texts.then(|| db.text[sb].to_string()),
            }
        })
        .collect()
}

fn swap_alignment(al: &Alignment) -> Alignment {
    Alignment {
        a: al.b.clone(),
        b: al.a.clone(),
        matches: al.matches,
        columns: al.columns,
        edits: al
            .edits
            .iter()
            .map(|r| EditRun {
                op: match r.op {
                    Op::Insert => Op::Delete,
                    Op::Delete => Op::Insert,
                    o => o,
                },
                a: r.b.clone(),
                b: r.a.clone(),
            })
            .collect(),
    }
}

fn union_len(idx: &CharIndex, spans: &mut [Range<usize>]) -> usize {
    spans.sort_by_key(|r| (r.start, r.end));
    let mut total = 0;
    let mut cur: Option<Range<usize>> = None;
    for r in spans.iter() {
        match &mut cur {
            Some(c) if r.start <= c.end => c.end = c.end.max(r.end),
            _ => {
                if let Some(c) = cur.take() {
                    total += idx.char_offset(c.end) - idx.char_offset(c.start);
                }
                cur = Some(r.clone());
            }
        }
    }
    if let Some(c) = cur {
        total += idx.char_offset(c.end) - idx.char_offset(c.start);
    }
    total
}

fn ratio(x: usize, y: usize) -> f64 {
    if y == 0 {
        0.0
    } else {
        // Round to 6 decimals so the JSON is stable and readable.
        ((x as f64 / y as f64) * 1e6).round() / 1e6
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Build one aligned pair's report entries (see [`PairPassages`]).
pub fn pair_passages(ctx: &PairContext, ps: &PairStats, als: &[Alignment]) -> PairPassages {
    let PairContext {
        docs,
        tokens,
        masks,
        wire,
        index,
        ..
    } = *ctx;
    let (da, db) = (&docs[ps.a], &docs[ps.b]);
    let dir = attribute::direction(da, db, wire[ps.a], wire[ps.b]);
    let entry = PairEntry {
        a: da.id.clone(),
        b: db.id.clone(),
        shared_shingles: ps.shared,
        jaccard: round6(ps.jaccard),
        containment: round6(ps.containment),
        jaccard_estimate: round6(ps.jaccard_estimate),
        containment_estimate: round6(ps.containment_estimate),
        passages: als.len(),
    };
    let mut out = Vec::with_capacity(als.len());
    for al in als {
        let (x, y, al) = match dir {
            Some(false) => (ps.b, ps.a, swap_alignment(al)),
            _ => (ps.a, ps.b, al.clone()),
        };
        let (dx, dy) = (&docs[x], &docs[y]);
        let (tx, ty) = (&tokens[x], &tokens[y]);
        let equal_pairs: Vec<(usize, usize)> = al
            .edits
            .iter()
            .filter(|r| r.op == Op::Equal)
            .flat_map(|r| r.a.clone().zip(r.b.clone()))
            .collect();
        let kind = attribute::kind(
            &attribute::PassageView {
                a_tokens: tx,
                b_tokens: ty,
                a_mask: &masks[x],
                b_mask: &masks[y],
                a: &al.a,
                b: &al.b,
                equal_pairs: &equal_pairs,
                columns: al.columns,
            },
            ctx.quote_share,
        );
        if kind == Kind::Boilerplate {
            // Reported once, in the report's boilerplate groups.
            continue;
        }
        let (sa, a_bytes) = side(dx, &index[x], tx, &al.a);
        let (sb, b_bytes) = side(dy, &index[y], ty, &al.b);
        let id_hash = {
            let mut keys: Vec<u8> = Vec::with_capacity(8 * (al.a.len() + al.b.len()) + 1);
            for t in &tx[al.a.clone()] {
                keys.extend_from_slice(&t.key.to_le_bytes());
            }
            keys.push(0);
            for t in &ty[al.b.clone()] {
                keys.extend_from_slice(&t.key.to_le_bytes());
            }
            fnv1a(&[dx.id.as_bytes(), dy.id.as_bytes(), &keys])
        };
        let passage = Passage {
            id: format!("p{id_hash:016x}"),
            kind,
            similarity: round6(al.similarity()),
            words: al.matches,
            direction: if dir.is_some() {
                Direction::AToB
            } else {
                Direction::Undirected
            },
            cluster: 0,
            edits: edits(&al.edits, (dx, tx, &index[x]), (dy, ty, &index[y])),
            a: sa,
            b: sb,
        };
        out.push(Raw {
            a: x,
            b: y,
            passage,
            a_bytes,
            b_bytes,
        });
    }
    let mut entry = entry;
    entry.passages = out.len();
    PairPassages { entry, raws: out }
}

/// Build the report.
pub fn build(inp: Inputs) -> crate::error::Result<Report> {
    let Inputs {
        docs,
        index,
        sizes,
        words,
        wire,
        aligned,
        runs,
        candidate_pairs,
        verified_pairs,
        boilerplate_pairs,
        settings,
        problems,
    } = inp;
    let credit = CreditCheck::new(&settings.credit)?;

    let mut raws: Vec<Raw> = Vec::with_capacity(aligned.iter().map(|p| p.raws.len()).sum());
    let mut pairs: Vec<PairEntry> = Vec::with_capacity(aligned.len());
    for p in aligned {
        pairs.push(p.entry);
        raws.extend(p.raws);
    }
    raws.par_sort_by(|p, q| {
        (
            p.a.min(p.b),
            p.a.max(p.b),
            p.a,
            p.a_bytes.start,
            p.b_bytes.start,
        )
            .cmp(&(
                q.a.min(q.b),
                q.a.max(q.b),
                q.a,
                q.a_bytes.start,
                q.b_bytes.start,
            ))
    });
    // Identical content in the same pair (a repeated paragraph) gets a numbered id.
    let mut seen_ids: BTreeMap<String, usize> = BTreeMap::new();
    for r in &mut raws {
        let n = seen_ids.entry(r.passage.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            r.passage.id = format!("{}-{}", r.passage.id, n);
        }
    }

    // Clusters over all passages.
    let sides: Vec<(SideRef, SideRef)> = raws
        .iter()
        .map(|r| {
            (
                SideRef {
                    doc: r.a,
                    span: r.a_bytes.clone(),
                },
                SideRef {
                    doc: r.b,
                    span: r.b_bytes.clone(),
                },
            )
        })
        .collect();
    let cluster_of = attribute::cluster(&sides);
    let n_clusters = cluster_of.iter().max().map_or(0, |m| m + 1);
    for (r, &c) in raws.iter_mut().zip(&cluster_of) {
        r.passage.cluster = c;
    }
    // Members: per cluster, per document, byte spans (all kinds / reuse kinds only).
    let mut members: Vec<BTreeMap<usize, Vec<Range<usize>>>> = vec![BTreeMap::new(); n_clusters];
    let mut reuse_members: Vec<BTreeMap<usize, Vec<Range<usize>>>> =
        vec![BTreeMap::new(); n_clusters];
    let mut cluster_passages: Vec<Vec<String>> = vec![Vec::new(); n_clusters];
    for r in &raws {
        let c = r.passage.cluster;
        cluster_passages[c].push(r.passage.id.clone());
        for (d, span) in [(r.a, &r.a_bytes), (r.b, &r.b_bytes)] {
            members[c].entry(d).or_default().push(span.clone());
            if r.passage.kind.is_reuse() {
                reuse_members[c].entry(d).or_default().push(span.clone());
            }
        }
    }
    let best_source: Vec<Option<usize>> = members
        .iter()
        .map(|m| {
            let ds: Vec<usize> = m.keys().copied().collect();
            if let Some(&w) = ds
                .iter()
                .filter(|&&d| wire[d])
                .min_by(|&&x, &&y| date_key(&docs[x]).cmp(&date_key(&docs[y])).then(x.cmp(&y)))
            {
                return Some(w);
            }
            let dated: Vec<usize> = ds
                .iter()
                .copied()
                .filter(|&d| docs[d].date.is_some())
                .collect();
            if dated.len() < ds.len() || dated.is_empty() {
                return None;
            }
            let min = dated.iter().map(|&d| docs[d].date.as_ref()).min().flatten();
            let earliest: Vec<usize> = dated
                .into_iter()
                .filter(|&d| docs[d].date.as_ref() == min)
                .collect();
            (earliest.len() == 1).then(|| earliest[0])
        })
        .collect();

    // Per-document coverage and sources.
    let mut doc_entries = Vec::with_capacity(docs.len());
    let mut reused: Vec<Vec<Range<usize>>> = vec![Vec::new(); docs.len()];
    let mut kind_spans: Vec<BTreeMap<Kind, Vec<Range<usize>>>> = vec![BTreeMap::new(); docs.len()];
    // (doc) -> (source outlet, source doc) -> (memberships, spans)
    let mut sources: Vec<SourceMap> = vec![BTreeMap::new(); docs.len()];
    for r in &raws {
        let c = r.passage.cluster;
        for (d, other, span) in [(r.a, r.b, &r.a_bytes), (r.b, r.a, &r.b_bytes)] {
            if !r.passage.kind.is_reuse() {
                kind_spans[d]
                    .entry(r.passage.kind)
                    .or_default()
                    .push(span.clone());
                continue;
            }
            match best_source[c] {
                Some(s) if s == d => continue,
                Some(_) => {}
                None => {
                    // Undirected cluster: shared with the other side's outlet.
                    let e = sources[d]
                        .entry((docs[other].outlet.clone(), None))
                        .or_default();
                    e.1.push(span.clone());
                }
            }
            reused[d].push(span.clone());
            kind_spans[d]
                .entry(r.passage.kind)
                .or_default()
                .push(span.clone());
        }
    }
    // Directed clusters: one membership per (cluster, document).
    for (c, m) in reuse_members.iter().enumerate() {
        let Some(s) = best_source[c] else { continue };
        for (&d, spans) in m {
            if d == s {
                continue;
            }
            let e = sources[d]
                .entry((docs[s].outlet.clone(), Some(s)))
                .or_default();
            e.0 += 1;
            e.1.extend(spans.iter().cloned());
        }
    }
    // Undirected memberships: count clusters per other outlet (one pass over the passages:
    // per cluster and member document, the outlets it shares reuse passages with).
    let mut undirected: BTreeMap<(usize, usize), BTreeSet<&str>> = BTreeMap::new();
    for r in &raws {
        let c = r.passage.cluster;
        if best_source[c].is_some() || !r.passage.kind.is_reuse() {
            continue;
        }
        for (d, other) in [(r.a, r.b), (r.b, r.a)] {
            undirected
                .entry((c, d))
                .or_default()
                .insert(docs[other].outlet.as_str());
        }
    }
    for ((_, d), others) in undirected {
        for o in others {
            if let Some(e) = sources[d].get_mut(&(o.to_string(), None)) {
                e.0 += 1;
            }
        }
    }
    for (d, rs) in runs.iter().enumerate() {
        if !rs.is_empty() {
            kind_spans[d]
                .entry(Kind::Boilerplate)
                .or_default()
                .extend(rs.iter().map(|r| r.bytes.clone()));
        }
    }
    for (d, doc) in docs.iter().enumerate() {
        let idx = &index[d];
        let size = sizes[d];
        let chars = size.chars;
        let reused_chars = union_len(idx, &mut reused[d]);
        let mut by_kind = ByKind::default();
        for (k, spans) in kind_spans[d].iter_mut() {
            let n = union_len(idx, spans);
            match k {
                Kind::Verbatim => by_kind.verbatim = n,
                Kind::Edited => by_kind.edited = n,
                Kind::Quote => by_kind.quote = n,
                Kind::Boilerplate => by_kind.boilerplate = n,
            }
        }
        let mut srcs: Vec<SourceShare> = Vec::new();
        let mut story_set: BTreeSet<String> = BTreeSet::new();
        let mut directed_outlets: BTreeSet<String> = BTreeSet::new();
        for ((outlet, sdoc), (n, spans)) in sources[d].iter_mut() {
            let chars = union_len(idx, spans);
            match sdoc {
                Some(s) => {
                    story_set.insert(docs[*s].id.clone());
                    directed_outlets.insert(outlet.clone());
                }
                None => {
                    story_set.insert(format!("outlet:{outlet}"));
                }
            }
            srcs.push(SourceShare {
                outlet: outlet.clone(),
                doc: sdoc.map(|s| docs[s].id.clone()),
                passages: *n,
                chars,
            });
        }
        srcs.sort_by(|x, y| {
            y.chars
                .cmp(&x.chars)
                .then(x.outlet.cmp(&y.outlet))
                .then(x.doc.cmp(&y.doc))
        });
        let credit_entry = (!directed_outlets.is_empty()).then(|| {
            let mut matches = Vec::new();
            let mut uncredited = Vec::new();
            for o in &directed_outlets {
                let found = credit.find(&doc.text, o);
                if found.is_empty() {
                    uncredited.push(o.clone());
                }
                for m in found {
                    matches.push(CreditHit {
                        pattern: m.pattern,
                        start: idx.char_offset(m.span.start),
                        end: idx.char_offset(m.span.end),
                        text: doc.text[m.span].to_string(),
                    });
                }
            }
            matches.sort_by(|x, y| (x.start, x.end, &x.pattern).cmp(&(y.start, y.end, &y.pattern)));
            matches.dedup();
            Credit {
                credited: uncredited.is_empty(),
                sources: directed_outlets.iter().cloned().collect(),
                uncredited,
                matches,
            }
        });
        doc_entries.push(DocumentEntry {
            id: doc.id.clone(),
            outlet: doc.outlet.clone(),
            date: doc.date.clone(),
            title: doc.title.clone(),
            url: doc.url.clone(),
            path: doc.path.clone(),
            line: doc.line,
            chars,
            bytes: size.bytes,
            words: words[d],
            body_start: size.body_start_chars,
            lossy: doc.lossy,
            wire: wire[d],
            reused_chars,
            coverage: ratio(reused_chars, chars),
            by_kind,
            source_stories: story_set.len(),
            sources: srcs,
            credit: credit_entry,
            extra: doc.extra.clone(),
        });
    }

    // Outlets.
    let mut outlets: BTreeMap<String, OutletEntry> = BTreeMap::new();
    let mut outlet_stories: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut outlet_sources: BTreeMap<String, BTreeMap<String, (usize, usize)>> = BTreeMap::new();
    for (d, e) in doc_entries.iter().enumerate() {
        let o = outlets
            .entry(e.outlet.clone())
            .or_insert_with(|| OutletEntry {
                outlet: e.outlet.clone(),
                articles: 0,
                chars: 0,
                passages: 0,
                reused_chars: 0,
                coverage: 0.0,
                by_kind: ByKind::default(),
                sources: Vec::new(),
                source_stories: 0,
            });
        o.articles += 1;
        o.chars += e.chars;
        o.reused_chars += e.reused_chars;
        o.by_kind.verbatim += e.by_kind.verbatim;
        o.by_kind.edited += e.by_kind.edited;
        o.by_kind.quote += e.by_kind.quote;
        o.by_kind.boilerplate += e.by_kind.boilerplate;
        for s in &e.sources {
            o.passages += s.passages;
            let x = outlet_sources
                .entry(e.outlet.clone())
                .or_default()
                .entry(s.outlet.clone())
                .or_default();
            x.0 += s.passages;
            x.1 += s.chars;
        }
        for (key, _) in sources[d].iter() {
            outlet_stories
                .entry(e.outlet.clone())
                .or_default()
                .insert(match key.1 {
                    Some(s) => docs[s].id.clone(),
                    None => format!("outlet:{}", key.0),
                });
        }
    }
    for (name, o) in outlets.iter_mut() {
        o.coverage = ratio(o.reused_chars, o.chars);
        o.source_stories = outlet_stories.get(name).map_or(0, |s| s.len());
        let mut srcs: Vec<SourceShare> = outlet_sources
            .get(name)
            .map(|m| {
                m.iter()
                    .map(|(so, (p, c))| SourceShare {
                        outlet: so.clone(),
                        doc: None,
                        passages: *p,
                        chars: *c,
                    })
                    .collect()
            })
            .unwrap_or_default();
        srcs.sort_by(|x, y| y.chars.cmp(&x.chars).then(x.outlet.cmp(&y.outlet)));
        o.sources = srcs;
    }

    let clusters: Vec<Cluster> = (0..n_clusters)
        .map(|c| Cluster {
            id: c,
            source: best_source[c].map(|s| docs[s].id.clone()),
            members: members[c]
                .iter()
                .map(|(&d, spans)| {
                    let lo = spans.iter().map(|r| r.start).min().unwrap_or(0);
                    let hi = spans.iter().map(|r| r.end).max().unwrap_or(0);
                    Member {
                        doc: docs[d].id.clone(),
                        outlet: docs[d].outlet.clone(),
                        start: index[d].char_offset(lo),
                        end: index[d].char_offset(hi),
                    }
                })
                .collect(),
            passages: cluster_passages[c].clone(),
        })
        .collect();

    let passages: Vec<Passage> = raws.into_iter().map(|r| r.passage).collect();
    let boilerplate = boilerplate_groups(docs, &index, &runs);
    let skipped = problems.iter().filter(|p| p.skipped).count();
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        wirecopy_version: env!("CARGO_PKG_VERSION").to_string(),
        fingerprint: fingerprint(settings),
        settings: settings.clone(),
        summary: Summary {
            documents: docs.len(),
            outlets: outlets.len(),
            candidate_pairs,
            verified_pairs,
            aligned_pairs: pairs.len(),
            passages: passages.len(),
            boilerplate_pairs,
            boilerplate_groups: boilerplate.len(),
            clusters: n_clusters,
            skipped,
        },
        documents: doc_entries,
        pairs,
        passages,
        clusters,
        boilerplate,
        outlets: outlets.into_values().collect(),
        problems,
    })
}

/// The report's boilerplate: the runs of every document grouped by their most widespread
/// key (the one over the most runs; the smallest on a tie), so that a template run by many
/// outlets is one group though each outlet's name differs, and one outlet's footer another.
/// Each group has the text of its longest run (the first in document order on a tie) and its
/// occurrences by outlet. Groups in more documents first, then by id (from the key).
fn boilerplate_groups(
    docs: &[Document],
    index: &[CharIndex],
    runs: &[Vec<BoilerRun>],
) -> Vec<BoilerplateGroup> {
    let flat: Vec<(usize, &BoilerRun)> = runs
        .iter()
        .enumerate()
        .flat_map(|(d, rs)| rs.iter().map(move |r| (d, r)))
        .collect();
    // How many runs each key is over.
    let mut runs_with: HashMap<attribute::GroupKey, usize> = HashMap::new();
    for (_, r) in &flat {
        for k in &r.keys {
            *runs_with.entry(*k).or_default() += 1;
        }
    }
    let mut all: Vec<(attribute::GroupKey, usize, &BoilerRun)> = flat
        .iter()
        .map(|&(d, r)| {
            let k = *r
                .keys
                .iter()
                .max_by_key(|k| (runs_with[k], std::cmp::Reverse(**k)))
                .expect("a run has a key");
            (k, d, r)
        })
        .collect();
    all.sort_by_key(|&(k, d, r)| (k, d, r.bytes.start));
    let mut groups: Vec<BoilerplateGroup> = all
        .chunk_by(|x, y| x.0 == y.0)
        .map(|g| {
            let (key, rd, rep) = g
                .iter()
                .copied()
                .min_by_key(|&(_, d, r)| (std::cmp::Reverse(r.words), d, r.bytes.start))
                .expect("a group has a run");
            let (rule, tag, value) = match key {
                attribute::GroupKey::Corpus(h) => ("corpus", 0u8, h),
                attribute::GroupKey::Outlet(h) => ("outlet", 1, h),
                attribute::GroupKey::Phrase(i) => ("phrase", 2, i as u64),
            };
            let mut outlets: BTreeMap<&str, Vec<Occurrence>> = BTreeMap::new();
            let mut documents = 0;
            for (j, &(_, d, r)) in g.iter().enumerate() {
                documents += usize::from(j == 0 || g[j - 1].1 != d);
                outlets
                    .entry(docs[d].outlet.as_str())
                    .or_default()
                    .push(Occurrence {
                        doc: docs[d].id.clone(),
                        start: index[d].char_offset(r.bytes.start),
                        end: index[d].char_offset(r.bytes.end),
                    });
            }
            BoilerplateGroup {
                id: format!("b{:016x}", fnv1a(&[&[tag], &value.to_le_bytes()])),
                rule: rule.to_string(),
                text: docs[rd].text[rep.bytes.clone()].to_string(),
                words: rep.words,
                documents,
                outlets: outlets
                    .into_iter()
                    .map(|(o, occurrences)| BoilerplateOutlet {
                        outlet: o.to_string(),
                        occurrences,
                    })
                    .collect(),
            }
        })
        .collect();
    groups.sort_by(|x, y| y.documents.cmp(&x.documents).then(x.id.cmp(&y.id)));
    groups
}

fn date_key(d: &Document) -> (bool, Option<&String>) {
    (d.date.is_none(), d.date.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn char_offsets_match_chars_count(s in "\\PC{0,300}") {
            let idx = CharIndex::new(&s);
            for (b, _) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
                prop_assert_eq!(idx.char_offset(b), s[..b].chars().count());
            }
        }
    }

    #[test]
    fn fnv_is_stable() {
        // Pinned (value computed independently): passage ids in committed baselines depend on it.
        assert_eq!(
            format!("{:016x}", fnv1a(&[b"wirecopy"])),
            "012a97f58e18c3be"
        );
        assert_ne!(fnv1a(&[b"ab"]), fnv1a(&[b"a", b"b"]));
    }
}
