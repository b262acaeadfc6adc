//! CSV renderers (RFC 4180): one row per passage ([`passages`]), one row per outlet
//! ([`outlets`]) and one row per boilerplate group ([`boilerplate`]), each with a header row.
//!
//! Records end in CRLF, as RFC 4180 specifies; a field is quoted when it contains a comma,
//! a double quote, CR or LF, and quotes inside it are doubled. Newlines inside article
//! text are kept as they are (inside quotes). Offsets are characters (Unicode scalar
//! values), 0-based and half-open, as in the JSON report; numbers are written as in the
//! JSON report.
//!
//! Text from the corpus (document ids, outlets, passage texts) is written through
//! [`safe::csv_cell`]: a cell a spreadsheet would evaluate as a formula (leading `=`, `+`,
//! `-`, `@`, tab or CR) gets a leading `'`, and control characters other than tab, CR and
//! LF are shown as escapes (`\u{1b}`), so such a cell no longer equals the document's
//! slice. [`CsvOptions::raw`] (`--csv-raw`) writes every cell as it is. Columns
//! wirecopy computes (numbers, kinds, passage ids) are never altered.

use std::borrow::Cow;

use super::filter::Filter;
use super::{safe, Report};

/// Options of the CSV reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Which outlets and passages to write.
    pub filter: Filter,
    /// Write corpus text cells as they are, without the `'` before a formula prefix.
    pub raw: bool,
}

impl CsvOptions {
    /// A corpus text cell as written.
    fn text<'s>(&self, s: &'s str) -> Cow<'s, str> {
        if self.raw {
            Cow::Borrowed(s)
        } else {
            safe::csv_cell(s)
        }
    }
}

/// The columns of [`passages`].
pub const PASSAGE_COLUMNS: [&str; 16] = [
    "id",
    "kind",
    "a_doc",
    "a_outlet",
    "a_start",
    "a_end",
    "b_doc",
    "b_outlet",
    "b_start",
    "b_end",
    "similarity",
    "words",
    "direction",
    "cluster",
    "a_text",
    "b_text",
];

/// The columns of [`outlets`].
pub const OUTLET_COLUMNS: [&str; 14] = [
    "outlet",
    "articles",
    "chars",
    "passages",
    "reused_chars",
    "coverage",
    "verbatim_chars",
    "edited_chars",
    "quote_chars",
    "boilerplate_chars",
    "sources",
    "source_stories",
    "credited_articles",
    "uncredited_articles",
];

/// Append one field, quoted when needed.
fn field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

fn record<S: AsRef<str>>(out: &mut String, fields: impl IntoIterator<Item = S>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, f.as_ref());
    }
    out.push_str("\r\n");
}

/// The passages shown by the filter, one row each (boilerplate is in [`boilerplate`]).
pub fn passages(report: &Report, opts: &CsvOptions) -> String {
    let filter = &opts.filter;
    let t = |s: &str| opts.text(s).into_owned();
    let mut out = String::new();
    record(&mut out, PASSAGE_COLUMNS);
    for p in filter.passages(report, true) {
        record(
            &mut out,
            [
                p.id.clone(),
                p.kind.as_str().to_string(),
                t(&p.a.doc),
                t(&p.a.outlet),
                p.a.start.to_string(),
                p.a.end.to_string(),
                t(&p.b.doc),
                t(&p.b.outlet),
                p.b.start.to_string(),
                p.b.end.to_string(),
                p.similarity.to_string(),
                p.words.to_string(),
                match p.direction {
                    super::Direction::AToB => "a_to_b",
                    super::Direction::Undirected => "undirected",
                }
                .to_string(),
                p.cluster.to_string(),
                t(&p.a.text),
                t(&p.b.text),
            ],
        );
    }
    out
}

/// The outlets shown by the filter, by name, one row each. `credited_articles` and
/// `uncredited_articles` count the outlet's articles that reuse a directed source and do
/// or do not credit every such source.
pub fn outlets(report: &Report, opts: &CsvOptions) -> String {
    let filter = &opts.filter;
    let mut out = String::new();
    record(&mut out, OUTLET_COLUMNS);
    for o in filter.outlets(report) {
        let (credited, checked) = report.credit_tally(&o.outlet);
        record(
            &mut out,
            [
                opts.text(&o.outlet).into_owned(),
                o.articles.to_string(),
                o.chars.to_string(),
                o.passages.to_string(),
                o.reused_chars.to_string(),
                o.coverage.to_string(),
                o.by_kind.verbatim.to_string(),
                o.by_kind.edited.to_string(),
                o.by_kind.quote.to_string(),
                o.by_kind.boilerplate.to_string(),
                o.sources.len().to_string(),
                o.source_stories.to_string(),
                credited.to_string(),
                (checked - credited).to_string(),
            ],
        );
    }
    out
}

/// The columns of [`boilerplate`].
pub const BOILERPLATE_COLUMNS: [&str; 7] = [
    "id",
    "rule",
    "words",
    "documents",
    "outlets",
    "occurrences",
    "text",
];

/// The boilerplate groups shown by the filter (those occurring in a shown outlet), one row
/// each: its id, rule, words, documents, outlets and occurrences, and its text.
pub fn boilerplate(report: &Report, opts: &CsvOptions) -> String {
    let mut out = String::new();
    record(&mut out, BOILERPLATE_COLUMNS);
    for g in opts.filter.boilerplate(report) {
        record(
            &mut out,
            [
                g.id.clone(),
                g.rule.clone(),
                g.words.to_string(),
                g.documents.to_string(),
                g.outlets.len().to_string(),
                g.outlets
                    .iter()
                    .map(|o| o.occurrences.len())
                    .sum::<usize>()
                    .to_string(),
                opts.text(&g.text).into_owned(),
            ],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_rfc_4180() {
        let mut s = String::new();
        record(
            &mut s,
            ["plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", ""],
        );
        assert_eq!(
            s,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",\r\n"
        );
    }
}
