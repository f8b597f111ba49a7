//! Ast → Model: name resolution, server sets, assignment and capacity, plus every check that
//! needs more than one value. Collects all findings of the stage; returns a Model only when
//! none of them is an error. No I/O.

pub mod assign;
pub mod check;
pub mod drain;
pub mod error;
pub mod estate;
pub mod min_servers;
pub mod resolve;
pub mod rsync_params;
mod tags;

use crate::diag::{self, Finding};
use crate::model::{Model, ServerState};
use crate::syntax::ast::Ast;
use error::AnalyzeError;
use resolve::{Decl, Decls};

/// Findings collected while analyzing: the one findings sink, under the stage's short name.
pub type Cx = diag::Sink;

/// Resolves the estate. The Model is `None` when any finding is an error.
pub fn analyze(ast: &Ast) -> (Option<Model>, Vec<Finding>) {
    let mut cx = Cx::default();
    let (mut model, decls) = resolve::resolve(&mut cx, ast);
    tags::collisions(&mut cx, &model, &decls);
    tags::host_collisions(&mut cx, &decls);
    assign::assign(&mut cx, &mut model, &decls);
    assign::capacity(&mut cx, &model, &decls);
    name_only_access(&mut cx, &model, &decls);
    estate::resolve(&mut cx, ast, &mut model, &decls);
    let mut findings = cx.into_sorted();
    if model.estate.runner == crate::model::Runner::Rmirror {
        // The original rmirror pulls on port 873: there it is the right port, not a clash.
        findings.retain(|f| f.code() != "mirrorc::system_rsync_port");
    }
    let ok = !diag::has_errors(&findings);
    (ok.then_some(model), findings)
}

/// Resolves the estate as if the servers named in `lost` were gone (retired), for
/// `mirrorc plan --without`: the same rendezvous hashing `compile` would use. The Model is
/// returned even when clients are left without servers (their holders are then empty); the
/// findings say what `compile` would refuse.
pub fn simulate(ast: &Ast, lost: &[crate::model::ServerId]) -> (Model, Vec<Finding>) {
    let mut cx = Cx::default();
    let (mut model, decls) = resolve::resolve(&mut cx, ast);
    for id in lost {
        if let Some(s) = model.servers.get_mut(id.0 as usize) {
            s.state = ServerState::Retired;
        }
    }
    assign::assign(&mut cx, &mut model, &decls);
    (model, cx.into_sorted())
}

/// Live servers without an address are admitted by name: DNS-dependent access.
fn name_only_access(cx: &mut Cx, model: &Model, decls: &Decls<'_>) {
    for (i, server) in model.servers.iter().enumerate() {
        let Decl {
            file, name, decl, ..
        } = decls.servers[i];
        // A server whose address is invalid was reported already; no second warning.
        if server.state != ServerState::Retired && decl.address.is_none() {
            cx.err(
                file,
                AnalyzeError::NameOnlyAccess {
                    server: server.name.clone(),
                    fqdn: server.fqdn.clone(),
                    span: name.span(),
                },
            );
        }
    }
}
