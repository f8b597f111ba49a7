//! Renderers of library data: for people, the status page as HTML (`html`) and as a terminal
//! table (`status_text`), the diff summary (`diff_summary`), and the words, icons and number
//! formats they share; for machines, the JSON documents (`json`), SARIF (`sarif`) and GitHub
//! annotations (`github`). Rendering only:
//! what a state *is* is decided in `mirrorc_core::status`.

pub(crate) mod diff_summary;
pub(crate) mod github;
pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod sarif;
pub(crate) mod status_text;

use mirrorc_core::contract::report::DiskState;
use mirrorc_core::contract::status::Outcome;
use mirrorc_core::status::DiskRow;

/// The words shown for a state (never colour alone).
pub(crate) fn state_label(state: DiskState) -> &'static str {
    match state {
        DiskState::Ok => "ok",
        DiskState::Stale => "stale",
        DiskState::Failed => "failed",
        DiskState::SkippedSafety => "skipped: safety limit",
        DiskState::Never => "never mirrored",
        DiskState::Unknown => "unknown: no answer",
    }
}

/// The icon shown beside the words (distinct shapes, so the states differ without colour).
pub(crate) fn state_icon(state: DiskState) -> &'static str {
    match state {
        DiskState::Ok => "\u{2714}",            // heavy check mark
        DiskState::Stale => "\u{25F7}",         // clock-like circle
        DiskState::Failed => "\u{2716}",        // heavy multiplication x
        DiskState::SkippedSafety => "\u{26A0}", // warning sign
        DiskState::Never => "\u{2205}",         // empty set
        DiskState::Unknown => "?",
    }
}

/// The words shown for how an attempt ended.
pub(crate) fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Ok => "ok",
        Outcome::Failed => "failed",
        Outcome::SkippedSafety => "skipped (safety limit)",
        Outcome::Timeout => "timed out",
        Outcome::Interrupted => "interrupted",
        Outcome::NotStarted => "not started",
    }
}

/// What stands for a missing last success or attempt: `never` only when the disk is known never to have
/// been mirrored; otherwise no answer has shown one (a silent holder may have one).
pub(crate) fn no_success_text(d: &DiskRow) -> &'static str {
    match d.state {
        DiskState::Never => "never",
        _ => "none reported",
    }
}

/// Every state, worst first (the order of the summary).
pub(crate) const STATES: [DiskState; 6] = [
    DiskState::Unknown,
    DiskState::Failed,
    DiskState::SkippedSafety,
    DiskState::Never,
    DiskState::Stale,
    DiskState::Ok,
];

/// An age in seconds as `45s ago`, `3h 12m ago`, `2d 4h ago`, or `in the future`.
pub(crate) fn age_text(seconds: i64) -> String {
    if seconds < 0 {
        return "in the future".to_string();
    }
    duration_text(seconds.unsigned_abs()) + " ago"
}

/// A duration in seconds, shortest first: `45s`, `12m`, `3h 12m`, `36h` (hours up to three
/// days, as schedules are thought of), then `4d 4h`.
pub(crate) fn duration_text(s: u64) -> String {
    let (h, m) = (s / 3_600, s % 3_600 / 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, m) => format!("{m}m"),
        (h, 0) if h < 72 => format!("{h}h"),
        (h, m) if h < 72 => format!("{h}h {m}m"),
        (h, _) if h % 24 == 0 => format!("{}d", h / 24),
        (h, _) => format!("{}d {}h", h / 24, h % 24),
    }
}

/// Bytes in binary units with one decimal: `512 B`, `1.5 GiB`.
pub(crate) fn bytes_text(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::{age_text, bytes_text, duration_text};

    #[test]
    fn numbers_for_people() {
        let ages: Vec<String> = [
            -5,
            0,
            45,
            720,
            3 * 3600,
            3 * 3600 + 720,
            36 * 3600,
            50 * 3600,
            100 * 3600,
        ]
        .iter()
        .map(|s| age_text(*s))
        .collect();
        assert_eq!(
            ages.join(", "),
            "in the future, 0s ago, 45s ago, 12m ago, 3h ago, 3h 12m ago, 36h ago, 50h ago, 4d 4h ago"
        );
        assert_eq!(duration_text(129_600), "36h");
        assert_eq!(duration_text(7 * 86_400), "7d");
        let sizes: Vec<String> = [0, 1023, 1024, 1536 << 20, 3 << 40, u64::MAX]
            .iter()
            .map(|b| bytes_text(*b))
            .collect();
        assert_eq!(
            sizes.join(", "),
            "0 B, 1023 B, 1.0 KiB, 1.5 GiB, 3.0 TiB, 16.0 EiB"
        );
    }
}
