//! JSON renderer: the [`Report`] as pretty-printed JSON (schema in [`crate::report`]).

use std::io::Write;

use super::Report;

/// Render the report as JSON, ending in a newline ([`write`] into memory).
pub fn render(report: &Report) -> String {
    let mut bytes = Vec::new();
    write(report, &mut bytes).expect("a report always serialises into memory");
    String::from_utf8(bytes).expect("serde_json writes UTF-8")
}

/// Write the report as pretty-printed JSON ending in a newline, streaming into `w` (no copy
/// of the whole text in memory: a large corpus's report runs to gigabytes).
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
