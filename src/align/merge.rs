//! Joining segments, between splitting and filtering (steps 4 and 5 of the scheme in
//! [`super`]): two chains separated by a stretch with only one- or two-word matches (no
//! anchor) are one passage when the words between them align.
//!
//! The join runs in rounds. Each round
//! 1. drops every segment that lies inside another on both sides (of two with the same
//!    extent, the one later in merge order);
//! 2. walks the pairs `(i, j)`, `j` after `i` in merge order (start in A, start in B, longer
//!    first, older first), that are colinear and within `max_gap` words of each other and
//!    have not failed before (by extent), and joins the first whose union, re-aligned and
//!    re-split, has a part with more identical words than either segment had. The parts
//!    replace the two segments.
//!
//! Joins stop when no pair gains, or after `4·segments + 16` joins: a join's parts can join
//! again with their neighbours in a cycle that trades words between segments.
//!
//! Two long documents sharing much text have tens of thousands of segments and reach that
//! cap, so a round must not cost time in proportion to the number of segments. Nothing but
//! the last join changes between rounds: only its parts can hold, or lie inside, another
//! segment, and only pairs with a part in them are new (whether a pair is joinable and
//! whether it failed depends only on the two segments, and failures are never forgotten).
//! Each segment therefore records whether it has been walked as the first of a pair
//! (`fresh` until then) and which parts were made since near enough to pair with it
//! (`news`); a round walks only segments with something new, in merge order, and each
//! question of the form "which segments start here and end past there" is answered by a
//! max-tree over start positions. A round costs `O(log n)` plus the segments near the last
//! join (amortised: a segment walked without a join is not walked again until a part is
//! made near it), and the rounds join exactly the pairs, in exactly the order, that rounds
//! re-sorting and re-scanning every segment would (the test oracle in `tests` does that).

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashSet};
use std::ops::RangeInclusive;

use super::{build_columns, extent, split, Col, Extent, Mem, Op};
use crate::tokenize::Token;

/// Join colinear segments that overlap or lie within `max_gap` words of each other (see the
/// module documentation). Segments come out in merge order, except that when the cap on
/// joins is reached the last join's parts come last, as made.
pub(super) fn merge_segments(
    a: &[Token],
    b: &[Token],
    segs: Vec<Vec<Col>>,
    max_gap: usize,
) -> Vec<Vec<Col>> {
    let mut budget = 4 * segs.len() + 16;
    let mut m = Merge::new(a.len(), segs.len(), max_gap);
    // The segments made since the last containment check: at first, all of them.
    let mut made: Vec<usize> = segs.into_iter().map(|cols| m.add(cols)).collect();
    loop {
        if budget == 0 {
            // The cap: the last join's parts stay as they came, unchecked.
            return m.finish(&made);
        }
        budget -= 1;
        m.drop_held(&made);
        let Some((i, j, parts)) = m.search(a, b) else {
            return m.finish(&[]);
        };
        m.remove(i);
        m.remove(j);
        made = parts.into_iter().map(|cols| m.add(cols)).collect();
        for &p in &made {
            m.announce(p);
        }
    }
}

/// Identical-word columns of a segment.
fn equal(s: &[Col]) -> usize {
    s.iter().filter(|c| c.op == Op::Equal).count()
}

/// Whether segment `s` may join segment `k` that comes before it in merge order: it goes
/// on past `k`'s end on both sides (colinear) and starts at most `max_gap` words after it.
fn pairable(k: Extent, s: Extent, max_gap: usize) -> bool {
    let (ka0, ka1, kb0, kb1) = k;
    let (sa0, sa1, sb0, sb1) = s;
    sa0 >= ka0
        && sb0 >= kb0
        && sa1 > ka1
        && sb1 > kb1
        && sa0 <= ka1 + max_gap
        && sb0 <= kb1 + max_gap
}

/// Whether extent `inner` lies inside `outer` on both sides.
fn inside(inner: Extent, outer: Extent) -> bool {
    outer.0 <= inner.0 && inner.1 <= outer.1 && outer.2 <= inner.2 && inner.3 <= outer.3
}

/// The union of two segments' identical word pairs, re-aligned (as a chain of one-word
/// matches) and re-split into parts.
fn rejoin(a: &[Token], b: &[Token], x: &[Col], y: &[Col], max_gap: usize) -> Vec<Vec<Col>> {
    let mut pairs: Vec<(usize, usize)> = x
        .iter()
        .chain(y)
        .filter(|c| c.op == Op::Equal)
        .map(|c| (c.a, c.b))
        .collect();
    pairs.sort_unstable();
    let mut chain_pairs: Vec<Mem> = Vec::with_capacity(pairs.len());
    for (x, y) in pairs {
        if chain_pairs
            .last()
            .is_none_or(|m| x >= m.a + m.len && y >= m.b + m.len)
        {
            chain_pairs.push(Mem { a: x, b: y, len: 1 });
        }
    }
    let cols = build_columns(a, b, &chain_pairs, max_gap);
    split(a, b, &cols, max_gap)
        .into_iter()
        .map(|r| cols[r].to_vec())
        .collect()
}

/// Merge order: start in A, start in B, longer (more columns) first, older first. It is the
/// order a stable sort by the first three gives a list with each join's parts appended.
type Key = (usize, usize, Reverse<usize>, usize);

/// The smallest key of a segment starting at `a` in A.
fn first_key(a: usize) -> Key {
    (a, 0, Reverse(usize::MAX), 0)
}

/// One segment, alive or joined or dropped (its slot then waits to be reused).
struct Seg {
    cols: Vec<Col>,
    ext: Extent,
    /// Its place in merge order; the last field is a serial number, never reused.
    key: Key,
    /// Identical-word columns.
    equal: usize,
    live: bool,
    /// Not yet walked as the first of a pair: every segment after it may pair with it.
    fresh: bool,
    /// Segments made since it was last walked that may pair with it: slot and serial
    /// number (the slot may since hold another segment, or none).
    news: Vec<(usize, usize)>,
}

/// Start positions in A are grouped in blocks of this many for the max-tree.
const BLOCK: usize = 16;

/// A question to the max-tree: segments starting in `lo..=hi` in A, ending at or after `end`.
struct Span {
    lo: usize,
    hi: usize,
    end: usize,
}

/// The segments of one merge, with the indexes a round needs.
struct Merge {
    max_gap: usize,
    /// Segments by slot. A long merge makes millions of segments but holds few at a time,
    /// so the slots of gone ones are reused (`free`).
    segs: Vec<Seg>,
    free: Vec<usize>,
    /// Serial number of the next segment.
    serial: usize,
    /// Live segments in merge order, with their slots.
    order: BTreeMap<Key, usize>,
    /// Live segments that may have a pair not yet tried: fresh ones and ones with news.
    pending: BTreeMap<Key, usize>,
    /// Max-tree over blocks of start positions in A (leaves at `leaves..2·leaves`): the
    /// furthest end in A of the live segments starting in the block or below the node, 0
    /// for none (a segment ends after its first word, so never at 0).
    tree: Vec<usize>,
    leaves: usize,
    /// Pairs of extents whose join did not gain.
    failed: HashSet<(Extent, Extent)>,
}

impl Merge {
    /// A merge of `n` segments of a document of `a_len` words (A).
    fn new(a_len: usize, n: usize, max_gap: usize) -> Merge {
        let leaves = (a_len / BLOCK + 1).next_power_of_two();
        Merge {
            max_gap,
            segs: Vec::with_capacity(n),
            free: Vec::new(),
            serial: 0,
            order: BTreeMap::new(),
            pending: BTreeMap::new(),
            tree: vec![0; 2 * leaves],
            leaves,
            failed: HashSet::new(),
        }
    }

    /// A new live segment (fresh, so pending); its slot.
    fn add(&mut self, cols: Vec<Col>) -> usize {
        let ext = extent(&cols);
        let key = (ext.0, ext.2, Reverse(cols.len()), self.serial);
        self.serial += 1;
        let seg = Seg {
            equal: equal(&cols),
            cols,
            ext,
            key,
            live: true,
            fresh: true,
            news: Vec::new(),
        };
        let id = match self.free.pop() {
            Some(id) => {
                self.segs[id] = seg;
                id
            }
            None => {
                self.segs.push(seg);
                self.segs.len() - 1
            }
        };
        self.order.insert(key, id);
        self.pending.insert(key, id);
        let mut n = self.leaves + ext.0 / BLOCK;
        // An ancestor's end is at least its child's: stop at the first that holds this one.
        while n > 0 && self.tree[n] < ext.1 {
            self.tree[n] = ext.1;
            n /= 2;
        }
        id
    }

    /// Segment `id` is gone (joined or dropped).
    fn remove(&mut self, id: usize) {
        let s = &mut self.segs[id];
        if !s.live {
            return;
        }
        s.live = false;
        s.cols = Vec::new();
        s.news = Vec::new();
        let key = s.key;
        self.free.push(id);
        self.order.remove(&key);
        self.pending.remove(&key);
        let block = key.0 / BLOCK;
        let lo = block * BLOCK;
        let mut n = self.leaves + block;
        self.tree[n] = self
            .order
            .range(first_key(lo)..first_key(lo + BLOCK))
            .map(|(_, &x)| self.segs[x].ext.1)
            .max()
            .unwrap_or(0);
        while n > 1 {
            n /= 2;
            let end = self.tree[2 * n].max(self.tree[2 * n + 1]);
            if self.tree[n] == end {
                break;
            }
            self.tree[n] = end;
        }
    }

    /// Live segments starting in `lo..=hi` in A and ending at or after `end`, unordered,
    /// appended to `out`.
    fn spanning(&self, lo: usize, hi: usize, end: usize, out: &mut Vec<usize>) {
        let q = Span {
            lo,
            hi,
            end: end.max(1),
        };
        self.visit(1, 0..=self.leaves - 1, &q, out);
    }

    /// [`Merge::spanning`] below node `n`, which covers `blocks`. Recursion (as deep as the
    /// tree, under 64) keeps the many small queries of short documents free of allocation.
    fn visit(&self, n: usize, blocks: RangeInclusive<usize>, q: &Span, out: &mut Vec<usize>) {
        let (first, last) = (*blocks.start(), *blocks.end());
        if self.tree[n] < q.end || last < q.lo / BLOCK || first > q.hi / BLOCK {
            return;
        }
        if first == last {
            let from = q.lo.max(first * BLOCK);
            let to = (q.hi + 1).min((first + 1) * BLOCK);
            out.extend(
                self.order
                    .range(first_key(from)..first_key(to))
                    .map(|(_, &x)| x)
                    .filter(|&x| self.segs[x].ext.1 >= q.end),
            );
        } else {
            let mid = (first + last) / 2;
            self.visit(2 * n, first..=mid, q, out);
            self.visit(2 * n + 1, mid + 1..=last, q, out);
        }
    }

    /// Whether segment `y` holds segment `x`: `x` lies inside it on both sides, and when the
    /// two have the same extent, `y` comes first.
    fn holds(&self, y: usize, x: usize) -> bool {
        let (sy, sx) = (&self.segs[y], &self.segs[x]);
        y != x && inside(sx.ext, sy.ext) && (sx.ext != sy.ext || sy.key < sx.key)
    }

    /// Drop the segments held by another, given the segments `made` since the last check
    /// (the others hold none of each other: they survived it, and holding depends only on
    /// the two segments). A segment held by a held one is held by whatever holds that, so
    /// the survivors are exactly the segments nothing holds, found here directly.
    fn drop_held(&mut self, made: &[usize]) {
        let (mut gone, mut found) = (Vec::new(), Vec::new());
        for &p in made {
            let (a0, a1) = (self.segs[p].ext.0, self.segs[p].ext.1);
            found.clear();
            self.spanning(0, a0, a1, &mut found);
            if found.iter().any(|&y| self.holds(y, p)) {
                gone.push(p);
            }
            gone.extend(
                self.order
                    .range(first_key(a0)..first_key(a1))
                    .map(|(_, &x)| x)
                    .filter(|&x| self.holds(p, x)),
            );
        }
        for x in gone {
            self.remove(x);
        }
    }

    /// Tell the segments before part `p` in merge order that may pair with it that it is
    /// new. Fresh ones will look at every partner anyway.
    fn announce(&mut self, p: usize) {
        let (key, ext) = (self.segs[p].key, self.segs[p].ext);
        let mut found = Vec::new();
        self.spanning(0, ext.0, ext.0.saturating_sub(self.max_gap), &mut found);
        for i in found {
            let s = &mut self.segs[i];
            if s.key < key && !s.fresh && pairable(s.ext, ext, self.max_gap) {
                s.news.push((p, key.3));
                self.pending.insert(s.key, i);
            }
        }
    }

    /// The first pair, in merge order, whose join gains: `(i, j, parts)`. Failed pairs are
    /// remembered, and the segments walked without a join are no longer pending.
    fn search(&mut self, a: &[Token], b: &[Token]) -> Option<(usize, usize, Vec<Vec<Col>>)> {
        while let Some((&key, &i)) = self.pending.first_key_value() {
            let ext = self.segs[i].ext;
            let mut partners: Vec<usize> = if self.segs[i].fresh {
                // Pairable segments end past this one in A and start at most `max_gap`
                // words after its end.
                let mut found = Vec::new();
                self.spanning(ext.0, ext.1 + self.max_gap, ext.1 + 1, &mut found);
                found
            } else {
                let news = std::mem::take(&mut self.segs[i].news);
                news.into_iter()
                    .filter(|&(j, serial)| self.segs[j].key.3 == serial)
                    .map(|(j, _)| j)
                    .collect()
            };
            partners.retain(|&j| self.segs[j].live && self.segs[j].key > key);
            partners.sort_unstable_by_key(|&j| self.segs[j].key);
            partners.dedup();
            for j in partners {
                let (si, sj) = (&self.segs[i], &self.segs[j]);
                if !pairable(si.ext, sj.ext, self.max_gap)
                    || self.failed.contains(&(si.ext, sj.ext))
                {
                    continue;
                }
                let parts = rejoin(a, b, &si.cols, &sj.cols, self.max_gap);
                let best = parts.iter().map(|p| equal(p)).max().unwrap_or(0);
                if best > si.equal.max(sj.equal) {
                    return Some((i, j, parts));
                }
                self.failed.insert((si.ext, sj.ext));
            }
            self.segs[i].fresh = false;
            self.pending.remove(&key);
        }
        None
    }

    /// The live segments in merge order, then the `last` ones as they are.
    fn finish(mut self, last: &[usize]) -> Vec<Vec<Col>> {
        let ids: Vec<usize> = self
            .order
            .values()
            .copied()
            .filter(|id| !last.contains(id))
            .chain(last.iter().copied())
            .collect();
        ids.into_iter()
            .map(|id| std::mem::take(&mut self.segs[id].cols))
            .collect()
    }
}
