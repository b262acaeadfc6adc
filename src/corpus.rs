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
//!   A leading `date YYYY-MM-DD` (after an optional byte-order mark and white space; a real
//!   month and day) gives the document's date and is
//!   excluded from matching ([`Document::body_start`]); offsets still count from the first
//!   byte of the file.
//! * **JSONL**: one object per line with string fields `id` and `text`, optional `outlet`,
//!   `date`, `title`, `url` (string or null); all other fields are carried through to the
//!   JSON report. A record without an outlet is its own outlet (its id).
//!
//! Bad input never stops the run: each unreadable file, invalid line, binary or empty
//! document, or duplicate id becomes a [`Problem`] naming the file and line, and the rest of
//! the corpus is loaded. Only an argument that does not exist stops [`load`] (before anything
//! is read). Nothing is read unboundedly: text files are size-checked before reading and read
//! through `max_doc_bytes`, JSONL is streamed line by line and a line over the limit is
//! counted, not kept; FIFOs and devices met while walking a directory are never opened. A
//! FIFO named as an argument is read (`<(…)` is one), but never waited for longer than
//! [`LoadOptions::read_timeout`] at a time: one that no writer opens is skipped, not a hang.
//!
//! [`load`] holds the whole corpus in memory. [`load_each`] streams it instead: each
//! document is handed over as it is read, and one read from a regular file records where it
//! came from ([`Origin`]), so a caller can drop its text and [`reread`] it later (the
//! pipeline keeps only the texts of documents in verified pairs).

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, IsTerminal, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// Where the text can be read again.
    pub origin: Origin,
}

/// Where a document's text can be read again, so a streaming run need not hold it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origin {
    /// Only in memory: built by a program, or read from standard input, a FIFO or a device.
    #[default]
    Memory,
    /// Bytes `offset..offset + len` of a regular file: the whole file for plain text, the
    /// line (without its `\n`) for JSONL. `hash` is [`text_hash`] of the text as read, so a
    /// file changed in between is noticed.
    File {
        /// The file, as opened.
        file: Arc<Path>,
        /// Byte offset of the document's bytes.
        offset: u64,
        /// Their length.
        len: u64,
        /// [`text_hash`] of the decoded text.
        hash: u64,
    },
}

/// A fixed-key hash of a text, to notice that a file changed between two reads.
pub fn text_hash(text: &str) -> u64 {
    ahash::RandomState::with_seeds(0x5745_4952, 0x434f_5059, 0x7265_7265, 0x6164_0001)
        .hash_one(text.as_bytes())
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
            origin: Origin::Memory,
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
        let mut problems = Vec::new();
        let mut documents = Vec::new();
        let mut each = |d| documents.push(d);
        let mut sink = Sink::new(&mut problems, &mut each);
        for doc in docs {
            sink.doc(doc);
        }
        Corpus {
            documents,
            problems,
        }
    }

    /// Number of documents skipped.
    pub fn skipped(&self) -> usize {
        self.problems.iter().filter(|p| p.skipped).count()
    }
}

/// What a JSONL parse yields, in line order. (Each is moved once, straight to the sink, so
/// the size of a document does not matter.)
#[allow(clippy::large_enum_variant)]
enum Item {
    Doc(Document),
    Problem(Problem),
}

/// Receives loaded documents: a duplicate id becomes a problem, the rest go on to `each`.
struct Sink<'a> {
    seen: HashMap<String, String>,
    problems: &'a mut Vec<Problem>,
    each: &'a mut dyn FnMut(Document),
}

impl<'a> Sink<'a> {
    fn new(problems: &'a mut Vec<Problem>, each: &'a mut dyn FnMut(Document)) -> Sink<'a> {
        Sink {
            seen: HashMap::new(),
            problems,
            each,
        }
    }

    fn doc(&mut self, doc: Document) {
        let here = location(doc.path.as_deref(), doc.line);
        if let Some(first) = self.seen.get(&doc.id) {
            self.problems.push(Problem {
                path: doc.path.clone().unwrap_or_default(),
                line: doc.line,
                doc: Some(doc.id.clone()),
                message: format!("duplicate id, first seen at {first}"),
                skipped: true,
            });
            return;
        }
        self.seen.insert(doc.id.clone(), here);
        (self.each)(doc);
    }

    fn problem(&mut self, p: Problem) {
        self.problems.push(p);
    }

    /// Parse a JSONL input and pass its records on; the input's problems (bad lines and
    /// duplicate ids) are kept in line order.
    fn jsonl(
        &mut self,
        reader: impl BufRead,
        name: &str,
        opts: &LoadOptions,
        file: Option<&Arc<Path>>,
    ) {
        let start = self.problems.len();
        parse_jsonl_each(reader, name, opts, file, &mut |item| match item {
            Item::Doc(d) => self.doc(d),
            Item::Problem(p) => self.problem(p),
        });
        self.problems[start..].sort_by_key(|p| p.line);
    }
}

fn location(path: Option<&str>, line: Option<usize>) -> String {
    match (path, line) {
        (Some(p), Some(l)) => format!("{p}:{l}"),
        (Some(p), None) => p.to_string(),
        (None, _) => "(memory)".to_string(),
    }
}

/// The largest document wirecopy can hold: token offsets are 32-bit. `--max-doc-bytes` above
/// this is lowered to it.
pub const DOC_BYTES_LIMIT: usize = u32::MAX as usize;

/// How many bytes of a JSONL input are looked at for a NUL byte before it is parsed.
const SNIFF_BYTES: usize = 8 << 10;

/// Load every input.
///
/// Every argument is checked before anything is read: an argument that does not exist (or is
/// a broken symbolic link, or a symbolic link loop) is a usage error naming every such
/// argument, and nothing is loaded — a mistyped path must not give a report that silently
/// lacks a whole outlet. Everything found *below* an argument, and any argument that exists
/// but cannot be read, is reported as a [`Problem`] and the rest of the corpus is loaded.
pub fn load(inputs: &[Input], opts: &LoadOptions) -> Result<Corpus> {
    let mut problems = Vec::new();
    let mut documents = Vec::new();
    load_each(inputs, opts, &mut problems, &mut |d| documents.push(d))?;
    Ok(Corpus {
        documents,
        problems,
    })
}

/// [`load`] as a stream: each document goes to `each` as soon as it is read (in the same
/// order, duplicate ids already rejected), each problem to `problems`. Only the document
/// being read is held. Documents from regular files carry an [`Origin::File`] to [`reread`]
/// their text from.
pub fn load_each(
    inputs: &[Input],
    opts: &LoadOptions,
    problems: &mut Vec<Problem>,
    each: &mut dyn FnMut(Document),
) -> Result<()> {
    let missing: Vec<(PathBuf, String)> = inputs
        .iter()
        .filter_map(|input| match input {
            // Reading a terminal would wait for typed JSONL: almost certainly a forgotten pipe.
            Input::Stdin if std::io::stdin().is_terminal() => Some((
                PathBuf::from("-"),
                "standard input is a terminal; pipe JSONL into wirecopy to read it".into(),
            )),
            Input::Stdin => None,
            Input::Path(path) => std::fs::metadata(path)
                .err()
                .map(|e| (path.clone(), describe_missing(path, &e))),
        })
        .collect();
    if !missing.is_empty() {
        return Err(Error::MissingInputs(missing));
    }
    let mut sink = Sink::new(problems, each);
    for input in inputs {
        match input {
            Input::Stdin => {
                let stdin = std::io::stdin();
                sink.jsonl(stdin.lock(), "-", opts, None);
            }
            Input::Path(path) => {
                let meta = match std::fs::metadata(path) {
                    Ok(m) => m,
                    Err(e) => {
                        // Gone since the check above.
                        sink.problem(problem(path, None, format!("cannot read: {e}")));
                        continue;
                    }
                };
                if meta.is_dir() {
                    let mut files = Vec::new();
                    let mut visited = HashSet::new();
                    walk(path, path, &mut files, &mut visited, sink.problems);
                    for (file, rel) in files {
                        load_file(&file, Some(&rel), opts, &mut sink);
                    }
                } else {
                    // A file named directly is read whatever it is: a FIFO or `/dev/stdin`
                    // from `<(…)` is what the user asked for.
                    load_file(path, None, opts, &mut sink);
                }
            }
        }
    }
    Ok(())
}

/// Text per batch of [`load_batches`]: enough to keep every thread busy, small next to a
/// corpus.
pub const BATCH_BYTES: usize = 8 << 20;
/// Documents per batch of [`load_batches`] at most.
pub const BATCH_DOCS: usize = 4096;

/// [`load_each`] in batches of about [`BATCH_BYTES`] of text (at most [`BATCH_DOCS`]
/// documents): `each` gets every batch in input order and takes its documents (what it
/// leaves is dropped).
pub fn load_batches(
    inputs: &[Input],
    opts: &LoadOptions,
    problems: &mut Vec<Problem>,
    each: &mut dyn FnMut(&mut Vec<Document>),
) -> Result<()> {
    let mut batch: Vec<Document> = Vec::new();
    let mut bytes = 0usize;
    load_each(inputs, opts, problems, &mut |d| {
        bytes += d.text.len();
        batch.push(d);
        if bytes >= BATCH_BYTES || batch.len() >= BATCH_DOCS {
            each(&mut batch);
            batch.clear();
            bytes = 0;
        }
    })?;
    if !batch.is_empty() {
        each(&mut batch);
    }
    Ok(())
}

/// Why a path cannot be used, in words: "no such file or directory", "broken symbolic link
/// to X", "symbolic link loop".
fn describe_missing(path: &Path, e: &std::io::Error) -> String {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        let target = std::fs::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_else(|_| "?".into());
        if e.kind() == std::io::ErrorKind::NotFound {
            return format!("broken symbolic link to {target}");
        }
        if is_loop(e) {
            return format!("symbolic link loop (links to {target})");
        }
    }
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        _ if is_loop(e) => "symbolic link loop".into(),
        _ => e.to_string(),
    }
}

fn is_loop(e: &std::io::Error) -> bool {
    // ELOOP is 40 on Linux, 62 on the BSDs and macOS.
    matches!(e.raw_os_error(), Some(40) if cfg!(target_os = "linux"))
        || matches!(e.raw_os_error(), Some(62) if !cfg!(target_os = "linux"))
}

/// Collect `.txt`/`.jsonl` files under `dir` (sorted, recursive), with their path relative
/// to `root` as a list of components. Symlinked directories are followed once: a link back
/// to a directory already read is a warning (nothing is lost), not followed again. Entries
/// that cannot be examined, and `.txt`/`.jsonl` entries that are not regular files (FIFOs,
/// sockets, devices: reading them could block forever), are reported.
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
    if !visited.insert(canonical.clone()) {
        problems.push(Problem {
            skipped: false,
            ..problem(
                dir,
                None,
                format!(
                    "{} was already read (a symbolic link loop, or a second link to it); not \
                     followed again",
                    canonical.display()
                ),
            )
        });
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
        let wanted = matches!(extension(&path).as_deref(), Some("txt" | "jsonl"));
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                // A broken link without a document extension might have been a directory:
                // say so, but it is not a skipped document.
                problems.push(Problem {
                    skipped: wanted,
                    ..problem(
                        &path,
                        None,
                        format!("cannot read: {}", describe_missing(&path, &e)),
                    )
                });
                continue;
            }
        };
        if meta.is_dir() {
            walk(root, &path, out, visited, problems);
        } else if !wanted {
            continue;
        } else if meta.is_file() {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((path, rel));
        } else {
            problems.push(problem(
                &path,
                None,
                format!("not a regular file ({}); not read", file_kind(&meta)),
            ));
        }
    }
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    let _ = meta;
    "not a file"
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

fn load_file(path: &Path, rel: Option<&[String]>, opts: &LoadOptions, sink: &mut Sink) {
    let display = path.display().to_string();
    let (file, meta) = match Source::open(path, opts) {
        Ok(f) => f,
        Err(e) => {
            sink.problem(problem(path, None, format!("cannot read: {e}")));
            return;
        }
    };
    // Only a regular file can be read again; the text of anything else is kept.
    let rereadable = meta
        .as_ref()
        .is_some_and(|m| m.is_file())
        .then(|| Arc::<Path>::from(path));
    if extension(path).as_deref() == Some("jsonl") {
        let reader = std::io::BufReader::with_capacity(64 << 10, file);
        sink.jsonl(reader, &display, opts, rereadable.as_ref());
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
    let skip = |message: String| Problem {
        path: display.clone(),
        line: None,
        doc: Some(id.clone()),
        message,
        skipped: true,
    };
    let max = opts.max_doc_bytes.min(DOC_BYTES_LIMIT);
    // Never read more than the limit: the size on disk may be wrong (FIFOs, /proc) or grow.
    let len = meta.as_ref().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::new();
    let read = if len > max as u64 {
        Ok(len as usize)
    } else {
        file.take(max as u64 + 1).read_to_end(&mut bytes)
    };
    match read {
        Err(e) => sink.problem(skip(format!("cannot read: {e}"))),
        Ok(n) if n > max => {
            let size = if len > max as u64 {
                format!("{len} bytes")
            } else {
                format!("more than {max} bytes")
            };
            sink.problem(skip(too_large(&size, max)));
        }
        Ok(n) => match decode_text(bytes, opts) {
            Err(message) => sink.problem(skip(message)),
            Ok((text, lossy)) => {
                let origin = match rereadable {
                    Some(file) => Origin::File {
                        file,
                        offset: 0,
                        len: n as u64,
                        hash: text_hash(&text),
                    },
                    None => Origin::Memory,
                };
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
                    origin,
                };
                match check_content(&doc) {
                    Some(p) => sink.problem(p),
                    None => sink.doc(doc),
                }
            }
        },
    }
}

/// An opened input: a file (or device) read as it comes, or a FIFO whose every read waits
/// at most `--read-timeout` for data. (A FIFO opened the ordinary way blocks in `open` until
/// a writer appears, possibly forever.)
enum Source {
    File(std::fs::File),
    #[cfg(unix)]
    Fifo {
        file: std::fs::File,
        timeout: std::time::Duration,
    },
}

impl Source {
    /// Open `path`; also returns its metadata (`None` when it cannot be had).
    fn open(
        path: &Path,
        opts: &LoadOptions,
    ) -> std::io::Result<(Source, Option<std::fs::Metadata>)> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
            let fifo = std::fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo());
            if let (true, Some(timeout)) = (fifo, opts.read_timeout) {
                // O_NONBLOCK: `open` returns at once, writer or not; `read` polls.
                let file = std::fs::OpenOptions::new()
                    .read(true)
                    .custom_flags(libc::O_NONBLOCK)
                    .open(path)?;
                let meta = file.metadata().ok();
                return Ok((Source::Fifo { file, timeout }, meta));
            }
        }
        let _ = opts;
        let file = std::fs::File::open(path)?;
        let meta = file.metadata().ok();
        Ok((Source::File(file), meta))
    }
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Source::File(f) => f.read(buf),
            #[cfg(unix)]
            Source::Fifo { file, timeout } => read_fifo(file, *timeout, buf),
        }
    }
}

/// Read a FIFO opened with `O_NONBLOCK`, waiting at most `timeout` for data. On Linux,
/// `poll` on a FIFO that has never had a writer waits (it reports neither data nor hang-up),
/// so a FIFO nobody writes to times out instead of reading as empty; a writer that came
/// and went reads as the end of the input.
#[cfg(unix)]
fn read_fifo(
    file: &mut std::fs::File,
    timeout: std::time::Duration,
    buf: &mut [u8],
) -> std::io::Result<usize> {
    use std::os::fd::AsRawFd;
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!(
                    "a FIFO that gave no data for {} s (--read-timeout)",
                    timeout.as_secs_f64()
                ),
            ));
        }
        let mut pfd = libc::pollfd {
            fd: file.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = left.as_millis().clamp(1, i32::MAX as u128) as libc::c_int;
        // SAFETY: `pfd` is one valid, initialised pollfd for the duration of the call.
        let ready = unsafe { libc::poll(&mut pfd, 1, ms) };
        if ready < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if ready == 0 {
            continue; // the deadline check above ends the wait
        }
        match file.read(buf) {
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
                ) => {}
            r => return r,
        }
    }
}

/// "SIZE is larger than --max-doc-bytes N" (or than the 4 GiB limit).
fn too_large(size: &str, max: usize) -> String {
    if max == DOC_BYTES_LIMIT {
        format!("{size} is larger than the limit of {DOC_BYTES_LIMIT} bytes")
    } else {
        format!("{size} is larger than --max-doc-bytes {max}")
    }
}

/// Decode a file's bytes; refuses binary (NUL bytes) and invalid UTF-8 (unless lossy).
/// Returns the text and whether replacement characters were inserted.
fn decode_text(bytes: Vec<u8>, opts: &LoadOptions) -> std::result::Result<(String, bool), String> {
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
    if body
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
        .is_empty()
    {
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

/// Parse a leading `date YYYY-MM-DD` (after an optional byte-order mark and white space). Returns the date and the
/// byte offset where the text to match begins.
pub fn date_prefix(text: &str) -> (Option<String>, usize) {
    // A byte-order mark (Windows editors write one) may stand before the date.
    let trimmed = text.trim_start_matches('\u{FEFF}').trim_start();
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
    // A calendar month and day, so "date 2025-13-45" stays text rather than a bogus date.
    let num = |r: std::ops::Range<usize>| after_kw[r].parse::<u32>().unwrap_or(0);
    if !is_date || !(1..=12).contains(&num(5..7)) || !(1..=31).contains(&num(8..10)) {
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
    parse_jsonl_from(bytes, name, opts, problems)
}

/// One line of a JSONL input, read with a bounded buffer.
struct Line {
    /// The line without its `\n` (empty when it was too long).
    bytes: Vec<u8>,
    /// Its full length in bytes, without the `\n`.
    len: usize,
    /// Whether a `\n` ended it (not so for the last line of an input without one).
    newline: bool,
}

/// Read the next line (without `\n`), keeping at most `max` bytes of it in memory: a longer
/// line is read to its end and dropped, so one enormous line cannot exhaust memory.
/// `Ok(None)` at the end of the input.
fn read_line(r: &mut impl BufRead, max: usize) -> std::io::Result<Option<Line>> {
    let mut line = Line {
        bytes: Vec::new(),
        len: 0,
        newline: false,
    };
    let mut any = false;
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(any.then_some(line));
        }
        any = true;
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], true),
            None => (buf, false),
        };
        line.len += chunk.len();
        if line.len <= max {
            line.bytes.extend_from_slice(chunk);
        } else {
            line.bytes = Vec::new();
        }
        let used = chunk.len() + usize::from(done);
        r.consume(used);
        if done {
            line.newline = true;
            return Ok(Some(line));
        }
    }
}

/// Parse JSONL from a reader, line by line. Every bad line becomes a problem naming `name`
/// and the line; a read error ends the input with a problem. A binary input (a NUL byte in
/// its first 8 KiB) is one problem, not one per line; an input without records is a warning.
pub fn parse_jsonl_from(
    reader: impl BufRead,
    name: &str,
    opts: &LoadOptions,
    problems: &mut Vec<Problem>,
) -> Vec<Document> {
    let mut docs = Vec::new();
    parse_jsonl_each(reader, name, opts, None, &mut |item| match item {
        Item::Doc(d) => docs.push(d),
        Item::Problem(p) => problems.push(p),
    });
    docs
}

/// [`parse_jsonl_from`] as a stream of documents and problems in line order. With `file`
/// (the input is that regular file), documents carry their line's [`Origin::File`].
fn parse_jsonl_each(
    mut reader: impl BufRead,
    name: &str,
    opts: &LoadOptions,
    file: Option<&Arc<Path>>,
    emit: &mut dyn FnMut(Item),
) {
    let max = opts.max_doc_bytes.min(DOC_BYTES_LIMIT);
    let file_problem = |message: String, skipped: bool| Problem {
        path: name.to_string(),
        line: None,
        doc: None,
        message,
        skipped,
    };
    match sniff_nul(&mut reader) {
        Ok(Some(pos)) => {
            emit(Item::Problem(file_problem(
                format!("binary file (NUL byte at offset {pos})"),
                true,
            )));
            return;
        }
        Ok(None) => {}
        Err(e) => {
            emit(Item::Problem(file_problem(
                format!("cannot read: {e}"),
                true,
            )));
            return;
        }
    }
    let mut records = 0usize;
    let mut lineno = 0usize;
    let mut offset = 0u64;
    loop {
        let line = match read_line(&mut reader, max) {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => {
                emit(Item::Problem(Problem {
                    line: Some(lineno + 1),
                    ..file_problem(
                        format!("cannot read: {e}; the rest of the input is lost"),
                        true,
                    )
                }));
                return;
            }
        };
        lineno += 1;
        let start = offset;
        offset += line.len as u64 + u64::from(line.newline);
        let mut raw = line.bytes.as_slice();
        if lineno == 1 {
            raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
        }
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.len <= max && raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        records += 1;
        let mut report = |message: String, doc: Option<String>| {
            emit(Item::Problem(Problem {
                path: name.to_string(),
                line: Some(lineno),
                doc,
                message,
                skipped: true,
            }))
        };
        if line.len > max {
            report(too_large(&format!("line of {} bytes", line.len), max), None);
            continue;
        }
        match parse_record(raw, name, lineno, opts) {
            Ok(mut doc) => match check_content(&doc) {
                Some(p) => emit(Item::Problem(p)),
                None => {
                    if let Some(file) = file {
                        doc.origin = Origin::File {
                            file: file.clone(),
                            offset: start,
                            len: line.len as u64,
                            hash: text_hash(&doc.text),
                        };
                    }
                    emit(Item::Doc(doc))
                }
            },
            Err((message, id)) => report(message, id),
        }
    }
    if records == 0 {
        emit(Item::Problem(file_problem(
            "no JSONL records (the input is empty or blank)".into(),
            false,
        )));
    }
}

/// The text of a document whose text was dropped, read again from where it came from
/// ([`Origin::File`]: seek, read its bytes, decode or parse them as the first read did).
/// A document only in memory ([`Origin::Memory`]) gives its text as it is. An error names
/// the file (and line) when the file cannot be read or no longer holds the same text.
pub fn reread(doc: &Document, opts: &LoadOptions) -> Result<String> {
    let Origin::File {
        file,
        offset,
        len,
        hash,
    } = &doc.origin
    else {
        return Ok(doc.text.clone());
    };
    let at = match doc.line {
        Some(l) => format!("line {l}: "),
        None => String::new(),
    };
    let changed = |why: &str| Error::BadFile {
        path: file.to_path_buf(),
        detail: format!(
            "{at}{why} since it was first read (document {}); nothing written, run again",
            doc.id
        ),
    };
    let io = |source| Error::Io {
        path: file.to_path_buf(),
        source,
    };
    let mut f = std::fs::File::open(file).map_err(io)?;
    f.seek(std::io::SeekFrom::Start(*offset)).map_err(io)?;
    let mut bytes = Vec::with_capacity(*len as usize);
    f.take(*len).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 != *len {
        return Err(changed("the file is shorter"));
    }
    let text = match doc.line {
        Some(lineno) => {
            let mut raw = bytes.as_slice();
            if lineno == 1 {
                raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
            }
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let name = doc.path.as_deref().unwrap_or_default();
            parse_record(raw, name, lineno, opts).map(|d| d.text).ok()
        }
        None => decode_text(bytes, opts).map(|(t, _)| t).ok(),
    };
    match text {
        Some(t) if text_hash(&t) == *hash => Ok(t),
        _ => Err(changed("the document changed")),
    }
}

/// Position of a NUL byte in the first [`SNIFF_BYTES`] of the input, without consuming it.
fn sniff_nul(r: &mut impl BufRead) -> std::io::Result<Option<usize>> {
    loop {
        match r.fill_buf() {
            Ok(buf) => {
                let head = &buf[..buf.len().min(SNIFF_BYTES)];
                return Ok(head.iter().position(|&b| b == 0));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Parse one non-blank JSONL line into a document; on failure the message and the id when
/// it was read.
fn parse_record(
    raw: &[u8],
    name: &str,
    lineno: usize,
    opts: &LoadOptions,
) -> std::result::Result<Document, (String, Option<String>)> {
    let fail = |m: String| Err((m, None));
    if let Some(pos) = raw.iter().position(|&b| b == 0) {
        return fail(format!("binary data (NUL byte at byte {pos} of the line)"));
    }
    let (line, mut lossy) = match std::str::from_utf8(raw) {
        Ok(s) => (std::borrow::Cow::Borrowed(s), false),
        Err(_) if opts.lossy => (String::from_utf8_lossy(raw), true),
        Err(e) => {
            return fail(format!(
                "invalid UTF-8 at byte {} of the line (use --lossy to decode with replacement characters)",
                e.valid_up_to()
            ))
        }
    };
    let value: Value = match serde_json::from_str(&line) {
        Ok(v) => v,
        Err(e) => {
            // JavaScript and Python write lone UTF-16 surrogates (half an emoji) as `\ud83d`,
            // which is not valid JSON text; --lossy decodes them as U+FFFD like any other
            // broken character.
            let fixed = replace_lone_surrogates(&line);
            if fixed == line {
                return fail(format!("malformed JSON: {e}"));
            }
            if !opts.lossy {
                return fail(format!(
                    "malformed JSON: {e} (a lone UTF-16 surrogate escape; use --lossy to decode it as a replacement character)"
                ));
            }
            match serde_json::from_str(&fixed) {
                Ok(v) => {
                    lossy = true;
                    v
                }
                Err(e) => return fail(format!("malformed JSON: {e}")),
            }
        }
    };
    let Value::Object(mut obj) = value else {
        return fail(format!("not a JSON object but {}", json_kind(&value)));
    };
    let id = match obj.remove("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s,
        Some(Value::String(_)) => return fail("field \"id\" is empty".into()),
        Some(other) => {
            return fail(format!(
                "field \"id\" must be a string, not {}",
                json_kind(&other)
            ))
        }
        None => return fail("missing field \"id\"".into()),
    };
    let text = match obj.remove("text") {
        Some(Value::String(s)) => s,
        Some(other) => {
            return Err((
                format!("field \"text\" must be a string, not {}", json_kind(&other)),
                Some(id),
            ))
        }
        None => return Err(("missing field \"text\"".into(), Some(id))),
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
        Err(m) => return Err((m, Some(id))),
    };
    if let Some(pos) = text.find('\0') {
        return Err((
            format!("binary text (NUL character at byte {pos} of \"text\")"),
            Some(id),
        ));
    }
    Ok(Document {
        outlet: outlet
            .filter(|o| !o.trim().is_empty())
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
        origin: Origin::Memory,
    })
}

/// Replace `\uXXXX` escapes of UTF-16 surrogates that are not part of a valid pair with
/// `\uFFFD`. Other text, and valid pairs, are unchanged.
fn replace_lone_surrogates(line: &str) -> String {
    let b = line.as_bytes();
    let hex = |i: usize| -> Option<u16> {
        let s = line.get(i..i + 4)?;
        if s.bytes().all(|c| c.is_ascii_hexdigit()) {
            u16::from_str_radix(s, 16).ok()
        } else {
            None
        }
    };
    // A `\u` escape at byte i: the backslash at i is not itself escaped (the caller walks
    // escapes in order).
    let escape_at = |i: usize| -> Option<u16> {
        if b.get(i) == Some(&b'\\') && b.get(i + 1) == Some(&b'u') {
            hex(i + 2)
        } else {
            None
        }
    };
    let mut out = String::with_capacity(line.len());
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(u) = escape_at(i) else {
            i += 2; // any other escape, including `\\`
            continue;
        };
        let high = (0xD800..0xDC00).contains(&u);
        let low = (0xDC00..0xE000).contains(&u);
        if high && escape_at(i + 6).is_some_and(|v| (0xDC00..0xE000).contains(&v)) {
            i += 12; // a valid pair
        } else if high || low {
            out.push_str(&line[last..i]);
            out.push_str("\\uFFFD");
            i += 6;
            last = i;
        } else {
            i += 6;
        }
    }
    out.push_str(&line[last..]);
    out
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
        assert_eq!(date_prefix("date 2025-13-19 x"), (None, 0));
        assert_eq!(date_prefix("date 2025-02-00 x"), (None, 0));
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

    #[test]
    fn bom_before_a_date_line() {
        let text = "\u{FEFF}date 2025-02-18\nBody";
        let (date, start) = date_prefix(text);
        assert_eq!(date.as_deref(), Some("2025-02-18"));
        assert_eq!(&text[start..], "\nBody");
    }

    #[test]
    fn jsonl_bom_crlf_and_blank_lines() {
        let input =
            b"\xEF\xBB\xBF{\"id\":\"a\",\"text\":\"x y\"}\r\n\r\n  \n{\"id\":\"b\",\"text\":\"z\"}";
        let mut problems = Vec::new();
        let docs = parse_jsonl(input, "f", &LoadOptions::default(), &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        let at: Vec<_> = docs.iter().map(|d| (d.id.as_str(), d.line)).collect();
        assert_eq!(at, [("a", Some(1)), ("b", Some(4))]);
    }

    #[test]
    fn long_lines_are_counted_not_kept() {
        let mut r = &b"short\nthis line is too long\n\nend"[..];
        let mut got = Vec::new();
        while let Some(l) = read_line(&mut r, 8).unwrap() {
            got.push((l.bytes, l.len));
        }
        assert_eq!(
            got,
            [
                (b"short".to_vec(), 5),
                (Vec::new(), 21),
                (Vec::new(), 0),
                (b"end".to_vec(), 3)
            ]
        );
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let fix = replace_lone_surrogates;
        assert_eq!(fix(r#""a\ud83d b""#), r#""a\uFFFD b""#);
        assert_eq!(fix(r#""\udc00""#), r#""\uFFFD""#);
        assert_eq!(fix(r#""\ud83d\ude00 ok""#), r#""\ud83d\ude00 ok""#);
        assert_eq!(fix(r#""\\ud83d is text""#), r#""\\ud83d is text""#);
        assert_eq!(fix(r#""\ud83d\ud83d\ude00""#), r#""\uFFFD\ud83d\ude00""#);
        assert_eq!(fix(r#""cut \ud8"#), r#""cut \ud8"#);
        let lossy = LoadOptions {
            lossy: true,
            ..LoadOptions::default()
        };
        let mut problems = Vec::new();
        let docs = parse_jsonl(
            br#"{"id":"a","text":"half \ud83d emoji"}"#,
            "f",
            &lossy,
            &mut problems,
        );
        assert!(problems.is_empty());
        assert_eq!(docs[0].text, "half \u{FFFD} emoji");
        assert!(docs[0].lossy);
    }

    #[test]
    fn binary_jsonl_is_one_problem() {
        let mut problems = Vec::new();
        let docs = parse_jsonl(
            b"PK\x03\x04\x00\n\x00\n\x00\n",
            "z.jsonl",
            &LoadOptions::default(),
            &mut problems,
        );
        assert!(docs.is_empty());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].message, "binary file (NUL byte at offset 4)");
    }

    /// Every document of a streamed load, read again from its origin, is the text first
    /// read: JSONL with a byte-order mark, CRLF line ends, blank, bad, over-long and
    /// duplicate lines, escapes and a last line without `\n`; plain text with a date line and
    /// invalid UTF-8 (lossy).
    #[test]
    fn every_document_reads_back_from_its_origin() {
        let dir = tempfile::tempdir().unwrap();
        let feed = "\u{FEFF}{\"id\":\"a\",\"text\":\"first line \\u00e9t\u{e9}\"}\r\n\
                    \n\
                    {\"id\":\"b\",\"text\":\"second\\nline\",\"outlet\":\"x\"}\n\
                    not json\n\
                    {\"id\":\"long\",\"text\":\"" .to_string()
            + &"w ".repeat(400)
            + "\"}\n{\"id\":\"a\",\"text\":\"duplicate\"}\n{\"id\":\"c\",\"text\":\"last \u{1F600}\"}";
        std::fs::write(dir.path().join("feed.jsonl"), feed).unwrap();
        std::fs::create_dir(dir.path().join("out")).unwrap();
        std::fs::write(
            dir.path().join("out/story.txt"),
            b"date 2025-02-18\nPlain \xFF text\n",
        )
        .unwrap();
        let opts = LoadOptions {
            lossy: true,
            max_doc_bytes: 500,
            ..LoadOptions::default()
        };
        let mut problems = Vec::new();
        let mut docs = Vec::new();
        load_each(
            &[Input::Path(dir.path().to_path_buf())],
            &opts,
            &mut problems,
            &mut |d| docs.push(d),
        )
        .unwrap();
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c", "out/story.txt"]);
        assert_eq!(problems.len(), 3, "{problems:?}");
        for d in &docs {
            assert!(matches!(d.origin, Origin::File { .. }), "{}", d.id);
            let mut gone = d.clone();
            gone.text = String::new();
            assert_eq!(reread(&gone, &opts).unwrap(), d.text, "{}", d.id);
        }
        assert!(docs[3].lossy && docs[3].text.contains('\u{FFFD}'));
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_an_error_naming_it_and_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.jsonl");
        std::fs::write(
            &path,
            "{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"two\"}\n",
        )
        .unwrap();
        let opts = LoadOptions::default();
        let corpus = load(&[Input::Path(path.clone())], &opts).unwrap();
        let b = &corpus.documents[1];
        assert_eq!(reread(b, &opts).unwrap(), "two");
        // Same length, other text.
        std::fs::write(
            &path,
            "{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"TWO\"}\n",
        )
        .unwrap();
        let e = reread(b, &opts).unwrap_err().to_string();
        assert!(
            e.contains("f.jsonl") && e.contains("line 2") && e.contains("changed"),
            "{e}"
        );
        // Shorter.
        std::fs::write(&path, "{}").unwrap();
        let e = reread(b, &opts).unwrap_err().to_string();
        assert!(e.contains("f.jsonl") && e.contains("shorter"), "{e}");
        // Gone.
        std::fs::remove_file(&path).unwrap();
        let e = reread(b, &opts).unwrap_err().to_string();
        assert!(e.contains("f.jsonl"), "{e}");
    }

    #[test]
    fn only_regular_files_can_be_read_again() {
        let mut problems = Vec::new();
        let docs = parse_jsonl(
            b"{\"id\":\"a\",\"text\":\"x\"}\n",
            "-",
            &LoadOptions::default(),
            &mut problems,
        );
        assert_eq!(docs[0].origin, Origin::Memory);
        assert_eq!(reread(&docs[0], &LoadOptions::default()).unwrap(), "x");
    }
}
