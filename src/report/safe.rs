//! Untrusted text made safe for each output. Article texts, ids, outlets, titles, urls and
//! dates come from files wirecopy does not control (a scraper's output, a CMS export), and
//! the reports are opened in a terminal, a spreadsheet and a browser. Each renderer calls
//! these functions on corpus text *at the point of output*, never earlier: the report (and
//! so the JSON, which is data) keeps the exact text, and every offset still slices it.
//!
//! * **Terminal** ([`terminal`], [`terminal_lines`]): C0 controls (U+0000–U+001F), DEL,
//!   C1 controls (U+0080–U+009F, which some terminals read as ESC sequences) and the
//!   bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, which
//!   reorder the rest of a line) are shown as visible escapes — `\t`, `\n`, `\r`, else
//!   `\u{1b}`-style lowercase hex — and never emitted. So a passage holding `ESC[2J` (clear
//!   screen) or an OSC 8 hyperlink shows as `\u{1b}[2J`, and widths count the escaped form,
//!   which is what is printed. Text the renderer wraps into paragraphs is first split at
//!   white space (newlines and tabs included), which becomes a space or a line break and is
//!   never printed as it is; the words between are escaped. A backslash is not escaped, so
//!   a literal `\u{1b}` in the text looks the same as an escaped ESC: the escapes are for a
//!   reader, the guarantee is that no control character reaches the terminal.
//! * **CSV** ([`csv_cell`]): a cell starting with `=`, `+`, `-`, `@`, tab or CR is a formula
//!   to Excel and LibreOffice (OWASP, "CSV Injection"); it gets a leading `'`, which they
//!   show as text. Control characters other than tab, CR and LF (ESC, BEL, DEL, C1), which
//!   no spreadsheet shows and which would act on a terminal the file is printed to, are
//!   escaped as for the terminal; tabs and line breaks inside the text, and bidirectional
//!   controls (a spreadsheet confines them to the cell), are kept. Applied to text cells
//!   from the corpus only (ids, outlets, passage texts), never to the numbers wirecopy
//!   writes (none is negative). RFC 4180 quoting is separate.
//! * **HTML** ([`html`], [`http_url`]): `&`, `<`, `>`, `"` and `'` escaped, for element
//!   content and quoted attribute values alike; a url becomes a link only when its scheme is
//!   `http` or `https` (case-insensitive), so `javascript:`, `data:` and relative urls stay
//!   text.

use std::borrow::Cow;

/// A bidirectional control: it can reorder the text after it on the line.
pub fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A character that must not reach a terminal as it is: C0, DEL, C1, bidi controls.
pub fn is_terminal_unsafe(c: char) -> bool {
    c < ' ' || ('\u{7F}'..='\u{9F}').contains(&c) || is_bidi(c)
}

fn escape_terminal(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_terminal_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_terminal_unsafe(c) || keep(c) {
            out.push(c);
            continue;
        }
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => {
                use std::fmt::Write;
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// `s` for one line of a terminal: every control character (tab and newline too) shown as
/// a visible escape.
pub fn terminal(s: &str) -> Cow<'_, str> {
    escape_terminal(s, |_| false)
}

/// `s` for a terminal, keeping its newlines (a multi-line message); every other control
/// character shown as a visible escape.
pub fn terminal_lines(s: &str) -> Cow<'_, str> {
    escape_terminal(s, |c| c == '\n')
}

/// Whether a spreadsheet would read a cell starting like `s` as a formula.
pub fn is_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A CSV text cell a spreadsheet will not evaluate: control characters but tab, CR and LF
/// escaped (as by [`terminal`]), then `'` before a leading `=`, `+`, `-`, `@`, tab or CR.
/// The result still needs CSV quoting.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    let s = escape_terminal(s, |c| matches!(c, '\t' | '\r' | '\n') || is_bidi(c));
    if is_formula(&s) {
        Cow::Owned(format!("'{s}"))
    } else {
        s
    }
}

/// Escape text for HTML element content and quoted attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `url` when it may be a link: it starts with `http://` or `https://` (any case) and holds
/// no control character or space (browsers drop tabs and newlines from a url before reading
/// its scheme, so such a url is not what it looks like). Anything else — `javascript:`,
/// `data:`, a relative url, a leading space — is `None` and stays text.
pub fn http_url(url: &str) -> Option<&str> {
    let scheme_ok = ["http://", "https://"].iter().any(|p| {
        url.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    });
    let clean = !url.chars().any(|c| c <= ' ' || is_terminal_unsafe(c));
    (scheme_ok && clean).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_controls_c1_and_bidi_visibly() {
        assert_eq!(
            terminal("a\x1b[2Jb\x1b]8;;http://x\x07link\x1b]8;;\x07"),
            "a\\u{1b}[2Jb\\u{1b}]8;;http://x\\u{7}link\\u{1b}]8;;\\u{7}"
        );
        assert_eq!(terminal("t\tn\nr\r\0\x7f"), "t\\tn\\nr\\r\\u{0}\\u{7f}");
        assert_eq!(terminal("\u{9b}31m\u{85}"), "\\u{9b}31m\\u{85}");
        assert_eq!(
            terminal("abc\u{202e}fed\u{2066}\u{200f}\u{61c}"),
            "abc\\u{202e}fed\\u{2066}\\u{200f}\\u{61c}"
        );
        // Ordinary text, typography and scripts pass unchanged (and unallocated).
        for ok in ["Zürich – “quoted” 東京 مرحبا \u{a0}", "\\u{1b}", ""] {
            assert!(matches!(terminal(ok), Cow::Borrowed(_)), "{ok}");
        }
        assert_eq!(terminal_lines("one\ntwo\x1b"), "one\ntwo\\u{1b}");
        // Escaping is idempotent: the escaped form has nothing left to escape.
        let once = terminal("\x1b\u{202e}\t").into_owned();
        assert_eq!(terminal(&once), once);
    }

    #[test]
    fn csv_cells_defuse_formula_prefixes_only() {
        for bad in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+cmd|' /C calc'!A0",
            "-1+1",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(csv_cell(bad), format!("'{bad}"));
            assert!(!is_formula(&csv_cell(bad)));
        }
        for ok in [
            "",
            "ap",
            "1-1",
            " =1",
            "'=1",
            "a=b",
            "—said",
            "a\tb\r\nc",
            "abc\u{202e}",
        ] {
            assert_eq!(csv_cell(ok), ok);
        }
        assert_eq!(csv_cell("\x1b[2J\x07\u{9b}"), "\\u{1b}[2J\\u{7}\\u{9b}");
        assert_eq!(csv_cell("\x1b=1"), "\\u{1b}=1");
        assert_eq!(csv_cell("=\x1b"), "'=\\u{1b}");
    }

    #[test]
    fn only_http_and_https_urls_are_links() {
        for ok in ["http://example.com/a?b=1&c", "HTTPS://x.org", "hTtP://y"] {
            assert_eq!(http_url(ok), Some(ok));
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "/relative/path",
            "//evil.example/x",
            "example.com",
            " http://x",
            "http://x\" onmouseover=\"alert(1)",
            "ht\ttp://x",
            "http://x\njavascript:alert(1)",
            "https:",
            "http",
            "",
        ] {
            assert_eq!(http_url(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }
}
