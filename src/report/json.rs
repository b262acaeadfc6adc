//! JSON renderer: the [`Report`] as pretty-printed JSON (schema in [`crate::report`]).

use super::Report;

/// Render the report as JSON, ending in a newline.
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("a report always serialises");
    s.push('\n');
    s
}

/// Parse a report written by [`render`].
pub fn parse(text: &str) -> Result<Report, serde_json::Error> {
    serde_json::from_str(text)
}
