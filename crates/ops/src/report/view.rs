//! A server's own view (`report --server`, also what remctld runs): its contract's disks,
//! held and eligible, each with the status record found in its state folder. Records are read
//! through `contract::status::read_record` (size, version and names checked); a bad record is
//! reported on its disk, never dropped.

use std::path::Path;

use mirrorc_core::contract::report::{ServerDisk, ServerReport, REPORT_VERSION};
use mirrorc_core::contract::status::read_record;
use mirrorc_core::contract::ServerContract;

use super::args::{self, ArgError};

/// The view of `contract`'s server over the disks matching `filters` (client names or tags;
/// all when empty), reading records from `state`. Refuses bad arguments before any read.
pub fn server_view<S: AsRef<str>>(
    contract: &ServerContract,
    state: &Path,
    filters: &[S],
) -> Result<ServerReport, ArgError> {
    args::validate(filters)?;
    let wanted = |tag: &str, client: &str| {
        filters.is_empty()
            || filters
                .iter()
                .any(|f| f.as_ref() == tag || f.as_ref() == client)
    };
    let held = contract.disks.iter().map(|d| (&d.tag, &d.client, true));
    let eligible = contract.eligible.iter().map(|d| (&d.tag, &d.client, false));
    let mut disks: Vec<ServerDisk> = held
        .chain(eligible)
        .filter(|(tag, client, _)| wanted(tag, client))
        .map(|(tag, client, holds)| disk(contract, state, tag, client, holds))
        .collect();
    disks.sort_by(|a, b| a.tag.cmp(&b.tag));
    Ok(ServerReport {
        version: REPORT_VERSION,
        server: contract.server.clone(),
        state: contract.state.clone(),
        disks,
    })
}

fn disk(c: &ServerContract, state: &Path, tag: &str, client: &str, holds: bool) -> ServerDisk {
    let (status, record_error) = match read_record(state, tag, client, &c.server) {
        Ok(s) => (s, None),
        Err(e) => (None, Some(e.to_string())),
    };
    ServerDisk {
        tag: tag.to_string(),
        client: client.to_string(),
        holds,
        status,
        record_error,
    }
}
