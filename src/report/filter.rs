//! Display filters shared by the reports people read (text, HTML, CSV): which outlets and
//! which passages to show. They never change what was detected — the JSON report is always
//! complete — so they live apart from [`crate::config::Settings`].

use super::{BoilerplateGroup, OutletEntry, Passage, Report};

/// Which passages and outlets a human-facing report shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only outlets with these names, and passages with either side in one of them
    /// (all when empty).
    pub outlets: Vec<String>,
    /// Only passages with at least this many identical words (a display threshold; the
    /// detection threshold is `Settings::min_words`).
    pub min_words: usize,
    /// At most this many passages, the largest (most identical words) first; shown in
    /// report order.
    pub top: Option<usize>,
}

impl Filter {
    /// Whether `outlet` passes the outlet filter.
    pub fn shows_outlet(&self, outlet: &str) -> bool {
        self.outlets.is_empty() || self.outlets.iter().any(|o| o == outlet)
    }

    /// Whether a passage passes the outlet and word filters (not `top`).
    pub fn shows_passage(&self, p: &Passage) -> bool {
        p.words >= self.min_words
            && (self.shows_outlet(&p.a.outlet) || self.shows_outlet(&p.b.outlet))
    }

    /// The outlets shown, in report order (by name).
    pub fn outlets<'r>(&self, report: &'r Report) -> Vec<&'r OutletEntry> {
        report
            .outlets
            .iter()
            .filter(|o| self.shows_outlet(&o.outlet))
            .collect()
    }

    /// The passages of the given kinds shown, in report order: filtered, then the `top` N
    /// by identical words (ties by id).
    pub fn passages<'r>(&self, report: &'r Report, reuse: bool) -> Vec<&'r Passage> {
        let mut shown: Vec<(usize, &Passage)> = report
            .passages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind.is_reuse() == reuse && self.shows_passage(p))
            .collect();
        if let Some(n) = self.top {
            shown.sort_by(|(_, x), (_, y)| y.words.cmp(&x.words).then(x.id.cmp(&y.id)));
            shown.truncate(n);
            shown.sort_by_key(|(i, _)| *i);
        }
        shown.into_iter().map(|(_, p)| p).collect()
    }

    /// The boilerplate groups shown, in report order: those occurring in a shown outlet.
    pub fn boilerplate<'r>(&self, report: &'r Report) -> Vec<&'r BoilerplateGroup> {
        report
            .boilerplate
            .iter()
            .filter(|g| g.outlets.iter().any(|o| self.shows_outlet(&o.outlet)))
            .collect()
    }

    /// Outlet names in the filter that the report does not know.
    pub fn unknown_outlets<'f>(&'f self, report: &Report) -> Vec<&'f str> {
        self.outlets
            .iter()
            .filter(|o| !report.outlets.iter().any(|e| &e.outlet == *o))
            .map(String::as_str)
            .collect()
    }
}
