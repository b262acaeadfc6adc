//! Exact verification of candidate pairs.
//!
//! MinHash estimates are only estimates; before anything is aligned or reported, each
//! candidate pair's shingle sets are intersected exactly (a linear merge of sorted hashes).
//! A pair goes on to alignment when it shares at least `min_shared` shingles. The pair
//! record keeps both the estimates and the exact figures, so a report shows how far the
//! sketch was off.
//!
//! * Jaccard `|A∩B| / |A∪B|` — whole-document resemblance;
//! * containment `|A∩B| / min(|A|, |B|)` — how much of the shorter document is in the longer
//!   one. News reuse is partial: a 300-word story built from three paragraphs of a 900-word
//!   wire story has low Jaccard but high containment.

use rayon::prelude::*;

use crate::minhash::{containment_estimate, jaccard_estimate};
use crate::shingle::intersection_size;

/// Exact and estimated similarity of a verified pair.
#[derive(Debug, Clone, PartialEq)]
pub struct PairStats {
    /// Index of the first document (the smaller index).
    pub a: usize,
    /// Index of the second document.
    pub b: usize,
    /// Shingles the two share.
    pub shared: usize,
    /// Exact Jaccard similarity of the shingle sets.
    pub jaccard: f64,
    /// Exact containment of the smaller set in the larger.
    pub containment: f64,
    /// Jaccard estimated from the signatures.
    pub jaccard_estimate: f64,
    /// Containment estimated from the signatures.
    pub containment_estimate: f64,
}

/// Verify candidate pairs; keep those sharing at least `min_shared` shingles. Order follows
/// `pairs`.
pub fn verify(
    pairs: &[(usize, usize)],
    sets: &[Vec<u64>],
    sigs: &[Vec<u32>],
    min_shared: usize,
) -> Vec<PairStats> {
    pairs
        .par_iter()
        .filter_map(|&(a, b)| {
            let (sa, sb) = (&sets[a], &sets[b]);
            let shared = intersection_size(sa, sb);
            if shared < min_shared.max(1) {
                return None;
            }
            let union = sa.len() + sb.len() - shared;
            let j_est = jaccard_estimate(&sigs[a], &sigs[b]);
            Some(PairStats {
                a,
                b,
                shared,
                jaccard: shared as f64 / union as f64,
                containment: shared as f64 / sa.len().min(sb.len()) as f64,
                jaccard_estimate: j_est,
                containment_estimate: containment_estimate(j_est, sa.len(), sb.len()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_figures() {
        let sets = vec![vec![1, 2, 3, 4], vec![3, 4, 5, 6, 7, 8, 9, 10], vec![100]];
        let sigs = vec![vec![0u32; 4]; 3];
        let v = verify(&[(0, 1), (0, 2)], &sets, &sigs, 1);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].shared, 2);
        assert!((v[0].jaccard - 0.2).abs() < 1e-12);
        assert!((v[0].containment - 0.5).abs() < 1e-12);
    }
}
