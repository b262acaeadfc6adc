//! Reporting new documents against an archive: the batch pipeline's candidate, verification
//! and partner rules, applied to the pairs that involve a new document, with the archive's
//! document frequencies.
//!
//! The answer is meant to be the batch report's: the passages of a query are those of one
//! `wirecopy report` over the archive's documents (in the order they were added) followed by
//! the new ones, restricted to pairs with a new document. Each rule of the batch run is
//! evaluated here over that whole corpus, but only where a new document is involved:
//!
//! * **Candidates** ([`crate::lsh`]): a new document's shingles are looked up in every
//!   segment's postings. A shingle in at most `lsh.max_df` documents of archive and query
//!   together is distinctive (every pair of its holders counts); a stock shingle links its
//!   holders to its anchors (wire documents first, then the first in corpus order); band
//!   buckets likewise with `lsh.max_bucket`; `min_shared` grows with the whole corpus. Up to
//!   `lsh.auto_limit` documents in all, all pairs, as the batch run does.
//! * **Verification** ([`crate::verify::Evidence`]): stock shingles are those in more than
//!   `lsh.max_df` documents of the whole corpus.
//! * **Partner cap** ([`crate::verify::select_partners`]): a pair is kept when either side
//!   keeps it. A new document's side is decided from its pairs; an archived document's, when
//!   the new side does not keep the pair, first from part of its shingles (`partners`: enough
//!   partners already shown to outrank the new one rule it out), else from a second search
//!   with the archived document as the probe (its pairs with the rest of the archive).
//! * **Boilerplate** ([`crate::attribute`]): shingles common to the corpus or an outlet are
//!   counted over the archive and the query.
//!
//! The report holds the new documents and the archived documents in verified pairs, with
//! their stored metadata and text (offsets are into the stored text).

use std::collections::{HashMap, HashSet};

mod partners;

use rayon::prelude::*;

use super::Archive;
use crate::config::{CandidateMode, LoadOptions, Settings};
use crate::corpus::{self, Document};
use crate::error::{Problem, Result};
use crate::progress::{Progress, Stage};
use crate::verify::{Evidence, PairStats, Shared};
use crate::{Analysis, SketchedCorpus};

/// The new documents of a query, kept to be added afterwards (`report --archive --add`).
#[derive(Debug)]
pub struct NewDocs {
    /// Documents in input order (texts present where they were aligned or cannot be reread).
    pub docs: Vec<Document>,
    /// Their sorted shingle sets.
    pub sets: Vec<Vec<u64>>,
    /// Their signatures.
    pub signatures: Vec<Vec<u32>>,
    /// Their word counts.
    pub words: Vec<usize>,
    /// Their wire flags.
    pub wire: Vec<bool>,
}

/// Positions: archived documents by ordinal, then the new documents.
struct Universe<'a> {
    segs: &'a [super::Seg],
    /// Ordinals in all (the archive's, removed entries included).
    a: u32,
    /// New documents.
    new_sets: &'a [Vec<u64>],
    new_sigs: &'a [Vec<u32>],
    new_outlet: Vec<u32>,
    new_wire: Vec<bool>,
    /// New documents' postings: shingle column (sorted) and document column.
    new_post_hash: Vec<u64>,
    new_post_doc: Vec<u32>,
    /// New documents' band buckets: key column (sorted) and document column.
    new_band_hash: Vec<u64>,
    new_band_doc: Vec<u32>,
    /// Archived entries hidden by a new document with the same id: (segment index, local).
    hidden: HashSet<(usize, u32)>,
    /// Live documents in all.
    total: usize,
    bands: (usize, usize),
}

/// One holder of a key: position, outlet, wire.
#[derive(Clone, Copy)]
struct Holder {
    pos: u32,
    outlet: u32,
    wire: bool,
}

impl Universe<'_> {
    fn seg_of(&self, pos: u32) -> (usize, usize) {
        let segs = self.segs;
        let i = segs.partition_point(|s| s.base <= pos) - 1;
        (i, (pos - segs[i].base) as usize)
    }

    fn is_new(&self, pos: u32) -> bool {
        pos >= self.a
    }

    fn live(&self, si: usize, local: usize) -> bool {
        self.segs[si].live(local) && !self.hidden.contains(&(si, local as u32))
    }

    fn set(&self, pos: u32) -> &[u64] {
        if self.is_new(pos) {
            &self.new_sets[(pos - self.a) as usize]
        } else {
            let (si, l) = self.seg_of(pos);
            self.segs[si].file.set(l)
        }
    }

    fn signature(&self, pos: u32) -> &[u32] {
        if self.is_new(pos) {
            &self.new_sigs[(pos - self.a) as usize]
        } else {
            let (si, l) = self.seg_of(pos);
            self.segs[si].file.signature(l)
        }
    }

    fn holder(&self, pos: u32) -> Holder {
        if self.is_new(pos) {
            let i = (pos - self.a) as usize;
            Holder {
                pos,
                outlet: self.new_outlet[i],
                wire: self.new_wire[i],
            }
        } else {
            let (si, l) = self.seg_of(pos);
            let s = &self.segs[si];
            Holder {
                pos,
                outlet: s.outlet_of[s.file.outlets()[l] as usize],
                wire: s.file.wire()[l] != 0,
            }
        }
    }

    /// Let go of the segment pages read so far ([`super::segment::Segment::release`]).
    fn release(&self) {
        self.segs.par_iter().for_each(|s| s.file.release());
    }

    /// Segment `si`'s key and document columns of `kind` (`si` = the segments' count: the
    /// new documents').
    fn columns(&self, kind: Columns, si: usize) -> (&[u64], &[u32]) {
        match (kind, self.segs.get(si)) {
            (Columns::Postings, Some(s)) => s.file.postings_columns(),
            (Columns::Bands, Some(s)) => s.file.band_columns(),
            (Columns::Postings, None) => (&self.new_post_hash, &self.new_post_doc),
            (Columns::Bands, None) => (&self.new_band_hash, &self.new_band_doc),
        }
    }

    /// Locate sorted, distinct `keys` in every segment's columns of `kind`, once.
    fn lookup(&self, kind: Columns, keys: Vec<u64>) -> Lookup {
        // Key-major: a key's ranges in every segment sit together, as a probe reads them.
        // Written a chunk of keys at a time, every segment's merge in turn, so each row is
        // written while in cache.
        // In waves of keys, the pages of key columns read so far let go after each: the
        // keys are sorted, so a wave reads the next stretch of every column, and at most a
        // wave's stretches are resident at once.
        const CHUNK: usize = 4096;
        const WAVE: usize = 64 * CHUNK;
        let width = self.segs.len() + 1;
        let cols: Vec<&[u64]> = (0..width).map(|si| self.columns(kind, si).0).collect();
        let mut ranges = vec![(0u32, 0u32); keys.len() * width];
        for (rows, ks) in ranges.chunks_mut(WAVE * width).zip(keys.chunks(WAVE)) {
            rows.par_chunks_mut(CHUNK * width)
                .zip(ks.par_chunks(CHUNK))
                .for_each(|(rows, ks)| {
                    for (si, col) in cols.iter().enumerate() {
                        super::segment::ranges_into(col, ks, rows, width, si);
                    }
                });
            self.release();
        }
        Lookup {
            kind,
            keys,
            ranges,
            width,
        }
    }

    /// The live holders of `lk.keys[i]`, in position order.
    fn holders_at(&self, lk: &Lookup, i: usize, out: &mut Vec<Holder>) {
        out.clear();
        let row = lk.row(i);
        for (si, s) in self.segs.iter().enumerate() {
            let (lo, hi) = row[si];
            if lo == hi {
                continue;
            }
            let docs = &self.columns(lk.kind, si).1[lo as usize..hi as usize];
            let outlets = s.file.outlets();
            let wire = s.file.wire();
            for &l in docs {
                let l = l as usize;
                // An entry past the segment's documents is damage (`index compact` names
                // it); it is never read.
                if l < outlets.len() && self.live(si, l) {
                    out.push(Holder {
                        pos: s.base + l as u32,
                        outlet: s.outlet_of[outlets[l] as usize],
                        wire: wire[l] != 0,
                    });
                }
            }
        }
        let (lo, hi) = row[self.segs.len()];
        for &d in &self.columns(lk.kind, self.segs.len()).1[lo as usize..hi as usize] {
            out.push(self.holder(self.a + d));
        }
    }

    /// How many live documents hold `lk.keys[i]` (no list made unless entries were removed).
    fn df_at(&self, lk: &Lookup, i: usize) -> usize {
        let mut n = 0;
        let row = lk.row(i);
        for (si, s) in self.segs.iter().enumerate() {
            let (lo, hi) = row[si];
            if s.removed.is_none() && self.hidden.is_empty() {
                n += (hi - lo) as usize;
            } else {
                n += self.columns(lk.kind, si).1[lo as usize..hi as usize]
                    .iter()
                    .filter(|&&l| self.live(si, l as usize))
                    .count();
            }
        }
        let (lo, hi) = row[self.segs.len()];
        n + (hi - lo) as usize
    }

    /// Every live position, in order.
    fn all_positions(&self) -> Vec<u32> {
        let mut out = Vec::new();
        for (si, s) in self.segs.iter().enumerate() {
            for l in 0..s.file.docs() {
                if self.live(si, l) {
                    out.push(s.base + l as u32);
                }
            }
        }
        out.extend(self.a..self.a + self.new_sets.len() as u32);
        out
    }
}

/// Which columns a [`Lookup`] reads.
#[derive(Clone, Copy)]
enum Columns {
    /// Shingle postings.
    Postings,
    /// Band buckets.
    Bands,
}

/// Sorted distinct keys and where each is in every segment's columns and the new ones'.
struct Lookup {
    kind: Columns,
    keys: Vec<u64>,
    /// Per key, per segment and then the new documents: the range of its entries.
    ranges: Vec<(u32, u32)>,
    /// Segments and one.
    width: usize,
}

impl Lookup {
    /// Key `i`'s ranges.
    fn row(&self, i: usize) -> &[(u32, u32)] {
        &self.ranges[i * self.width..(i + 1) * self.width]
    }
}

/// Lists of keys as indices into their sorted distinct union: (the union, where each list
/// starts in the indices, the indices). One sort, so no list is searched for.
fn index_keys<L: AsRef<[u64]> + Sync>(lists: &[L]) -> (Vec<u64>, Vec<usize>, Vec<u32>) {
    let mut starts = Vec::with_capacity(lists.len() + 1);
    starts.push(0);
    for l in lists {
        starts.push(starts[starts.len() - 1] + l.as_ref().len());
    }
    let mut entries: Vec<(u64, u32)> = lists
        .par_iter()
        .enumerate()
        .flat_map_iter(|(li, l)| {
            let base = starts[li];
            l.as_ref()
                .iter()
                .enumerate()
                .map(move |(j, &h)| (h, (base + j) as u32))
        })
        .collect();
    entries.par_sort_unstable();
    let mut keys: Vec<u64> = Vec::new();
    let mut idx = vec![0u32; entries.len()];
    for &(h, at) in &entries {
        if keys.last() != Some(&h) {
            keys.push(h);
        }
        idx[at as usize] = (keys.len() - 1) as u32;
    }
    (keys, starts, idx)
}

/// Anchors of a capped bucket: wire holders first, then the first holders, `links` in all.
fn anchors(holders: &[Holder], links: usize) -> Vec<u32> {
    let mut a: Vec<u32> = holders
        .iter()
        .filter(|h| h.wire)
        .take(links)
        .map(|h| h.pos)
        .collect();
    let more = links - a.len();
    a.extend(holders.iter().filter(|h| !h.wire).take(more).map(|h| h.pos));
    a.sort_unstable();
    a
}

/// A candidate pair (low, high position) and how many distinctive shingles its documents
/// share, counted while finding it ([`UNCOUNTED`] where the pairs came from all-pairs).
type Candidate = (u32, u32, u32);

/// The distinctive count of a pair found without counting.
const UNCOUNTED: u32 = u32::MAX;

/// What [`candidates`] finds: pairs that involve a probe, each once; the stock shingles among
/// the probes' shingles; and each probe's own stock shingles (none where all pairs were
/// taken uncounted).
struct Found {
    pairs: Vec<Candidate>,
    stock: Vec<u64>,
    stock_of: HashMap<u32, Vec<u64>>,
}

/// Candidate pairs that involve one of `probes`, as the batch run's rules find them.
/// Probe documents with their shingles located in every segment's postings: the keys of
/// probe `j` are `lk.keys[key_idx[key_starts[j]..key_starts[j + 1]]]`.
struct Probes {
    probes: Vec<u32>,
    lk: Lookup,
    key_starts: Vec<usize>,
    key_idx: Vec<u32>,
    /// Live holders of each key.
    df: Vec<u32>,
}

impl Probes {
    /// Locate the shingles of `probes`.
    fn new(u: &Universe, probes: Vec<u32>) -> Probes {
        let sets: Vec<&[u64]> = probes.iter().map(|&q| u.set(q)).collect();
        let (keys, key_starts, key_idx) = index_keys(&sets);
        drop(sets);
        let lk = u.lookup(Columns::Postings, keys);
        let df = (0..lk.keys.len())
            .into_par_iter()
            .map(|i| u.df_at(&lk, i) as u32)
            .collect();
        Probes {
            probes,
            lk,
            key_starts,
            key_idx,
            df,
        }
    }

    /// Key indices of probe `j`.
    fn keys_of(&self, j: usize) -> &[u32] {
        &self.key_idx[self.key_starts[j]..self.key_starts[j + 1]]
    }

    /// The probes with `keep`, their keys still located (no second lookup).
    fn subset(self, keep: &[bool]) -> Probes {
        let mut probes = Vec::new();
        let mut key_starts = vec![0];
        let mut key_idx = Vec::new();
        for (j, &q) in self.probes.iter().enumerate() {
            if keep[j] {
                probes.push(q);
                key_idx.extend_from_slice(self.keys_of(j));
                key_starts.push(key_idx.len());
            }
        }
        Probes {
            probes,
            key_starts,
            key_idx,
            ..self
        }
    }
}

fn candidates(u: &Universe, probes: &Probes, settings: &Settings) -> Found {
    let Probes {
        probes,
        lk,
        key_starts,
        key_idx,
        df,
    } = probes;
    let mut is_probe = vec![false; u.a as usize + u.new_sets.len()];
    for &q in probes {
        is_probe[q as usize] = true;
    }
    // A pair with two probes is found from the lower one only.
    let mine = |q: u32, x: u32| x != q && (!is_probe[x as usize] || q < x);
    let l = &settings.lsh;
    // Keys held by a probe (the lookup may hold more, for probes since let go).
    let mut used = vec![false; lk.keys.len()];
    for &i in key_idx {
        used[i as usize] = true;
    }
    let stock: Vec<u64> = (0..lk.keys.len())
        .filter(|&i| used[i] && df[i] as usize > l.max_df)
        .map(|i| lk.keys[i])
        .collect();
    if crate::lsh::effective_mode(u.total, settings) == CandidateMode::AllPairs {
        let all = u.all_positions();
        let holders: Vec<Holder> = all.iter().map(|&p| u.holder(p)).collect();
        let mut pairs: Vec<Candidate> = probes
            .par_iter()
            .flat_map_iter(|&q| {
                let hq = u.holder(q);
                holders
                    .iter()
                    .filter(|x| x.outlet != hq.outlet && mine(q, x.pos))
                    .map(|x| (q.min(x.pos), q.max(x.pos), UNCOUNTED))
                    .collect::<Vec<_>>()
            })
            .collect();
        pairs.par_sort_unstable();
        pairs.dedup();
        return Found {
            pairs,
            stock,
            stock_of: HashMap::new(),
        };
    }
    // Anchors of the stock shingles, once per shingle.
    let anchors_of: Vec<Option<Vec<u32>>> = (0..lk.keys.len())
        .into_par_iter()
        .map_init(Vec::new, |buf, i| {
            (used[i] && df[i] as usize > l.max_df).then(|| {
                u.holders_at(lk, i, buf);
                anchors(buf, l.frequent_links)
            })
        })
        .collect();
    let min_shared = settings.min_shared_for(u.total);
    let min_all = settings.min_stock_shared.max(min_shared).max(1);
    let (b, r) = u.bands;
    let band_lists: Vec<Vec<u64>> = probes
        .par_iter()
        .map(|&q| {
            if u.set(q).is_empty() {
                Vec::new()
            } else {
                crate::lsh::band_keys(u.signature(q), b, r)
            }
        })
        .collect();
    let (band_keys, band_starts, band_idx) = index_keys(&band_lists);
    drop(band_lists);
    let lb = u.lookup(Columns::Bands, band_keys);
    let found: Vec<(Vec<Candidate>, Vec<u64>)> = probes
        .par_iter()
        .enumerate()
        .map_init(
            || (Vec::new(), vec![[0u32; 2]; is_probe.len()], Vec::new()),
            |(buf, counts, touched), (pi, &q)| {
                let hq = u.holder(q);
                // Shared keys per partner, [distinctive, stock links], in a dense table per
                // thread; `touched` lists the partners to read and clear.
                let mut count = |x: u32, slot: usize| {
                    let c = &mut counts[x as usize];
                    if *c == [0, 0] {
                        touched.push(x);
                    }
                    c[slot] += 1;
                };
                let mut my_stock = Vec::new();
                for &i in &key_idx[key_starts[pi]..key_starts[pi + 1]] {
                    let i = i as usize;
                    let anch = anchors_of[i].as_ref();
                    if anch.is_some() {
                        my_stock.push(lk.keys[i]);
                    }
                    let slot = usize::from(anch.is_some());
                    match anch {
                        Some(anch) if anch.binary_search(&q).is_err() => {
                            for &y in anch {
                                if u.holder(y).outlet != hq.outlet && mine(q, y) {
                                    count(y, 1);
                                }
                            }
                        }
                        // Distinctive, or stock with q an anchor: every holder.
                        _ => {
                            u.holders_at(lk, i, buf);
                            for x in buf.iter() {
                                if x.outlet != hq.outlet && mine(q, x.pos) {
                                    count(x.pos, slot);
                                }
                            }
                        }
                    }
                }
                // Every shared distinctive shingle of a pair was counted (each holder of one
                // is), so `d` is exact; band-linked partners keep theirs too.
                let mut out: Vec<(u32, u32)> = Vec::new();
                for &x in touched.iter() {
                    let [d, s] = counts[x as usize];
                    if d as usize >= min_shared || (d + s) as usize >= min_all {
                        out.push((x, d));
                    }
                }
                for &key in &band_idx[band_starts[pi]..band_starts[pi + 1]] {
                    u.holders_at(&lb, key as usize, buf);
                    let capped = buf.len() > l.max_bucket;
                    let anch = if capped {
                        anchors(buf, l.max_bucket)
                    } else {
                        Vec::new()
                    };
                    let q_anchor = anch.binary_search(&q).is_ok();
                    for x in buf.iter() {
                        let linked = !capped || q_anchor || anch.binary_search(&x.pos).is_ok();
                        if linked && x.outlet != hq.outlet && mine(q, x.pos) {
                            out.push((x.pos, counts[x.pos as usize][0]));
                        }
                    }
                }
                for &x in touched.iter() {
                    counts[x as usize] = [0, 0];
                }
                touched.clear();
                out.sort_unstable();
                out.dedup();
                let pairs = out
                    .into_iter()
                    .map(|(x, d)| (q.min(x), q.max(x), d))
                    .collect();
                (pairs, my_stock)
            },
        )
        .collect();
    drop(lb);
    u.release();
    let mut pairs = Vec::with_capacity(found.iter().map(|f| f.0.len()).sum());
    let mut stock_of = HashMap::with_capacity(probes.len());
    for (&q, (p, st)) in probes.iter().zip(found) {
        pairs.extend(p);
        stock_of.insert(q, st);
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    Found {
        pairs,
        stock,
        stock_of,
    }
}

/// Verified pairs among `found.pairs`, with the shared shingle counts.
///
/// A counted pair's shared shingles are its `d` distinctive ones and the stock shingles both
/// hold, so only the probe's few stock shingles are looked up in the other set; the rule is
/// [`Evidence::holds`] with the distinctive count known.
fn verify(u: &Universe, found: &Found, settings: &Settings) -> Vec<Shared> {
    let rule = Evidence::new(&found.stock, settings, u.total);
    let out = found
        .pairs
        .par_iter()
        .filter_map(|&(a, b, d)| {
            let (sa, sb) = (u.set(a), u.set(b));
            let (shared, holds) = if d == UNCOUNTED {
                let shared = crate::shingle::intersection_size(sa, sb);
                (shared, rule.holds(sa, sb, shared))
            } else {
                // The probe's stock shingles (a is the probe when both are), looked up in
                // the other document's set.
                let (mine, other) = match found.stock_of.get(&a) {
                    Some(m) => (m, sb),
                    None => (&found.stock_of[&b], sa),
                };
                let mut from = 0;
                let mut n = 0;
                for &h in mine {
                    from = super::segment::gallop(other, from, h);
                    n += usize::from(other.get(from) == Some(&h));
                }
                let shared = d as usize + n;
                (shared, rule.holds_counted(shared, d as usize))
            };
            holds.then_some(Shared {
                a,
                b,
                shared: shared as u32,
            })
        })
        .collect();
    u.release();
    out
}

/// Report `sketched` (the new documents) against `archive`. With `keep`, the new documents
/// are also returned, to be added.
pub fn analyze(
    archive: &Archive,
    sketched: SketchedCorpus,
    opts: &LoadOptions,
    settings: &Settings,
    keep: bool,
    progress: &dyn Progress,
) -> Result<(Analysis, Option<NewDocs>)> {
    archive.check_settings(settings)?;
    let SketchedCorpus {
        mut documents,
        mut problems,
        sketches,
        ..
    } = sketched;
    let crate::Sketches {
        sets: new_sets,
        signatures: new_sigs,
        words: new_words,
        sizes: new_sizes,
    } = sketches;

    progress.start(Stage::Candidates, None);
    // A new document with an archived id stands for it in this report.
    let mut hidden = HashSet::new();
    for d in &documents {
        if let Some((seg, local, from)) = archive.catalog.find(&d.id)? {
            if let Some(si) = archive.segs.iter().position(|s| s.id == seg) {
                hidden.insert((si, local));
                problems.push(Problem {
                    path: d.path.clone().unwrap_or_else(|| "-".into()),
                    line: d.line,
                    doc: Some(d.id.clone()),
                    message: format!(
                        "id {} is also in the archive (added from {from}); this report uses the new one",
                        d.id
                    ),
                    skipped: false,
                });
            }
        }
    }
    let mut outlet_ids: HashMap<String, u32> = archive
        .outlets
        .iter()
        .enumerate()
        .map(|(i, o)| (o.clone(), i as u32))
        .collect();
    let new_outlet: Vec<u32> = documents
        .iter()
        .map(|d| {
            let next = outlet_ids.len() as u32;
            *outlet_ids.entry(d.outlet.clone()).or_insert(next)
        })
        .collect();
    let new_wire = crate::attribute::wire_flags(&documents, &settings.wire);
    let mut new_postings: Vec<(u64, u32)> = new_sets
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.iter().map(move |&h| (h, i as u32)))
        .collect();
    new_postings.par_sort_unstable();
    let new_post_hash = new_postings.iter().map(|p| p.0).collect();
    let new_post_doc = new_postings.iter().map(|p| p.1).collect();
    drop(new_postings);
    let p = &archive.settings.sketch;
    let mut new_bands: Vec<(u64, u32)> = new_sigs
        .par_iter()
        .zip(&new_sets)
        .enumerate()
        .flat_map_iter(|(i, (sig, set))| {
            let keys = if set.is_empty() {
                Vec::new()
            } else {
                crate::lsh::band_keys(sig, p.bands, p.rows)
            };
            keys.into_iter().map(move |k| (k, i as u32))
        })
        .collect();
    new_bands.par_sort_unstable();
    new_bands.dedup();
    let new_band_hash = new_bands.iter().map(|p| p.0).collect();
    let new_band_doc = new_bands.iter().map(|p| p.1).collect();
    drop(new_bands);
    let a = archive
        .segs
        .last()
        .map_or(0, |s| s.base + s.file.docs() as u32);
    let archived_live: usize = archive
        .segs
        .iter()
        .map(|s| {
            s.removed
                .as_ref()
                .map_or(s.file.docs(), |r| r.iter().filter(|&&x| !x).count())
        })
        .sum::<usize>()
        - hidden.len();
    let u = Universe {
        segs: &archive.segs,
        a,
        new_sets: &new_sets,
        new_sigs: &new_sigs,
        new_outlet,
        new_wire,
        new_post_hash,
        new_post_doc,
        new_band_hash,
        new_band_doc,
        hidden,
        total: archived_live + documents.len(),
        bands: (p.bands, p.rows),
    };
    let wire_of = |pos: u32| u.holder(pos).wire;

    // Pass 1: the new documents' pairs.
    let probes = Probes::new(&u, (a..a + documents.len() as u32).collect());
    let found = candidates(&u, &probes, settings);
    drop(probes);
    progress.finish(Stage::Candidates);
    let n_pairs = found.pairs.len();
    progress.start(Stage::Verify, Some(n_pairs as u64));
    let mut candidate_pairs = n_pairs;
    let shared = verify(&u, &found, settings);
    drop(found);
    progress.advance(n_pairs as u64);
    let k = settings.max_partners;
    // Partner flags by position; archived ones only for the documents in pairs.
    let wire_vec = |sh: &[Shared]| {
        let max = sh.iter().map(|p| p.b).max().unwrap_or(0) as usize;
        let mut w = vec![false; max + 1];
        for p in sh {
            w[p.a as usize] = wire_of(p.a);
            w[p.b as usize] = wire_of(p.b);
        }
        w
    };
    let sides = crate::verify::partner_sides(&shared, k, &wire_vec(&shared));
    let mut keep_pair = vec![false; shared.len()];
    // Pairs whose archived end is to decide; most are ruled out from part of its shingles.
    let mut open: Vec<usize> = Vec::new();
    for (i, (p, s)) in shared.iter().zip(&sides).enumerate() {
        let new_side = [u.is_new(p.a), u.is_new(p.b)];
        if (new_side[0] && s[0]) || (new_side[1] && s[1]) {
            keep_pair[i] = true;
        } else if !new_side[0] {
            open.push(i);
        }
    }
    let mut ends: Vec<u32> = open.iter().map(|&i| shared[i].a).collect();
    ends.sort_unstable();
    ends.dedup();
    let ends = Probes::new(&u, ends);
    let ruled = partners::ruled_out(&u, &shared, &open, &ends, settings);
    let open: Vec<usize> = open
        .into_iter()
        .zip(ruled)
        .filter(|&(_, ruled)| !ruled)
        .map(|(i, _)| i)
        .collect();
    let mut verified_pairs = shared.len();
    if !open.is_empty() {
        // Pass 2: the archived ends of the pairs still open decide from all their pairs.
        let mut keep = vec![false; ends.probes.len()];
        for &i in &open {
            if let Ok(j) = ends.probes.binary_search(&shared[i].a) {
                keep[j] = true;
            }
        }
        let ends = ends.subset(&keep);
        let more = candidates(&u, &ends, settings);
        drop(ends);
        candidate_pairs += more.pairs.iter().filter(|p| !u.is_new(p.1)).count();
        let mut all = verify(&u, &more, settings);
        drop(more);
        let seen: HashSet<(u32, u32)> = all.iter().map(|p| (p.a, p.b)).collect();
        verified_pairs += all.iter().filter(|p| !u.is_new(p.b)).count();
        all.extend(
            shared
                .iter()
                .filter(|p| !seen.contains(&(p.a, p.b)))
                .copied(),
        );
        all.sort_unstable_by_key(|p| (p.a, p.b));
        let sides2 = crate::verify::partner_sides(&all, k, &wire_vec(&all));
        let decided: HashMap<(u32, u32), [bool; 2]> = all
            .iter()
            .zip(&sides2)
            .map(|(p, s)| ((p.a, p.b), *s))
            .collect();
        for &i in &open {
            let p = &shared[i];
            keep_pair[i] = decided[&(p.a, p.b)][0];
        }
    }
    progress.finish(Stage::Verify);
    let kept: Vec<Shared> = shared
        .iter()
        .zip(&keep_pair)
        .filter(|(_, &k)| k)
        .map(|(p, _)| *p)
        .collect();

    // The report's documents: the archived ones in kept pairs (in archive order), then every
    // new document.
    let mut involved: Vec<u32> = kept
        .iter()
        .flat_map(|p| [p.a, p.b])
        .filter(|&x| !u.is_new(x))
        .collect();
    involved.sort_unstable();
    involved.dedup();
    progress.start(Stage::Fetch, Some(involved.len() as u64));
    let keys: Vec<(i64, u32)> = involved
        .iter()
        .map(|&pos| {
            let (si, l) = u.seg_of(pos);
            (archive.segs[si].id, l as u32)
        })
        .collect();
    let rows = archive.catalog.docs(&keys)?;
    progress.advance(rows.len() as u64);
    // Texts of new documents in kept pairs, read again.
    let mut new_involved = vec![false; documents.len()];
    for p in &kept {
        for x in [p.a, p.b] {
            if u.is_new(x) {
                new_involved[(x - a) as usize] = true;
            }
        }
    }
    let wanted: Vec<usize> = (0..documents.len())
        .filter(|&d| new_involved[d] && documents[d].origin != corpus::Origin::Memory)
        .collect();
    let texts: Vec<String> = wanted
        .par_iter()
        .map(|&d| corpus::reread(&documents[d], opts))
        .collect::<Result<_>>()?;
    for (d, t) in wanted.into_iter().zip(texts) {
        documents[d].text = t;
    }
    progress.finish(Stage::Fetch);

    let index_of: HashMap<u32, usize> = involved.iter().enumerate().map(|(i, &p)| (p, i)).collect();
    let n_arch = involved.len();
    let final_index = |pos: u32| {
        if u.is_new(pos) {
            n_arch + (pos - a) as usize
        } else {
            index_of[&pos]
        }
    };
    let mut verified: Vec<PairStats> = kept
        .iter()
        .map(|p| {
            let (sa, sb) = (u.set(p.a), u.set(p.b));
            let shared = p.shared as usize;
            let union = sa.len() + sb.len() - shared;
            let j = crate::minhash::jaccard_estimate(u.signature(p.a), u.signature(p.b));
            PairStats {
                a: final_index(p.a),
                b: final_index(p.b),
                shared,
                jaccard: shared as f64 / union as f64,
                containment: shared as f64 / sa.len().min(sb.len()) as f64,
                jaccard_estimate: j,
                containment_estimate: crate::minhash::containment_estimate(j, sa.len(), sb.len()),
            }
        })
        .collect();
    verified.sort_by_key(|p| (p.a, p.b));

    // Boilerplate over the whole corpus, for the shingles of the report's documents.
    let final_pos: Vec<u32> = involved
        .iter()
        .copied()
        .chain(a..a + documents.len() as u32)
        .collect();
    let final_outlet: Vec<u32> = final_pos.iter().map(|&p| u.holder(p).outlet).collect();
    let mut outlet_size = vec![0usize; outlet_ids.len()];
    for (si, s) in archive.segs.iter().enumerate() {
        for (l, &o) in s.file.outlets().iter().enumerate() {
            if u.live(si, l) {
                outlet_size[s.outlet_of[o as usize] as usize] += 1;
            }
        }
    }
    for &o in &u.new_outlet {
        outlet_size[o as usize] += 1;
    }
    let corpus_min = crate::attribute::corpus_min(settings, u.total) as usize;
    let outlet_min = settings.boilerplate_outlet_docs;
    let mut distinct: Vec<(u64, u32)> = final_pos
        .par_iter()
        .zip(&final_outlet)
        .flat_map_iter(|(&p, &o)| u.set(p).iter().map(move |&h| (h, o)))
        .collect();
    distinct.par_sort_unstable();
    distinct.dedup();
    let mut keys: Vec<u64> = distinct.iter().map(|x| x.0).collect();
    keys.dedup();
    let lk = u.lookup(Columns::Postings, keys);
    // For each (shingle, outlet of a report document holding it): common or not. The runs
    // of `distinct` are the keys, in order.
    let runs: Vec<&[(u64, u32)]> = distinct.chunk_by(|x, y| x.0 == y.0).collect();
    use crate::attribute::Common;
    let found: Vec<((u64, u32), Common)> = runs
        .par_iter()
        .enumerate()
        .map_init(Vec::new, |buf, (i, run)| {
            let df = u.df_at(&lk, i);
            let mut out = Vec::new();
            if df >= corpus_min {
                out.extend(run.iter().map(|&x| (x, Common::Corpus)));
            } else if df >= outlet_min {
                u.holders_at(&lk, i, buf);
                for &(h, o) in run.iter() {
                    let n = buf.iter().filter(|x| x.outlet == o).count();
                    if n >= outlet_min && outlet_size[o as usize] >= outlet_min {
                        out.push(((h, o), Common::Outlet));
                    }
                }
            }
            out
        })
        .flatten()
        .collect();
    let mut common =
        HashMap::with_capacity_and_hasher(found.len(), ahash::RandomState::with_seeds(1, 2, 3, 4));
    common.extend(found);
    drop(lk);
    u.release();
    let is_common = |d: usize, h: u64| common.get(&(h, final_outlet[d])).copied();

    // Documents and sketches in report order.
    let mut docs: Vec<Document> = Vec::with_capacity(final_pos.len());
    let mut words = Vec::with_capacity(final_pos.len());
    let mut sizes = Vec::with_capacity(final_pos.len());
    let mut wire = Vec::with_capacity(final_pos.len());
    for row in rows {
        sizes.push(crate::report::build::TextSize::of(
            &row.doc.text,
            row.doc.body_start,
        ));
        words.push(row.words);
        wire.push(row.wire);
        docs.push(row.doc);
    }
    let new_count = documents.len();
    let keep_docs = keep.then(|| documents.clone());
    docs.extend(documents);
    words.extend(new_words.iter().copied());
    sizes.extend(new_sizes);
    wire.extend(u.new_wire.iter().copied());
    let mut involved_flags = vec![true; n_arch];
    involved_flags.extend(new_involved);
    let sk = crate::Sketches {
        sets: vec![Vec::new(); docs.len()],
        signatures: Vec::new(),
        words,
        sizes,
    };
    let new_wire = u.new_wire.clone();
    let sel = crate::Selected {
        verified,
        involved: involved_flags,
        wire,
        candidate_pairs,
        verified_pairs,
        common: None,
    };
    drop(u);
    let report = crate::finish(
        &docs,
        sk,
        sel,
        problems,
        settings,
        Some(&is_common),
        progress,
    )?;
    let new = keep_docs.map(|docs| {
        debug_assert_eq!(docs.len(), new_count);
        NewDocs {
            docs,
            sets: new_sets,
            signatures: new_sigs,
            words: new_words,
            wire: new_wire,
        }
    });
    Ok((
        Analysis {
            report,
            documents: docs,
        },
        new,
    ))
}
