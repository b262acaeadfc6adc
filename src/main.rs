//! The `wirecopy` binary: parse arguments, run, map the result to an exit code.

mod bars;
mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

/// mimalloc instead of the system allocator: alignment and report building allocate from
/// many threads, and glibc's per-thread arenas keep memory freed on one thread (the worker
/// threads' tokens) from serving another's allocations, which raised the 100k-article peak
/// by about a gigabyte; mimalloc also makes the many small allocations cheaper. Built
/// without transparent huge pages (`no_thp`): with them every first touch of a page the
/// allocator had purged zeroed 2 MiB, 20 % of an 11k-article report's CPU in `perf`
/// (system time 1.8 -> 0.6 s, peak 660 -> 480 MB on that corpus).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let matches = cli::Cli::command().get_matches();
    let cli = cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cli::run(cli, &matches) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`wirecopy report … | head`) is not an error.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::from(cli::EXIT_OK);
            }
            let mut msg = format!("wirecopy: error: {err}");
            // Library errors already say their cause; print each part of the chain once.
            for cause in err.chain().skip(1) {
                let cause = cause.to_string();
                if !msg.contains(&cause) {
                    msg.push_str(&format!(": {cause}"));
                }
            }
            // Names in it may come from the corpus: no control character reaches the terminal.
            let msg = wirecopy::report::safe::terminal_lines(&msg);
            // Not eprintln!: it panics when stderr is closed.
            let _ = writeln!(std::io::stderr(), "{msg}");
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
