//! Terminal renderer: a summary table per outlet, who reused whom, credit, then each passage
//! with its word-level edits.
//!
//! Passages are stacked (side A, side B, then the edits as one line of B's text with A's
//! words marked: `[-deleted-]`, `{+inserted+}`, `[-old-]{+new+}`) below
//! [`SIDE_BY_SIDE_WIDTH`] columns, and shown as two columns from there on. With colour,
//! kept words are plain, replaced words yellow, inserted green and deleted red, and the
//! markers are left out; without colour the markers carry the same information.
//!
//! Every line fits `width` columns, counting one column per character (the renderer
//! does not try to measure East Asian wide characters). The renderer reads no environment:
//! the caller decides width and colour.
//!
//! Corpus text never reaches the terminal with a control character in it
//! ([`super::safe::terminal`]): wrapped text (passages, edits, messages) is split into
//! words at white space, which becomes a space or a line break, and each word is escaped;
//! a name in a column or a heading (an outlet, a passage id) is escaped whole, tabs and
//! newlines included. Widths are counted on the escaped text, which is what is printed.

use std::fmt::Write;

use super::filter::Filter;
use super::safe::terminal;
use super::{Direction, Edit, OutletEntry, Passage, Report, Side};
use crate::align::Op;

/// From this width on, passages are shown side by side.
pub const SIDE_BY_SIDE_WIDTH: usize = 120;

/// Narrowest width rendered; smaller widths are raised to it.
pub const MIN_WIDTH: usize = 40;

/// Options of the text report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextOptions {
    /// Line width to wrap to (at least [`MIN_WIDTH`]).
    pub width: usize,
    /// Use ANSI colours.
    pub color: bool,
    /// Which outlets and passages to show.
    pub filter: Filter,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            width: 80,
            color: false,
            filter: Filter::default(),
        }
    }
}

/// How a piece of passage text is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// Plain text (kept words, spaces, labels).
    Plain,
    /// A word replaced by another.
    Replaced,
    /// A word only in B.
    Inserted,
    /// A word only in A.
    Deleted,
    /// Headings.
    Bold,
    /// Secondary information.
    Dim,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Plain => "",
            Style::Replaced => "\x1b[33m",
            Style::Inserted => "\x1b[32m",
            Style::Deleted => "\x1b[31m",
            Style::Bold => "\x1b[1m",
            Style::Dim => "\x1b[2m",
        }
    }
}

const RESET: &str = "\x1b[0m";

/// A run of characters in one style.
#[derive(Debug, Clone)]
struct Span {
    text: String,
    style: Style,
}

/// A line of spans and its width in characters.
#[derive(Debug, Clone, Default)]
struct Line {
    spans: Vec<Span>,
    width: usize,
}

impl Line {
    fn push(&mut self, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        self.width += text.chars().count();
        match self.spans.last_mut() {
            Some(last) if last.style == style => last.text.push_str(text),
            _ => self.spans.push(Span {
                text: text.to_string(),
                style,
            }),
        }
    }

    fn render(&self, color: bool) -> String {
        let mut s = String::new();
        for sp in &self.spans {
            if color && sp.style != Style::Plain {
                s.push_str(sp.style.code());
                s.push_str(&sp.text);
                s.push_str(RESET);
            } else {
                s.push_str(&sp.text);
            }
        }
        s
    }
}

/// A word for wrapping: pieces glued together (a word and its punctuation, markers).
type Word = Vec<(String, Style)>;

fn word_width(w: &Word) -> usize {
    w.iter().map(|(t, _)| t.chars().count()).sum()
}

/// Greedy word wrap to `avail` columns; words longer than a line are broken.
fn wrap_words(words: &[Word], avail: usize) -> Vec<Line> {
    let avail = avail.max(1);
    let mut lines = Vec::new();
    let mut line = Line::default();
    for w in words {
        let ww = word_width(w);
        if line.width > 0 && line.width + 1 + ww > avail {
            lines.push(std::mem::take(&mut line));
        }
        if line.width > 0 {
            // A space between two words of one style takes it (fewer escape codes).
            let prev = line.spans.last().map(|s| s.style);
            let next = w.first().map(|p| p.1);
            line.push(
                " ",
                if prev == next {
                    next.unwrap_or(Style::Plain)
                } else {
                    Style::Plain
                },
            );
        }
        for (text, style) in w {
            for c in text.chars() {
                if line.width >= avail {
                    lines.push(std::mem::take(&mut line));
                }
                let mut b = [0u8; 4];
                line.push(c.encode_utf8(&mut b), *style);
            }
        }
    }
    if line.width > 0 {
        lines.push(line);
    }
    lines
}

/// Split styled text into words at whitespace (newlines included); pieces not separated by
/// whitespace stay one word. The whitespace is dropped (the wrapper lays words out) and
/// each piece is escaped for the terminal.
fn words_of(pieces: &[(String, Style)]) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    let mut open = false;
    for (text, style) in pieces {
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let ws = rest.len() - rest.trim_start().len();
            if ws > 0 {
                open = false;
                rest = &rest[ws..];
                continue;
            }
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let piece = (terminal(&rest[..end]).into_owned(), *style);
            if open {
                words.last_mut().expect("open word").push(piece);
            } else {
                words.push(vec![piece]);
                open = true;
            }
            rest = &rest[end..];
        }
    }
    words
}

fn plain_words(text: &str) -> Vec<Word> {
    words_of(&[(text.to_string(), Style::Plain)])
}

/// Write `words` wrapped to `width` with an indent.
fn wrap_into(out: &mut String, words: &[Word], indent: usize, width: usize, color: bool) {
    for l in wrap_words(words, width.saturating_sub(indent)) {
        let _ = writeln!(out, "{:indent$}{}", "", l.render(color));
    }
}

pub(crate) fn wrap(out: &mut String, text: &str, indent: usize, width: usize) {
    wrap_into(out, &plain_words(text), indent, width, false);
}

pub(crate) fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn share(part: usize, whole: usize) -> String {
    if whole == 0 || part == 0 {
        "-".into()
    } else {
        pct(part as f64 / whole as f64)
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `s` cut to `n` characters, with `…` when cut.
fn fit(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Slice a side's text by document character offsets.
fn slice(side: &Side, start: usize, end: usize) -> &str {
    let s = start.saturating_sub(side.start);
    let e = end.saturating_sub(side.start);
    let mut it = side
        .text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(side.text.len()));
    let bs = it.nth(s).unwrap_or(side.text.len());
    let be = if e > s {
        it.nth(e - s - 1).unwrap_or(side.text.len())
    } else {
        bs
    };
    &side.text[bs..be]
}

/// The edit script as one line of B's text with A's words marked where they differ.
pub fn diff_line(p: &Passage) -> String {
    let mut out = String::new();
    let mut b_pos = p.b.start;
    // A deletion marker sits where B has no text, so a space must separate it from what follows.
    let mut need_space = false;
    for e in &p.edits {
        let Edit {
            op,
            a_start,
            a_end,
            b_start,
            b_end,
            ..
        } = *e;
        if b_start > b_pos {
            out.push_str(slice(&p.b, b_pos, b_start));
        } else if (op == Op::Delete || need_space) && !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        need_space = op == Op::Delete;
        match op {
            Op::Equal => out.push_str(slice(&p.b, b_start, b_end)),
            Op::Replace => {
                let _ = write!(
                    out,
                    "[-{}-]{{+{}+}}",
                    slice(&p.a, a_start, a_end),
                    slice(&p.b, b_start, b_end)
                );
            }
            Op::Delete => {
                let _ = write!(out, "[-{}-]", slice(&p.a, a_start, a_end));
            }
            Op::Insert => {
                let _ = write!(out, "{{+{}+}}", slice(&p.b, b_start, b_end));
            }
        }
        b_pos = b_pos.max(b_end);
    }
    out
}

/// One side of a passage as styled pieces: kept text plain, the side's own edits styled and,
/// without colour, marked (`[-…-]` on A, `{+…+}` on B).
fn side_pieces(p: &Passage, is_a: bool, color: bool) -> Vec<(String, Style)> {
    let side = if is_a { &p.a } else { &p.b };
    let mut pieces = Vec::new();
    let mut pos = side.start;
    for e in &p.edits {
        let (s, t) = if is_a {
            (e.a_start, e.a_end)
        } else {
            (e.b_start, e.b_end)
        };
        if s > pos {
            pieces.push((slice(side, pos, s).to_string(), Style::Plain));
        }
        let style = match (e.op, is_a) {
            (Op::Equal, _) => Style::Plain,
            (Op::Replace, _) => Style::Replaced,
            (Op::Delete, true) => Style::Deleted,
            (Op::Insert, false) => Style::Inserted,
            _ => {
                pos = pos.max(t);
                continue;
            }
        };
        let text = slice(side, s, t);
        if style == Style::Plain || color {
            pieces.push((text.to_string(), style));
        } else if is_a {
            pieces.push((format!("[-{text}-]"), style));
        } else {
            pieces.push((format!("{{+{text}+}}"), style));
        }
        pos = pos.max(t);
    }
    if pos < side.end {
        pieces.push((slice(side, pos, side.end).to_string(), Style::Plain));
    }
    pieces
}

fn heading(out: &mut String, width: usize, text: &str, color: bool) {
    out.push('\n');
    let words = words_of(&[(text.to_string(), Style::Bold)]);
    wrap_into(out, &words, 0, width, color);
}

fn outlet_table(out: &mut String, report: &Report, outlets: &[&OutletEntry], w: usize, c: bool) {
    // Right-aligned numeric columns after the outlet name.
    const COLS: [(&str, usize); 8] = [
        ("arts", 5),
        ("pass", 5),
        ("reused", 7),
        ("edited", 7),
        ("verbat", 7),
        ("quote", 6),
        ("srcs", 5),
        ("credit", 7),
    ];
    let fixed: usize = COLS.iter().map(|(_, n)| n + 1).sum();
    if w < fixed + 12 {
        return outlet_blocks(out, report, outlets, w, c);
    }
    let longest = outlets
        .iter()
        .map(|o| terminal(&o.outlet).chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    let name_w = longest.min(w.saturating_sub(fixed)).max(6);
    let mut head = format!("{:<name_w$}", "outlet");
    for (label, n) in COLS {
        let _ = write!(head, " {label:>n$}");
    }
    let mut l = Line::default();
    l.push(&head, Style::Dim);
    let _ = writeln!(out, "{}", l.render(c));
    for o in outlets {
        let (credited, checked) = report.credit_tally(&o.outlet);
        let cells = [
            thousands(o.articles),
            thousands(o.passages),
            pct(o.coverage),
            share(o.by_kind.edited, o.chars),
            share(o.by_kind.verbatim, o.chars),
            share(o.by_kind.quote, o.chars),
            thousands(o.sources.len()),
            if checked == 0 {
                "-".into()
            } else {
                format!("{credited}/{checked}")
            },
        ];
        let mut row = format!("{:<name_w$}", fit(&terminal(&o.outlet), name_w));
        for ((_, n), cell) in COLS.iter().zip(cells) {
            let _ = write!(row, " {cell:>n$}");
        }
        let _ = writeln!(out, "{row}");
    }
    out.push('\n');
    let mut legend = Line::default();
    let words = plain_words(
        "arts: articles; pass: reuse passages; reused, edited, verbat(im), quote: share of \
         the outlet's characters (boilerplate not counted); srcs: source outlets; credit: \
         articles crediting every source they reuse / articles reusing a directed source.",
    );
    for l in wrap_words(&words, w) {
        legend.spans = l.spans;
        legend.spans.iter_mut().for_each(|s| s.style = Style::Dim);
        let _ = writeln!(out, "{}", legend.render(c));
    }
}

/// The outlet table for narrow terminals: one short block per outlet.
fn outlet_blocks(out: &mut String, report: &Report, outlets: &[&OutletEntry], w: usize, c: bool) {
    for o in outlets {
        let mut l = Line::default();
        l.push(&fit(&terminal(&o.outlet), w), Style::Bold);
        let _ = writeln!(out, "{}", l.render(c));
        let (credited, checked) = report.credit_tally(&o.outlet);
        let credit = if checked == 0 {
            String::new()
        } else {
            format!("; {credited} of {checked} credit their sources")
        };
        let kinds: Vec<String> = [
            ("edited", o.by_kind.edited),
            ("verbatim", o.by_kind.verbatim),
            ("quote", o.by_kind.quote),
        ]
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {}", share(*n, o.chars)))
        .collect();
        let text = format!(
            "{}, {}, reused {}{}; {}{credit}",
            plural(o.articles, "article", "articles"),
            plural(o.passages, "passage", "passages"),
            pct(o.coverage),
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.join(", "))
            },
            plural(o.sources.len(), "source", "sources"),
        );
        wrap(out, &text, 4, w);
    }
}

/// Render the report as text.
pub fn render(report: &Report, opts: &TextOptions) -> String {
    let w = opts.width.max(MIN_WIDTH);
    let c = opts.color;
    let f = &opts.filter;
    let mut out = String::new();
    let s = &report.summary;
    wrap(
        &mut out,
        &format!(
            "wirecopy {}: {} from {}",
            report.wirecopy_version,
            plural(s.documents, "document", "documents"),
            plural(s.outlets, "outlet", "outlets"),
        ),
        0,
        w,
    );
    wrap(
        &mut out,
        &format!(
            "{} compared, {} verified{}, {} in {}",
            plural(s.candidate_pairs, "pair", "pairs"),
            thousands(s.verified_pairs),
            if s.aligned_pairs < s.verified_pairs {
                format!(
                    " ({} aligned: at most {} partners per article)",
                    thousands(s.aligned_pairs),
                    report.settings.max_partners
                )
            } else {
                String::new()
            },
            plural(s.passages, "passage", "passages"),
            plural(s.clusters, "cluster", "clusters"),
        ),
        0,
        w,
    );

    let mut outlets = f.outlets(report);
    outlets.sort_by(|x, y| {
        y.coverage
            .total_cmp(&x.coverage)
            .then(x.outlet.cmp(&y.outlet))
    });
    heading(
        &mut out,
        w,
        &fit(
            &format!(
                "OUTLETS ({}{}, most reuse first)",
                plural(outlets.len(), "outlet", "outlets"),
                if outlets.len() < report.outlets.len() {
                    format!(" of {}", thousands(report.outlets.len()))
                } else {
                    String::new()
                }
            ),
            w,
        ),
        c,
    );
    outlet_table(&mut out, report, &outlets, w, c);

    if outlets.iter().any(|o| !o.sources.is_empty()) {
        heading(&mut out, w, "SOURCES (characters reused, by source)", c);
        let longest = outlets
            .iter()
            .flat_map(|o| &o.sources)
            .map(|s| terminal(&s.outlet).chars().count())
            .max()
            .unwrap_or(0);
        for o in &outlets {
            if o.sources.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{}", fit(&terminal(&o.outlet), w));
            for src in &o.sources {
                let tail = format!(
                    " {:>9} chars in {}",
                    thousands(src.chars),
                    plural(src.passages, "passage", "passages")
                );
                let room = w.saturating_sub(tail.chars().count() + 9);
                if room >= longest.min(20) {
                    let name_w = longest.min(room);
                    let name = fit(&terminal(&src.outlet), name_w);
                    let _ = writeln!(out, "    from {name:<name_w$}{tail}");
                } else {
                    wrap(&mut out, &format!("from {}:{tail}", src.outlet), 4, w);
                }
            }
        }
    }

    let credits: Vec<_> = report
        .documents
        .iter()
        .filter(|d| f.shows_outlet(&d.outlet))
        .filter_map(|d| d.credit.as_ref().map(|cr| (d, cr)))
        .collect();
    if !credits.is_empty() {
        heading(
            &mut out,
            w,
            "CREDIT (articles reusing text from a directed source)",
            c,
        );
        for (d, cr) in credits {
            let line = if cr.credited {
                let names: Vec<_> = cr.matches.iter().map(|m| format!("{:?}", m.text)).collect();
                format!(
                    "{}: credits {} ({})",
                    d.id,
                    cr.sources.join(", "),
                    names.join(", ")
                )
            } else {
                format!("{}: does NOT credit {}", d.id, cr.uncredited.join(", "))
            };
            wrap(&mut out, &line, 4, w);
        }
    }

    let total = report.passages.iter().filter(|p| p.kind.is_reuse()).count();
    let shown = f.passages(report, true);
    heading(
        &mut out,
        w,
        &format!(
            "PASSAGES ({}{})",
            plural(total, "reuse passage", "reuse passages"),
            if shown.len() < total {
                format!(", {} shown", thousands(shown.len()))
            } else {
                String::new()
            }
        ),
        c,
    );
    for p in shown {
        passage(&mut out, p, w, c);
    }
    let groups = f.boilerplate(report);
    if !groups.is_empty() {
        heading(
            &mut out,
            w,
            &format!(
                "BOILERPLATE ({} of repeated text, not counted as reuse)",
                plural(groups.len(), "group", "groups")
            ),
            c,
        );
        for g in groups {
            boilerplate_group(&mut out, g, w, c);
        }
    }
    if !report.problems.is_empty() {
        heading(&mut out, w, "PROBLEMS", c);
        for p in &report.problems {
            wrap(&mut out, &p.to_string(), 4, w);
        }
    }
    out
}

/// Longest excerpt of a boilerplate group's text shown, in characters.
const BOILERPLATE_EXCERPT: usize = 240;
/// Outlets named per boilerplate group.
const BOILERPLATE_OUTLETS: usize = 6;

fn boilerplate_group(out: &mut String, g: &super::BoilerplateGroup, w: usize, c: bool) {
    let mut head = Line::default();
    head.push(&g.rule.to_uppercase(), Style::Bold);
    head.push(&format!(" {}", terminal(&g.id)), Style::Plain);
    let _ = writeln!(out, "\n{}", head.render(c));
    let outlets = g.outlets_by_count();
    let mut named: Vec<String> = outlets
        .iter()
        .take(BOILERPLATE_OUTLETS)
        .map(|(n, o)| format!("{o} ({n})"))
        .collect();
    if outlets.len() > BOILERPLATE_OUTLETS {
        named.push(format!("{} more", outlets.len() - BOILERPLATE_OUTLETS));
    }
    wrap(
        out,
        &format!(
            "{} words, in {} of {}: {}",
            g.words,
            plural(g.documents, "document", "documents"),
            plural(outlets.len(), "outlet", "outlets"),
            named.join(", ")
        ),
        4,
        w,
    );
    let text: String = g.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let excerpt = if text.chars().count() > BOILERPLATE_EXCERPT {
        let cut: String = text.chars().take(BOILERPLATE_EXCERPT).collect();
        format!("{cut}\u{2026}")
    } else {
        text
    };
    wrap(out, &format!("\"{excerpt}\""), 4, w);
}

fn passage(out: &mut String, p: &Passage, w: usize, c: bool) {
    let arrow = match p.direction {
        Direction::AToB => "->",
        Direction::Undirected => "<->",
    };
    let mut head = Line::default();
    head.push(&p.kind.as_str().to_uppercase(), Style::Bold);
    head.push(&format!(" {}", terminal(&p.id)), Style::Plain);
    let _ = writeln!(out, "\n{}", head.render(c));
    wrap(out, &format!("{} {arrow} {}", p.a.doc, p.b.doc), 4, w);
    wrap(
        out,
        &format!(
            "{} identical words, similarity {:.0}%, cluster {}",
            p.words,
            p.similarity * 100.0,
            p.cluster
        ),
        4,
        w,
    );
    let has_edits = p.edits.iter().any(|e| e.op != Op::Equal);
    if w >= SIDE_BY_SIDE_WIDTH {
        side_by_side(out, p, w, c);
        return;
    }
    for (label, is_a) in [("A", true), ("B", false)] {
        let s = if is_a { &p.a } else { &p.b };
        wrap(
            out,
            &format!("{label} {} [{}..{}]", s.doc, s.start, s.end),
            2,
            w,
        );
        // Without colour the sides are plain and the edits line below marks the changes.
        let words = if c {
            words_of(&side_pieces(p, is_a, true))
        } else {
            plain_words(&s.text)
        };
        wrap_into(out, &words, 4, w, c);
    }
    if has_edits && !c {
        let _ = writeln!(out, "  edits (A -> B)");
        wrap(out, &diff_line(p), 4, w);
    }
}

/// Two columns: A on the left, B on the right, each with its own edits marked.
fn side_by_side(out: &mut String, p: &Passage, w: usize, c: bool) {
    const GUTTER: &str = " │ ";
    let col = (w - 2 - GUTTER.chars().count()) / 2;
    let column = |is_a: bool| {
        let s = if is_a { &p.a } else { &p.b };
        let label = if is_a { "A" } else { "B" };
        let mut lines = wrap_words(
            &plain_words(&format!("{label} {} [{}..{}]", s.doc, s.start, s.end)),
            col,
        );
        lines
            .iter_mut()
            .for_each(|l| l.spans.iter_mut().for_each(|s| s.style = Style::Dim));
        lines.extend(wrap_words(&words_of(&side_pieces(p, is_a, c)), col));
        lines
    };
    let (left, right) = (column(true), column(false));
    for i in 0..left.len().max(right.len()) {
        let l = left.get(i).cloned().unwrap_or_default();
        let r = right.get(i).map(|r| r.render(c)).unwrap_or_default();
        let pad = col - l.width;
        let _ = writeln!(out, "  {}{:pad$}{GUTTER}{r}", l.render(c), "",);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_punctuation_glued_and_break_long_words() {
        let pieces = vec![
            ("the ".to_string(), Style::Plain),
            ("war".to_string(), Style::Inserted),
            (", and\nmore".to_string(), Style::Plain),
        ];
        let words = words_of(&pieces);
        assert_eq!(words.len(), 4);
        assert_eq!(words[1].len(), 2, "`war` and `,` are one word");
        let lines = wrap_words(&plain_words("abcdefghij xy"), 4);
        let widths: Vec<usize> = lines.iter().map(|l| l.width).collect();
        assert_eq!(widths, [4, 4, 2, 2]);
        assert!(lines.iter().all(|l| l.width <= 4));
    }

    #[test]
    fn fit_counts_characters() {
        assert_eq!(fit("Zürich–Genève", 6), "Züric…");
        assert_eq!(fit("abc", 3), "abc");
    }
}
