//! A bounded pool: run a closure over items on at most `max_parallel`
//! scoped threads, stop starting items once cancelled or past a deadline,
//! and return the results in input order.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Instant;

use super::Cancel;

/// What happened to one pool item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started<R> {
    /// The item was started; this is what the closure returned. (A job that
    /// was running when the pool was cancelled shows up here, typically as
    /// `Ran(Ok(outcome))` with [`Ended::Cancelled`](super::Ended::Cancelled).)
    Ran(R),
    /// Not started: the cancel flag was raised first.
    Cancelled,
    /// Not started: the deadline had passed.
    PastDeadline,
}

impl<R> Started<R> {
    /// The closure's result, if the item was started.
    pub fn ran(self) -> Option<R> {
        match self {
            Started::Ran(r) => Some(r),
            Started::Cancelled | Started::PastDeadline => None,
        }
    }
}

/// Runs `f` on every item, at most `max_parallel` at once (0 counts as 1),
/// and returns one [`Started`] per item, in input order.
///
/// Once `cancel` is raised no further item starts; items already running
/// are not interrupted by the pool itself (pass the same [`Cancel`] to
/// [`run`](super::run) inside `f` so running jobs are killed too). A panic
/// in `f` is propagated to the caller after the other workers finish.
pub fn run_all<T, R, F>(items: &[T], max_parallel: usize, cancel: &Cancel, f: F) -> Vec<Started<R>>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    run_all_until(items, max_parallel, cancel, None, f)
}

/// Like [`run_all`], but items not started by `deadline` are reported as
/// [`Started::PastDeadline`]. Running items are not cut short by the
/// deadline: give their jobs a timeout no longer than what is left, e.g.
/// `deadline.saturating_duration_since(Instant::now())`.
pub fn run_all_until<T, R, F>(
    items: &[T],
    max_parallel: usize,
    cancel: &Cancel,
    deadline: Option<Instant>,
    f: F,
) -> Vec<Started<R>>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let workers = max_parallel.max(1).min(items.len());
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            let result = if cancel.is_cancelled() {
                Started::Cancelled
            } else if deadline.is_some_and(|d| Instant::now() >= d) {
                Started::PastDeadline
            } else {
                Started::Ran(f(item))
            };
            done.push((i, result));
        }
        done
    };
    let mut all: Vec<(usize, Started<R>)> = thread::scope(|s| {
        // The calling thread is a worker too; a failed thread spawn just
        // means fewer workers, never a panic.
        let handles: Vec<_> = (1..workers)
            .filter_map(|n| {
                thread::Builder::new()
                    .name(format!("exec-pool-{n}"))
                    .spawn_scoped(s, work)
                    .ok()
            })
            .collect();
        let mut all = work();
        for handle in handles {
            match handle.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    // Every index below items.len() was claimed by exactly one worker.
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::{run, Ended, Job};
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    #[test]
    fn keeps_input_order_and_bounds_parallelism() {
        let items: Vec<u32> = (0..12).collect();
        let (now, peak) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let limit = 3;
        let out = run_all(&items, limit, &Cancel::new(), |&i| {
            let running = now.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(running, Ordering::SeqCst);
            // Hold the slot until `limit` items have overlapped (or give up
            // after a while on a very slow machine): proves parallelism
            // without relying on timing.
            let start = Instant::now();
            while peak.load(Ordering::SeqCst) < limit && start.elapsed() < Duration::from_secs(20) {
                thread::sleep(Duration::from_millis(5));
            }
            now.fetch_sub(1, Ordering::SeqCst);
            i * 10
        });
        let want: Vec<_> = items.iter().map(|i| Started::Ran(i * 10)).collect();
        assert_eq!(out, want);
        assert_eq!(peak.load(Ordering::SeqCst), limit);
    }

    #[test]
    fn zero_parallel_means_one_and_empty_is_fine() {
        let out = run_all(&[1, 2], 0, &Cancel::new(), |i| i + 1);
        assert_eq!(out, vec![Started::Ran(2), Started::Ran(3)]);
        let none: Vec<Started<()>> = run_all(&[] as &[u8], 4, &Cancel::new(), |_| ());
        assert!(none.is_empty());
    }

    #[test]
    fn cancelled_pool_reports_unstarted_items() {
        let cancel = Cancel::new();
        cancel.cancel();
        let out = run_all(&[1, 2, 3], 2, &cancel, |i| *i);
        assert_eq!(out, vec![Started::Cancelled; 3]);

        // Cancelled by the third item: nothing after it starts.
        let cancel = Cancel::new();
        let out = run_all(&[0, 1, 2, 3, 4], 1, &cancel, |&i| {
            if i == 2 {
                cancel.cancel();
            }
            i
        });
        let tail = [Started::Cancelled, Started::Cancelled];
        assert_eq!(
            out[..3],
            [Started::Ran(0), Started::Ran(1), Started::Ran(2)]
        );
        assert_eq!(out[3..], tail);
    }

    #[test]
    fn past_deadline_items_are_not_started() {
        let past = Instant::now();
        let out = run_all_until(&[1, 2], 2, &Cancel::new(), Some(past), |i| *i);
        assert_eq!(out, vec![Started::PastDeadline; 2]);
        assert_eq!(Started::Ran(5).ran(), Some(5));
    }

    #[test]
    fn cancel_kills_running_jobs_and_skips_the_rest() {
        let cancel = Cancel::new();
        let started = AtomicUsize::new(0);
        let jobs: Vec<Job> = (0..4)
            .map(|_| {
                Job::new("sleep")
                    .arg("100")
                    .timeout(Duration::from_secs(100))
            })
            .collect();
        let begin = Instant::now();
        let out = thread::scope(|s| {
            s.spawn(|| {
                let t = Instant::now();
                while started.load(Ordering::SeqCst) < 2 && t.elapsed() < Duration::from_secs(30) {
                    thread::sleep(Duration::from_millis(10));
                }
                thread::sleep(Duration::from_millis(200));
                cancel.cancel();
            });
            run_all(&jobs, 2, &cancel, |job| {
                started.fetch_add(1, Ordering::SeqCst);
                run(job, &cancel)
            })
        });
        assert!(begin.elapsed() < Duration::from_secs(60));
        for slot in &out[..2] {
            match slot {
                Started::Ran(Ok(o)) => assert_eq!(o.status, Ended::Cancelled),
                other => panic!("expected a cancelled run, got {other:?}"),
            }
        }
        assert!(matches!(out[2..], [Started::Cancelled, Started::Cancelled]));
    }
}
