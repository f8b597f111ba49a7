//! The `diff` summary as text: one line per server that changes (state, disks moving out and
//! in with where to and from, data to copy), a total, then clients grouped by identical access
//! change with their names wrapped at 100 columns.

use mirrorc_core::analyze::check::human_size;
use mirrorc_core::output::diff_summary::{Changes, ServerChange};

/// Width that host lists are wrapped at.
const WIDTH: usize = 100;

/// The summary, or nothing when nobody's access or holdings change.
pub(crate) fn render(c: &Changes) -> String {
    if c.is_empty() {
        return String::new();
    }
    let mut out = String::from("summary:\n");
    for s in &c.servers {
        out += &format!("  {}\n", server_line(s));
    }
    out += &format!("  total: {}\n", total(c));
    for (what, list) in [("new", &c.clients_added), ("removed", &c.clients_removed)] {
        if !list.is_empty() {
            out += &format!("  {} {what} client(s):\n", list.len());
            out += &wrap(list, 4);
        }
    }
    if !c.clients.is_empty() {
        let n: usize = c.clients.iter().map(|g| g.clients.len()).sum();
        out += &format!("access changes ({n} clients):\n");
        for g in &c.clients {
            out += &format!("  {} ({}):\n", g.change, plural(g.clients.len(), "client"));
            out += &wrap(&g.clients, 4);
        }
    }
    out.push('\n');
    out
}

/// `jmirror3: active -> drain; 40 disks move: 25 to jmirror1, 15 to jmirror2; 3.2 TiB to copy`.
fn server_line(s: &ServerChange) -> String {
    let mut parts = Vec::new();
    match (&s.old_state, &s.new_state) {
        (None, Some(n)) => parts.push(format!("new server ({n})")),
        (Some(_), None) => parts.push("removed from the inventory".to_string()),
        (Some(o), Some(n)) if o != n => parts.push(format!("{o} -> {n}")),
        _ => {}
    }
    let moved: usize = s.disks_out.values().sum();
    if moved > 0 {
        let to: Vec<String> = s
            .disks_out
            .iter()
            .map(|(to, n)| match to.as_str() {
                "" => format!("{n} to no other server"),
                to => format!("{n} to {to}"),
            })
            .collect();
        parts.push(format!("{} move: {}", plural(moved, "disk"), to.join(", ")));
        parts.push(format!("{} to copy", human_size(s.bytes_out)));
    }
    if s.disks_released > 0 {
        parts.push(format!(
            "stops pulling {} (held by their new holders)",
            plural(s.disks_released, "disk")
        ));
    }
    if s.disks_kept > 0 {
        parts.push(format!(
            "keeps pulling {} until retired (make-before-break)",
            plural(s.disks_kept, "disk")
        ));
    }
    let arrived: usize = s.disks_in.values().sum();
    if arrived > 0 {
        let from: Vec<String> = s
            .disks_in
            .iter()
            .map(|(from, n)| match from.as_str() {
                "" => format!("{n} new"),
                from => format!("{n} from {from}"),
            })
            .collect();
        parts.push(format!(
            "{} arrive: {}",
            plural(arrived, "disk"),
            from.join(", ")
        ));
        parts.push(format!("{} to copy", human_size(s.bytes_in)));
    }
    if s.admitted_by > 0 {
        parts.push(format!(
            "admitted by {} more",
            plural(s.admitted_by, "client")
        ));
    }
    if s.refused_by > 0 {
        parts.push(format!(
            "no longer admitted by {}",
            plural(s.refused_by, "client")
        ));
    }
    format!("{}: {}", s.server, parts.join("; "))
}

fn total(c: &Changes) -> String {
    let mut t = format!(
        "{} to copy, {}",
        plural(c.disks_to_copy, "disk"),
        human_size(c.bytes_to_copy)
    );
    if c.unsized_disks > 0 {
        t += &format!(" (and {} without a size)", plural(c.unsized_disks, "disk"));
    }
    let changed: usize = c.clients.iter().map(|g| g.clients.len()).sum();
    t += &format!(
        "; {} added, {} removed, {} changed",
        plural(c.clients_added.len(), "client"),
        c.clients_removed.len(),
        changed
    );
    t
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// Names separated by spaces, wrapped at [`WIDTH`] columns, each line indented.
pub(crate) fn wrap(names: &[String], indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    let mut line = pad.clone();
    for n in names {
        if line.len() > indent && line.len() + 1 + n.len() > WIDTH {
            out += &line;
            out.push('\n');
            line = pad.clone();
        }
        if line.len() > indent {
            line.push(' ');
        }
        line += n;
    }
    if line.len() > indent {
        out += &line;
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn long_lists_wrap_at_100_columns() {
        let names: Vec<String> = (0..60).map(|i| format!("fpc{i:03}")).collect();
        let text = wrap(&names, 4);
        assert!(text
            .lines()
            .all(|l| l.len() <= 100 && l.starts_with("    fpc")));
        assert_eq!(text.lines().count(), 5, "13 names a line");
        let back: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(back.len(), 60);
    }
}
