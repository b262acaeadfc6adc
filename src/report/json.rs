//! JSON renderer: the [`Report`] as pretty-printed JSON (schema in [`crate::report`]).

use std::io::Write;

use super::Report;

/// Render the report as JSON, ending in a newline.
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("a report always serialises");
    s.push('\n');
    s
}

/// Write the report as [`render`] does, streaming into `w` (no copy of the whole text in
/// memory: a large corpus's report runs to gigabytes).
pub fn write(report: &Report, w: impl std::io::Write) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 20, w);
    serde_json::to_writer_pretty(&mut w, report)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// Parse a report written by [`render`].
pub fn parse(text: &str) -> Result<Report, serde_json::Error> {
    serde_json::from_str(text)
}
