//! Live progress of `mirrorc run` on a terminal: one spinner line per running pull (indicatif,
//! on stderr), and each finished disk's line printed above them. Off the terminal (cron,
//! systemd, a pipe) or in JSON mode it is not used: plain lines go through `print::error`.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The spinners of the running pulls, by tag.
pub(crate) struct Progress {
    multi: MultiProgress,
    bars: Mutex<BTreeMap<String, ProgressBar>>,
}

impl Progress {
    /// Spinners when stderr is a terminal and `NO_COLOR`/`TERM=dumb` do not say otherwise.
    pub(crate) fn on_terminal() -> Option<Progress> {
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        if !std::io::stderr().is_terminal() || dumb {
            return None;
        }
        Some(Progress {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: Mutex::new(BTreeMap::new()),
        })
    }

    /// A pull started: a spinner with its tag and elapsed time.
    pub(crate) fn start(&self, tag: &str) {
        let style = ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = self.multi.add(ProgressBar::new_spinner());
        bar.set_style(style);
        bar.set_message(format!("{tag}: pulling"));
        bar.enable_steady_tick(Duration::from_millis(120));
        let mut bars = self.bars.lock().unwrap_or_else(PoisonError::into_inner);
        bars.insert(tag.to_string(), bar);
    }

    /// A disk ended: its spinner goes, its line is printed above the others.
    pub(crate) fn finish(&self, tag: &str, line: &str) {
        let mut bars = self.bars.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(bar) = bars.remove(tag) {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
        let _ = self.multi.println(line);
    }
}
