//! The verdict on one merged disk against its max age. A fresh copy anywhere wins (the
//! client is safe even if another holder failed); otherwise a holder that did not answer
//! makes it unknown; then never tried, failed, skipped, or stale.

use mirrorc_core::contract::report::{DiskState, MergedDisk};
use mirrorc_core::contract::status::Outcome;

/// The state of `d`, whose answers are already folded in.
pub fn judge(d: &MergedDisk) -> DiskState {
    if d.age_seconds.is_some_and(|a| a <= d.max_age_seconds) {
        return DiskState::Ok;
    }
    if d.holders.iter().any(|h| d.unanswered.contains(h)) {
        return DiskState::Unknown;
    }
    match &d.last_attempt {
        None if !d.problems.is_empty() => DiskState::Failed,
        None => DiskState::Never,
        Some(a) => match a.result {
            Outcome::SkippedSafety => DiskState::SkippedSafety,
            Outcome::Ok if d.last_success.is_some() => DiskState::Stale,
            Outcome::Ok => DiskState::Never,
            Outcome::Failed | Outcome::Timeout | Outcome::Interrupted | Outcome::NotStarted => {
                DiskState::Failed
            }
        },
    }
}
