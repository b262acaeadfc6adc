//! Errors and problems.
//!
//! Two kinds of trouble are kept apart:
//!
//! * [`Error`] stops an operation: a path that cannot be read at all, a report that cannot be
//!   parsed, a settings mismatch. Every variant says *where* (path, line, document id).
//! * [`Problem`] is a document (or input line) that was skipped while the rest of the corpus
//!   went on. Problems are collected in the [`crate::corpus::Corpus`], printed by the binary
//!   and counted in the exit code, never silently dropped.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// An error that stops the operation it came from.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a path failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Writing an output failed (a full disk or device, a missing directory, a reader that
    /// went away); a regular file being replaced is left as it was.
    #[error("cannot write {}{}: {source}", path.display(), link_note(target.as_deref()))]
    Write {
        /// The path as given.
        path: PathBuf,
        /// Where a symbolic link given as `path` leads, when it is one.
        target: Option<PathBuf>,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Another process holds the update lock of a file (`check --update` on one baseline
    /// twice at once).
    #[error("another wirecopy is updating {}; not written", path.display())]
    Locked {
        /// The file being updated.
        path: PathBuf,
    },
    /// A JSON file could not be parsed as what it should hold.
    #[error("{}: not a valid {what}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// What the file should hold ("report", "truth file", ...).
        what: &'static str,
        /// The parser's complaint (it carries line and column).
        #[source]
        source: serde_json::Error,
    },
    /// A value given on the command line or in a file is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// A persisted file was made with settings that differ from the current ones.
    #[error("{}: made with different settings: {detail}", path.display())]
    SettingsMismatch {
        /// The file.
        path: PathBuf,
        /// Which settings differ.
        detail: String,
    },
    /// A file parsed but its content is wrong (a truth file with an empty span, say).
    #[error("{}: {detail}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where in the file.
        detail: String,
    },
    /// Paths given as arguments that do not exist (or are broken links, link loops, or `-` on a
    /// terminal), each with the reason. Nothing is loaded when any argument is missing.
    #[error("{}", missing_list(.0))]
    MissingInputs(Vec<(PathBuf, String)>),
    /// Nothing could be loaded.
    #[error("no documents to compare{0}")]
    EmptyCorpus(String),
}

fn link_note(target: Option<&std::path::Path>) -> String {
    target
        .map(|t| format!(" (a link to {})", t.display()))
        .unwrap_or_default()
}

fn missing_list(paths: &[(PathBuf, String)]) -> String {
    let list: Vec<String> = paths
        .iter()
        .map(|(p, why)| format!("{}: {why}", p.display()))
        .collect();
    match list.as_slice() {
        [one] => format!("{one}; nothing written"),
        _ => format!(
            "{} paths cannot be read; nothing written:\n  {}",
            list.len(),
            list.join("\n  ")
        ),
    }
}

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A document or input line that was skipped (or, for warnings, loaded with a caveat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The file (or `-` for standard input).
    pub path: String,
    /// 1-based line for JSONL inputs.
    pub line: Option<usize>,
    /// The document id, when it is known.
    pub doc: Option<String>,
    /// What is wrong, in a sentence.
    pub message: String,
    /// Whether the document was skipped (`true`) or loaded anyway (`false`, a warning).
    pub skipped: bool,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(doc) = &self.doc {
            write!(f, " [{doc}]")?;
        }
        write!(f, ": {}", self.message)?;
        if self.skipped {
            write!(f, " (skipped)")?;
        }
        Ok(())
    }
}
