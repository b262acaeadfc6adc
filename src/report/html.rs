//! HTML renderer: one self-contained page (inline CSS and vanilla JS, no requests of any
//! kind) for reading a report on a laptop or a phone.
//!
//! The page has three parts:
//!
//! * an **outlet × source matrix**: the share of each outlet's characters reused from each
//!   source outlet, as a heat map (at most [`MATRIX_MAX`] rows and columns, the outlets
//!   with the most reuse first);
//! * a **per-outlet table** with coverage bars, shares by kind, sources and credit;
//! * a **passage list** rendered by the page's script, [`PAGE_SIZE`] at a time, with
//!   filters; each passage opens both articles side by side, the passage highlighted with
//!   its edits (replaced, inserted, deleted words), both columns scrolled to it and kept in
//!   step while scrolling. `#p=ID` in the address opens passage ID.
//!
//! The tables are HTML; the passages and article texts travel as JSON in a
//! `<script type="application/json">` block (every `<` written as `\u003c`, so no text can
//! close the block) and only the visible part becomes DOM, so a corpus of thousands of
//! articles stays responsive. Text only ever reaches the page through `textContent` or
//! [`escape`], and a document's url becomes a link only when it is `http` or `https`
//! ([`super::safe::http_url`]; set as the link's `href` property, never as markup). A
//! strict Content-Security-Policy (`default-src 'none'`) blocks any request the page might
//! make; script errors and policy violations are recorded in the `<html>`
//! element's `data-errors` attribute, and `data-ready` is set once the page has rendered.
//!
//! Offsets: the report counts characters (Unicode scalar values); JavaScript strings
//! count UTF-16 code units. [`Utf16`] converts, once per document, so the script can slice
//! with `String.prototype.slice`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use serde::Serialize;

use super::filter::Filter;
use super::text::thousands;
use super::{OutletEntry, Passage, Report, Side};
use crate::align::Op;

/// Passages rendered per page of the list.
pub const PAGE_SIZE: usize = 50;

/// Most rows and columns of the outlet × source matrix.
pub const MATRIX_MAX: usize = 30;

/// The page's Content-Security-Policy: nothing may be fetched.
pub const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const CSS: &str = include_str!("html/report.css");
const JS: &str = include_str!("html/report.js");
/// Installed first, so that errors anywhere later are recorded.
const ERROR_HOOK: &str = "(function(){var h=document.documentElement,e=[];function r(m){e.push(String(m));h.setAttribute('data-errors',e.join(' | '));}window.addEventListener('error',function(ev){r(ev.message||'error')});window.addEventListener('unhandledrejection',function(ev){r(ev.reason)});document.addEventListener('securitypolicyviolation',function(ev){r('blocked by CSP: '+ev.blockedURI+' ('+ev.violatedDirective+')')});})();";

/// Options of the HTML report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlOptions {
    /// Page title.
    pub title: String,
    /// Which outlets and passages to include.
    pub filter: Filter,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions {
            title: "wirecopy report".into(),
            filter: Filter::default(),
        }
    }
}

/// Escape text for HTML element content and quoted attribute values ([`super::safe::html`]).
pub use super::safe::html as escape;

/// Character → UTF-16 offsets of one text, for a sorted set of character offsets.
pub struct Utf16 {
    map: HashMap<usize, usize>,
}

impl Utf16 {
    /// Convert `offsets` (characters, any order; past the end clamps to the end) in one
    /// pass over `text`.
    pub fn new(text: &str, offsets: impl IntoIterator<Item = usize>) -> Utf16 {
        let mut want: Vec<usize> = offsets.into_iter().collect();
        want.sort_unstable();
        want.dedup();
        let mut map = HashMap::with_capacity(want.len());
        let mut it = want.into_iter().peekable();
        let (mut chars, mut units) = (0usize, 0usize);
        for c in text.chars() {
            while it.peek() == Some(&chars) {
                map.insert(chars, units);
                it.next();
            }
            chars += 1;
            units += c.len_utf16();
        }
        for rest in it {
            map.insert(rest, units);
        }
        Utf16 { map }
    }

    /// The UTF-16 offset of a character offset given to [`Utf16::new`].
    pub fn get(&self, chars: usize) -> usize {
        self.map[&chars]
    }
}

#[derive(Serialize)]
struct DocData<'a> {
    id: &'a str,
    outlet: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    /// The url, shown as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    /// Whether the url may be a link ([`super::safe::http_url`]): the script makes one only
    /// then.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    link: bool,
    chars: usize,
    coverage: f64,
    /// Full text, or `None` when the caller had none (the viewer then shows the passage).
    text: Option<&'a str>,
}

#[derive(Serialize)]
struct SideData<'a> {
    /// Document index in `docs`.
    d: usize,
    /// Start and end in UTF-16 units of `t` if present, else of the document's text.
    s: usize,
    e: usize,
    /// The side's own text when the document's text is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    t: Option<&'a str>,
}

#[derive(Serialize)]
struct PassageData<'a> {
    id: &'a str,
    kind: &'a str,
    sim: f64,
    words: usize,
    directed: bool,
    cluster: usize,
    a: SideData<'a>,
    b: SideData<'a>,
    /// `[op, a_start, a_end, b_start, b_end]`, op 0 equal, 1 replace, 2 insert, 3 delete;
    /// offsets as for the sides.
    edits: Vec<[usize; 5]>,
}

#[derive(Serialize)]
struct Data<'a> {
    outlets: Vec<&'a str>,
    docs: Vec<DocData<'a>>,
    passages: Vec<PassageData<'a>>,
    page: usize,
}

fn op_code(op: Op) -> usize {
    match op {
        Op::Equal => 0,
        Op::Replace => 1,
        Op::Insert => 2,
        Op::Delete => 3,
    }
}

/// The data block: shown passages and the documents they touch, offsets in UTF-16 units.
fn data<'a>(report: &'a Report, texts: &[(&'a str, &'a str)], shown: &[&'a Passage]) -> Data<'a> {
    let texts: HashMap<&str, &str> = texts.iter().copied().collect();
    // Documents in report order, with every character offset the passages need.
    let mut wanted: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let doc_pos: HashMap<&str, usize> = report
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    for p in shown {
        for (side, is_a) in [(&p.a, true), (&p.b, false)] {
            let Some(&i) = doc_pos.get(side.doc.as_str()) else {
                continue;
            };
            let offs = wanted.entry(i).or_default();
            offs.extend([side.start, side.end]);
            for e in &p.edits {
                if is_a {
                    offs.extend([e.a_start, e.a_end]);
                } else {
                    offs.extend([e.b_start, e.b_end]);
                }
            }
        }
    }
    let mut docs = Vec::new();
    let mut index: HashMap<&str, (usize, Option<Utf16>)> = HashMap::new();
    for (i, offs) in wanted {
        let d = &report.documents[i];
        // A text whose length disagrees with the report is not the text analysed.
        let text = texts
            .get(d.id.as_str())
            .copied()
            .filter(|t| t.chars().count() == d.chars);
        index.insert(&d.id, (docs.len(), text.map(|t| Utf16::new(t, offs))));
        docs.push(DocData {
            id: &d.id,
            outlet: &d.outlet,
            title: d.title.as_deref(),
            date: d.date.as_deref(),
            url: d.url.as_deref(),
            link: d.url.as_deref().and_then(super::safe::http_url).is_some(),
            chars: d.chars,
            coverage: d.coverage,
            text,
        });
    }
    let mut passages = Vec::new();
    for p in shown {
        let (Some((da, ua)), Some((db, ub))) =
            (index.get(p.a.doc.as_str()), index.get(p.b.doc.as_str()))
        else {
            continue;
        };
        // Per side: the document's map, or one over the side's own text.
        let own = |s: &Side, is_a: bool| {
            let mut offs = vec![s.start, s.end];
            for e in &p.edits {
                offs.extend(if is_a {
                    [e.a_start, e.a_end]
                } else {
                    [e.b_start, e.b_end]
                });
            }
            let base = s.start;
            Utf16::new(&s.text, offs.into_iter().map(|o| o.saturating_sub(base)))
        };
        let (oa, ob) = (
            ua.is_none().then(|| own(&p.a, true)),
            ub.is_none().then(|| own(&p.b, false)),
        );
        let conv =
            |full: &Option<Utf16>, own: &Option<Utf16>, base: usize, o: usize| match (full, own) {
                (Some(m), _) => m.get(o),
                (None, Some(m)) => m.get(o.saturating_sub(base)),
                (None, None) => unreachable!("one map per side"),
            };
        let ca = |o| conv(ua, &oa, p.a.start, o);
        let cb = |o| conv(ub, &ob, p.b.start, o);
        passages.push(PassageData {
            id: &p.id,
            kind: p.kind.as_str(),
            sim: p.similarity,
            words: p.words,
            directed: p.direction == super::Direction::AToB,
            cluster: p.cluster,
            a: SideData {
                d: *da,
                s: ca(p.a.start),
                e: ca(p.a.end),
                t: ua.is_none().then_some(p.a.text.as_str()),
            },
            b: SideData {
                d: *db,
                s: cb(p.b.start),
                e: cb(p.b.end),
                t: ub.is_none().then_some(p.b.text.as_str()),
            },
            edits: p
                .edits
                .iter()
                .map(|e| {
                    [
                        op_code(e.op),
                        ca(e.a_start),
                        ca(e.a_end),
                        cb(e.b_start),
                        cb(e.b_end),
                    ]
                })
                .collect(),
        });
    }
    let mut outlets: Vec<&str> = docs.iter().map(|d| d.outlet).collect();
    outlets.sort_unstable();
    outlets.dedup();
    Data {
        outlets,
        docs,
        passages,
        page: PAGE_SIZE,
    }
}

fn pct(x: f64) -> String {
    let p = x * 100.0;
    if p > 0.0 && p < 0.05 {
        "<0.1%".into()
    } else {
        format!("{p:.1}%")
    }
}

/// The heat map: rows reuse from columns.
fn matrix(out: &mut String, outlets: &[&OutletEntry]) {
    let mut rows: Vec<&&OutletEntry> = outlets.iter().filter(|o| !o.sources.is_empty()).collect();
    rows.sort_by(|x, y| {
        y.coverage
            .total_cmp(&x.coverage)
            .then(x.outlet.cmp(&y.outlet))
    });
    let mut col_total: BTreeMap<&str, usize> = BTreeMap::new();
    for o in &rows {
        for s in &o.sources {
            *col_total.entry(&s.outlet).or_default() += s.chars;
        }
    }
    let mut cols: Vec<(&str, usize)> = col_total.into_iter().collect();
    cols.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
    if rows.is_empty() {
        out.push_str("<p class=\"muted\">No outlet reused another's text.</p>");
        return;
    }
    let (nr, nc) = (rows.len(), cols.len());
    rows.truncate(MATRIX_MAX);
    cols.truncate(MATRIX_MAX);
    out.push_str("<div class=\"scroll\"><table class=\"matrix\"><thead><tr><th class=\"corner\">outlet ↓ reused from →</th>");
    for (c, _) in &cols {
        let _ = write!(
            out,
            "<th class=\"col\" title=\"{0}\"><span>{0}</span></th>",
            escape(c)
        );
    }
    out.push_str("</tr></thead><tbody>");
    for o in &rows {
        let _ = write!(
            out,
            "<tr><th class=\"row\" title=\"{0}\">{0}</th>",
            escape(&o.outlet)
        );
        for (c, _) in &cols {
            match o.sources.iter().find(|s| s.outlet == *c) {
                Some(s) if o.chars > 0 => {
                    let share = s.chars as f64 / o.chars as f64;
                    // Square root so that small shares still show.
                    let alpha = 0.08 + 0.92 * share.clamp(0.0, 1.0).sqrt();
                    let _ = write!(
                        out,
                        "<td class=\"heat{}\" style=\"--a:{alpha:.3}\" title=\"{} reused {} chars ({}) from {} in {}\">{}</td>",
                        if alpha > 0.55 { " dark" } else { "" },
                        escape(&o.outlet),
                        thousands(s.chars),
                        pct(share),
                        escape(c),
                        if s.passages == 1 { "1 passage".to_string() } else { format!("{} passages", s.passages) },
                        pct(share)
                    );
                }
                _ => out.push_str("<td class=\"none\"></td>"),
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    if nr > rows.len() || nc > cols.len() {
        let _ = write!(
            out,
            "<p class=\"muted\">Showing {} of {nr} outlets and {} of {nc} sources, most reuse first.</p>",
            rows.len(),
            cols.len()
        );
    }
}

fn outlet_table(out: &mut String, report: &Report, outlets: &[&OutletEntry]) {
    let mut rows: Vec<&&OutletEntry> = outlets.iter().collect();
    rows.sort_by(|x, y| {
        y.coverage
            .total_cmp(&x.coverage)
            .then(x.outlet.cmp(&y.outlet))
    });
    out.push_str(
        "<div class=\"scroll\"><table class=\"outlets\"><thead><tr><th>outlet</th>\
         <th class=\"num\">articles</th><th class=\"num\">passages</th><th>reused</th>\
         <th>by kind</th><th class=\"num\">sources</th><th>credit</th></tr></thead><tbody>",
    );
    for o in rows {
        let share = |n: usize| {
            if o.chars == 0 {
                0.0
            } else {
                n as f64 / o.chars as f64
            }
        };
        let (credited, checked) = report.credit_tally(&o.outlet);
        let credit = if checked == 0 {
            "<span class=\"muted\">—</span>".to_string()
        } else {
            format!(
                "<span class=\"{}\">{credited}/{checked} credited</span>",
                if credited == checked { "ok" } else { "warn" }
            )
        };
        let _ = write!(
            out,
            "<tr><th class=\"row\" title=\"{name}\">{name}</th><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"cov\"><span class=\"bar\"><span style=\"width:{:.1}%\"></span></span>{}</td>\
             <td class=\"kinds\">{}</td><td class=\"num\" title=\"{}\">{}</td><td>{credit}</td></tr>",
            thousands(o.articles),
            thousands(o.passages),
            (o.coverage * 100.0).clamp(0.0, 100.0),
            pct(o.coverage),
            [
                ("edited", o.by_kind.edited),
                ("verbatim", o.by_kind.verbatim),
                ("quote", o.by_kind.quote),
            ]
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("<i class=\"k-{k}\"></i>{k} {}", pct(share(*n))))
            .collect::<Vec<_>>()
            .join("<br>"),
            escape(
                &o.sources
                    .iter()
                    .map(|s| format!("{} ({} chars)", s.outlet, thousands(s.chars)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            thousands(o.sources.len()),
            name = escape(&o.outlet),
        );
    }
    out.push_str("</tbody></table></div>");
}

/// Render the report as one self-contained HTML page. `texts` gives the full text of
/// documents by id (the report carries only passage texts); a document without one is
/// shown as its passage alone.
pub fn render(report: &Report, texts: &[(&str, &str)], opts: &HtmlOptions) -> String {
    let f = &opts.filter;
    let mut shown = f.passages(report, true);
    shown.extend(f.passages(report, false));
    let data = data(report, texts, &shown);
    let json = serde_json::to_string(&data)
        .expect("report data always serialises")
        .replace('<', "\\u003c");
    let outlets = f.outlets(report);
    let s = &report.summary;
    let title = escape(&opts.title);
    let mut out = String::with_capacity(json.len() + CSS.len() + JS.len() + 16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\" data-errors=\"\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"wirecopy {}\">\n<title>{title}</title>\n\
         <script>{ERROR_HOOK}</script>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        escape(&report.wirecopy_version)
    );
    let reuse = report.passages.iter().filter(|p| p.kind.is_reuse()).count();
    let _ = write!(
        out,
        "<header><h1>{title}</h1><p class=\"sub\">wirecopy {} · {} documents from {} outlets · \
         {} reuse passages in {} clusters · {} pairs verified · settings {}</p></header>\n<main>\n",
        escape(&report.wirecopy_version),
        thousands(s.documents),
        thousands(s.outlets),
        thousands(reuse),
        thousands(s.clusters),
        thousands(s.verified_pairs),
        escape(&report.fingerprint),
    );
    out.push_str("<section class=\"card\" id=\"matrix\"><h2>Who reused whom</h2><p class=\"muted\">Share of each outlet's text (rows) reused from each source (columns).</p>");
    matrix(&mut out, &outlets);
    out.push_str("</section>\n<section class=\"card\" id=\"outlets\"><h2>Outlets</h2><p class=\"muted\">Reused share of each outlet's text, boilerplate not counted; by kind; source outlets; articles crediting every source they reuse.</p>");
    outlet_table(&mut out, report, &outlets);
    let _ = write!(
        out,
        "</section>\n<section class=\"card wide\" id=\"passages\"><h2>Passages</h2>\n\
         <form id=\"controls\" class=\"controls\" autocomplete=\"off\">\
         <label>outlet <select id=\"f-outlet\"><option value=\"\">all</option></select></label>\
         <label>kind <select id=\"f-kind\"><option value=\"reuse\">reuse</option>\
         <option value=\"edited\">edited</option><option value=\"verbatim\">verbatim</option>\
         <option value=\"quote\">quote</option>\
         <option value=\"all\">all</option></select></label>\
         <label>min words <input id=\"f-words\" type=\"number\" min=\"0\" value=\"0\"></label>\
         <label>sort <select id=\"f-sort\"><option value=\"words\">most words</option>\
         <option value=\"sim\">most edited</option><option value=\"doc\">document order</option></select></label>\
         <label class=\"grow\">search <input id=\"f-q\" type=\"search\" placeholder=\"text in either side\"></label>\
         </form>\n<p id=\"count\" class=\"muted\">{} passages</p>\n<ol id=\"list\" class=\"plist\"></ol>\n\
         <button id=\"more\" type=\"button\" hidden>Show more</button>\n\
         <noscript><p>The passage list needs JavaScript.</p></noscript>\n</section>\n",
        thousands(shown.len())
    );
    boilerplate_section(&mut out, &f.boilerplate(report));
    out.push_str("</main>\n");
    out.push_str(
        "<div id=\"viewer\" class=\"viewer\" hidden role=\"dialog\" aria-modal=\"true\" aria-labelledby=\"v-title\">\
         <div class=\"vbox\"><div class=\"vhead\"><div id=\"v-title\" class=\"vtitle\"></div>\
         <div class=\"vbtns\"><label class=\"sync\"><input id=\"v-sync\" type=\"checkbox\" checked> sync scroll</label>\
         <button id=\"v-prev\" type=\"button\" title=\"previous passage (k)\">‹</button>\
         <button id=\"v-next\" type=\"button\" title=\"next passage (j)\">›</button>\
         <button id=\"v-close\" type=\"button\" title=\"close (Esc)\">✕</button></div></div>\
         <div class=\"legend\"><span class=\"cur\">reused</span> <span class=\"rep\">replaced</span> \
         <span class=\"ins\">inserted</span> <span class=\"del\">deleted</span> <span class=\"reu\">other reuse</span></div>\
         <div class=\"panes\"><article id=\"pa\" class=\"pane\"></article><article id=\"pb\" class=\"pane\"></article></div>\
         </div></div>\n",
    );
    let _ = write!(
        out,
        "<script type=\"application/json\" id=\"data\">{json}</script>\n<script>\n{JS}</script>\n</body>\n</html>\n"
    );
    out
}

/// Boilerplate groups shown in the boilerplate section, the most widespread first.
const BOILERPLATE_ROWS: usize = 50;

/// The boilerplate groups as a short table: each repeated text once, with how widely it
/// occurs. Rendered on the server: it needs no script.
fn boilerplate_section(out: &mut String, groups: &[&super::BoilerplateGroup]) {
    if groups.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section class=\"card wide\" id=\"boilerplate\"><h2>Boilerplate</h2><p class=\"muted\">\
         {} of repeated text (footers, notices, text common to the corpus or an outlet), each \
         listed once; never counted as reuse, and pairs that share only these are not aligned.</p>\
         <table><thead><tr><th>text</th><th>rule</th><th>words</th><th>documents</th>\
         <th>outlets</th></tr></thead><tbody>",
        if groups.len() == 1 {
            "One group".to_string()
        } else {
            format!("{} groups", thousands(groups.len()))
        }
    );
    for g in groups.iter().take(BOILERPLATE_ROWS) {
        let outlets = g.outlets_by_count();
        let mut named: Vec<String> = outlets
            .iter()
            .take(5)
            .map(|(n, o)| format!("{} ({n})", escape(o)))
            .collect();
        if outlets.len() > 5 {
            named.push(format!("{} more", outlets.len() - 5));
        }
        let text: String = g.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let excerpt: String = if text.chars().count() > 300 {
            text.chars().take(300).chain(['\u{2026}']).collect()
        } else {
            text
        };
        let _ = write!(
            out,
            "<tr id=\"{}\"><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(&g.id),
            escape(&excerpt),
            escape(&g.rule),
            thousands(g.words),
            thousands(g.documents),
            named.join(", ")
        );
    }
    out.push_str("</tbody></table>");
    if groups.len() > BOILERPLATE_ROWS {
        let _ = write!(
            out,
            "<p class=\"muted\">{} more groups in the JSON report.</p>",
            thousands(groups.len() - BOILERPLATE_ROWS)
        );
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_offsets_count_surrogate_pairs() {
        let t = "a😀b€c";
        let m = Utf16::new(t, [0, 1, 2, 3, 4, 5, 9]);
        assert_eq!(
            [0, 1, 2, 3, 4, 5].map(|i| m.get(i)),
            [0, 1, 3, 4, 5, 6],
            "😀 is two UTF-16 units"
        );
        assert_eq!(m.get(9), 6, "past the end clamps");
    }

    fn report_of(docs: &[(&str, &str, &str)]) -> Report {
        use crate::corpus::{Corpus, Document};
        let corpus = Corpus::from_documents(
            docs.iter()
                .map(|(id, outlet, text)| Document::new(id, outlet, text))
                .collect(),
        );
        crate::analyze(&corpus, &crate::config::Settings::default()).unwrap()
    }

    #[test]
    fn article_markup_never_reaches_the_page_as_markup() {
        let evil = "</script><script>alert(1)</script> <!-- <b>bold</b> & more";
        let shared = "Russia and the United States agreed on Tuesday to begin working toward ending the war in Ukraine and improving their diplomatic and economic ties, officials said.";
        let a = format!("{evil} {shared}");
        let b = format!("Officials: {shared} {evil}");
        let report = report_of(&[("a<1>", "<i>wire</i>", &a), ("b", "daily", &b)]);
        assert!(!report.passages.is_empty());
        let texts = [("a<1>", a.as_str()), ("b", b.as_str())];
        let html = render(&report, &texts, &HtmlOptions::default());
        // Our own three scripts, nothing else.
        assert_eq!(html.matches("<script").count(), 3, "{html}");
        assert_eq!(html.matches("</script>").count(), 3);
        assert!(!html.contains("<b>") && !html.contains("<i>wire"));
        assert!(html.contains("&lt;i&gt;wire&lt;/i&gt;"));
        // The data block parses back and holds the texts unchanged.
        let start = html.find("id=\"data\">").unwrap() + "id=\"data\">".len();
        let end = start + html[start..].find("</script>").unwrap();
        let v: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
        let texts: Vec<&str> = v["docs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["text"].as_str().unwrap())
            .collect();
        assert_eq!(texts, [a.as_str(), b.as_str()]);
    }

    #[test]
    fn without_texts_the_passage_sides_stand_in() {
        let shared = "a😀 Russia and the United States agreed on Tuesday to begin working toward ending the war in Ukraine and improving ties";
        let a = format!("Intro. {shared}");
        let report = report_of(&[("a", "x", &a), ("b", "y", shared)]);
        let html = render(&report, &[], &HtmlOptions::default());
        let start = html.find("id=\"data\">").unwrap() + "id=\"data\">".len();
        let end = start + html[start..].find("</script>").unwrap();
        let v: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
        let p = &v["passages"][0];
        let t: Vec<u16> = p["a"]["t"].as_str().unwrap().encode_utf16().collect();
        assert_eq!(p["a"]["s"], 0);
        assert_eq!(p["a"]["e"].as_u64().unwrap() as usize, t.len());
        assert!(v["docs"][0]["text"].is_null());
    }
}
