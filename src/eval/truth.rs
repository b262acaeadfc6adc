//! The truth file: which passages of a corpus really are reused (`truth_version` 1).
//!
//! ```json
//! {"truth_version": 1, "description": "…",
//!  "passages": [{"a": {"doc": "wire-0001", "start": 0, "end": 120},
//!                "b": {"doc": "outlet-03/0007", "start": 40, "end": 170},
//!                "kind": "edited", "note": "optional"}],
//!  "distractors": ["outlet-01/0004"]}
//! ```
//!
//! * `start`/`end` are **0-based, half-open offsets in Unicode scalar values** into the
//!   document's full original text: the same unit as `start`/`end` in the JSON report, so
//!   `text[start:end]` in Python is the passage.
//! * Each entry of `passages` is one *case*: the text of side `a` was reused as the text of
//!   side `b` (or the other way round: pairs are unordered). Both spans must be non-empty
//!   and the two documents different.
//! * `kind` is optional: `verbatim`, `edited`, `quote` or `boilerplate`. Boilerplate cases
//!   (a shared footer, a legal notice) are left out of scoring unless asked for.
//! * `note` (optional) is free text, kept for people reading the file.
//! * `distractors` (optional) lists documents known to reuse nothing; the scorer reports
//!   how much was detected in pairs involving them (all of it is false).
//!
//! Unknown fields are refused so that a misspelt field name is not silently ignored.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::attribute::Kind;
use crate::error::{Error, Result};

/// The truth format version written and read by this build.
pub const TRUTH_VERSION: u32 = 1;

/// A truth file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Truth {
    /// Format version (1).
    pub truth_version: u32,
    /// What the corpus is and how the truth was made.
    #[serde(default)]
    pub description: String,
    /// The reuse cases.
    pub passages: Vec<Case>,
    /// Documents known to reuse nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distractors: Vec<String>,
}

/// A span of one document, in Unicode scalar values, half-open.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Span {
    /// Document id.
    pub doc: String,
    /// Start (chars, 0-based).
    pub start: usize,
    /// End (chars, exclusive).
    pub end: usize,
}

impl Span {
    /// A span of `doc`.
    pub fn new(doc: &str, start: usize, end: usize) -> Span {
        Span {
            doc: doc.to_string(),
            start,
            end,
        }
    }

    /// Number of characters.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span holds no characters.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One reuse case: `a`'s text reused as `b`'s (unordered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// One side.
    pub a: Span,
    /// The other side.
    pub b: Span,
    /// What kind of reuse it is, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Truth {
    /// Read and check a truth file. Errors name the file and, for content errors, the
    /// passage (0-based index) and what is wrong with it.
    pub fn load(path: &Path) -> Result<Truth> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Truth::parse(&text, path)
    }

    /// Parse and check a truth file held in memory; `path` is only used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Truth> {
        let truth: Truth = serde_json::from_str(text).map_err(|source| Error::Json {
            path: path.to_path_buf(),
            what: "truth file",
            source,
        })?;
        truth.check().map_err(|detail| Error::BadFile {
            path: path.to_path_buf(),
            detail,
        })?;
        Ok(truth)
    }

    /// Check the format's rules; `Err` says what is wrong and where.
    pub fn check(&self) -> std::result::Result<(), String> {
        if self.truth_version != TRUTH_VERSION {
            return Err(format!(
                "truth_version {} is not supported (this build reads {TRUTH_VERSION})",
                self.truth_version
            ));
        }
        for (i, c) in self.passages.iter().enumerate() {
            for (name, s) in [("a", &c.a), ("b", &c.b)] {
                if s.doc.is_empty() {
                    return Err(format!("passages[{i}].{name}: empty document id"));
                }
                if s.start >= s.end {
                    return Err(format!(
                        "passages[{i}].{name} ({}): start {} must be less than end {}",
                        s.doc, s.start, s.end
                    ));
                }
            }
            if c.a.doc == c.b.doc {
                return Err(format!(
                    "passages[{i}]: both sides are in document {:?}; a case joins two documents",
                    c.a.doc
                ));
            }
        }
        Ok(())
    }

    /// Check the truth against the documents of a corpus or report: every document named
    /// must exist and every span must lie inside it. `chars` gives a document's length in
    /// characters, `None` for an unknown document.
    pub fn check_documents(
        &self,
        chars: impl Fn(&str) -> Option<usize>,
    ) -> std::result::Result<(), String> {
        for (i, c) in self.passages.iter().enumerate() {
            for (name, s) in [("a", &c.a), ("b", &c.b)] {
                match chars(&s.doc) {
                    None => {
                        return Err(format!(
                            "passages[{i}].{name}: document {:?} is not in the corpus",
                            s.doc
                        ))
                    }
                    Some(n) if s.end > n => {
                        return Err(format!(
                            "passages[{i}].{name}: end {} is past the end of {:?} ({n} chars)",
                            s.end, s.doc
                        ))
                    }
                    Some(_) => {}
                }
            }
        }
        for d in &self.distractors {
            if chars(d).is_none() {
                return Err(format!("distractor {d:?} is not in the corpus"));
            }
        }
        Ok(())
    }

    /// The truth file as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("truth serialises");
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Truth> {
        Truth::parse(s, Path::new("t.json"))
    }

    #[test]
    fn reads_the_documented_example() {
        let t = parse(
            r#"{"truth_version": 1, "description": "x",
             "passages": [{"a": {"doc": "wire-0001", "start": 0, "end": 120},
                           "b": {"doc": "outlet-03/0007", "start": 40, "end": 170},
                           "kind": "edited", "note": "optional"}]}"#,
        )
        .unwrap();
        assert_eq!(t.passages.len(), 1);
        assert_eq!(t.passages[0].kind, Some(Kind::Edited));
        assert_eq!(t.passages[0].b.len(), 130);
        let back = parse(&t.to_json()).unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let e = parse(r#"{"truth_version": 2, "passages": []}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.json: truth_version 2 is not supported (this build reads 1)"
        );
        let e = parse(
            r#"{"truth_version": 1, "passages": [{"a": {"doc": "x", "start": 5, "end": 5},
               "b": {"doc": "y", "start": 0, "end": 3}}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.json: passages[0].a (x): start 5 must be less than end 5"
        );
        let e = parse(
            r#"{"truth_version": 1, "passages": [{"a": {"doc": "x", "start": 0, "end": 5},
               "b": {"doc": "x", "start": 9, "end": 12}}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("both sides are in document"), "{e}");
        let e = parse(r#"{"truth_version": 1, "passages": [], "pasages": []}"#).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("t.json: not a valid truth file") && msg.contains("pasages"),
            "{msg}"
        );
        let e = parse(
            r#"{"truth_version": 1, "passages": [{"a": {"doc": "x", "start": 0, "end": 5},
               "b": {"doc": "y", "start": 0, "end": 3}, "kind": "copied"}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("copied"), "{e}");
    }

    #[test]
    fn documents_are_checked_against_the_corpus() {
        let t = parse(
            r#"{"truth_version": 1, "passages": [{"a": {"doc": "x", "start": 0, "end": 5},
               "b": {"doc": "y", "start": 0, "end": 30}}]}"#,
        )
        .unwrap();
        let len = |d: &str| match d {
            "x" => Some(10),
            "y" => Some(20),
            _ => None,
        };
        assert_eq!(
            t.check_documents(len).unwrap_err(),
            "passages[0].b: end 30 is past the end of \"y\" (20 chars)"
        );
        assert!(t
            .check_documents(|d| (d == "y").then_some(40))
            .unwrap_err()
            .contains("\"x\" is not in the corpus"));
    }
}
