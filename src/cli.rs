//! Command-line interface: parses arguments into the library's [`Config`] and runs the
//! subcommands. Nothing below this module knows clap exists.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use wirecopy::config::{CandidateMode, Config, LoadOptions, LshSettings, Settings};
use wirecopy::corpus::Input;
use wirecopy::error::Error;
use wirecopy::eval::generate::{self, GenParams};
use wirecopy::eval::score::{self, ScoreOptions};
use wirecopy::eval::truth::Truth;
use wirecopy::regress::{self, Diff};
use wirecopy::report::filter::Filter;
use wirecopy::report::{self, Report};
use wirecopy::sketch::{Sketch, SketchParams};

use crate::bars as progress;

mod index;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: the run finished but documents were skipped.
pub const EXIT_SKIPPED: u8 = 1;
/// Exit code (`eval`): a `--min-*` threshold was not met.
pub const EXIT_BELOW_THRESHOLD: u8 = 1;
/// Exit code: usage or input error; nothing was written.
pub const EXIT_ERROR: u8 = 2;
/// Exit code of `check` and `diff`: something changed beyond tolerance.
pub const EXIT_CHANGED: u8 = 1;

/// Find reused wire copy in a corpus of news articles.
#[derive(Debug, Parser)]
#[command(
    name = "wirecopy",
    version,
    about,
    long_about = None,
    max_term_width = 100,
    after_help = "Exit status: 0 ok; 1 documents were skipped (the report is still written); \
                  2 usage or input error (nothing written)."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Report the reused passages of a corpus, per outlet.
    ///
    /// PATHs are files or directories (walked recursively; `.txt` and `.jsonl`), or `-` for
    /// JSONL on standard input. Every bad file or line is named on stderr with the reason and
    /// the rest is still read.
    ///
    /// Exit status: 0 ok (warnings possible); 1 some documents were skipped, the report covers
    /// the rest; 2 usage or input error (a PATH that does not exist, no document left, or a
    /// skip under --strict), nothing written.
    Report(ReportArgs),
    /// Run the report on a corpus and compare it with a baseline report and/or score it
    /// against a truth file (CI regression mode).
    ///
    /// Passages are matched by id, then by overlapping spans in the same document pair; the
    /// output lists settings changes, documents added or removed, passages lost, found and
    /// changed, and outlet coverage changes. With --truth the run is also scored (PAN
    /// character-level precision, recall, F1, granularity) and --min-f1/--min-precision/
    /// --min-recall set floors. Exit status: 0 nothing changed beyond the tolerance and every
    /// floor met (or --update wrote the baseline), 1 something changed or a floor was missed,
    /// 2 usage or input error (missing or unreadable baseline or truth, bad corpus path).
    Check(CheckArgs),
    /// Compare two saved JSON reports, as `check` does.
    ///
    /// Exit status: 0 nothing changed beyond the tolerance, 1 something changed, 2 usage or
    /// input error (a report missing or unreadable).
    Diff(DiffArgs),
    /// Generate a synthetic wire-copy corpus with exact ground truth.
    ///
    /// Reads real articles from a JSONL or JSONL.gz base (fields id, outlet, title, text;
    /// Reuters articles become wire stories, BBC articles own paragraphs and distractors) and
    /// writes DIR/corpus.jsonl and DIR/truth.json. The same base, seed and options give the
    /// same bytes.
    Generate(GenerateArgs),
    /// Score detected passages against a truth file (PAN measures).
    ///
    /// Reads a saved JSON report (--report) or analyses PATHs itself with the detection
    /// options below. Exit status: 0 ok, 1 a --min-* threshold was not met, 2 usage or input
    /// error.
    Eval(EvalArgs),
    /// Write the MinHash signatures and LSH band keys of a corpus to a sketch file.
    ///
    /// PATHs are read like `report` reads them; a PATH ending in `.wcsketch` is an earlier
    /// sketch, appended if it was made with the same hash family, seed, shingle size,
    /// permutations and normalisation (otherwise an error names the file and the fields).
    Sketch(SketchArgs),
    /// Keep a persistent archive of wire and outlet copy to report new articles against
    /// (`report --archive`): create, add, remove, stats, compact.
    ///
    /// The daily audit: `wirecopy index create A`, `wirecopy index add A wire/ --wire AP`, then
    /// each day `wirecopy report --archive A --add today/`.
    Index(index::IndexArgs),
}

#[derive(Debug, Args)]
struct SketchArgs {
    /// Files or directories to read (`-` for JSONL on stdin), or `.wcsketch` files.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// The sketch file to write (atomically).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    #[command(flatten)]
    detect: DetectArgs,
    #[command(flatten)]
    load: LoadArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Human-readable report.
    Text,
    /// JSON (schema in the README); always complete, display filters do not apply.
    Json,
    /// One self-contained HTML page: outlet × source matrix, outlet table, passages
    /// side by side.
    Html,
    /// One CSV row per passage (RFC 4180, CRLF line ends).
    Csv,
}

/// Output format of `check`, `diff` and `eval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TextOrJson {
    /// Human-readable.
    Text,
    /// JSON.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    /// Colour when standard output is a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// Files or directories to read; `-` reads JSONL from standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write to FILE instead of standard output: a regular file is replaced atomically, a
    /// link's target is written, a device or FIFO is written in place.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write the per-outlet summary as CSV to FILE.
    #[arg(long, value_name = "FILE")]
    outlets_csv: Option<PathBuf>,
    /// Also write the boilerplate groups (each repeated text once) as CSV to FILE.
    #[arg(long, value_name = "FILE")]
    boilerplate_csv: Option<PathBuf>,
    /// CSV: write cells as they are (no `'` before a leading =, +, -, @, tab or CR, no
    /// escaped control characters).
    #[arg(long)]
    csv_raw: bool,
    #[command(flatten)]
    archive: index::ArchiveArgs,
    #[command(flatten)]
    display: DisplayArgs,
    #[command(flatten)]
    detect: DetectArgs,
    #[command(flatten)]
    load: LoadArgs,
}

/// How two reports are compared and the comparison shown.
#[derive(Debug, Args)]
#[command(next_help_heading = "Comparison")]
struct CompareArgs {
    /// Largest change of a passage's similarity or an outlet's coverage (shares, 0–1) that
    /// is not reported.
    #[arg(long, value_name = "X", default_value_t = regress::DEFAULT_TOLERANCE)]
    tolerance: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    /// Wrap the text output at N columns.
    #[arg(long, value_name = "N", default_value_t = 80)]
    width: usize,
}

impl CompareArgs {
    fn validate(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.tolerance) {
            bail!(
                "--tolerance must be between 0 and 1, not {}",
                self.tolerance
            );
        }
        Ok(())
    }

    fn render(&self, diff: &Diff, old_label: String, new_label: String) -> String {
        match self.format {
            TextOrJson::Json => regress::render::json(diff),
            TextOrJson::Text => regress::render::text(
                diff,
                &regress::render::TextOptions {
                    width: self.width,
                    old_label,
                    new_label,
                },
            ),
        }
    }
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// The baseline report (JSON, as written by `report --format json` or `check --update`).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Files or directories to read; `-` reads JSONL from standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// Write the new report to the baseline file (atomically), after showing what changed.
    #[arg(long, visible_alias = "bless")]
    update: bool,
    /// Also score the run against hand-labelled passages (truth_version 1, see the README).
    #[arg(long, value_name = "FILE")]
    truth: Option<PathBuf>,
    /// Report the PATHs against this archive (see `wirecopy index`); detection options not
    /// given here come from the archive.
    #[arg(long, value_name = "ARCHIVE")]
    archive: Option<PathBuf>,
    #[command(flatten)]
    thresholds: Thresholds,
    #[command(flatten)]
    compare: CompareArgs,
    #[command(flatten)]
    detect: DetectArgs,
    #[command(flatten)]
    load: LoadArgs,
}

#[derive(Debug, Args)]
struct GenerateArgs {
    /// The base articles (JSONL, or gzipped JSONL when the name ends in .gz).
    #[arg(long, value_name = "FILE")]
    base: PathBuf,
    /// Directory to write corpus.jsonl and truth.json into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Seed of every random choice.
    #[arg(long, value_name = "N", default_value_t = GenParams::default().seed)]
    seed: u64,
    /// Wire stories.
    #[arg(long, value_name = "N", default_value_t = GenParams::default().wires)]
    wires: usize,
    /// Outlets.
    #[arg(long, value_name = "N", default_value_t = GenParams::default().outlets)]
    outlets: usize,
    /// Articles per outlet (copies and distractors).
    #[arg(long, value_name = "N", default_value_t = GenParams::default().articles)]
    articles: usize,
    /// Share of copied words edited (0–1).
    #[arg(long, value_name = "X", default_value_t = GenParams::default().edit_rate)]
    edit_rate: f64,
    /// Share of each outlet's articles that reuse nothing (0–1).
    #[arg(long, value_name = "X", default_value_t = GenParams::default().distractors)]
    distractors: f64,
    /// Read at most N articles of the base.
    #[arg(long, value_name = "N", default_value_t = GenParams::default().max_docs)]
    max_docs: usize,
}

#[derive(Debug, Args)]
struct EvalArgs {
    /// The truth file (truth_version 1, see the README).
    #[arg(long, value_name = "FILE")]
    truth: PathBuf,
    /// A saved JSON report to score, instead of analysing PATHs.
    #[arg(long, value_name = "REPORT.json", conflicts_with = "paths")]
    report: Option<PathBuf>,
    /// Files or directories to analyse (as for `report`).
    #[arg(value_name = "PATH", required_unless_present = "report")]
    paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    #[command(flatten)]
    thresholds: Thresholds,
    #[command(flatten)]
    detect: DetectArgs,
    #[command(flatten)]
    load: LoadArgs,
}

/// Quality floors of a run scored against a truth file (`eval`, `check --truth`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Scoring against a truth file")]
struct Thresholds {
    /// Fail (exit 1) when macro F1 is below X.
    #[arg(long, value_name = "X")]
    min_f1: Option<f64>,
    /// Fail (exit 1) when macro precision is below X.
    #[arg(long, value_name = "X")]
    min_precision: Option<f64>,
    /// Fail (exit 1) when macro recall is below X.
    #[arg(long, value_name = "X")]
    min_recall: Option<f64>,
    /// Score boilerplate passages and boilerplate truth cases too.
    #[arg(long)]
    include_boilerplate: bool,
    /// Score only document pairs one of whose documents is from OUTLET (e.g. `wire`, for
    /// wire-to-outlet reuse), in the truth and in the report alike.
    #[arg(long, value_name = "OUTLET")]
    pairs_with: Option<String>,
}

impl Thresholds {
    fn list(&self) -> [(&'static str, &'static str, Option<f64>); 3] {
        [
            ("--min-f1", "F1", self.min_f1),
            ("--min-precision", "precision", self.min_precision),
            ("--min-recall", "recall", self.min_recall),
        ]
    }

    fn validate(&self) -> Result<()> {
        for (flag, _, v) in self.list() {
            if let Some(x) = v {
                if !(0.0..=1.0).contains(&x) {
                    bail!("{flag} must be between 0 and 1, not {x}");
                }
            }
        }
        Ok(())
    }

    /// Score `report` against the truth at `path`; returns the scores and whether a floor
    /// was missed (each miss is named on stderr).
    fn score(&self, path: &Path, report: &Report) -> Result<(score::Scores, bool)> {
        let mut truth = Truth::load(path)?;
        let filtered: Report;
        let mut report = report;
        if let Some(outlet) = &self.pairs_with {
            let of = |id: &str| report.document(id).map(|d| d.outlet.as_str());
            truth
                .passages
                .retain(|c| of(&c.a.doc) == Some(outlet) || of(&c.b.doc) == Some(outlet));
            let mut r = report.clone();
            r.passages
                .retain(|p| p.a.outlet == *outlet || p.b.outlet == *outlet);
            filtered = r;
            report = &filtered;
        }
        truth
            .check_documents(|id| report.document(id).map(|d| d.chars))
            .map_err(|detail| Error::BadFile {
                path: path.to_path_buf(),
                detail,
            })?;
        let scores = score::score(
            &truth,
            &score::detections(report, &truth),
            ScoreOptions {
                include_boilerplate: self.include_boilerplate,
            },
        );
        let mut failed = false;
        for ((flag, name, min), got) in
            self.list()
                .into_iter()
                .zip([scores.f1, scores.precision, scores.recall])
        {
            if let Some(min) = min {
                if got < min {
                    eprintln!("wirecopy: {name} {got:.4} is below {flag} {min}");
                    failed = true;
                }
            }
        }
        Ok((scores, failed))
    }
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// The old (baseline) JSON report.
    #[arg(value_name = "OLD.json")]
    old: PathBuf,
    /// The new JSON report.
    #[arg(value_name = "NEW.json")]
    new: PathBuf,
    #[command(flatten)]
    compare: CompareArgs,
}

/// Options of the reports people read (text, HTML, CSV); they never change what is
/// detected, and the JSON report is always complete.
#[derive(Debug, Args)]
#[command(next_help_heading = "Display (text, HTML, CSV)")]
struct DisplayArgs {
    /// Show at most N passages, the largest first.
    #[arg(long, value_name = "N")]
    top: Option<usize>,
    /// Show only this outlet and passages involving it (repeatable).
    #[arg(long, value_name = "NAME")]
    outlet: Vec<String>,
    /// Show only passages with at least N identical words (detection's threshold is
    /// --min-words).
    #[arg(long, value_name = "N", default_value_t = 0)]
    show_min_words: usize,
    /// Wrap the text report at N columns [default: the terminal's width, else 80].
    #[arg(long, value_name = "N")]
    width: Option<usize>,
    /// Colour the text report.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
}

impl DisplayArgs {
    fn filter(&self) -> Filter {
        Filter {
            outlets: self.outlet.clone(),
            min_words: self.show_min_words,
            top: self.top,
        }
    }

    /// Width and colour of the text report; the terminal is only asked when the report
    /// goes to it.
    fn terminal(&self, to_stdout: bool) -> (usize, bool) {
        let tty = to_stdout && std::io::stdout().is_terminal();
        let width = self.width.unwrap_or_else(|| {
            tty.then(|| terminal_size::terminal_size().map(|(w, _)| w.0 as usize))
                .flatten()
                .unwrap_or(80)
        });
        let color = match self.color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        };
        (width, color)
    }
}

/// Options that change what is detected (all recorded in the report's `settings`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Detection")]
struct DetectArgs {
    /// Words per shingle (MinHash and exact verification).
    #[arg(long, value_name = "N", default_value_t = Settings::default().shingle)]
    shingle: usize,
    /// MinHash permutations.
    #[arg(long, value_name = "K", default_value_t = Settings::default().permutations)]
    permutations: usize,
    /// Seed of the hash functions.
    #[arg(long, value_name = "SEED", default_value_t = Settings::default().seed)]
    seed: u64,
    /// Words per alignment anchor.
    #[arg(long, value_name = "N", default_value_t = Settings::default().anchor)]
    anchor: usize,
    /// Longest run of differing words an alignment bridges.
    #[arg(long, value_name = "N", default_value_t = Settings::default().max_gap)]
    max_gap: usize,
    /// Fewest identical words in a passage.
    #[arg(long, value_name = "N", default_value_t = Settings::default().min_words)]
    min_words: usize,
    /// Lowest share of identical words in a passage (0–1).
    #[arg(long, value_name = "X", default_value_t = Settings::default().min_similarity)]
    min_similarity: f64,
    /// Fewest shared distinctive shingles (not stock phrases, see --lsh-max-df) for a pair to
    /// be verified and aligned; 0: 1 up to 2,000 documents, 2 above.
    #[arg(long, value_name = "N", default_value_t = Settings::default().min_shared)]
    min_shared: usize,
    /// A pair linked only by stock phrases is verified when it shares at least N shingles.
    #[arg(long, value_name = "N", default_value_t = Settings::default().min_stock_shared)]
    min_stock_shared: usize,
    /// Share of identical words inside quotation marks on both sides that makes a `quote`.
    #[arg(long, value_name = "X", default_value_t = Settings::default().quote_share)]
    quote_share: f64,
    /// Do not map British spellings to American ones.
    #[arg(long)]
    no_spelling: bool,
    /// Do not write number words as digits.
    #[arg(long)]
    no_numbers: bool,
    /// Mark reference (wire) documents: an outlet name, document id, or file/directory path.
    #[arg(long, value_name = "SPEC")]
    wire: Vec<String>,
    /// Boilerplate phrases, one per line (blank lines and lines starting with # ignored).
    #[arg(long, value_name = "FILE")]
    boilerplate: Option<PathBuf>,
    /// A shingle in this many articles of one outlet is that outlet's boilerplate.
    #[arg(long, value_name = "N", default_value_t = Settings::default().boilerplate_outlet_docs)]
    boilerplate_outlet_docs: usize,
    /// A shingle in this share of all articles (and at least 20) is corpus boilerplate.
    #[arg(long, value_name = "X", default_value_t = Settings::default().boilerplate_corpus_share)]
    boilerplate_corpus_share: f64,
    /// An extra credit-line pattern (regular expression, case-insensitive).
    #[arg(long, value_name = "PATTERN")]
    credit: Vec<String>,
    /// Candidate pairs: `auto` compares all pairs up to 2,000 documents and uses the
    /// near-linear index above; `all-pairs`; `lsh`.
    #[arg(long, value_enum, value_name = "MODE", default_value = "auto")]
    candidates: CandidatesArg,
    /// Jaccard threshold of the whole-document MinHash banding.
    #[arg(long, value_name = "X", default_value_t = LshSettings::default().threshold)]
    lsh_threshold: f64,
    /// A shingle in more documents than this is a stock phrase: not an index key, and not
    /// distinctive evidence (see --min-shared, --min-stock-shared).
    #[arg(long, value_name = "N", default_value_t = LshSettings::default().max_df)]
    lsh_max_df: usize,
    /// A shingle in more than --lsh-max-df documents links each of them only to N of them
    /// (wire documents first, then the first in input order).
    #[arg(long, value_name = "N", default_value_t = LshSettings::default().frequent_links)]
    lsh_frequent_links: usize,
    /// A band bucket with more documents pairs each only with N of its members (wire
    /// documents first, then the first in input order).
    #[arg(long, value_name = "N", default_value_t = LshSettings::default().max_bucket)]
    lsh_max_bucket: usize,
    /// Align each document with at most its N strongest verified partners (wire documents
    /// first, then most shared shingles); 0 aligns every verified pair. A story run by
    /// hundreds of outlets then costs N alignments per copy instead of one per pair of copies.
    #[arg(long, value_name = "N", default_value_t = Settings::default().max_partners)]
    max_partners: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CandidatesArg {
    /// All pairs below 2,000 documents, the index above.
    Auto,
    /// Every cross-outlet pair (exact, quadratic).
    AllPairs,
    /// MinHash banding plus the capped shingle index (near-linear).
    Lsh,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
struct LoadArgs {
    /// Decode invalid UTF-8 (and, in JSONL, lone UTF-16 surrogate escapes) with replacement
    /// characters; offsets then refer to the decoded text.
    #[arg(long)]
    lossy: bool,
    /// Skip documents (JSONL: lines) larger than N bytes, without reading them whole.
    #[arg(long, value_name = "N", default_value_t = LoadOptions::default().max_doc_bytes)]
    max_doc_bytes: usize,
    /// Wait at most SECS for a FIFO named as a PATH to give data (a writer to appear, then
    /// between reads); a silent FIFO is skipped. 0 waits forever.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    read_timeout: f64,
    /// Treat any skipped document or line as an error (exit 2, nothing written); warnings
    /// do not count.
    #[arg(long)]
    strict: bool,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Print each stage's wall time (and text throughput) to standard error.
    #[arg(long)]
    timings: bool,
}

impl DetectArgs {
    fn settings(&self) -> Result<Settings> {
        let d = Settings::default();
        let boilerplate_phrases = match &self.boilerplate {
            None => Vec::new(),
            Some(p) => std::fs::read_to_string(p)
                .with_context(|| format!("cannot read --boilerplate file {}", p.display()))?
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string)
                .collect(),
        };
        let mut normalization = d.normalization;
        normalization.spelling = !self.no_spelling;
        normalization.numbers = !self.no_numbers;
        let s = Settings {
            shingle: self.shingle,
            permutations: self.permutations,
            seed: self.seed,
            normalization,
            anchor: self.anchor,
            max_gap: self.max_gap,
            min_words: self.min_words,
            min_similarity: self.min_similarity,
            min_shared: self.min_shared,
            min_stock_shared: self.min_stock_shared,
            quote_share: self.quote_share,
            boilerplate_outlet_docs: self.boilerplate_outlet_docs,
            boilerplate_corpus_share: self.boilerplate_corpus_share,
            boilerplate_phrases,
            wire: self.wire.clone(),
            credit: self.credit.clone(),
            candidates: match self.candidates {
                CandidatesArg::Auto => CandidateMode::Auto,
                CandidatesArg::AllPairs => CandidateMode::AllPairs,
                CandidatesArg::Lsh => CandidateMode::Lsh,
            },
            lsh: LshSettings {
                threshold: self.lsh_threshold,
                max_df: self.lsh_max_df,
                frequent_links: self.lsh_frequent_links,
                max_bucket: self.lsh_max_bucket,
                ..d.lsh
            },
            max_partners: self.max_partners,
        };
        s.validate()?;
        Ok(s)
    }
}

fn config(detect: &DetectArgs, load: &LoadArgs) -> Result<Config> {
    Ok(Config {
        settings: detect.settings()?,
        load: load_options(load)?,
    })
}

fn load_options(load: &LoadArgs) -> Result<LoadOptions> {
    Ok(LoadOptions {
        lossy: load.lossy,
        max_doc_bytes: load.max_doc_bytes,
        read_timeout: match std::time::Duration::try_from_secs_f64(load.read_timeout) {
            Ok(d) if d.is_zero() => None,
            Ok(d) => Some(d),
            Err(_) => bail!(
                "--read-timeout must be a number of seconds, 0 or more, not {}",
                load.read_timeout
            ),
        },
    })
}

fn init_threads(n: Option<usize>) -> Result<()> {
    if let Some(n) = n {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .context("cannot start the thread pool")?;
    }
    Ok(())
}

/// Read the corpus in a stream and analyse it; problems go to stderr, each naming its file
/// (and line), then a one-line count. Returns the analysis (the HTML report shows the texts
/// of its documents in aligned pairs) and whether anything was skipped.
fn run_corpus(
    paths: &[String],
    cfg: &Config,
    strict: bool,
    timings: bool,
    archive: Option<(&wirecopy::archive::Archive, bool)>,
) -> Result<(
    wirecopy::Analysis,
    bool,
    Option<wirecopy::archive::query::NewDocs>,
)> {
    let progress = progress::Bars::new(timings);
    let inputs: Vec<Input> = paths.iter().map(|p| Input::parse(p)).collect();
    let sketched = wirecopy::sketch_stream(&inputs, &cfg.load, &cfg.settings, &progress)?;
    let documents = sketched.documents.len();
    let skipped = loaded(&sketched.problems, documents, strict)?;
    // Against an archive (`--archive`; with `keep`, the new documents are returned to be
    // added), or on its own.
    let (analysis, new) = match archive {
        Some((a, keep)) => wirecopy::archive::query::analyze(
            a,
            sketched,
            &cfg.load,
            &cfg.settings,
            keep,
            &progress,
        )?,
        None => (
            wirecopy::analyze_sketched(sketched, &cfg.load, &cfg.settings, &progress)?,
            None,
        ),
    };
    progress.done();
    print_problems(&analysis.report.problems);
    if skipped > 0 {
        // Like every stderr write here: a closed stderr must not turn into a panic.
        let _ = writeln!(
            std::io::stderr(),
            "wirecopy: {skipped} input(s) skipped; the report covers the other {documents} document(s)"
        );
    }
    Ok((analysis, skipped > 0, new))
}

fn print_problems(problems: &[wirecopy::error::Problem]) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for p in problems {
        let kind = if p.skipped { "" } else { "warning: " };
        let p = wirecopy::report::safe::terminal(&p.to_string()).into_owned();
        let _ = writeln!(err, "wirecopy: {kind}{p}");
    }
}

/// After loading: with `--strict` and something skipped, or with nothing loaded, print the
/// problems (otherwise they go to stderr with the report's own warnings, by [`run_corpus`])
/// and stop before anything is written. Returns the number of skipped inputs.
fn loaded(problems: &[wirecopy::error::Problem], documents: usize, strict: bool) -> Result<usize> {
    let skipped = problems.iter().filter(|p| p.skipped).count();
    if (strict && skipped > 0) || documents == 0 {
        print_problems(problems);
    }
    if strict && skipped > 0 {
        bail!("{skipped} input(s) skipped and --strict is set; nothing written");
    }
    if documents == 0 {
        bail!(wirecopy::error::Error::EmptyCorpus(if skipped > 0 {
            format!(" ({skipped} input(s) skipped)")
        } else {
            " (no .txt or .jsonl files found)".into()
        }));
    }
    Ok(skipped)
}

/// `wirecopy sketch`: sketch the corpus PATHs, append `.wcsketch` PATHs, write atomically.
fn run_sketch(args: &SketchArgs) -> Result<ExitCode> {
    let cfg = config(&args.detect, &args.load)?;
    let params = SketchParams::from_settings(&cfg.settings);
    let progress = progress::Bars::new(args.load.timings);
    let (sketches, texts): (Vec<&String>, Vec<&String>) =
        args.paths.iter().partition(|p| p.ends_with(".wcsketch"));
    let texts: Vec<String> = texts.into_iter().cloned().collect();
    let mut out = Sketch {
        params: params.clone(),
        docs: Vec::new(),
    };
    let mut skipped = false;
    if !texts.is_empty() {
        let inputs: Vec<Input> = texts.iter().map(|p| Input::parse(p)).collect();
        let mut problems = Vec::new();
        out = wirecopy::sketch::sketch_stream(
            &inputs,
            &cfg.load,
            &cfg.settings,
            &mut problems,
            &progress,
        )?;
        skipped = loaded(&problems, out.docs.len(), args.load.strict)? > 0;
        print_problems(&problems);
    }
    for p in sketches {
        let path = PathBuf::from(p);
        let s = wirecopy::sketch::read(&path, &params)?;
        out.extend(s, &path)?;
    }
    out.write(&args.output)?;
    progress.done();
    Ok(ExitCode::from(if skipped { EXIT_SKIPPED } else { EXIT_OK }))
}

/// Write rendered output to a file (atomically; see [`wirecopy::output`]) or standard
/// output. A failed write is an error (exit 2) naming where it went.
fn emit(output: Option<&PathBuf>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(p) => wirecopy::output::write_atomic(p, bytes)?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .context(STDOUT_FAILED)?;
        }
    }
    Ok(())
}

const STDOUT_FAILED: &str = "cannot write standard output";

/// Like [`emit`], for a writer that streams its output.
fn emit_with(
    output: Option<&PathBuf>,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    match output {
        Some(p) => wirecopy::output::write_atomic_with(p, |f| fill(f))?,
        None => {
            let mut out = std::io::stdout().lock();
            fill(&mut out)
                .and_then(|()| out.flush())
                .context(STDOUT_FAILED)?;
        }
    }
    Ok(())
}

/// Run the parsed command line.
pub fn run(cli: Cli, matches: &clap::ArgMatches) -> Result<ExitCode> {
    match cli.command {
        Command::Report(args) => {
            init_threads(args.load.threads)?;
            let mut cfg = config(&args.detect, &args.load)?;
            // With --add, the write lock first: nobody adds between the report and its add.
            let pending = index::PendingAdd::open(&args.archive)?;
            let archive = args
                .archive
                .archive
                .as_ref()
                .map(|d| wirecopy::archive::Archive::open(d))
                .transpose()?;
            if let Some(a) = &archive {
                cfg.settings =
                    index::query_settings(&cfg.settings, matches.subcommand_matches("report"), a)?;
            }
            let (analysis, skipped, new) = run_corpus(
                &args.paths,
                &cfg,
                args.load.strict,
                args.load.timings,
                archive.as_ref().map(|a| (a, pending.is_some())),
            )?;
            let report = &analysis.report;
            let filter = args.display.filter();
            let csv = report::csv::CsvOptions {
                filter: filter.clone(),
                raw: args.csv_raw,
            };
            let unknown = filter.unknown_outlets(report);
            if !unknown.is_empty() {
                let mut known: Vec<&str> =
                    report.outlets.iter().map(|o| o.outlet.as_str()).collect();
                let more = known.len().saturating_sub(10);
                known.truncate(10);
                bail!(
                    "no outlet named {} (outlets: {}{}); nothing written",
                    unknown.join(", "),
                    known.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                );
            }
            if let Some(p) = &args.outlets_csv {
                wirecopy::output::write_atomic(p, report::csv::outlets(report, &csv).as_bytes())?;
            }
            if let Some(p) = &args.boilerplate_csv {
                wirecopy::output::write_atomic(
                    p,
                    report::csv::boilerplate(report, &csv).as_bytes(),
                )?;
            }
            let bytes = match args.format {
                Format::Json => {
                    emit_with(args.output.as_ref(), |w| report::json::write(report, w))?;
                    String::new()
                }
                Format::Text => {
                    let (width, color) = args.display.terminal(args.output.is_none());
                    report::text::render(
                        report,
                        &report::text::TextOptions {
                            width,
                            color,
                            filter: filter.clone(),
                        },
                    )
                }
                Format::Html => {
                    // Texts are held for the documents in aligned pairs, those with passages.
                    let texts: Vec<(&str, &str)> = analysis
                        .documents
                        .iter()
                        .filter(|d| !d.text.is_empty())
                        .map(|d| (d.id.as_str(), d.text.as_str()))
                        .collect();
                    report::html::render(
                        report,
                        &texts,
                        &report::html::HtmlOptions {
                            title: format!("wirecopy report: {}", args.paths.join(" ")),
                            filter: filter.clone(),
                        },
                    )
                }
                Format::Csv => report::csv::passages(report, &csv),
            };
            if args.format != Format::Json {
                emit(args.output.as_ref(), bytes.as_bytes())?;
            }
            // The report is written: now the daily job's add.
            let mut skipped = skipped;
            if let (Some(pending), Some(new), Some(dir)) = (pending, new, &args.archive.archive) {
                drop(archive);
                skipped |= pending.add(new, &cfg, dir)?;
            }
            Ok(ExitCode::from(if skipped { EXIT_SKIPPED } else { EXIT_OK }))
        }
        Command::Check(args) => check(args, matches.subcommand_matches("check")),
        Command::Index(args) => index::run(args),
        Command::Diff(args) => diff(args),
        Command::Generate(args) => run_generate(&args),
        Command::Eval(args) => run_eval(&args),
        Command::Sketch(args) => {
            init_threads(args.load.threads)?;
            run_sketch(&args)
        }
    }
}

/// `check`'s report: of the corpus, or of the PATHs against `--archive`.
fn check_report(
    args: &CheckArgs,
    mut cfg: Config,
    matches: Option<&clap::ArgMatches>,
) -> Result<Report> {
    let (strict, timings) = (args.load.strict, args.load.timings);
    Ok(match &args.archive {
        None => {
            run_corpus(&args.paths, &cfg, strict, timings, None)?
                .0
                .report
        }
        Some(dir) => {
            let a = wirecopy::archive::Archive::open(dir)?;
            cfg.settings = index::query_settings(&cfg.settings, matches, &a)?;
            run_corpus(&args.paths, &cfg, strict, timings, Some((&a, false)))?
                .0
                .report
        }
    })
}

fn verdict(diff: &Diff) -> ExitCode {
    ExitCode::from(if diff.is_clean() {
        EXIT_OK
    } else {
        EXIT_CHANGED
    })
}

/// `wirecopy check`: report on the corpus, compare with the baseline, optionally bless.
fn check(args: CheckArgs, matches: Option<&clap::ArgMatches>) -> Result<ExitCode> {
    args.compare.validate()?;
    args.thresholds.validate()?;
    let Some(baseline) = args.baseline.as_ref() else {
        let Some(truth) = &args.truth else {
            bail!(
                "check needs --baseline FILE (a JSON report to compare with) and/or --truth FILE"
            );
        };
        if args.update {
            bail!("--update needs --baseline FILE");
        }
        init_threads(args.load.threads)?;
        let cfg = config(&args.detect, &args.load)?;
        let report = check_report(&args, cfg, matches)?;
        let (scores, failed) = args.thresholds.score(truth, &report)?;
        let out = match args.compare.format {
            TextOrJson::Text => score::render_text(&scores),
            TextOrJson::Json => format!("{}\n", serde_json::to_string_pretty(&scores)?),
        };
        emit(None, out.as_bytes())?;
        return Ok(ExitCode::from(if failed {
            EXIT_BELOW_THRESHOLD
        } else {
            EXIT_OK
        }));
    };
    // Held until the new baseline is in place: a second `--update` fails instead of racing.
    let _lock = args
        .update
        .then(|| wirecopy::output::lock_for_update(baseline))
        .transpose()?;
    let exists = baseline
        .try_exists()
        .with_context(|| format!("cannot look at baseline {}", baseline.display()))?;
    let old = if exists {
        match regress::read_report(baseline) {
            Ok(r) => Some(r),
            Err(e) if args.update => {
                eprintln!("wirecopy: baseline unreadable, --update replaces it: {e}");
                None
            }
            Err(e) => return Err(e.into()),
        }
    } else if args.update {
        None
    } else {
        bail!(
            "baseline {} does not exist; create it with `wirecopy check --update --baseline {} PATH…`",
            baseline.display(),
            baseline.display()
        );
    };
    init_threads(args.load.threads)?;
    let cfg = config(&args.detect, &args.load)?;
    let report = check_report(&args, cfg, matches)?;
    let diff = old
        .as_ref()
        .map(|old| regress::compare(old, &report, args.compare.tolerance));
    let mut out = match &diff {
        Some(d) => args
            .compare
            .render(d, baseline.display().to_string(), args.paths.join(" ")),
        None => String::new(),
    };
    // With --truth too: the scores follow the diff (text), or both go in one object (JSON).
    let truth_failed = match &args.truth {
        None => false,
        Some(truth) => {
            let (scores, failed) = args.thresholds.score(truth, &report)?;
            match args.compare.format {
                TextOrJson::Text => {
                    out.push_str(&format!("\nTRUTH {}\n", truth.display()));
                    out.push_str(&score::render_text(&scores));
                }
                TextOrJson::Json => {
                    let diff_json: serde_json::Value = match &diff {
                        Some(d) => serde_json::from_str(&regress::render::json(d))?,
                        None => serde_json::Value::Null,
                    };
                    out = format!(
                        "{}\n",
                        serde_json::to_string_pretty(
                            &serde_json::json!({ "baseline": diff_json, "truth": scores })
                        )?
                    );
                }
            }
            failed
        }
    };
    if !args.update {
        emit(None, out.as_bytes())?;
        let code = verdict(diff.as_ref().expect("a baseline was read"));
        return Ok(if truth_failed {
            ExitCode::from(EXIT_BELOW_THRESHOLD)
        } else {
            code
        });
    }
    let bytes = report::json::render(&report);
    let same = std::fs::read(baseline).is_ok_and(|b| b == bytes.as_bytes());
    let note = if same {
        format!(
            "baseline {} is up to date; not rewritten\n",
            baseline.display()
        )
    } else {
        wirecopy::output::write_atomic(baseline, bytes.as_bytes())?;
        match &diff {
            Some(_) => format!("baseline {} updated\n", baseline.display()),
            None => format!("baseline {} written\n", baseline.display()),
        }
    };
    match args.compare.format {
        TextOrJson::Text => out.push_str(&note),
        TextOrJson::Json => eprint!("wirecopy: {note}"),
    }
    emit(None, out.as_bytes())?;
    Ok(ExitCode::from(EXIT_OK))
}

/// `wirecopy diff`: compare two saved reports.
fn diff(args: DiffArgs) -> Result<ExitCode> {
    args.compare.validate()?;
    let old = regress::read_report(&args.old)?;
    let new = regress::read_report(&args.new)?;
    let diff = regress::compare(&old, &new, args.compare.tolerance);
    let out = args.compare.render(
        &diff,
        args.old.display().to_string(),
        args.new.display().to_string(),
    );
    emit(None, out.as_bytes())?;
    Ok(verdict(&diff))
}

fn run_generate(args: &GenerateArgs) -> Result<ExitCode> {
    let params = GenParams {
        seed: args.seed,
        wires: args.wires,
        outlets: args.outlets,
        articles: args.articles,
        edit_rate: args.edit_rate,
        distractors: args.distractors,
        max_docs: args.max_docs,
    };
    params.validate()?;
    let base = generate::read_base(&args.base, args.max_docs)?;
    let mut g = generate::generate(&base, &params)?;
    if let Some(name) = args.base.file_name() {
        g.truth.description += &format!(", base {}", name.to_string_lossy());
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let corpus = args.out.join("corpus.jsonl");
    let truth = args.out.join("truth.json");
    wirecopy::output::write_atomic(&corpus, g.corpus_jsonl().as_bytes())?;
    wirecopy::output::write_atomic(&truth, g.truth.to_json().as_bytes())?;
    let note = format!(
        "wrote {} documents to {} and {} truth cases ({} distractors) to {}\n",
        g.docs.len(),
        corpus.display(),
        g.truth.passages.len(),
        g.truth.distractors.len(),
        truth.display()
    );
    emit(None, note.as_bytes())?;
    Ok(ExitCode::from(EXIT_OK))
}

fn read_report(path: &PathBuf) -> Result<Report> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    let report: Report = serde_json::from_str(&text).map_err(|source| Error::Json {
        path: path.clone(),
        what: "report",
        source,
    })?;
    if report.schema_version != report::SCHEMA_VERSION {
        bail!(Error::BadFile {
            path: path.clone(),
            detail: format!(
                "schema_version {} is not supported (this build reads {})",
                report.schema_version,
                report::SCHEMA_VERSION
            ),
        });
    }
    Ok(report)
}

fn run_eval(args: &EvalArgs) -> Result<ExitCode> {
    args.thresholds.validate()?;
    let report = match &args.report {
        Some(p) => read_report(p)?,
        None => {
            init_threads(args.load.threads)?;
            let cfg = config(&args.detect, &args.load)?;
            run_corpus(&args.paths, &cfg, args.load.strict, args.load.timings, None)?
                .0
                .report
        }
    };
    let (scores, failed) = args.thresholds.score(&args.truth, &report)?;
    let out = match args.format {
        TextOrJson::Text => score::render_text(&scores),
        TextOrJson::Json => {
            let mut s = serde_json::to_string_pretty(&scores)?;
            s.push('\n');
            s
        }
    };
    emit(None, out.as_bytes())?;
    Ok(ExitCode::from(if failed {
        EXIT_BELOW_THRESHOLD
    } else {
        EXIT_OK
    }))
}
