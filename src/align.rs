//! Passages: edit-tolerant word alignment between two documents.
//!
//! Reused news text is edited: synonyms swapped, words dropped or inserted, spelling
//! changed, sentences spliced. Exact shared n-grams find only fragments of such a passage;
//! this module finds the whole passage, once, with its word-level edit script. It is a
//! seed–chain–align scheme, as in BLAST and minimap2, applied to words:
//!
//! 1. **Seeds.** Every shared run of `anchor` normalised words (default 3) that is not made
//!    only of function words, merged along diagonals into maximal exact matches (MEMs).
//!    Anchors that repeat more than [`MAX_ANCHOR_REPEATS`] times in either document are
//!    ignored (lists, tables).
//! 2. **Chaining.** A dynamic programme over MEMs sorted by position in A (colinear in both
//!    documents) scores `f(m) = |m| + max(0, max_p f(p) − gap(p, m))`, where
//!    `gap = 0.5·min(ga, gb) + affine(|ga − gb|)` for `ga`, `gb` unmatched words between `p`
//!    and `m`, `affine(k) = 1 + 0.75·(k − 1)` (a dropped clause costs less per word than
//!    scattered changes; Gotoh 1982)
//!    and no link is made across more than `max_gap` words on either side. Chains are taken
//!    best-first (each MEM used once), like local alignments: a chain ends where extending it
//!    no longer pays, so unrelated text between two reused paragraphs splits them.
//! 3. **Alignment.** Between consecutive MEMs of a chain the words are aligned globally
//!    (Needleman–Wunsch, linear gaps: identical +2, same stem +1, different −1, gap −1);
//!    before the first and after the last MEM the alignment is extended by a semi-global
//!    X-drop extension over at most `max_gap` words. Cost: `O(Σ gᵢ²)` for the gaps of a
//!    chain, bounded by `max_gap²` per gap, so linear in the passage length.
//! 4. **Splitting.** The columns of the alignment are scanned Kadane-style with column scores
//!    (identical +1, same stem 0, different −0.5, gap −1 to open and −0.75 to extend): a passage ends where
//!    the running score falls
//!    more than `max_gap` below its best (no single bridged gap costs more), i.e. where the texts truly diverge, and is
//!    trimmed to start and end on identical words. Segments close to each other on both
//!    sides are then joined when the words between them align (module `merge`).
//! 5. **Filtering.** A passage needs at least `min_words` identical words, at least 3/8 as
//!    many identical *content* words (not function words, not capitalised name or title
//!    words on both sides), and a similarity (share of identical columns among all columns)
//!    of at least `min_similarity`. Of two passages
//!    covering the same words on either side, only the stronger is kept.
//!
//! The result for each passage is a token range in each document and an edit script of runs
//! ([`EditRun`]): `equal`, `replace`, `insert` (words only in B), `delete` (words only in A).

mod dp;
mod merge;

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::tokenize::Token;

/// Anchors occurring more often than this in one document are not used as seeds.
pub const MAX_ANCHOR_REPEATS: usize = 8;

/// Alignment parameters (from [`crate::config::Settings`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlignParams {
    /// Words per anchor.
    pub anchor: usize,
    /// Longest run of unmatched words bridged.
    pub max_gap: usize,
    /// Fewest identical words in a passage.
    pub min_words: usize,
    /// Lowest share of identical columns.
    pub min_similarity: f64,
}

impl AlignParams {
    /// The alignment parameters of a settings object.
    pub fn from_settings(s: &crate::config::Settings) -> AlignParams {
        AlignParams {
            anchor: s.anchor,
            max_gap: s.max_gap,
            min_words: s.min_words,
            min_similarity: s.min_similarity,
        }
    }
}

/// One step of an edit script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// The words are identical after normalisation.
    Equal,
    /// A word of A stands where B has a different word.
    Replace,
    /// A word only in B.
    Insert,
    /// A word only in A.
    Delete,
}

/// A run of columns with the same operation; token index ranges in A and B.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditRun {
    /// The operation.
    pub op: Op,
    /// Token indices in A (empty for `Insert`).
    pub a: Range<usize>,
    /// Token indices in B (empty for `Delete`).
    pub b: Range<usize>,
}

/// An aligned passage between documents A and B.
#[derive(Debug, Clone, PartialEq)]
pub struct Alignment {
    /// Token indices in A.
    pub a: Range<usize>,
    /// Token indices in B.
    pub b: Range<usize>,
    /// Identical word pairs.
    pub matches: usize,
    /// Columns (identical + replaced + inserted + deleted words).
    pub columns: usize,
    /// The edit script, in order.
    pub edits: Vec<EditRun>,
}

impl Alignment {
    /// Share of columns that are identical words.
    pub fn similarity(&self) -> f64 {
        if self.columns == 0 {
            0.0
        } else {
            self.matches as f64 / self.columns as f64
        }
    }
}

/// A maximal exact match: `len` identical words at `a..a+len` and `b..b+len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Mem {
    a: usize,
    b: usize,
    len: usize,
}

/// One alignment column: token index in A and/or B.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Col {
    pub(crate) op: Op,
    pub(crate) a: usize,
    pub(crate) b: usize,
}

/// Align two documents' tokens; passages sorted by position in A.
pub fn align(a: &[Token], b: &[Token], p: &AlignParams) -> Vec<Alignment> {
    let k = p.anchor.max(1);
    align_with(a, b, &Anchors::new(a, k), &Anchors::new(b, k), p)
}

/// [`align`] with each document's [`Anchors`] computed beforehand (`p.anchor` words each):
/// a document in many pairs is seeded once.
pub fn align_with(
    a: &[Token],
    b: &[Token],
    xa: &Anchors,
    xb: &Anchors,
    p: &AlignParams,
) -> Vec<Alignment> {
    assert_eq!(
        (xa.k, xb.k),
        (p.anchor.max(1), p.anchor.max(1)),
        "anchors of another length"
    );
    let segments = segments(a, b, xa, xb, p);
    if segments.is_empty() {
        return Vec::new();
    }
    let out = merge::merge_segments(a, b, segments, p.max_gap)
        .into_iter()
        .map(|mut cols| {
            snap_to_sentences(a, b, &mut cols);
            to_alignment(&cols)
        })
        .filter(|al| {
            al.matches >= p.min_words
                && al.similarity() >= p.min_similarity
                && content_words(a, b, al) * 8 >= p.min_words * 3
        })
        .collect();
    resolve_overlaps(out)
}

/// Seeds, chains, their alignments, split: the segments that [`merge::merge_segments`] joins.
fn segments(
    a: &[Token],
    b: &[Token],
    xa: &Anchors,
    xb: &Anchors,
    p: &AlignParams,
) -> Vec<Vec<Col>> {
    let mems = mems_of(a, b, xa, xb);
    let mut segments: Vec<Vec<Col>> = Vec::new();
    for ch in chain(&mems, p.max_gap) {
        let cols = build_columns(a, b, &ch, p.max_gap);
        for seg in split(a, b, &cols, p.max_gap) {
            segments.push(cols[seg].to_vec());
        }
    }
    segments
}

/// Identical words that carry content: not function words, and not name or title words on
/// both sides. "Secretary of State Marco Rubio" has none; a passage needs at least 3/8 of
/// `min_words` of them (3 by default), so shared names, titles and stock phrases are not
/// passages.
fn content_words(a: &[Token], b: &[Token], al: &Alignment) -> usize {
    al.edits
        .iter()
        .filter(|r| r.op == Op::Equal)
        .flat_map(|r| r.a.clone().zip(r.b.clone()))
        .filter(|&(i, j)| !(a[i].stop || (a[i].name && b[j].name)))
        .count()
}

type Extent = (usize, usize, usize, usize);

/// Words a passage edge may move to reach a sentence edge.
pub const SNAP_WORDS: usize = 3;

/// Round a segment's ends to whole sentences: on each side independently, when a sentence
/// starts at most [`SNAP_WORDS`] words before the first aligned word (or ends at most that
/// many after the last), the passage is extended to it. Reused news text is whole
/// sentences; an alignment stops at the last *identical* word, so without this an edited
/// first or last word would cut every passage short. The added words become `replace`
/// columns (paired nearest the passage first), the surplus on one side `insert`/`delete`.
fn snap_to_sentences(a: &[Token], b: &[Token], cols: &mut Vec<Col>) {
    let back = |t: &[Token], i: usize| {
        (0..=SNAP_WORDS.min(i))
            .find(|&k| t[i - k].sent_start)
            .unwrap_or(0)
    };
    let fwd = |t: &[Token], e: usize| {
        (0..=SNAP_WORDS)
            .take_while(|k| e + k < t.len())
            .find(|&k| t[e + k].sent_end)
            .unwrap_or(0)
    };
    let pair = |i: usize, j: usize| Col {
        op: if a[i].key == b[j].key {
            Op::Equal
        } else {
            Op::Replace
        },
        a: i,
        b: j,
    };
    let (f, l) = (cols[0], cols[cols.len() - 1]);
    let (ka, kb) = (back(a, f.a), back(b, f.b));
    let mut head = Vec::with_capacity(ka + kb);
    let m = ka.min(kb);
    head.extend((f.a - ka..f.a - m).map(|i| Col {
        op: Op::Delete,
        a: i,
        b: dp::UNUSED,
    }));
    head.extend((f.b - kb..f.b - m).map(|j| Col {
        op: Op::Insert,
        a: dp::UNUSED,
        b: j,
    }));
    head.extend((0..m).map(|d| pair(f.a - m + d, f.b - m + d)));
    let (ka, kb) = (fwd(a, l.a), fwd(b, l.b));
    let m = ka.min(kb);
    let mut tail: Vec<Col> = (1..=m).map(|d| pair(l.a + d, l.b + d)).collect();
    tail.extend((l.a + m + 1..=l.a + ka).map(|i| Col {
        op: Op::Delete,
        a: i,
        b: dp::UNUSED,
    }));
    tail.extend((l.b + m + 1..=l.b + kb).map(|j| Col {
        op: Op::Insert,
        a: dp::UNUSED,
        b: j,
    }));
    if !head.is_empty() {
        head.append(cols);
        *cols = head;
    }
    cols.extend(tail);
}

/// Extent of a segment (which starts and ends on `Equal` columns): `(a_start, a_end,
/// b_start, b_end)` in tokens.
fn extent(seg: &[Col]) -> Extent {
    let (f, l) = (seg[0], seg[seg.len() - 1]);
    (f.a, l.a + 1, f.b, l.b + 1)
}

fn anchor_hash(keys: impl Iterator<Item = u64>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for k in keys {
        h = (h.rotate_left(23) ^ k).wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// A document's seeds, computed once and shared by all its pairs: the hash and first token
/// of every run of `k` words that is not made only of function words, sorted by hash then
/// position, without the hashes that occur more than [`MAX_ANCHOR_REPEATS`] times (they are
/// never seeds, whatever the other document holds). Seeding a pair is then a merge of two
/// sorted lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Anchors {
    k: usize,
    list: Vec<(u64, u32)>,
}

impl Anchors {
    /// The anchors of `t`, `k` words each (`k` ≥ 1).
    pub fn new(t: &[Token], k: usize) -> Anchors {
        let k = k.max(1);
        let mut list: Vec<(u64, u32)> = t
            .windows(k)
            .enumerate()
            .filter(|(_, w)| !w.iter().all(|t| t.stop))
            .map(|(i, w)| (anchor_hash(w.iter().map(|t| t.key)), i as u32))
            .collect();
        list.sort_unstable();
        let mut kept = 0;
        let mut i = 0;
        while i < list.len() {
            let h = list[i].0;
            let end = i + list[i..].partition_point(|x| x.0 == h);
            if end - i <= MAX_ANCHOR_REPEATS {
                list.copy_within(i..end, kept);
                kept += end - i;
            }
            i = end;
        }
        list.truncate(kept);
        Anchors { k, list }
    }

    /// Words per anchor.
    pub fn words(&self) -> usize {
        self.k
    }
}

#[cfg(test)]
fn mems(a: &[Token], b: &[Token], k: usize) -> Vec<Mem> {
    mems_of(a, b, &Anchors::new(a, k), &Anchors::new(b, k))
}

fn mems_of(a: &[Token], b: &[Token], xa: &Anchors, xb: &Anchors) -> Vec<Mem> {
    let k = xa.k;
    debug_assert_eq!(k, xb.k);
    if a.len() < k || b.len() < k {
        return Vec::new();
    }
    let mut seeds: Vec<(isize, usize)> = Vec::new(); // (diagonal b - a, a)
    let (la, lb) = (&xa.list, &xb.list);
    let (mut i, mut j) = (0, 0);
    while i < la.len() && j < lb.len() {
        let h = la[i].0;
        match h.cmp(&lb[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let ea = i + la[i..].partition_point(|x| x.0 == h);
                let eb = j + lb[j..].partition_point(|x| x.0 == h);
                for &(_, y) in &lb[j..eb] {
                    for &(_, x) in &la[i..ea] {
                        let (x, y) = (x as usize, y as usize);
                        if (0..k).all(|d| a[x + d].key == b[y + d].key) {
                            seeds.push((y as isize - x as isize, x));
                        }
                    }
                }
                (i, j) = (ea, eb);
            }
        }
    }
    seeds.sort_unstable();
    let mut out: Vec<Mem> = Vec::new();
    let mut idx = 0;
    while idx < seeds.len() {
        let (diag, i0) = seeds[idx];
        let mut end = i0 + k;
        idx += 1;
        while idx < seeds.len() && seeds[idx].0 == diag && seeds[idx].1 <= end {
            end = end.max(seeds[idx].1 + k);
            idx += 1;
        }
        // Extend exactly in both directions (function-word anchors were not seeds).
        let mut s = i0;
        let mut sb = (i0 as isize + diag) as usize;
        while s > 0 && sb > 0 && a[s - 1].key == b[sb - 1].key {
            s -= 1;
            sb -= 1;
        }
        let mut e = end;
        let mut eb = (end as isize + diag) as usize;
        while e < a.len() && eb < b.len() && a[e].key == b[eb].key {
            e += 1;
            eb += 1;
        }
        out.push(Mem {
            a: s,
            b: sb,
            len: e - s,
        });
        // Later seeds on this diagonal that start inside the match would extend to the same
        // match (it is maximal and exact). Skipping them keeps a long shared stretch, whose
        // seeds break into thousands of runs at repeated anchors, from being re-extended
        // from every run.
        while idx < seeds.len() && seeds[idx].0 == diag && seeds[idx].1 < e {
            idx += 1;
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Cost of opening a run of inserted or deleted words (chaining and splitting).
pub const GAP_OPEN: f64 = 1.0;
/// Cost of each further word of such a run: a dropped clause costs less per word than
/// scattered single-word changes (Gotoh's affine gaps).
pub const GAP_EXTEND: f64 = 0.75;
/// Cost of a replaced word.
pub const REPLACE: f64 = 0.5;

fn indel_cost(k: usize) -> f64 {
    if k == 0 {
        0.0
    } else {
        GAP_OPEN + GAP_EXTEND * (k - 1) as f64
    }
}

fn gap_cost(ga: usize, gb: usize) -> f64 {
    REPLACE * ga.min(gb) as f64 + indel_cost(ga.abs_diff(gb))
}

/// Chain MEMs; each chain is a list of colinear MEMs in order.
fn chain(mems: &[Mem], max_gap: usize) -> Vec<Vec<Mem>> {
    const LOOKBACK: usize = 256;
    let n = mems.len();
    let mut f = vec![0.0f64; n];
    let mut pred = vec![usize::MAX; n];
    for m in 0..n {
        let cur = mems[m];
        let mut best = 0.0;
        let mut best_p = usize::MAX;
        for p in (m.saturating_sub(LOOKBACK)..m).rev() {
            let q = mems[p];
            if q.a + q.len > cur.a || q.b + q.len > cur.b {
                continue;
            }
            let ga = cur.a - (q.a + q.len);
            let gb = cur.b - (q.b + q.len);
            if ga > max_gap || gb > max_gap {
                continue;
            }
            let s = f[p] - gap_cost(ga, gb);
            if s > best {
                best = s;
                best_p = p;
            }
        }
        f[m] = cur.len as f64 + best;
        pred[m] = best_p;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&x, &y| f[y].total_cmp(&f[x]).then(x.cmp(&y)));
    let mut used = vec![false; n];
    let mut chains = Vec::new();
    for end in order {
        if used[end] {
            continue;
        }
        let mut ch = Vec::new();
        let mut cur = end;
        while cur != usize::MAX && !used[cur] {
            used[cur] = true;
            ch.push(mems[cur]);
            cur = pred[cur];
        }
        ch.reverse();
        chains.push(ch);
    }
    chains
}

fn build_columns(a: &[Token], b: &[Token], ch: &[Mem], max_gap: usize) -> Vec<Col> {
    let mut cols = Vec::new();
    let first = ch[0];
    // Extend to the left: align reversed prefixes.
    let a_lo = first.a.saturating_sub(max_gap);
    let b_lo = first.b.saturating_sub(max_gap);
    let left = dp::extend(
        a,
        b,
        (a_lo..first.a).rev().collect(),
        (b_lo..first.b).rev().collect(),
    );
    cols.extend(left.into_iter().rev());
    for (idx, m) in ch.iter().enumerate() {
        for d in 0..m.len {
            cols.push(Col {
                op: Op::Equal,
                a: m.a + d,
                b: m.b + d,
            });
        }
        if let Some(next) = ch.get(idx + 1) {
            cols.extend(dp::global(a, b, m.a + m.len..next.a, m.b + m.len..next.b));
        }
    }
    let last = ch[ch.len() - 1];
    let (ae, be) = (last.a + last.len, last.b + last.len);
    let right = dp::extend(
        a,
        b,
        (ae..(ae + max_gap).min(a.len())).collect(),
        (be..(be + max_gap).min(b.len())).collect(),
    );
    cols.extend(right);
    cols
}

/// Split columns into segments where the texts diverge; each segment starts and ends on an
/// `Equal` column.
fn split(a: &[Token], b: &[Token], cols: &[Col], max_gap: usize) -> Vec<Range<usize>> {
    // The chainer accepts a gap costing up to `max_gap`; the split must not cut inside one.
    let drop = (max_gap as f64).max(2.0);
    let mut prev = Op::Equal;
    let mut score = |c: &Col| {
        let s = match c.op {
            Op::Equal => 1.0,
            Op::Replace if a[c.a].stem == b[c.b].stem => 0.0,
            Op::Replace => -REPLACE,
            Op::Insert | Op::Delete if prev == c.op => -GAP_EXTEND,
            Op::Insert | Op::Delete => -GAP_OPEN,
        };
        prev = c.op;
        s
    };
    let mut out = Vec::new();
    let mut s = 0.0f64;
    let mut best = 0.0f64;
    let mut start: Option<usize> = None;
    let mut best_end = 0usize;
    for (i, c) in cols.iter().enumerate() {
        if start.is_none() {
            if c.op != Op::Equal {
                continue;
            }
            start = Some(i);
            s = 0.0;
            best = 0.0;
        }
        s += score(c);
        if s > best {
            best = s;
            best_end = i;
        }
        if s <= 0.0 || best - s > drop {
            out.push(start.take().unwrap()..best_end + 1);
        }
    }
    if let Some(st) = start {
        out.push(st..best_end + 1);
    }
    out.retain(|r| !r.is_empty() && r.start <= r.end);
    out
}

fn to_alignment(cols: &[Col]) -> Alignment {
    let mut edits: Vec<EditRun> = Vec::new();
    let mut matches = 0;
    let (mut a_lo, mut a_hi, mut b_lo, mut b_hi) = (usize::MAX, 0, usize::MAX, 0);
    // Gap columns take their empty side's position from the words consumed so far; before
    // any, from the first word the passage has on that side.
    let first = |side: fn(&Col) -> Option<usize>| cols.iter().find_map(side).unwrap_or(0);
    let mut ac = first(|c| (c.op != Op::Insert).then_some(c.a));
    let mut bc = first(|c| (c.op != Op::Delete).then_some(c.b));
    for c in cols {
        let (ar, br) = match c.op {
            Op::Equal | Op::Replace => (c.a..c.a + 1, c.b..c.b + 1),
            Op::Delete => (c.a..c.a + 1, bc..bc),
            Op::Insert => (ac..ac, c.b..c.b + 1),
        };
        if !ar.is_empty() {
            ac = ar.end;
        }
        if !br.is_empty() {
            bc = br.end;
        }
        if c.op == Op::Equal {
            matches += 1;
        }
        if !ar.is_empty() {
            a_lo = a_lo.min(ar.start);
            a_hi = a_hi.max(ar.end);
        }
        if !br.is_empty() {
            b_lo = b_lo.min(br.start);
            b_hi = b_hi.max(br.end);
        }
        match edits.last_mut() {
            Some(run) if run.op == c.op && run.a.end == ar.start && run.b.end == br.start => {
                run.a.end = ar.end;
                run.b.end = br.end;
            }
            _ => edits.push(EditRun {
                op: c.op,
                a: ar,
                b: br,
            }),
        }
    }
    Alignment {
        a: a_lo..a_hi,
        b: b_lo..b_hi,
        matches,
        columns: cols.len(),
        edits,
    }
}

fn overlap(x: &Range<usize>, y: &Range<usize>) -> usize {
    x.end.min(y.end).saturating_sub(x.start.max(y.start))
}

/// Each stretch of text is reused from one place: of two passages that share more than half
/// of either one's words on *either* side, only the stronger (more identical words, then
/// higher similarity) is kept. Without this, a sentence copied once would also be reported
/// against every near-repeat of it elsewhere in the other document (templated wire items
/// repeat whole sentences with other figures).
fn resolve_overlaps(mut v: Vec<Alignment>) -> Vec<Alignment> {
    v.sort_by(|x, y| {
        y.matches
            .cmp(&x.matches)
            .then(y.similarity().total_cmp(&x.similarity()))
            .then(x.a.start.cmp(&y.a.start))
            .then(x.b.start.cmp(&y.b.start))
    });
    let mut kept: Vec<Alignment> = Vec::new();
    for al in v {
        let clash = kept.iter().any(|k| {
            2 * overlap(&k.a, &al.a) > al.a.len().min(k.a.len())
                || 2 * overlap(&k.b, &al.b) > al.b.len().min(k.b.len())
        });
        if !clash {
            kept.push(al);
        }
    }
    kept.sort_by(|x, y| x.a.start.cmp(&y.a.start).then(x.b.start.cmp(&y.b.start)));
    kept
}

#[cfg(test)]
mod tests;
