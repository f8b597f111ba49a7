//! Order-preserving parallel map over a slice with scoped std threads (no thread pool, no
//! extra dependency). Results come back in input order, so output bytes never depend on
//! scheduling. Used where work is large and independent: parsing files, rendering, writing.

use std::num::NonZeroUsize;
use std::thread;

/// Work below this many items runs on the calling thread (threads cost more than they save).
const MIN_PARALLEL: usize = 64;

/// How many threads to use: the machine's parallelism, capped at 8.
pub fn threads() -> usize {
    thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .min(8)
}

/// Applies `f` to every item, in parallel chunks; results are in input order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_min(items, MIN_PARALLEL, f)
}

/// Like [`map`], parallel from `min` items on (1 for few but heavy items such as files).
pub fn map_min<T: Sync, R: Send>(items: &[T], min: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let n = threads();
    if n < 2 || items.len() < min.max(2) {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(n);
    run_all(items.chunks(chunk).collect(), f)
}

/// Like [`map`], but the items are split into contiguous runs of about equal total `weight`
/// (one run per thread), so that one heavy item (an 11 MB file among 2 KB ones) does not leave
/// a thread idle, while each thread still works through neighbouring items (files of one
/// folder: two threads creating files in one folder contend for its lock).
pub fn map_weighted<T: Sync, R: Send>(
    items: &[T],
    weight: impl Fn(&T) -> usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let n = threads();
    if n < 2 || items.len() < 2 {
        return items.iter().map(f).collect();
    }
    let total: usize = items.iter().map(&weight).sum();
    let mut runs: Vec<&[T]> = Vec::with_capacity(n);
    let (mut start, mut acc) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        acc += weight(item);
        if acc * n >= total * (runs.len() + 1) && runs.len() + 1 < n {
            runs.push(&items[start..=i]);
            start = i + 1;
        }
    }
    runs.push(&items[start..]);
    run_all(runs, f)
}

/// Maps each run on a thread of its own; results in run order.
fn run_all<T: Sync, R: Send>(runs: Vec<&[T]>, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let f = &f;
    thread::scope(|s| {
        let handles: Vec<_> = runs
            .into_iter()
            .map(|run| s.spawn(move || run.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles.into_iter().flat_map(joined).collect()
    })
}

/// The result of a scoped thread; its panic, if it panicked, goes on in the caller.
pub fn joined<T>(handle: thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// Drops a large value (an Ast, a Model: millions of small allocations) on a thread of its own,
/// so that freeing it overlaps the work that follows instead of delaying it. A process that
/// exits first simply hands the memory back to the system.
pub fn drop_behind<T: Send + 'static>(value: T) {
    thread::spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_input_order() {
        let items: Vec<u32> = (0..1000).collect();
        let out = super::map(&items, |x| x * 2);
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert_eq!(super::map_min(&[3, 1, 2], 1, |x| x + 1), vec![4, 2, 3]);
        for n in [0, 1, 2, 3, 17, 1001] {
            let items: Vec<usize> = (0..n).collect();
            let heavy = |x: &usize| if *x == n / 2 { 1000 } else { 1 };
            assert_eq!(
                super::map_weighted(&items, heavy, |x| x * 3),
                items.iter().map(|x| x * 3).collect::<Vec<_>>()
            );
        }
    }
}
