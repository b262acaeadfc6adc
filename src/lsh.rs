//! Candidate pairs: which documents are worth verifying and aligning.
//!
//! Everything downstream asks [`candidates`] and nothing else, so the strategy can change
//! without touching verification or alignment. Only pairs of documents from *different*
//! outlets are candidates (an outlet repeating itself is boilerplate, found separately).
//!
//! * [`CandidateMode::AllPairs`]: every cross-outlet pair, `n(n−1)/2` at most. Exact, and the
//!   reference the banded index is tested against; right for small corpora.
//!
//! Pairs come out as `(i, j)` with `i < j`, sorted, so later stages are deterministic.

use crate::config::{CandidateMode, Settings};

/// Candidate pairs of document indices, `i < j`, sorted.
pub fn candidates(
    outlets: &[&str],
    signatures: &[Vec<u32>],
    settings: &Settings,
) -> Vec<(usize, usize)> {
    debug_assert_eq!(outlets.len(), signatures.len());
    match settings.candidates {
        CandidateMode::AllPairs => all_pairs(outlets),
    }
}

fn all_pairs(outlets: &[&str]) -> Vec<(usize, usize)> {
    let n = outlets.len();
    let mut out = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            if outlets[i] != outlets[j] {
                out.push((i, j));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_pairs_skips_same_outlet() {
        let outlets = ["ap", "ap", "bbc", "cnn"];
        let sigs = vec![vec![]; 4];
        let c = candidates(&outlets, &sigs, &Settings::default());
        assert_eq!(c, [(0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]);
    }
}
