//! Ast → Model: name resolution, server sets, assignment and capacity, plus every check that
//! needs more than one value. Collects all findings of the stage; returns a Model only when
//! none of them is an error. No I/O.

pub mod assign;
pub mod check;
pub mod error;
pub mod resolve;

use std::borrow::Cow;
use std::collections::HashMap;

use crate::diag::{self, Finding};
use crate::model::{Model, ServerState};
use crate::source::FileId;
use crate::syntax::ast::Ast;
use error::AnalyzeError;
use resolve::Decls;

/// Findings collected while analyzing.
#[derive(Default)]
pub struct Cx {
    /// Everything found so far.
    pub findings: Vec<Finding>,
}

impl Cx {
    /// Records a diagnostic in `file`.
    pub fn err(&mut self, file: FileId, e: AnalyzeError) {
        self.findings.push(Finding::new(file, e));
    }

    /// Records a diagnostic with a note in another place.
    pub fn err_with_note(
        &mut self,
        file: FileId,
        e: AnalyzeError,
        note_file: FileId,
        note: AnalyzeError,
    ) {
        self.findings
            .push(Finding::new(file, e).with_related(note_file, note));
    }
}

/// Resolves the estate. The Model is `None` when any finding is an error.
pub fn analyze(ast: &Ast) -> (Option<Model>, Vec<Finding>) {
    let mut cx = Cx::default();
    let (mut model, decls) = resolve::resolve(&mut cx, ast);
    tag_collisions(&mut cx, &model, &decls);
    assign::assign(&mut cx, &mut model, &decls);
    assign::capacity(&mut cx, &model, &decls);
    name_only_access(&mut cx, &model, &decls);
    let mut findings = cx.findings;
    diag::sort(&mut findings);
    let ok = !diag::has_errors(&findings);
    (ok.then_some(model), findings)
}

/// Two paths anywhere in the estate that map to one rmirror tag. Compared without case:
/// rsync merges module names that differ only in case when it reads rsyncd.conf. (A hash
/// map is fine here: only collisions are reported, and findings are sorted afterwards.)
fn tag_collisions(cx: &mut Cx, model: &Model, decls: &Decls<'_>) {
    let paths = model.clients.iter().map(|c| c.paths.len()).sum();
    let mut seen: HashMap<Cow<'_, str>, (usize, &str), BuildFnv> =
        HashMap::with_capacity_and_hasher(paths, BuildFnv);
    for (ci, client) in model.clients.iter().enumerate() {
        for path in &client.paths {
            let key = match path.tag.bytes().any(|b| b.is_ascii_uppercase()) {
                true => Cow::Owned(path.tag.to_ascii_lowercase()),
                false => Cow::Borrowed(path.tag.as_str()),
            };
            let Some((first_client, first_name)) = seen.get(&key).copied() else {
                seen.insert(key, (ci, &path.name));
                continue;
            };
            let (file, _, decl) = decls.clients[ci];
            let Some((key, _)) = decl.paths.get_key_value(path.name.as_str()) else {
                continue;
            };
            let first = format!("{}: {}", model.clients[first_client].name, first_name);
            let second = format!("{}: {}", client.name, path.name);
            let e = AnalyzeError::TagCollision {
                tag: path.tag.clone(),
                first,
                second,
                span: key.span(),
            };
            let (first_file, _, first_decl) = decls.clients[first_client];
            match first_decl.paths.get_key_value(first_name) {
                Some((k, _)) => cx.err_with_note(
                    file,
                    e,
                    first_file,
                    AnalyzeError::FirstDeclared {
                        name: path.tag.clone(),
                        span: k.span(),
                    },
                ),
                None => cx.err(file, e),
            }
        }
    }
}

/// FNV-1a for the tag map: its keys are short, and SipHash's protection against chosen
/// collisions buys nothing for an inventory the user wrote (order never reaches output).
#[derive(Default, Clone, Copy)]
struct BuildFnv;

struct Fnv(u64);

impl std::hash::BuildHasher for BuildFnv {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Live servers without an address are admitted by name: DNS-dependent access.
fn name_only_access(cx: &mut Cx, model: &Model, decls: &Decls<'_>) {
    for (i, server) in model.servers.iter().enumerate() {
        let (file, name, decl) = decls.servers[i];
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
