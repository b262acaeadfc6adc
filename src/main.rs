//! The `wirecopy` binary: parse arguments, run, map the result to an exit code.

mod bars;
mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
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
            // Not eprintln!: it panics when stderr is closed.
            let _ = writeln!(std::io::stderr(), "{msg}");
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
