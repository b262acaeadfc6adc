//! `wirecopy index …` (the archive's commands) and `report --archive` / `check --archive`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{ArgMatches, Args, Subcommand};

use wirecopy::archive::{self, Archive, OnDuplicate, Writer};
use wirecopy::config::{Config, Settings};
use wirecopy::corpus::Input;

use super::{
    init_threads, load_options, print_problems, progress, DetectArgs, LoadArgs, TextOrJson,
    EXIT_OK, EXIT_SKIPPED,
};

/// The archive's commands.
#[derive(Debug, Args)]
pub(super) struct IndexArgs {
    #[command(subcommand)]
    command: IndexCommand,
}

#[derive(Debug, Subcommand)]
enum IndexCommand {
    /// Make an empty archive (a new directory) that records the settings that change
    /// results; every later `add` and `report --archive` uses them.
    ///
    /// Example: wirecopy index create wire-archive
    Create(CreateArgs),
    /// Add documents to an archive: every input form `report` takes, read with the same
    /// rules (a bad file or line is named and skipped, the rest is added).
    ///
    /// The text is stored (compressed), so the archive does not depend on the files staying
    /// where they are. A document id already in the archive is skipped and named, unless
    /// --replace. One transaction: an add that fails or is killed leaves the archive as it
    /// was. Exit status: 0 ok, 1 something was skipped (the rest was added), 2 error (nothing
    /// added).
    ///
    /// Example: wirecopy index add wire-archive feeds/ap.jsonl --wire AP
    Add(AddArgs),
    /// Remove documents: by id, or those dated before a day (retention).
    ///
    /// Example: wirecopy index remove wire-archive --before 2026-09-01
    Remove(RemoveArgs),
    /// Show an archive's documents, outlets, date range, size on disk and settings.
    Stats(StatsArgs),
    /// Rewrite the archive's segments without removed documents, merging small ones (answers
    /// do not change; queries read fewer files).
    Compact(ArchiveOnly),
}

#[derive(Debug, Args)]
struct CreateArgs {
    /// The archive directory to make (new, or empty).
    #[arg(value_name = "ARCHIVE")]
    archive: PathBuf,
    #[command(flatten)]
    detect: DetectArgs,
}

#[derive(Debug, Args)]
struct AddArgs {
    /// The archive.
    #[arg(value_name = "ARCHIVE")]
    archive: PathBuf,
    /// Files or directories to add; `-` reads JSONL from standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// Mark reference (wire) documents: an outlet name, document id, or file/directory path.
    #[arg(long, value_name = "SPEC")]
    wire: Vec<String>,
    /// Replace archived documents that have the same id instead of skipping the new ones.
    #[arg(long)]
    replace: bool,
    #[command(flatten)]
    load: LoadArgs,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["ids", "before"])))]
struct RemoveArgs {
    /// The archive.
    #[arg(value_name = "ARCHIVE")]
    archive: PathBuf,
    /// Remove the document with this id (repeatable).
    #[arg(long = "id", value_name = "ID")]
    ids: Vec<String>,
    /// Remove the documents dated before DATE (YYYY-MM-DD); undated documents are kept.
    #[arg(long, value_name = "DATE", conflicts_with = "ids")]
    before: Option<String>,
}

#[derive(Debug, Args)]
struct StatsArgs {
    /// The archive.
    #[arg(value_name = "ARCHIVE")]
    archive: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

#[derive(Debug, Args)]
struct ArchiveOnly {
    /// The archive.
    #[arg(value_name = "ARCHIVE")]
    archive: PathBuf,
}

/// `report --archive` and its daily-job companion `--add`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Archive")]
pub(super) struct ArchiveArgs {
    /// Report the PATHs against this archive (made with `wirecopy index create`) and against
    /// each other; archived documents in pairs appear as sources. Detection options not given
    /// here come from the archive.
    #[arg(long, value_name = "ARCHIVE")]
    pub(super) archive: Option<PathBuf>,
    /// After the report is written, add the PATHs' documents to the archive.
    #[arg(long, requires = "archive")]
    pub(super) add: bool,
    /// With --add: replace archived documents that have the same id.
    #[arg(long, requires = "add")]
    pub(super) replace: bool,
}

/// Detection settings for a query: those given on the command line, the archive's for the
/// rest.
pub(super) fn query_settings(
    given: &Settings,
    matches: Option<&ArgMatches>,
    archive: &Archive,
) -> Result<Settings> {
    let base = &archive.settings().created_with;
    let explicit = |id: &str| {
        matches.is_some_and(|m| {
            m.try_get_raw(id).ok().flatten().is_some()
                && m.value_source(id) == Some(clap::parser::ValueSource::CommandLine)
        })
    };
    let mut s = given.clone();
    macro_rules! from_archive {
        ($($id:literal => $($field:ident).+),* $(,)?) => {
            $(if !explicit($id) { s.$($field).+ = base.$($field).+.clone(); })*
        };
    }
    from_archive!(
        "shingle" => shingle,
        "permutations" => permutations,
        "seed" => seed,
        "anchor" => anchor,
        "max_gap" => max_gap,
        "min_words" => min_words,
        "min_similarity" => min_similarity,
        "min_shared" => min_shared,
        "min_stock_shared" => min_stock_shared,
        "quote_share" => quote_share,
        "no_spelling" => normalization.spelling,
        "no_numbers" => normalization.numbers,
        "boilerplate" => boilerplate_phrases,
        "boilerplate_outlet_docs" => boilerplate_outlet_docs,
        "boilerplate_corpus_share" => boilerplate_corpus_share,
        "credit" => credit,
        "candidates" => candidates,
        "lsh_threshold" => lsh.threshold,
        "lsh_max_df" => lsh.max_df,
        "lsh_frequent_links" => lsh.frequent_links,
        "lsh_max_bucket" => lsh.max_bucket,
        "max_partners" => max_partners,
    );
    s.validate()?;
    archive.check_settings(&s)?;
    Ok(s)
}

/// `report --archive A --add`: the writer's lock is taken before the query, so no other
/// writer changes the archive between the report and the add.
pub(super) struct PendingAdd {
    pub(super) writer: Writer,
    pub(super) on_dup: OnDuplicate,
}

impl PendingAdd {
    pub(super) fn open(args: &ArchiveArgs) -> Result<Option<PendingAdd>> {
        match (&args.archive, args.add) {
            (Some(dir), true) => Ok(Some(PendingAdd {
                writer: Writer::open(dir)?,
                on_dup: if args.replace {
                    OnDuplicate::Replace
                } else {
                    OnDuplicate::Skip
                },
            })),
            _ => Ok(None),
        }
    }

    /// Add the query's documents; returns whether something was skipped.
    pub(super) fn add(
        mut self,
        new: archive::query::NewDocs,
        cfg: &Config,
        dir: &std::path::Path,
    ) -> Result<bool> {
        let s = self.writer.add_sketched(new, &cfg.load, self.on_dup)?;
        print_problems(&s.problems);
        say_added(dir, &s);
        Ok(s.problems.iter().any(|p| p.skipped))
    }
}

fn say_added(dir: &std::path::Path, s: &archive::AddSummary) {
    let replaced = if s.replaced > 0 {
        format!(", {} replaced", s.replaced)
    } else {
        String::new()
    };
    let _ = writeln!(
        std::io::stderr(),
        "wirecopy: added {} document(s) to {}{replaced} ({} in the archive)",
        s.added,
        dir.display(),
        s.total
    );
}

/// Run `wirecopy index …`.
pub(super) fn run(args: IndexArgs) -> Result<ExitCode> {
    match args.command {
        IndexCommand::Create(a) => {
            if !a.detect.wire.is_empty() {
                bail!("--wire marks documents as they are added: give it to `wirecopy index add`");
            }
            let settings = a.detect.settings()?;
            archive::create(&a.archive, &settings)?;
            let p = wirecopy::sketch::SketchParams::from_settings(&settings);
            let _ = writeln!(
                std::io::stderr(),
                "wirecopy: created archive {} (shingle {}, permutations {}, seed {}, {} bands of {} rows)",
                a.archive.display(),
                p.shingle,
                p.permutations,
                p.seed,
                p.bands,
                p.rows
            );
            Ok(ExitCode::from(EXIT_OK))
        }
        IndexCommand::Add(a) => {
            init_threads(a.load.threads)?;
            let mut writer = Writer::open(&a.archive)?;
            let load = load_options(&a.load)?;
            let progress = progress::Bars::new(a.load.timings);
            let inputs: Vec<Input> = a.paths.iter().map(|p| Input::parse(p)).collect();
            let on_dup = if a.replace {
                OnDuplicate::Replace
            } else {
                OnDuplicate::Skip
            };
            let s = writer.add(&inputs, &load, &a.wire, on_dup, a.load.strict, &progress)?;
            progress.done();
            let skipped = s.problems.iter().filter(|p| p.skipped).count();
            print_problems(&s.problems);
            if !s.committed {
                bail!("{skipped} input(s) skipped and --strict is set; nothing added");
            }
            say_added(&a.archive, &s);
            let duplicates = s
                .problems
                .iter()
                .any(|p| p.message.contains("already in the archive"));
            if s.added == 0 && !duplicates {
                bail!(
                    "nothing to add to {}{}",
                    a.archive.display(),
                    if skipped > 0 {
                        format!(" ({skipped} input(s) skipped)")
                    } else {
                        " (no .txt or .jsonl files found)".into()
                    }
                );
            }
            Ok(ExitCode::from(if skipped > 0 {
                EXIT_SKIPPED
            } else {
                EXIT_OK
            }))
        }
        IndexCommand::Remove(a) => {
            let mut writer = Writer::open(&a.archive)?;
            let (removed, missing) = match &a.before {
                Some(date) => {
                    if wirecopy::corpus::date_prefix(&format!("date {date}\n"))
                        .0
                        .is_none()
                    {
                        bail!("--before takes a date as YYYY-MM-DD, not {date:?}");
                    }
                    (writer.remove_before(date)?, Vec::new())
                }
                None => writer.remove_ids(&a.ids)?,
            };
            for id in &missing {
                let id = wirecopy::report::safe::terminal(id).into_owned();
                let _ = writeln!(
                    std::io::stderr(),
                    "wirecopy: no document {id} in the archive"
                );
            }
            let _ = writeln!(
                std::io::stderr(),
                "wirecopy: removed {removed} document(s) from {}",
                a.archive.display()
            );
            Ok(ExitCode::from(if missing.is_empty() {
                EXIT_OK
            } else {
                EXIT_SKIPPED
            }))
        }
        IndexCommand::Stats(a) => {
            let s = Archive::open(&a.archive)?.stats()?;
            let out = match a.format {
                TextOrJson::Json => format!("{}\n", serde_json::to_string_pretty(&s)?),
                TextOrJson::Text => stats_text(&s),
            };
            super::emit(None, out.as_bytes())?;
            Ok(ExitCode::from(EXIT_OK))
        }
        IndexCommand::Compact(a) => {
            let mut writer = Writer::open(&a.archive)?;
            let (before, after) = writer.compact()?;
            let _ = writeln!(
                std::io::stderr(),
                "wirecopy: compacted {}: {before} segment(s) into {after}",
                a.archive.display()
            );
            Ok(ExitCode::from(EXIT_OK))
        }
    }
}

fn stats_text(s: &archive::Stats) -> String {
    let p = &s.settings.sketch;
    let dates = match (&s.first_date, &s.last_date) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "none".into(),
    };
    let undated = if s.undated > 0 {
        format!(" ({} undated)", s.undated)
    } else {
        String::new()
    };
    format!(
        "archive    {}\n\
         documents  {} ({} wire)\n\
         outlets    {}\n\
         dates      {dates}{undated}\n\
         on disk    {:.1} MB in {} segment(s){}\n\
         settings   shingle {}, permutations {}, seed {}, {} bands of {} rows, spelling {}, numbers {}\n\
         format     {} (hash family {})\n",
        wirecopy::report::safe::terminal(&s.archive),
        s.documents,
        s.wire_documents,
        s.outlets,
        s.bytes as f64 / 1e6,
        s.segments,
        if s.removed_entries > 0 {
            format!(
                ", {} removed entries (`wirecopy index compact` drops them)",
                s.removed_entries
            )
        } else {
            String::new()
        },
        p.shingle,
        p.permutations,
        p.seed,
        p.bands,
        p.rows,
        if p.normalization.spelling { "on" } else { "off" },
        if p.normalization.numbers { "on" } else { "off" },
        p.format_version,
        p.hash_family,
    )
}
