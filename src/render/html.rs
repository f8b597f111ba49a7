//! The status page as one self-contained HTML file (askama template `templates/status.html`,
//! auto-escaped: messages and paths come from rsync and clients). Inline CSS and script only,
//! allowed by a `default-src 'none'` Content-Security-Policy carrying their SHA-256 hashes,
//! computed here from the very bytes inlined. Deterministic: the same view gives the same bytes.

use askama::Template;
use base64::Engine;
use mirrorc_core::contract::report::DiskState;
use mirrorc_core::status::{Counts, DiskRow, ServerRow, StatusView};
use sha2::{Digest, Sha256};

use super::{
    age_text, bytes_text, duration_text, no_success_text, outcome_label, state_icon, state_label,
    STATES,
};

/// The page's style sheet, inlined.
const CSS: &str = include_str!("templates/status.css");
/// The page's script (filter, sorting), inlined.
const JS: &str = include_str!("templates/status.js");

/// Above this many disks the per-site sections start collapsed (problems stay up front).
const OPEN_SITES_UP_TO: usize = 200;

/// How the page is rendered beyond the view.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PageOptions {
    /// A meta refresh every so many seconds (wall displays).
    pub(crate) refresh: Option<u32>,
}

#[derive(Template)]
#[template(path = "status.html")]
struct Page<'a> {
    v: &'a StatusView,
    title: String,
    csp: String,
    css: &'static str,
    js: &'static str,
    refresh: Option<u32>,
    max_age: String,
    open_sites: bool,
    summary: Vec<SummaryItem>,
    unanswered: Vec<&'a ServerRow>,
    problems: Vec<Row<'a>>,
    servers: Vec<Server<'a>>,
    sites: Vec<Site<'a>>,
}

struct SummaryItem {
    state: &'static str,
    icon: &'static str,
    label: &'static str,
    count: usize,
}

struct Site<'a> {
    name: &'a str,
    counts: Counts,
    /// Counts in the order of the estate summary (the columns of the site table).
    all_counts: Vec<usize>,
    summary: Vec<SummaryItem>,
    rows: Vec<Row<'a>>,
}

struct Row<'a> {
    d: &'a DiskRow,
    state: &'static str,
    rank: u8,
    label: &'static str,
    holders: String,
    success_age: String,
    no_success: &'static str,
    attempt_is_success: bool,
    attempt_result: &'static str,
    bytes: String,
    bytes_sort: u64,
    unanswered: String,
}

struct Server<'a> {
    row: &'a ServerRow,
    used: String,
    capacity: String,
    capacity_sort: u64,
    percent_sort: u64,
    retire: &'static str,
}

/// Renders the page.
pub(crate) fn page(v: &StatusView, options: PageOptions) -> Result<String, askama::Error> {
    let problems = v.summary.problems();
    let title = match problems {
        0 => format!("Mirror status: all {} disks ok", v.summary.disks),
        n => format!(
            "Mirror status: {n} of {} disks need attention",
            v.summary.disks
        ),
    };
    Page {
        v,
        title,
        csp: csp(),
        css: CSS,
        js: JS,
        refresh: options.refresh,
        max_age: duration_text(v.max_age_seconds),
        open_sites: v.summary.disks <= OPEN_SITES_UP_TO,
        summary: summary(&v.summary, true),
        unanswered: v.servers.iter().filter(|s| !s.answered).collect(),
        problems: v.problems.iter().map(row).collect(),
        servers: v.servers.iter().map(server).collect(),
        sites: v
            .sites
            .iter()
            .map(|s| Site {
                name: &s.site,
                counts: s.counts,
                all_counts: STATES.iter().map(|&st| count(&s.counts, st)).collect(),
                summary: summary(&s.counts, false),
                rows: s.disks.iter().map(row).collect(),
            })
            .collect(),
    }
    .render()
}

/// `default-src 'none'` plus the hashes of exactly the inline style and script.
fn csp() -> String {
    format!(
        "default-src 'none'; style-src '{}'; script-src '{}'; base-uri 'none'; form-action 'none'",
        sha256_source(CSS),
        sha256_source(JS)
    )
}

/// A CSP hash source: `sha256-` and the base64 of the SHA-256 of `text`.
fn sha256_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Counts per state, worst first; a site's summary leaves out the states it has none of.
fn summary(c: &Counts, all: bool) -> Vec<SummaryItem> {
    STATES
        .iter()
        .map(|&s| SummaryItem {
            state: s.as_str(),
            icon: state_icon(s),
            label: state_label(s),
            count: count(c, s),
        })
        .filter(|i| all || i.count > 0)
        .collect()
}

fn count(c: &Counts, state: DiskState) -> usize {
    match state {
        DiskState::Ok => c.ok,
        DiskState::Stale => c.stale,
        DiskState::Failed => c.failed,
        DiskState::SkippedSafety => c.skipped_safety,
        DiskState::Never => c.never,
        DiskState::Unknown => c.unknown,
    }
}

fn row(d: &DiskRow) -> Row<'_> {
    let bytes = d.last_attempt.as_ref().and_then(|a| a.bytes_transferred);
    Row {
        d,
        state: d.state.as_str(),
        rank: d.state as u8,
        label: state_label(d.state),
        holders: d.holders.join(", "),
        success_age: d
            .last_success
            .as_ref()
            .and_then(|s| s.age_seconds)
            .map(|a| format!("({})", age_text(a)))
            .unwrap_or_default(),
        no_success: no_success_text(d),
        attempt_is_success: d.note.is_none()
            && d.last_attempt.is_some()
            && d.last_attempt == d.last_success,
        attempt_result: d
            .last_attempt
            .as_ref()
            .map_or("", |a| outcome_label(a.result)),
        bytes: bytes.map(bytes_text).unwrap_or_default(),
        bytes_sort: bytes.unwrap_or(0),
        unanswered: d.unanswered.join(", "),
    }
}

fn server(s: &ServerRow) -> Server<'_> {
    Server {
        row: s,
        used: bytes_text(s.used_bytes),
        capacity: s.capacity.map(bytes_text).unwrap_or_default(),
        capacity_sort: s.capacity.unwrap_or(0),
        percent_sort: s.used_percent.unwrap_or(0),
        retire: match s.retirable {
            Some(true) => "can be retired safely",
            Some(false) => "not yet: some disks have no fresh copy elsewhere",
            None => "",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{CSS, JS};
    use crate::render::{state_icon, STATES};

    #[test]
    fn inline_assets_cannot_close_their_element() {
        assert!(!CSS.contains("</"), "the style sheet must not contain `</`");
        assert!(!JS.contains("</"), "the script must not contain `</`");
    }

    #[test]
    fn table_icons_are_the_summary_icons() {
        // Disk rows draw their icon from the style sheet (one short class per row, so large
        // pages stay small); it must be the icon the summary and the text renderer use.
        for state in STATES {
            let icon = state_icon(state);
            let css_icon = match icon.chars().next() {
                Some(c) if c.is_ascii() => c.to_string(),
                Some(c) => format!("\\{:X}", u32::from(c)),
                None => String::new(),
            };
            let rule = format!(
                ".s-{}::before {{ content: \"{css_icon}  \"; }}",
                state.as_str()
            );
            assert!(CSS.contains(&rule), "missing: {rule}");
        }
    }
}
