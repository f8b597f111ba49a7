//! [`Cancel`]: a shared cancellation flag, optionally raised by SIGINT and
//! SIGTERM.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// A cloneable cancellation flag. Clones share the flag; once raised it
/// stays raised. [`run`](super::run) polls it every [`TICK`](super::TICK)
/// and kills the running job's process group when it is raised.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    flag: Arc<AtomicBool>,
}

/// The process-wide signal-driven flag, registered at most once.
static ON_SIGNALS: Mutex<Option<Cancel>> = Mutex::new(None);

impl Cancel {
    /// A new, not yet raised flag, not tied to any signal.
    pub fn new() -> Self {
        Self::default()
    }

    /// The process-wide flag raised by SIGINT or SIGTERM.
    ///
    /// The first call installs signal-hook flag handlers; later calls
    /// return clones of the same flag. From then on SIGINT/SIGTERM no longer
    /// terminate the process: the program must watch this flag (every
    /// [`run`](super::run) does). This is deliberate: our children live in
    /// their own process groups, so the terminal's Ctrl-C does not reach
    /// them, and dying at once would leave them running.
    pub fn on_signals() -> io::Result<Self> {
        let mut slot = ON_SIGNALS.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(cancel) = slot.as_ref() {
            return Ok(cancel.clone());
        }
        let cancel = Cancel::new();
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register(signal, Arc::clone(&cancel.flag))?;
        }
        *slot = Some(cancel.clone());
        Ok(cancel)
    }

    /// Raises the flag.
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
    }

    /// Whether the flag has been raised.
    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn clones_share_the_flag() {
        let a = Cancel::new();
        let b = a.clone();
        assert!(!b.is_cancelled());
        a.cancel();
        assert!(b.is_cancelled());
        assert!(!Cancel::new().is_cancelled());
    }

    #[test]
    fn sigterm_raises_the_flag() {
        let cancel = Cancel::on_signals().expect("register handlers");
        let again = Cancel::on_signals().expect("second call");
        rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::TERM)
            .expect("send SIGTERM to ourselves");
        let start = Instant::now();
        while !again.is_cancelled() && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(cancel.is_cancelled() && again.is_cancelled());
    }
}
