//! Command-line interface: parses arguments into the library's [`Config`] and runs the
//! subcommands. Nothing below this module knows clap exists.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use wirecopy::config::{CandidateMode, Config, LoadOptions, LshSettings, Settings};
use wirecopy::corpus::{self, Input};
use wirecopy::report::{self, Report};
use wirecopy::sketch::{Sketch, SketchParams};

use crate::bars as progress;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: the run finished but documents were skipped.
pub const EXIT_SKIPPED: u8 = 1;
/// Exit code: usage or input error; nothing was written.
pub const EXIT_ERROR: u8 = 2;

/// Find reused wire copy in a corpus of news articles.
#[derive(Debug, Parser)]
#[command(name = "wirecopy", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Report the reused passages of a corpus, per outlet.
    ///
    /// PATHs are files or directories (walked recursively; `.txt` and `.jsonl`), or `-` for
    /// JSONL on standard input. Exit status: 0 ok, 1 some documents were skipped (the report
    /// covers the rest), 2 usage or input error.
    Report(ReportArgs),
    /// Write the MinHash signatures and LSH band keys of a corpus to a sketch file.
    ///
    /// PATHs are read like `report` reads them; a PATH ending in `.wcsketch` is an earlier
    /// sketch, appended if it was made with the same hash family, seed, shingle size,
    /// permutations and normalisation (otherwise an error names the file and the fields).
    Sketch(SketchArgs),
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
    /// JSON (schema in the README).
    Json,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// Files or directories to read; `-` reads JSONL from standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Show at most N passages in the text report (largest first).
    #[arg(long, value_name = "N")]
    top: Option<usize>,
    /// Wrap the text report at N columns.
    #[arg(long, value_name = "N", default_value_t = 80)]
    width: usize,
    #[command(flatten)]
    detect: DetectArgs,
    #[command(flatten)]
    load: LoadArgs,
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
    /// Fewest shared shingles for a pair to be aligned.
    #[arg(long, value_name = "N", default_value_t = Settings::default().min_shared)]
    min_shared: usize,
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
    /// A shingle in more documents than this is not an index key (stock phrase).
    #[arg(long, value_name = "N", default_value_t = LshSettings::default().max_df)]
    lsh_max_df: usize,
    /// Fewest shared index shingles that make a pair a candidate.
    #[arg(long, value_name = "N", default_value_t = LshSettings::default().min_keys)]
    lsh_min_keys: usize,
    /// A band bucket with more documents pairs each only with its first N members.
    #[arg(long, value_name = "N", default_value_t = LshSettings::default().max_bucket)]
    lsh_max_bucket: usize,
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
    /// Decode invalid UTF-8 with replacement characters (offsets then refer to the decoded text).
    #[arg(long)]
    lossy: bool,
    /// Skip documents larger than N bytes.
    #[arg(long, value_name = "N", default_value_t = LoadOptions::default().max_doc_bytes)]
    max_doc_bytes: usize,
    /// Treat any skipped document as an error (exit 2, nothing written).
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
                min_keys: self.lsh_min_keys,
                max_bucket: self.lsh_max_bucket,
                ..d.lsh
            },
        };
        s.validate()?;
        Ok(s)
    }
}

fn config(detect: &DetectArgs, load: &LoadArgs) -> Result<Config> {
    Ok(Config {
        settings: detect.settings()?,
        load: LoadOptions {
            lossy: load.lossy,
            max_doc_bytes: load.max_doc_bytes,
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

/// Load the corpus and analyse it; problems go to stderr. Returns the report and whether
/// anything was skipped.
fn run_corpus(
    paths: &[String],
    cfg: &Config,
    strict: bool,
    timings: bool,
) -> Result<(Report, bool)> {
    let progress = progress::Bars::new(timings);
    let corpus = load_corpus(paths, cfg, strict, &progress)?;
    let report = wirecopy::analyze_with(&corpus, &cfg.settings, &progress)?;
    progress.done();
    Ok((report, corpus.skipped() > 0))
}

/// Load the corpus; problems go to stderr.
fn load_corpus(
    paths: &[String],
    cfg: &Config,
    strict: bool,
    progress: &progress::Bars,
) -> Result<wirecopy::corpus::Corpus> {
    let inputs: Vec<Input> = paths.iter().map(|p| Input::parse(p)).collect();
    progress.load_start();
    let corpus = corpus::load(&inputs, &cfg.load)?;
    progress.load_end(corpus.documents.iter().map(|d| d.text.len() as u64).sum());
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for p in &corpus.problems {
        let _ = writeln!(err, "wirecopy: {p}");
    }
    let skipped = corpus.skipped();
    if strict && skipped > 0 {
        bail!("{skipped} document(s) skipped and --strict is set; nothing written");
    }
    if corpus.documents.is_empty() {
        bail!(wirecopy::error::Error::EmptyCorpus(if skipped > 0 {
            format!(" ({skipped} skipped)")
        } else {
            " (no .txt or .jsonl files found)".into()
        }));
    }
    Ok(corpus)
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
        let corpus = load_corpus(&texts, &cfg, args.load.strict, &progress)?;
        skipped = corpus.skipped() > 0;
        out = wirecopy::sketch::sketch_corpus(&corpus, &cfg.settings, &progress);
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

/// Write rendered output to a file (atomically) or standard output.
fn emit(output: Option<&PathBuf>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(p) => wirecopy::output::write_atomic(p, bytes)?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
        }
    }
    Ok(())
}

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Report(args) => {
            init_threads(args.load.threads)?;
            let cfg = config(&args.detect, &args.load)?;
            let (report, skipped) =
                run_corpus(&args.paths, &cfg, args.load.strict, args.load.timings)?;
            let bytes = match args.format {
                Format::Json => report::json::render(&report),
                Format::Text => report::text::render(
                    &report,
                    &report::text::TextOptions {
                        width: args.width,
                        top: args.top,
                    },
                ),
            };
            emit(args.output.as_ref(), bytes.as_bytes())?;
            Ok(ExitCode::from(if skipped { EXIT_SKIPPED } else { EXIT_OK }))
        }
        Command::Sketch(args) => {
            init_threads(args.load.threads)?;
            run_sketch(&args)
        }
    }
}
