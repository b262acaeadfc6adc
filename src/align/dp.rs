//! Small dynamic programmes used by the aligner: global alignment of the words between two
//! anchors and semi-global extension beyond the ends of a chain. Both are `O(m·n)` on
//! stretches of at most `max_gap` words.

use std::ops::Range;

use super::{Col, Op};
use crate::tokenize::Token;

const IDENTICAL: i32 = 2;
const SAME_STEM: i32 = 1;
const DIFFERENT: i32 = -1;
const GAP: i32 = -1;
/// The side a gap column does not consume (positions are recomputed from neighbours).
pub(super) const UNUSED: usize = usize::MAX;

fn pair_score(x: &Token, y: &Token) -> i32 {
    if x.key == y.key {
        IDENTICAL
    } else if x.stem == y.stem {
        SAME_STEM
    } else {
        DIFFERENT
    }
}

fn column(x: &Token, y: &Token, i: usize, j: usize) -> Col {
    Col {
        op: if x.key == y.key {
            Op::Equal
        } else {
            Op::Replace
        },
        a: i,
        b: j,
    }
}

/// Needleman–Wunsch over `a[ra]` × `b[rb]`; columns in order. Ties prefer a substitution,
/// then a deletion.
pub(super) fn global(a: &[Token], b: &[Token], ra: Range<usize>, rb: Range<usize>) -> Vec<Col> {
    let (m, n) = (ra.len(), rb.len());
    if m == 0 || n == 0 {
        let mut out: Vec<Col> = ra
            .map(|i| Col {
                op: Op::Delete,
                a: i,
                b: UNUSED,
            })
            .collect();
        out.extend(rb.map(|j| Col {
            op: Op::Insert,
            a: UNUSED,
            b: j,
        }));
        return out;
    }
    let w = n + 1;
    let mut h = vec![0i32; (m + 1) * w];
    for i in 1..=m {
        h[i * w] = GAP * i as i32;
    }
    for (j, v) in h[..=n].iter_mut().enumerate() {
        *v = GAP * j as i32;
    }
    for i in 1..=m {
        for j in 1..=n {
            let diag =
                h[(i - 1) * w + j - 1] + pair_score(&a[ra.start + i - 1], &b[rb.start + j - 1]);
            let up = h[(i - 1) * w + j] + GAP;
            let left = h[i * w + j - 1] + GAP;
            h[i * w + j] = diag.max(up).max(left);
        }
    }
    let mut out = Vec::with_capacity(m + n);
    let (mut i, mut j) = (m, n);
    while i > 0 || j > 0 {
        let here = h[i * w + j];
        if i > 0 && j > 0 {
            let (ai, bj) = (ra.start + i - 1, rb.start + j - 1);
            if here == h[(i - 1) * w + j - 1] + pair_score(&a[ai], &b[bj]) {
                out.push(column(&a[ai], &b[bj], ai, bj));
                i -= 1;
                j -= 1;
                continue;
            }
        }
        if i > 0 && here == h[(i - 1) * w + j] + GAP {
            out.push(Col {
                op: Op::Delete,
                a: ra.start + i - 1,
                b: UNUSED,
            });
            i -= 1;
        } else {
            out.push(Col {
                op: Op::Insert,
                a: UNUSED,
                b: rb.start + j - 1,
            });
            j -= 1;
        }
    }
    out.reverse();
    out
}

/// Semi-global extension outward from an anchor: `ia`/`ib` list token indices moving away
/// from it (nearest first). Returns the best-scoring prefix alignment (possibly empty), in
/// the same outward order.
pub(super) fn extend(a: &[Token], b: &[Token], ia: Vec<usize>, ib: Vec<usize>) -> Vec<Col> {
    let (m, n) = (ia.len(), ib.len());
    if m == 0 || n == 0 {
        return Vec::new();
    }
    let w = n + 1;
    let mut h = vec![0i32; (m + 1) * w];
    for i in 1..=m {
        h[i * w] = GAP * i as i32;
    }
    for (j, v) in h[..=n].iter_mut().enumerate() {
        *v = GAP * j as i32;
    }
    let (mut best, mut bi, mut bj) = (0i32, 0usize, 0usize);
    for i in 1..=m {
        for j in 1..=n {
            let diag = h[(i - 1) * w + j - 1] + pair_score(&a[ia[i - 1]], &b[ib[j - 1]]);
            let up = h[(i - 1) * w + j] + GAP;
            let left = h[i * w + j - 1] + GAP;
            let v = diag.max(up).max(left);
            h[i * w + j] = v;
            if v > best && a[ia[i - 1]].key == b[ib[j - 1]].key {
                best = v;
                bi = i;
                bj = j;
            }
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (bi, bj);
    while i > 0 || j > 0 {
        let here = h[i * w + j];
        if i > 0
            && j > 0
            && here == h[(i - 1) * w + j - 1] + pair_score(&a[ia[i - 1]], &b[ib[j - 1]])
        {
            out.push(column(&a[ia[i - 1]], &b[ib[j - 1]], ia[i - 1], ib[j - 1]));
            i -= 1;
            j -= 1;
        } else if i > 0 && here == h[(i - 1) * w + j] + GAP {
            out.push(Col {
                op: Op::Delete,
                a: ia[i - 1],
                b: UNUSED,
            });
            i -= 1;
        } else {
            out.push(Col {
                op: Op::Insert,
                a: UNUSED,
                b: ib[j - 1],
            });
            j -= 1;
        }
    }
    out.reverse();
    out
}
