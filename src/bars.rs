//! Progress bars (indicatif) when standard error is a terminal, nothing otherwise; and, with
//! `--timings`, each stage's wall time on standard error. The library only sees the
//! [`wirecopy::progress::Progress`] trait.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use wirecopy::progress::{Progress, Stage};

/// Bars on a terminal, optional timings.
pub struct Bars {
    bar: Option<ProgressBar>,
    timings: bool,
    started: Mutex<Option<Instant>>,
    run: Instant,
}

impl Bars {
    /// Draw bars only if standard error is a terminal; print timings if asked.
    pub fn new(timings: bool) -> Bars {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template("{prefix:>10} {wide_bar} {pos}/{len} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b
        });
        Bars {
            bar,
            timings,
            started: Mutex::new(None),
            run: Instant::now(),
        }
    }

    fn report(&self, name: &str, secs: f64, bytes: Option<u64>) {
        if self.timings {
            let rate = bytes
                .map(|b| format!(" ({:.1} MB/s of text)", b as f64 / 1e6 / secs.max(1e-9)))
                .unwrap_or_default();
            self.println(&format!("wirecopy: timing {name:<10} {secs:8.3} s{rate}"));
        }
    }

    fn println(&self, line: &str) {
        match &self.bar {
            Some(b) => b.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// The run ended: clear the bar, print the total.
    pub fn done(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        if self.timings {
            let secs = self.run.elapsed().as_secs_f64();
            self.println(&format!("wirecopy: timing {:<10} {secs:8.3} s", "total"));
        }
    }
}

impl Progress for Bars {
    fn start(&self, stage: Stage, total: Option<u64>) {
        if let Some(b) = &self.bar {
            b.set_prefix(stage.name());
            b.set_position(0);
            b.set_length(total.unwrap_or(0));
            // Without a total (reading a stream), the count alone.
            let template = match total {
                Some(_) => "{prefix:>10} {wide_bar} {pos}/{len} {elapsed}",
                None => "{prefix:>10} {spinner} {pos} {elapsed}",
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                b.set_style(style);
            }
        }
        *self.started.lock().unwrap() = Some(Instant::now());
    }

    fn advance(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    fn finish(&self, stage: Stage) {
        let t = self.started.lock().unwrap().take();
        // Reading a stream is timed in its parts, reading and sketching.
        if let (Some(t), false) = (t, stage == Stage::Read) {
            self.report(stage.name(), t.elapsed().as_secs_f64(), None);
        }
    }

    fn part(&self, name: &'static str, time: std::time::Duration, text_bytes: Option<u64>) {
        self.report(name, time.as_secs_f64(), text_bytes);
    }
}
