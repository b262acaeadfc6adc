//! The archived side of the partner cap, ruled on from a sample of the shingles where that
//! is enough.
//!
//! A pair of a new document `q` and an archived one `x` that `q`'s side does not keep is
//! kept only if `q` is among `x`'s `max_partners` best partners over the whole corpus
//! ([`crate::verify::partner_sides`]: wire partners first, then most shared shingles, then
//! corpus order). Finding all of `x`'s pairs means walking the postings of every shingle it
//! holds (the query's second pass), yet most such pairs fall to partners that share far more
//! with `x` than `q` does, and a part of the walk already shows them.
//!
//! So `x`'s distinctive shingles (in at most `lsh.max_df` documents) are walked a chunk at a
//! time, counting per holder the shingles it shares with `x`. A holder's count is a lower
//! bound on its shared distinctive shingles, so a count of `min_shared` or more makes it a
//! candidate and a verified partner of `x` in the batch run ([`crate::verify::Evidence`]),
//! and one above `q`'s shared count ranks it before `q`. Once `max_partners` holders are
//! surely before `q`, `x` does not keep the pair, as the batch run would not. A pair still
//! open when the walk ends goes to the full second pass, which decides it exactly.

use rayon::prelude::*;

use super::{Probes, Universe};
use crate::config::Settings;
use crate::verify::Shared;

/// Shingles walked between two rulings.
const CHUNK: usize = 32;

/// For each of `open` (indices into `shared` of pairs whose archived end `a` is to decide),
/// whether that end surely does not keep it. `ends` are those ends, sorted.
pub(super) fn ruled_out(
    u: &Universe,
    shared: &[Shared],
    open: &[usize],
    ends: &Probes,
    settings: &Settings,
) -> Vec<bool> {
    let k = settings.max_partners;
    let min_shared = settings.min_shared_for(u.total).max(1);
    // The open pairs by archived end: those of ends.probes[j] are by_end[starts[j]..starts[j + 1]].
    let mut by_end: Vec<(u32, usize)> = open.iter().map(|&i| (shared[i].a, i)).collect();
    by_end.sort_unstable();
    let starts: Vec<usize> = ends
        .probes
        .iter()
        .map(|&x| by_end.partition_point(|e| e.0 < x))
        .chain([by_end.len()])
        .collect();
    let lk = &ends.lk;
    let slots = u.a as usize + u.new_sets.len();
    let rulings: Vec<Vec<(usize, bool)>> = ends
        .probes
        .par_iter()
        .enumerate()
        .map_init(
            || (Vec::new(), vec![0u32; slots], Vec::new(), Vec::new()),
            |(buf, counts, touched, wire), (ei, &x)| {
                let hx = u.holder(x);
                // (q, its shared count, wire, pair index, ruled out)
                let mut qs: Vec<(u32, u32, bool, usize, bool)> = by_end[starts[ei]..starts[ei + 1]]
                    .iter()
                    .map(|&(_, i)| {
                        let q = shared[i].b;
                        (q, shared[i].shared, u.holder(q).wire, i, false)
                    })
                    .collect();
                // Most widely held first: the shingles that x's strongest partners share.
                let mut distinctive: Vec<(u32, usize)> = ends
                    .keys_of(ei)
                    .iter()
                    .map(|&i| (ends.df[i as usize], i as usize))
                    .filter(|&(df, _)| df as usize <= settings.lsh.max_df)
                    .collect();
                distinctive.sort_unstable_by(|a, b| b.cmp(a));
                let mut left = qs.len();
                for chunk in distinctive.chunks(CHUNK) {
                    for &(_, i) in chunk {
                        u.holders_at(lk, i, buf);
                        for y in buf.iter() {
                            if y.pos != x && y.outlet != hx.outlet {
                                let c = &mut counts[y.pos as usize];
                                if *c == 0 {
                                    touched.push(y.pos);
                                    wire.push(y.wire);
                                }
                                *c += 1;
                            }
                        }
                    }
                    for q in qs.iter_mut().filter(|q| !q.4) {
                        let before = touched
                            .iter()
                            .zip(wire.iter())
                            .filter(|&(&y, &wy)| {
                                let h = counts[y as usize];
                                h as usize >= min_shared
                                    && ((wy && !q.2)
                                        || (wy == q.2 && (h > q.1 || (h == q.1 && y < q.0))))
                            })
                            .take(k)
                            .count();
                        if before >= k {
                            q.4 = true;
                            left -= 1;
                        }
                    }
                    if left == 0 {
                        break;
                    }
                }
                for &y in touched.iter() {
                    counts[y as usize] = 0;
                }
                touched.clear();
                wire.clear();
                qs.into_iter().map(|q| (q.3, q.4)).collect()
            },
        )
        .collect();
    u.release();
    let mut out = vec![false; shared.len()];
    for (i, r) in rulings.into_iter().flatten() {
        out[i] = r;
    }
    open.iter().map(|&i| out[i]).collect()
}
