//! `mirrorc plan [--without SERVER|SITE]...`: capacity and balance per server, and what losing
//! servers or sites would do (exit 1 when a client would be left with no server).

use std::io;
use std::path::PathBuf;

use mirrorc_core::analyze::check::human_size;
use mirrorc_core::plan::{self, Loss, Plan, PlanError, ServerLoad};

use crate::cli::Format;
use crate::exit::ExitStatus;
use crate::print::{self, Failure};

/// Runs `plan`.
pub(super) fn run(
    inputs: &[PathBuf],
    without: &[String],
    format: Format,
) -> io::Result<ExitStatus> {
    let sources = super::load(inputs)?;
    let plan = match plan::plan(&sources, without) {
        Ok(plan) => plan,
        Err(PlanError::Findings(findings)) => {
            print::invalid(&sources, &findings);
            return Ok(ExitStatus::Findings);
        }
        Err(PlanError::Unknown(names)) => {
            let details: Vec<String> = names
                .iter()
                .map(|(name, suggestion)| {
                    let hint = suggestion
                        .as_ref()
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default();
                    format!("`{name}` is neither a server nor a site of this estate{hint}")
                })
                .collect();
            let f = Failure::new(
                "mirrorc::unknown_name",
                format!("--without: {} unknown name(s)", names.len()),
            )
            .details(details)
            .help("name servers or sites as the inventory does (`mirrorc plan` lists the servers)");
            print::fail(&f);
            return Ok(ExitStatus::Failure);
        }
    };
    match format {
        Format::Text => print::stdout(&render(&plan))?,
        Format::Json => print::json(&plan)?,
    }
    // Left with no server, or with only draining ones (held by none): unmirrored either way.
    let lost_all = plan.without.as_ref().is_some_and(|l| l.loses_clients());
    Ok(ExitStatus::found(lost_all))
}

fn render(plan: &Plan) -> String {
    let mut out = String::from(
        "server        site      state   clients  disks  held        capacity    full\n",
    );
    for l in &plan.servers {
        out.push_str(&load_line(l));
    }
    for (site, x) in &plan.imbalance {
        out.push_str(&format!(
            "balance {site}: the fullest active server holds {x:.2}x the mean\n"
        ));
    }
    if plan.unsized_disks > 0 {
        out.push_str(&format!(
            "{} disk(s) have no size: the figures leave them out\n",
            plan.unsized_disks
        ));
    }
    if let Some(loss) = &plan.without {
        out.push_str(&render_loss(loss));
    }
    out
}

fn load_line(l: &ServerLoad) -> String {
    let cap = l
        .capacity
        .map(human_size)
        .unwrap_or_else(|| "-".to_string());
    let pct = l
        .percent
        .map(|p| format!("{p}%"))
        .unwrap_or_else(|| "-".to_string());
    format!(
        "{:<13} {:<9} {:<7} {:>7}  {:>5}  {:<11} {:<11} {pct}\n",
        l.server,
        l.site,
        l.state,
        l.clients,
        l.disks,
        human_size(l.bytes),
        cap
    )
}

fn render_loss(loss: &Loss) -> String {
    let mut out = format!("\nwithout {}:\n", loss.lost.join(", "));
    if !loss.loses_clients() {
        out.push_str("  every client keeps at least one server\n");
    }
    if !loss.unheld.is_empty() {
        out.push_str(&format!(
            "  error: {} client(s) would be held by no server (only draining servers left; pin one or make it active): {}\n",
            loss.unheld.len(),
            loss.unheld.join(", ")
        ));
    }
    if !loss.no_server.is_empty() {
        out.push_str(&format!(
            "  error: {} client(s) would have no server left: {}\n",
            loss.no_server.len(),
            loss.no_server.join(", ")
        ));
    }
    for (client, held, copies) in &loss.below_copies {
        out.push_str(&format!("  {client}: held by {held} of {copies} copies\n"));
    }
    out.push_str(&format!(
        "  {} client(s) move, {} to copy\n",
        loss.moves.len(),
        human_size(loss.bytes_to_copy)
    ));
    for m in &loss.moves {
        out.push_str(&format!(
            "    {}: {} -> {}\n",
            m.client,
            m.from.join(" "),
            m.to.join(" ")
        ));
    }
    for l in &loss.over_capacity {
        out.push_str(&format!("  over capacity: {}", load_line(l)));
    }
    out
}
