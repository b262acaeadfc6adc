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
    text_bytes: Mutex<u64>,
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
            text_bytes: Mutex::new(0),
            run: Instant::now(),
        }
    }

    /// Loading begins.
    pub fn load_start(&self) {
        if let Some(b) = &self.bar {
            b.set_prefix("load");
            b.set_length(0);
            b.set_position(0);
        }
        *self.started.lock().unwrap() = Some(Instant::now());
    }

    /// Loading ended with `bytes` of text.
    pub fn load_end(&self, bytes: u64) {
        *self.text_bytes.lock().unwrap() = bytes;
        self.report("load", Some(bytes));
    }

    fn report(&self, name: &str, bytes: Option<u64>) {
        let t = self.started.lock().unwrap().take();
        if let (true, Some(t)) = (self.timings, t) {
            let secs = t.elapsed().as_secs_f64();
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
        }
        *self.started.lock().unwrap() = Some(Instant::now());
    }

    fn advance(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    fn finish(&self, stage: Stage) {
        let bytes = (stage == Stage::Sketch).then(|| *self.text_bytes.lock().unwrap());
        self.report(stage.name(), bytes);
    }
}
