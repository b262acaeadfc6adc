//! Loading a corpus: files, directories and JSONL into [`Document`]s.
//!
//! Arguments are files or directories. Directories are walked recursively in sorted order
//! (byte order of file names) and yield `.txt` and `.jsonl` files; a file named directly is
//! read whatever its extension (`.jsonl` as JSONL, anything else as plain text). `-` reads
//! JSONL from standard input.
//!
//! * **Plain text**: the document id is the path relative to the directory argument it was
//!   found under, with `/` separators (or the file name for a file named directly); the outlet
//!   is the first directory below that argument, or the file's stem when there is none.
//!   A leading `date YYYY-MM-DD` (after optional white space) gives the document's date and is
//!   excluded from matching ([`Document::body_start`]); offsets still count from the first
//!   byte of the file.
//! * **JSONL**: one object per line with string fields `id` and `text`, optional `outlet`,
//!   `date`, `title`, `url` (string or null); all other fields are carried through to the
//!   JSON report. A record without an outlet is its own outlet (its id).
//!
//! Bad input never stops the run: each unreadable file, invalid line, binary or empty
//! document, or duplicate id becomes a [`Problem`] naming the file and line, and the rest of
//! the corpus is loaded. Cost: one read of every file; memory is the text of the corpus.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::config::LoadOptions;
use crate::error::{Error, Problem, Result};

/// One article.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Unique id within the corpus.
    pub id: String,
    /// The outlet that published it.
    pub outlet: String,
    /// Publication date, `YYYY-MM-DD` when known.
    pub date: Option<String>,
    /// Title, when the input gives one.
    pub title: Option<String>,
    /// URL, when the input gives one.
    pub url: Option<String>,
    /// The file it came from (as given on the command line, `-` for stdin).
    pub path: Option<String>,
    /// 1-based line in a JSONL file.
    pub line: Option<usize>,
    /// The full original text. All offsets count from its first byte.
    pub text: String,
    /// Byte offset where matchable text starts (after a leading `date YYYY-MM-DD`).
    pub body_start: usize,
    /// Whether invalid UTF-8 was replaced with U+FFFD (`--lossy`); offsets then refer to
    /// the decoded text.
    pub lossy: bool,
    /// Other JSONL fields, carried through to the report.
    pub extra: Map<String, Value>,
}

impl Document {
    /// A document from memory: id, outlet and text; no date, no file.
    pub fn new(id: &str, outlet: &str, text: &str) -> Document {
        Document {
            id: id.to_string(),
            outlet: outlet.to_string(),
            date: None,
            title: None,
            url: None,
            path: None,
            line: None,
            text: text.to_string(),
            body_start: 0,
            lossy: false,
            extra: Map::new(),
        }
    }
}

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or directory.
    Path(PathBuf),
    /// JSONL on standard input.
    Stdin,
}

impl Input {
    /// `-` is standard input, anything else a path.
    pub fn parse(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}

/// A loaded corpus and what was skipped on the way.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// Documents in input order (arguments in order, directories sorted, lines in order).
    pub documents: Vec<Document>,
    /// Skipped documents and warnings, in input order.
    pub problems: Vec<Problem>,
}

impl Corpus {
    /// Build a corpus from documents already in memory, rejecting duplicate ids.
    pub fn from_documents(docs: Vec<Document>) -> Corpus {
        let mut corpus = Corpus::default();
        let mut seen = HashMap::new();
        for doc in docs {
            corpus.push(doc, &mut seen);
        }
        corpus
    }

    /// Number of documents skipped.
    pub fn skipped(&self) -> usize {
        self.problems.iter().filter(|p| p.skipped).count()
    }

    fn push(&mut self, doc: Document, seen: &mut HashMap<String, String>) {
        let here = location(doc.path.as_deref(), doc.line);
        if let Some(first) = seen.get(&doc.id) {
            self.problems.push(Problem {
                path: doc.path.clone().unwrap_or_default(),
                line: doc.line,
                doc: Some(doc.id.clone()),
                message: format!("duplicate id, first seen at {first}"),
                skipped: true,
            });
            return;
        }
        seen.insert(doc.id.clone(), here);
        self.documents.push(doc);
    }
}

fn location(path: Option<&str>, line: Option<usize>) -> String {
    match (path, line) {
        (Some(p), Some(l)) => format!("{p}:{l}"),
        (Some(p), None) => p.to_string(),
        (None, _) => "(memory)".to_string(),
    }
}

/// Load every input. Fails only when an argument itself cannot be used at all (it does not
/// exist or cannot be read); everything below an argument is reported as a [`Problem`].
pub fn load(inputs: &[Input], opts: &LoadOptions) -> Result<Corpus> {
    let mut corpus = Corpus::default();
    let mut seen: HashMap<String, String> = HashMap::new();
    for input in inputs {
        match input {
            Input::Stdin => {
                let mut bytes = Vec::new();
                std::io::stdin()
                    .lock()
                    .read_to_end(&mut bytes)
                    .map_err(|source| Error::Io {
                        path: PathBuf::from("-"),
                        source,
                    })?;
                let docs = parse_jsonl(&bytes[..], "-", opts, &mut corpus.problems);
                for d in docs {
                    corpus.push(d, &mut seen);
                }
            }
            Input::Path(path) => {
                let meta = std::fs::metadata(path).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
                if meta.is_dir() {
                    let mut files = Vec::new();
                    let mut visited = HashSet::new();
                    walk(path, path, &mut files, &mut visited, &mut corpus.problems);
                    for (file, rel) in files {
                        load_file(&file, Some(&rel), opts, &mut corpus, &mut seen);
                    }
                } else {
                    load_file(path, None, opts, &mut corpus, &mut seen);
                }
            }
        }
    }
    Ok(corpus)
}

/// Collect `.txt`/`.jsonl` files under `dir` (sorted, recursive), with their path relative
/// to `root` as a list of components. Symlinked directories are followed once (loops are
/// reported, not followed).
fn walk(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(PathBuf, Vec<String>)>,
    visited: &mut HashSet<PathBuf>,
    problems: &mut Vec<Problem>,
) {
    let canonical = match std::fs::canonicalize(dir) {
        Ok(c) => c,
        Err(e) => {
            problems.push(problem(dir, None, format!("cannot resolve directory: {e}")));
            return;
        }
    };
    if !visited.insert(canonical) {
        problems.push(problem(
            dir,
            None,
            "directory already visited (symlink loop?); not followed again".into(),
        ));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            problems.push(problem(dir, None, format!("cannot read directory: {e}")));
            return;
        }
    };
    let mut names = Vec::new();
    for entry in entries {
        match entry {
            Ok(e) => names.push(e.path()),
            Err(e) => problems.push(problem(
                dir,
                None,
                format!("cannot read directory entry: {e}"),
            )),
        }
    }
    names.sort();
    for path in names {
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                problems.push(problem(&path, None, format!("cannot read: {e}")));
                continue;
            }
        };
        if meta.is_dir() {
            walk(root, &path, out, visited, problems);
        } else if meta.is_file() && matches!(extension(&path).as_deref(), Some("txt" | "jsonl")) {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((path, rel));
        }
    }
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
}

fn problem(path: &Path, line: Option<usize>, message: String) -> Problem {
    Problem {
        path: path.display().to_string(),
        line,
        doc: None,
        message,
        skipped: true,
    }
}

fn load_file(
    path: &Path,
    rel: Option<&[String]>,
    opts: &LoadOptions,
    corpus: &mut Corpus,
    seen: &mut HashMap<String, String>,
) {
    let display = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            corpus
                .problems
                .push(problem(path, None, format!("cannot read: {e}")));
            return;
        }
    };
    if extension(path).as_deref() == Some("jsonl") {
        for d in parse_jsonl(&bytes, &display, opts, &mut corpus.problems) {
            corpus.push(d, seen);
        }
        return;
    }
    let (id, outlet) = match rel {
        Some(components) if components.len() > 1 => (components.join("/"), components[0].clone()),
        _ => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| display.clone());
            let stem = path
                .file_stem()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| name.clone());
            (name, stem)
        }
    };
    match decode_text(bytes, opts) {
        Err(message) => corpus.problems.push(Problem {
            path: display,
            line: None,
            doc: Some(id),
            message,
            skipped: true,
        }),
        Ok((text, lossy)) => {
            let (date, body_start) = date_prefix(&text);
            let doc = Document {
                id,
                outlet,
                date,
                title: None,
                url: None,
                path: Some(display),
                line: None,
                text,
                body_start,
                lossy,
                extra: Map::new(),
            };
            if let Some(p) = check_content(&doc) {
                corpus.problems.push(p);
            } else {
                corpus.push(doc, seen);
            }
        }
    }
}

/// Decode a file's bytes; refuses binary (NUL bytes), oversize input and invalid UTF-8
/// (unless lossy). Returns the text and whether replacement characters were inserted.
fn decode_text(bytes: Vec<u8>, opts: &LoadOptions) -> std::result::Result<(String, bool), String> {
    if bytes.len() > opts.max_doc_bytes {
        return Err(format!(
            "{} bytes is larger than --max-doc-bytes {}",
            bytes.len(),
            opts.max_doc_bytes
        ));
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(format!("binary file (NUL byte at offset {pos})"));
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok((s, false)),
        Err(e) => {
            if opts.lossy {
                Ok((String::from_utf8_lossy(e.as_bytes()).into_owned(), true))
            } else {
                Err(format!(
                    "invalid UTF-8 at byte {} (use --lossy to decode with replacement characters)",
                    e.utf8_error().valid_up_to()
                ))
            }
        }
    }
}

/// A document with nothing to match is skipped with a reason.
fn check_content(doc: &Document) -> Option<Problem> {
    let body = &doc.text[doc.body_start..];
    if body.trim().is_empty() {
        return Some(Problem {
            path: doc.path.clone().unwrap_or_default(),
            line: doc.line,
            doc: Some(doc.id.clone()),
            message: if doc.text.is_empty() {
                "empty document".into()
            } else {
                "document has no text (only white space or a date line)".into()
            },
            skipped: true,
        });
    }
    None
}

/// Parse a leading `date YYYY-MM-DD` (after optional white space). Returns the date and the
/// byte offset where the text to match begins.
pub fn date_prefix(text: &str) -> (Option<String>, usize) {
    let trimmed = text.trim_start();
    let Some(rest) = trimmed.strip_prefix("date") else {
        return (None, 0);
    };
    let after_kw = rest.trim_start();
    if after_kw.len() == rest.len() {
        return (None, 0); // "date" must be followed by white space
    }
    let b = after_kw.as_bytes();
    let is_date = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || !b[10].is_ascii_alphanumeric());
    if !is_date {
        return (None, 0);
    }
    let date = after_kw[..10].to_string();
    let consumed = text.len() - after_kw.len() + 10;
    (Some(date), consumed)
}

/// Parse JSONL bytes. Every bad line becomes a problem naming `name` and the line.
pub fn parse_jsonl(
    bytes: &[u8],
    name: &str,
    opts: &LoadOptions,
    problems: &mut Vec<Problem>,
) -> Vec<Document> {
    let mut docs = Vec::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let lineno = i + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let mut report = |message: String, doc: Option<String>| {
            problems.push(Problem {
                path: name.to_string(),
                line: Some(lineno),
                doc,
                message,
                skipped: true,
            })
        };
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if raw.len() > opts.max_doc_bytes {
            report(
                format!(
                    "line of {} bytes is larger than --max-doc-bytes {}",
                    raw.len(),
                    opts.max_doc_bytes
                ),
                None,
            );
            continue;
        }
        let (line, lossy) = match std::str::from_utf8(raw) {
            Ok(s) => (std::borrow::Cow::Borrowed(s), false),
            Err(_) if opts.lossy => (String::from_utf8_lossy(raw), true),
            Err(e) => {
                report(
                    format!(
                        "invalid UTF-8 at byte {} of the line (use --lossy to decode with replacement characters)",
                        e.valid_up_to()
                    ),
                    None,
                );
                continue;
            }
        };
        let value: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                report(format!("malformed JSON: {e}"), None);
                continue;
            }
        };
        let Value::Object(mut obj) = value else {
            report("not a JSON object".into(), None);
            continue;
        };
        let id = match obj.remove("id") {
            Some(Value::String(s)) if !s.is_empty() => s,
            Some(Value::String(_)) => {
                report("field \"id\" is empty".into(), None);
                continue;
            }
            Some(other) => {
                report(
                    format!("field \"id\" must be a string, not {}", json_kind(&other)),
                    None,
                );
                continue;
            }
            None => {
                report("missing field \"id\"".into(), None);
                continue;
            }
        };
        let text = match obj.remove("text") {
            Some(Value::String(s)) => s,
            Some(other) => {
                report(
                    format!("field \"text\" must be a string, not {}", json_kind(&other)),
                    Some(id),
                );
                continue;
            }
            None => {
                report("missing field \"text\"".into(), Some(id));
                continue;
            }
        };
        let mut optional = |field: &str| -> std::result::Result<Option<String>, String> {
            match obj.remove(field) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(other) => Err(format!(
                    "field \"{field}\" must be a string or null, not {}",
                    json_kind(&other)
                )),
            }
        };
        let fields = (|| {
            Ok::<_, String>((
                optional("outlet")?,
                optional("date")?,
                optional("title")?,
                optional("url")?,
            ))
        })();
        let (outlet, date, title, url) = match fields {
            Ok(f) => f,
            Err(m) => {
                report(m, Some(id));
                continue;
            }
        };
        if text.contains('\0') {
            report("binary text (NUL character)".into(), Some(id));
            continue;
        }
        let doc = Document {
            outlet: outlet
                .filter(|o| !o.is_empty())
                .unwrap_or_else(|| id.clone()),
            id,
            date,
            title,
            url,
            path: Some(name.to_string()),
            line: Some(lineno),
            text,
            body_start: 0,
            lossy,
            extra: obj,
        };
        match check_content(&doc) {
            Some(p) => problems.push(p),
            None => docs.push(doc),
        }
    }
    docs
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_prefix_is_parsed_and_offset_counts_from_file_start() {
        let text = " date 2025-02-19 In the first face-to-face";
        let (date, start) = date_prefix(text);
        assert_eq!(date.as_deref(), Some("2025-02-19"));
        assert_eq!(&text[start..], " In the first face-to-face");
    }

    #[test]
    fn no_date_prefix() {
        assert_eq!(date_prefix("dated 2025-02-19 x"), (None, 0));
        assert_eq!(date_prefix("date 2025-2-19 x"), (None, 0));
        assert_eq!(date_prefix("Russia and"), (None, 0));
        assert_eq!(date_prefix("date 2025-02-19x"), (None, 0));
    }

    #[test]
    fn jsonl_records_and_problems() {
        let input = br#"{"id":"a","text":"one two","outlet":"AP","extra":1}
not json
{"id":"b"}
{"id":3,"text":"x"}
{"id":"c","text":"   "}
{"id":"d","text":"fine","title":null}
"#;
        let mut problems = Vec::new();
        let docs = parse_jsonl(input, "in.jsonl", &LoadOptions::default(), &mut problems);
        let ids: Vec<_> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "d"]);
        assert_eq!(docs[0].outlet, "AP");
        assert_eq!(docs[0].extra["extra"], 1);
        assert_eq!(docs[1].outlet, "d");
        let lines: Vec<_> = problems.iter().map(|p| p.line.unwrap()).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
        assert!(problems[1].message.contains("missing field \"text\""));
        assert!(problems[2].message.contains("must be a string"));
    }

    #[test]
    fn duplicate_ids_are_rejected_with_both_locations() {
        let mut problems = Vec::new();
        let docs = parse_jsonl(
            b"{\"id\":\"a\",\"text\":\"x y\"}\n{\"id\":\"a\",\"text\":\"z\"}\n",
            "f.jsonl",
            &LoadOptions::default(),
            &mut problems,
        );
        let corpus = Corpus::from_documents(docs);
        assert_eq!(corpus.documents.len(), 1);
        assert_eq!(corpus.problems.len(), 1);
        assert!(corpus.problems[0].message.contains("f.jsonl:1"));
        assert_eq!(corpus.problems[0].line, Some(2));
    }
}
