//! PAN character-level measures of detected passages against a truth (Potthast et al. 2010).
//!
//! A *case* `s` (truth) and a *detection* `r` (a report passage) are each a pair of spans in
//! two documents; as sets they hold the characters of both spans, so `|s| = |s_a| + |s_b|`.
//! Pairs are unordered: both are oriented by document id before comparing. `r` *detects*
//! `s` when they join the same two documents and overlap in **both** of them; then
//! `s ⊓ r = s ∩ r`, else `s ⊓ r = ∅`. With `S` the cases and `R` the detections:
//!
//! * macro precision `= 1/|R| · Σ_r |∪_s (s ⊓ r)| / |r|`, macro recall
//!   `= 1/|S| · Σ_s |∪_r (s ⊓ r)| / |s|`; F1 their harmonic mean;
//! * granularity `= 1/|S_R| · Σ_{s ∈ S_R} |R_s|`, where `S_R` are the detected cases and
//!   `R_s` the detections that detect `s` (1 is ideal; 2 means each case came in two pieces);
//! * plagdet `= F1 / log2(1 + granularity)`;
//! * micro precision and recall pool characters instead of averaging per detection or case:
//!   `|∪_{s,r} (s ⊓ r)| / |∪_r r|` and `… / |∪_s s|`, where a character is a position in one
//!   document *of one document pair* (a detection in another pair never covers it).
//!
//! As in the PAN evaluation scripts, with neither cases nor detections precision and recall
//! are 1; with only one of them both are 0; granularity is 1 when nothing is detected.
//! Detections of kind `boilerplate` and cases of kind `boilerplate` are left out unless
//! [`ScoreOptions::include_boilerplate`] is set.
//!
//! Cost: cases and detections are grouped by document pair; each group costs
//! `O(|S_pair| · |R_pair| · log)`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::attribute::Kind;
use crate::eval::truth::{Span, Truth};
use crate::report::Report;

/// What to score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScoreOptions {
    /// Keep boilerplate detections and boilerplate cases.
    pub include_boilerplate: bool,
}

/// A detected passage: two spans (chars, half-open) and the kind the detector gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// One side.
    pub a: Span,
    /// The other side.
    pub b: Span,
    /// The detector's kind.
    pub kind: Option<Kind>,
}

/// The detections of a report: one per passage, and one of kind `boilerplate` per two
/// occurrences of a boilerplate group in two documents that `truth` has a case between
/// (a group says its text is shared by every two of its documents; the pairs the truth
/// does not cover are not listed, as there may be millions).
pub fn detections(report: &Report, truth: &Truth) -> Vec<Detection> {
    let mut out: Vec<Detection> = report
        .passages
        .iter()
        .map(|p| Detection {
            a: Span::new(&p.a.doc, p.a.start, p.a.end),
            b: Span::new(&p.b.doc, p.b.start, p.b.end),
            kind: Some(p.kind),
        })
        .collect();
    let pairs: BTreeSet<(&str, &str)> = truth
        .passages
        .iter()
        .map(|c| {
            let (x, y) = (c.a.doc.as_str(), c.b.doc.as_str());
            (x.min(y), x.max(y))
        })
        .collect();
    for g in &report.boilerplate {
        let occ: Vec<_> = g.outlets.iter().flat_map(|o| &o.occurrences).collect();
        let docs: BTreeSet<&str> = occ.iter().map(|o| o.doc.as_str()).collect();
        for &(x, y) in pairs
            .iter()
            .filter(|(x, y)| docs.contains(x) && docs.contains(y) && x != y)
        {
            for a in occ.iter().filter(|o| o.doc == x) {
                for b in occ.iter().filter(|o| o.doc == y) {
                    out.push(Detection {
                        a: Span::new(&a.doc, a.start, a.end),
                        b: Span::new(&b.doc, b.start, b.end),
                        kind: Some(Kind::Boilerplate),
                    });
                }
            }
        }
    }
    out
}

/// Micro-averaged (pooled characters) measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Micro {
    /// Correctly detected characters / detected characters.
    pub precision: f64,
    /// Correctly detected characters / truth characters.
    pub recall: f64,
    /// Harmonic mean.
    pub f1: f64,
}

/// Recall of the cases of one kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindRecall {
    /// `verbatim`, `edited`, `quote`, `boilerplate` or `unspecified`.
    pub kind: String,
    /// Cases of this kind.
    pub cases: usize,
    /// Of them, detected by at least one detection.
    pub detected: usize,
    /// Macro recall over these cases.
    pub recall: f64,
}

/// Detections in a group of pairs that holds no truth at all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FalseGroup {
    /// Detections.
    pub detections: usize,
    /// Their characters (both sides).
    pub chars: usize,
    /// `chars` / all detected characters (0 when nothing was detected).
    pub share: f64,
}

/// All measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Truth cases scored.
    pub cases: usize,
    /// Truth cases left out (boilerplate).
    pub cases_excluded: usize,
    /// Detections scored.
    pub detections: usize,
    /// Detections left out (boilerplate, or empty).
    pub detections_excluded: usize,
    /// Cases detected by at least one detection.
    pub detected_cases: usize,
    /// Macro precision.
    pub precision: f64,
    /// Macro recall.
    pub recall: f64,
    /// Harmonic mean of macro precision and recall.
    pub f1: f64,
    /// Average number of detections per detected case.
    pub granularity: f64,
    /// `f1 / log2(1 + granularity)`.
    pub plagdet: f64,
    /// Pooled-character measures.
    pub micro: Micro,
    /// Recall per truth kind, by kind name.
    pub by_kind: Vec<KindRecall>,
    /// Detections in pairs with no truth case.
    pub unrelated_pairs: FalseGroup,
    /// Detections in pairs involving a distractor document (a subset of `unrelated_pairs`).
    pub distractor_pairs: FalseGroup,
}

/// The cases and the detections of one document pair.
type Group<'a, 'b> = (Vec<&'b Oriented<'a>>, Vec<&'b Oriented<'a>>);

/// An item oriented by document id: `sides[0]` is in the smaller id.
struct Oriented<'a> {
    docs: (&'a str, &'a str),
    sides: [(usize, usize); 2],
}

impl<'a> Oriented<'a> {
    fn new(a: &'a Span, b: &'a Span) -> Oriented<'a> {
        if a.doc <= b.doc {
            Oriented {
                docs: (&a.doc, &b.doc),
                sides: [(a.start, a.end), (b.start, b.end)],
            }
        } else {
            Oriented {
                docs: (&b.doc, &a.doc),
                sides: [(b.start, b.end), (a.start, a.end)],
            }
        }
    }

    fn len(&self) -> usize {
        self.sides.iter().map(|(s, e)| e.saturating_sub(*s)).sum()
    }

    /// Whether `self` and `other` (same pair) overlap in both documents.
    fn detects(&self, other: &Oriented) -> bool {
        (0..2).all(|i| intersect(self.sides[i], other.sides[i]).is_some())
    }
}

fn intersect(x: (usize, usize), y: (usize, usize)) -> Option<(usize, usize)> {
    let s = x.0.max(y.0);
    let e = x.1.min(y.1);
    (s < e).then_some((s, e))
}

/// Characters in the union of intervals.
fn union_len(mut v: Vec<(usize, usize)>) -> usize {
    v.sort_unstable();
    let mut total = 0;
    let mut cur: Option<(usize, usize)> = None;
    for (s, e) in v {
        match cur {
            Some((cs, ce)) if s <= ce => cur = Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += ce - cs;
                cur = Some((s, e));
            }
            None => cur = Some((s, e)),
        }
    }
    total + cur.map_or(0, |(s, e)| e - s)
}

/// `|∪_{o ∈ others, o detects x} (o ∩ x)|` and how many of `others` detect `x`.
fn covered(x: &Oriented, others: &[&Oriented]) -> (usize, usize) {
    let mut parts: [Vec<(usize, usize)>; 2] = [Vec::new(), Vec::new()];
    let mut n = 0;
    for o in others.iter().filter(|o| o.detects(x)) {
        n += 1;
        for (i, part) in parts.iter_mut().enumerate() {
            if let Some(iv) = intersect(x.sides[i], o.sides[i]) {
                part.push(iv);
            }
        }
    }
    let [p0, p1] = parts;
    (union_len(p0) + union_len(p1), n)
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// PAN's convention for averages over empty sets.
fn macro_avg(sum: f64, n: usize, other_n: usize) -> f64 {
    match (n, other_n) {
        (0, 0) => 1.0,
        (0, _) | (_, 0) => 0.0,
        _ => sum / n as f64,
    }
}

fn kind_name(k: Option<Kind>) -> &'static str {
    k.map_or("unspecified", Kind::as_str)
}

/// Score `detections` against `truth`.
pub fn score(truth: &Truth, detections: &[Detection], opts: ScoreOptions) -> Scores {
    let keep = |k: Option<Kind>| opts.include_boilerplate || k != Some(Kind::Boilerplate);
    let cases: Vec<(Oriented, Option<Kind>)> = truth
        .passages
        .iter()
        .filter(|c| keep(c.kind))
        .map(|c| (Oriented::new(&c.a, &c.b), c.kind))
        .collect();
    let dets: Vec<Oriented> = detections
        .iter()
        .filter(|d| keep(d.kind))
        .map(|d| Oriented::new(&d.a, &d.b))
        .filter(|d| d.len() > 0)
        .collect();
    let mut by_pair: BTreeMap<(&str, &str), Group> = BTreeMap::new();
    for (c, _) in &cases {
        by_pair.entry(c.docs).or_default().0.push(c);
    }
    for d in &dets {
        by_pair.entry(d.docs).or_default().1.push(d);
    }
    let empty = (Vec::new(), Vec::new());
    let group = |docs| by_pair.get(&docs).unwrap_or(&empty);

    // Macro recall and granularity, per case.
    let mut recall_sum = 0.0;
    let mut detected = 0;
    let mut pieces = 0;
    let mut kinds: BTreeMap<&str, (usize, usize, f64)> = BTreeMap::new();
    for (c, kind) in &cases {
        let (hit, n) = covered(c, &group(c.docs).1);
        let r = ratio(hit, c.len());
        recall_sum += r;
        let k = kinds.entry(kind_name(*kind)).or_default();
        k.0 += 1;
        k.2 += r;
        if n > 0 {
            detected += 1;
            pieces += n;
            k.1 += 1;
        }
    }
    // Macro precision, per detection.
    let mut precision_sum = 0.0;
    for d in &dets {
        let (hit, _) = covered(d, &group(d.docs).0);
        precision_sum += ratio(hit, d.len());
    }
    // Micro: pooled characters per pair.
    let (mut hit_chars, mut det_chars, mut case_chars) = (0, 0, 0);
    for (cs, ds) in by_pair.values() {
        for i in 0..2 {
            case_chars += union_len(cs.iter().map(|c| c.sides[i]).collect());
            det_chars += union_len(ds.iter().map(|d| d.sides[i]).collect());
            let mut inter = Vec::new();
            for c in cs {
                for d in ds.iter().filter(|d| d.detects(c)) {
                    inter.extend(intersect(c.sides[i], d.sides[i]));
                }
            }
            hit_chars += union_len(inter);
        }
    }
    // False groups.
    let distractors: BTreeSet<&str> = truth.distractors.iter().map(String::as_str).collect();
    let total_det: usize = dets.iter().map(|d| d.len()).sum();
    let mut unrelated = FalseGroup::default();
    let mut distract = FalseGroup::default();
    for d in &dets {
        if group(d.docs).0.is_empty() {
            unrelated.detections += 1;
            unrelated.chars += d.len();
        }
        if distractors.contains(d.docs.0) || distractors.contains(d.docs.1) {
            distract.detections += 1;
            distract.chars += d.len();
        }
    }
    unrelated.share = ratio(unrelated.chars, total_det);
    distract.share = ratio(distract.chars, total_det);

    let precision = macro_avg(precision_sum, dets.len(), cases.len());
    let recall = macro_avg(recall_sum, cases.len(), dets.len());
    let f = f1(precision, recall);
    let granularity = if detected == 0 {
        1.0
    } else {
        pieces as f64 / detected as f64
    };
    let (micro_p, micro_r) = match (case_chars, det_chars) {
        (0, 0) => (1.0, 1.0),
        _ => (ratio(hit_chars, det_chars), ratio(hit_chars, case_chars)),
    };
    Scores {
        cases: cases.len(),
        cases_excluded: truth.passages.len() - cases.len(),
        detections: dets.len(),
        detections_excluded: detections.len() - dets.len(),
        detected_cases: detected,
        precision,
        recall,
        f1: f,
        granularity,
        plagdet: f / (1.0 + granularity).log2(),
        micro: Micro {
            precision: micro_p,
            recall: micro_r,
            f1: f1(micro_p, micro_r),
        },
        by_kind: kinds
            .into_iter()
            .map(|(kind, (cases, detected, sum))| KindRecall {
                kind: kind.to_string(),
                cases,
                detected,
                recall: sum / cases as f64,
            })
            .collect(),
        unrelated_pairs: unrelated,
        distractor_pairs: distract,
    }
}

/// The scores as a short human-readable text.
pub fn render_text(s: &Scores) -> String {
    let mut out = String::new();
    let excl = |n: usize| {
        if n > 0 {
            format!(" ({n} boilerplate left out)")
        } else {
            String::new()
        }
    };
    out.push_str(&format!(
        "truth cases {}{}, detections {}{}, detected cases {}\n",
        s.cases,
        excl(s.cases_excluded),
        s.detections,
        excl(s.detections_excluded),
        s.detected_cases
    ));
    out.push_str(&format!(
        "macro   precision {:.4}  recall {:.4}  F1 {:.4}\n",
        s.precision, s.recall, s.f1
    ));
    out.push_str(&format!(
        "micro   precision {:.4}  recall {:.4}  F1 {:.4}\n",
        s.micro.precision, s.micro.recall, s.micro.f1
    ));
    out.push_str(&format!(
        "granularity {:.4}  plagdet {:.4}\n",
        s.granularity, s.plagdet
    ));
    for k in &s.by_kind {
        out.push_str(&format!(
            "recall of {} cases {:.4} ({} of {} detected)\n",
            k.kind, k.recall, k.detected, k.cases
        ));
    }
    out.push_str(&format!(
        "detections in pairs without truth: {} ({} chars, {:.2}% of detected chars)\n",
        s.unrelated_pairs.detections,
        s.unrelated_pairs.chars,
        100.0 * s.unrelated_pairs.share
    ));
    out.push_str(&format!(
        "detections in pairs with a distractor: {} ({} chars, {:.2}% of detected chars)\n",
        s.distractor_pairs.detections,
        s.distractor_pairs.chars,
        100.0 * s.distractor_pairs.share
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::truth::Case;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn case(a: (&str, usize, usize), b: (&str, usize, usize)) -> Case {
        Case {
            a: Span::new(a.0, a.1, a.2),
            b: Span::new(b.0, b.1, b.2),
            kind: Some(Kind::Edited),
            note: None,
        }
    }

    fn det(a: (&str, usize, usize), b: (&str, usize, usize)) -> Detection {
        Detection {
            a: Span::new(a.0, a.1, a.2),
            b: Span::new(b.0, b.1, b.2),
            kind: Some(Kind::Edited),
        }
    }

    fn truth(cases: Vec<Case>) -> Truth {
        Truth {
            truth_version: 1,
            description: String::new(),
            passages: cases,
            distractors: Vec::new(),
        }
    }

    fn run(cases: Vec<Case>, dets: &[Detection]) -> Scores {
        score(&truth(cases), dets, ScoreOptions::default())
    }

    const EPS: f64 = 1e-12;

    #[test]
    fn perfect_detection_scores_one() {
        let s = run(
            vec![case(("w", 0, 100), ("o", 10, 110))],
            // Reversed orientation: pairs are unordered.
            &[det(("o", 10, 110), ("w", 0, 100))],
        );
        assert_eq!(
            (s.precision, s.recall, s.f1, s.granularity, s.plagdet),
            (1.0, 1.0, 1.0, 1.0, 1.0)
        );
        assert_eq!((s.micro.precision, s.micro.recall), (1.0, 1.0));
    }

    #[test]
    fn half_a_case_detected() {
        // Case: 100 + 100 chars. Detection covers the first 50 of each side exactly.
        let s = run(
            vec![case(("w", 0, 100), ("o", 0, 100))],
            &[det(("w", 0, 50), ("o", 0, 50))],
        );
        assert_eq!(s.precision, 1.0);
        assert_eq!(s.recall, 0.5);
        assert!((s.f1 - 2.0 / 3.0).abs() < EPS);
        assert_eq!(s.granularity, 1.0);
        assert!((s.plagdet - 2.0 / 3.0).abs() < EPS);
        assert_eq!(s.micro.recall, 0.5);
    }

    #[test]
    fn a_case_split_in_two_has_granularity_two() {
        let s = run(
            vec![case(("w", 0, 100), ("o", 0, 100))],
            &[
                det(("w", 0, 50), ("o", 0, 50)),
                det(("w", 50, 100), ("o", 50, 100)),
            ],
        );
        assert_eq!((s.precision, s.recall, s.f1), (1.0, 1.0, 1.0));
        assert_eq!(s.granularity, 2.0);
        assert!((s.plagdet - 1.0 / 3f64.log2()).abs() < EPS);
    }

    #[test]
    fn one_detection_over_two_adjacent_cases_has_granularity_one() {
        let s = run(
            vec![
                case(("w", 0, 100), ("o", 0, 100)),
                case(("w", 100, 200), ("o", 100, 200)),
            ],
            &[det(("w", 0, 200), ("o", 0, 200))],
        );
        assert_eq!((s.precision, s.recall, s.granularity), (1.0, 1.0, 1.0));
        assert_eq!(s.detected_cases, 2);
    }

    #[test]
    fn a_detection_in_the_wrong_pair_has_precision_zero() {
        let mut t = truth(vec![case(("w", 0, 100), ("o", 0, 100))]);
        t.distractors = vec!["d".into()];
        let s = score(
            &t,
            &[det(("w", 0, 100), ("d", 0, 100))],
            ScoreOptions::default(),
        );
        assert_eq!((s.precision, s.recall, s.f1), (0.0, 0.0, 0.0));
        assert_eq!(s.detected_cases, 0);
        assert_eq!(s.granularity, 1.0);
        assert_eq!(s.unrelated_pairs.detections, 1);
        assert_eq!(s.distractor_pairs.chars, 200);
        assert_eq!(s.distractor_pairs.share, 1.0);
    }

    #[test]
    fn overlap_in_one_document_only_is_no_detection() {
        let s = run(
            vec![case(("w", 0, 100), ("o", 0, 100))],
            &[det(("w", 0, 100), ("o", 200, 300))],
        );
        assert_eq!((s.precision, s.recall), (0.0, 0.0));
    }

    #[test]
    fn worked_example_with_overshoot() {
        // Case 100+100 chars; the detection covers w[50,150) and o[0,100):
        // it detects the case, hit = 50 + 100 = 150 of |r| = 200 and |s| = 200.
        let s = run(
            vec![case(("w", 0, 100), ("o", 0, 100))],
            &[det(("w", 50, 150), ("o", 0, 100))],
        );
        assert_eq!((s.precision, s.recall), (0.75, 0.75));
    }

    #[test]
    fn boilerplate_is_left_out_unless_asked() {
        let mut bp = case(("w", 500, 600), ("o", 500, 600));
        bp.kind = Some(Kind::Boilerplate);
        let mut d = det(("w", 500, 600), ("o", 500, 600));
        d.kind = Some(Kind::Boilerplate);
        let t = truth(vec![case(("w", 0, 100), ("o", 0, 100)), bp]);
        let dets = [det(("w", 0, 100), ("o", 0, 100)), d];
        let s = score(&t, &dets, ScoreOptions::default());
        assert_eq!((s.cases, s.detections), (1, 1));
        assert_eq!((s.cases_excluded, s.detections_excluded), (1, 1));
        let s = score(
            &t,
            &dets,
            ScoreOptions {
                include_boilerplate: true,
            },
        );
        assert_eq!((s.cases, s.detections, s.f1), (2, 2, 1.0));
        assert_eq!(s.by_kind.len(), 2);
    }

    #[test]
    fn empty_sets_follow_pan() {
        let s = run(vec![], &[]);
        assert_eq!((s.precision, s.recall, s.granularity), (1.0, 1.0, 1.0));
        let s = run(vec![case(("w", 0, 10), ("o", 0, 10))], &[]);
        assert_eq!(
            (s.precision, s.recall, s.f1, s.plagdet),
            (0.0, 0.0, 0.0, 0.0)
        );
    }

    /// The oracle: characters as explicit sets of (pair, side, position).
    type Chars = HashSet<(String, String, usize, usize)>;

    fn chars(o: &Oriented) -> Chars {
        let mut set = HashSet::new();
        for (i, (s, e)) in o.sides.iter().enumerate() {
            for p in *s..*e {
                set.insert((o.docs.0.to_string(), o.docs.1.to_string(), i, p));
            }
        }
        set
    }

    #[allow(clippy::needless_range_loop)] // the oracle indexes on purpose, to stay obvious
    fn oracle(cases: &[Case], dets: &[Detection]) -> (f64, f64, f64, f64, f64) {
        let cs: Vec<Chars> = cases
            .iter()
            .map(|c| chars(&Oriented::new(&c.a, &c.b)))
            .collect();
        let ds: Vec<Chars> = dets
            .iter()
            .map(|d| chars(&Oriented::new(&d.a, &d.b)))
            .collect();
        let detects = |c: &Case, d: &Detection| {
            let (x, y) = (Oriented::new(&c.a, &c.b), Oriented::new(&d.a, &d.b));
            x.docs == y.docs
                && (0..2).all(|i| {
                    let a: HashSet<usize> = (x.sides[i].0..x.sides[i].1).collect();
                    (y.sides[i].0..y.sides[i].1).any(|p| a.contains(&p))
                })
        };
        let meet = |ci: usize, di: usize| -> Chars {
            if detects(&cases[ci], &dets[di]) {
                cs[ci].intersection(&ds[di]).cloned().collect()
            } else {
                HashSet::new()
            }
        };
        let mut rec = 0.0;
        let mut gran = (0, 0);
        for ci in 0..cases.len() {
            let mut u = HashSet::new();
            let mut n = 0;
            for di in 0..dets.len() {
                n += usize::from(detects(&cases[ci], &dets[di]));
                u.extend(meet(ci, di));
            }
            rec += u.len() as f64 / cs[ci].len() as f64;
            if n > 0 {
                gran.0 += 1;
                gran.1 += n;
            }
        }
        let mut prec = 0.0;
        let mut all_hit = HashSet::new();
        for di in 0..dets.len() {
            let mut u = HashSet::new();
            for ci in 0..cases.len() {
                u.extend(meet(ci, di));
            }
            prec += u.len() as f64 / ds[di].len() as f64;
            all_hit.extend(u);
        }
        let all_d: Chars = ds.iter().flatten().cloned().collect();
        let all_c: Chars = cs.iter().flatten().cloned().collect();
        (
            prec / dets.len() as f64,
            rec / cases.len() as f64,
            if gran.0 == 0 {
                1.0
            } else {
                gran.1 as f64 / gran.0 as f64
            },
            all_hit.len() as f64 / all_d.len() as f64,
            all_hit.len() as f64 / all_c.len() as f64,
        )
    }

    fn span() -> impl Strategy<Value = Span> {
        (0..3usize, 0..40usize, 1..25usize)
            .prop_map(|(d, s, n)| Span::new(["x", "y", "z"][d], s, s + n))
    }

    fn pair() -> impl Strategy<Value = (Span, Span)> {
        (span(), span()).prop_filter("two documents", |(a, b)| a.doc != b.doc)
    }

    proptest! {
        #[test]
        fn matches_the_set_oracle(
            cases in prop::collection::vec(pair(), 1..6),
            dets in prop::collection::vec(pair(), 1..6),
        ) {
            let cases: Vec<Case> = cases
                .into_iter()
                .map(|(a, b)| Case { a, b, kind: None, note: None })
                .collect();
            let dets: Vec<Detection> = dets
                .into_iter()
                .map(|(a, b)| Detection { a, b, kind: None })
                .collect();
            let s = run(cases.clone(), &dets);
            let (p, r, g, mp, mr) = oracle(&cases, &dets);
            prop_assert!((s.precision - p).abs() < 1e-9, "precision {} vs {}", s.precision, p);
            prop_assert!((s.recall - r).abs() < 1e-9, "recall {} vs {}", s.recall, r);
            prop_assert!((s.granularity - g).abs() < 1e-9);
            prop_assert!((s.micro.precision - mp).abs() < 1e-9);
            prop_assert!((s.micro.recall - mr).abs() < 1e-9);
        }
    }
}
