//! The status view as terminal text: the summary line, the problem rows as a table, the
//! servers as a table, who did not answer and what can be retired. Control characters in
//! messages from rsync and clients are shown as `?` so they cannot drive the terminal.

use mirrorc_core::status::{DiskRow, ServerRow, StatusView};

use super::{age_text, bytes_text, duration_text, no_success_text, outcome_label, state_label};

/// Renders `v` as text.
pub(crate) fn render(v: &StatusView) -> String {
    let mut out = format!(
        "mirror status at {} (report of {}; stale after {})\n{}\n",
        v.now,
        v.report_generated,
        duration_text(v.max_age_seconds),
        summary_line(v)
    );
    if v.problems.is_empty() {
        out += "\nNothing needs attention: every disk has a fresh copy.\n";
    } else {
        out += &format!("\nNeeds attention ({}):\n", v.problems.len());
        out += &table(
            &PROBLEM_HEADERS,
            v.problems.iter().map(problem_cells).collect(),
        );
    }
    out += &format!("\nServers ({}):\n", v.servers.len());
    out += &table(
        &SERVER_HEADERS,
        v.servers.iter().map(server_cells).collect(),
    );
    for s in v.servers.iter().filter(|s| !s.answered) {
        let why = s.error.as_deref().unwrap_or("no answer");
        out += &format!("did not answer: {}: {}\n", s.server, clean(why));
    }
    if !v.retirable.is_empty() {
        out += &format!("can be retired safely: {}\n", v.retirable.join(", "));
    }
    out
}

fn summary_line(v: &StatusView) -> String {
    let c = &v.summary;
    format!(
        "{} disks: {} ok, {} stale, {} failed, {} skipped by the safety limit, {} never mirrored, {} unknown; {} of {} servers answered",
        c.disks,
        c.ok,
        c.stale,
        c.failed,
        c.skipped_safety,
        c.never,
        c.unknown,
        v.servers_asked - v.servers_unanswered,
        v.servers_asked
    )
}

const PROBLEM_HEADERS: [&str; 8] = [
    "STATE",
    "CLIENT",
    "TAG",
    "PATH",
    "HOLDERS",
    "LAST SUCCESS",
    "LAST ATTEMPT",
    "MESSAGE",
];

fn problem_cells(d: &DiskRow) -> Vec<String> {
    let success = match &d.last_success {
        Some(s) => match s.age_seconds {
            Some(age) => format!("{} ({})", s.finished, age_text(age)),
            None => s.finished.clone(),
        },
        None => no_success_text(d).to_string(),
    };
    let attempt = d
        .last_attempt
        .as_ref()
        .map_or(no_success_text(d).to_string(), |a| {
            format!("{} by {}", outcome_label(a.result), a.server)
        });
    let mut message = d
        .last_attempt
        .as_ref()
        .map_or(String::new(), |a| a.message.clone());
    if !d.unanswered.is_empty() {
        let silent = format!("no answer from {}", d.unanswered.join(", "));
        message = if message.is_empty() {
            silent
        } else {
            format!("{message}; {silent}")
        };
    }
    vec![
        state_label(d.state).to_string(),
        d.client.clone(),
        d.tag.clone(),
        d.path.clone(),
        d.holders.join(","),
        success,
        attempt,
        message,
    ]
}

const SERVER_HEADERS: [&str; 9] = [
    "SERVER",
    "SITE",
    "STATE",
    "ANSWERED",
    "DISKS",
    "FAILURES",
    "LAST RUN FINISHED",
    "USED",
    "RETIRE",
];

fn server_cells(s: &ServerRow) -> Vec<String> {
    let used = match (s.capacity, s.used_percent) {
        (Some(c), Some(p)) => format!("{} of {} ({p}%)", bytes_text(s.used_bytes), bytes_text(c)),
        _ => bytes_text(s.used_bytes),
    };
    vec![
        s.server.clone(),
        s.site.clone(),
        s.state.clone(),
        if s.answered { "yes" } else { "no" }.to_string(),
        s.disks_held.to_string(),
        s.failures.to_string(),
        s.last_run_finished.clone().unwrap_or_default(),
        used,
        match s.retirable {
            Some(true) => "safe",
            Some(false) => "not yet",
            None => "",
        }
        .to_string(),
    ]
}

/// Left-aligned columns two spaces apart; the last column is not padded.
fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| r.iter().map(|c| clean(c)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let head: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    for r in std::iter::once(&head).chain(&rows) {
        let mut line = String::new();
        for (i, (c, w)) in r.iter().zip(&widths).enumerate() {
            if i + 1 == r.len() {
                line += c;
            } else {
                line += &format!("{c:<w$}  ");
            }
        }
        out += line.trim_end();
        out.push('\n');
    }
    out
}

/// `text` with control characters (escape sequences, newlines) replaced by `?`.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
