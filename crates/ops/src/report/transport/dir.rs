//! `--via dir=PATH`: the servers' state folders are `PATH/<server>/` on this machine. The
//! view is serialized and parsed again, so it passes the same checks as a network answer.

use std::path::PathBuf;

use mirrorc_core::contract::report::ServerReport;
use mirrorc_core::contract::ServerContract;

use super::{NoAnswer, Transport, Why};
use crate::exec::Cancel;
use crate::report::view;

/// Reads state folders under `root`.
pub(super) struct Dir {
    pub(super) root: PathBuf,
}

impl Transport for Dir {
    fn ask(
        &self,
        server: &ServerContract,
        args: &[String],
        _cancel: &Cancel,
    ) -> Result<ServerReport, NoAnswer> {
        let state = self.root.join(&server.server);
        if !state.is_dir() {
            let detail = format!("no state folder {}", state.display());
            return Err(NoAnswer::new(Why::NotAnswering, detail));
        }
        let report = view::server_view(server, &state, args)
            .map_err(|e| NoAnswer::new(Why::Failed, e.to_string()))?;
        ServerReport::parse(report.to_text().as_bytes())
            .map_err(|e| NoAnswer::new(Why::Malformed, e))
    }
}
