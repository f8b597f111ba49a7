//! Tag collisions: two paths anywhere in the estate that map to one rmirror tag, compared
//! without case (rsync merges module names that differ only in case when it reads
//! rsyncd.conf). Sort-based rather than a hash map of every tag: at 500,000 paths the map's
//! cache misses cost 0.13 s; hashing in parallel and sorting two halves costs a fraction.

use super::error::AnalyzeError;
use super::resolve::{Decl, Decls};
use super::Cx;
use crate::model::{Client, ClientPath, Model};

/// Reports two different host names (servers and clients together: a client's header lists
/// server tags, and every host has its own include guard) that map to one LCFG tag, such as
/// `m-1` and `m.1` (both `m_1`). A host that is both server and client has one name: no finding.
pub(super) fn host_collisions(cx: &mut Cx, decls: &Decls<'_>) {
    let hosts = decls.servers.iter().map(|d| (d.file, d.name));
    let hosts = hosts.chain(decls.clients.iter().map(|d| (d.file, d.name)));
    name_collisions(cx, "host", hosts, crate::analyze::check::to_tag);
}

/// Reports every name of `names` whose identifier (`ident(name)`, compared without case:
/// guards and macros are upper-cased) an earlier, different name already has.
pub(super) fn name_collisions<'a>(
    cx: &mut Cx,
    kind: &'static str,
    names: impl Iterator<Item = (crate::source::FileId, &'a crate::source::Sp<String>)>,
    ident: fn(&str) -> String,
) {
    let mut keyed: Vec<(
        String,
        usize,
        crate::source::FileId,
        &crate::source::Sp<String>,
    )> = names
        .enumerate()
        .map(|(i, (file, name))| (ident(name).to_ascii_uppercase(), i, file, name))
        .collect();
    keyed.sort_unstable_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    for run in keyed.chunk_by(|a, b| a.0 == b.0) {
        let (_, _, first_file, first) = run[0];
        let mut seen: Vec<&str> = vec![first.as_str()];
        for (key, _, file, name) in &run[1..] {
            if seen.contains(&name.as_str()) {
                continue;
            }
            seen.push(name.as_str());
            let e = AnalyzeError::NameCollision {
                kind,
                first: first.to_string(),
                second: name.to_string(),
                ident: key.clone(),
                span: name.span(),
            };
            let note = AnalyzeError::FirstDeclared {
                name: first.to_string(),
                span: first.span(),
            };
            cx.err_with_note(*file, e, first_file, note);
        }
    }
}

/// Below this many paths the two halves are sorted on the calling thread.
const PARALLEL_FROM: usize = 8192;

/// One path: the hash of its lower-cased tag, its client and its index there.
type Key = (u64, u32, u32);

/// Reports every path whose tag (ignoring case) an earlier path already has, against the
/// first one (earlier: by client, then path, in Model order).
pub(super) fn collisions(cx: &mut Cx, model: &Model, decls: &Decls<'_>) {
    let ids: Vec<u32> = (0..model.clients.len() as u32).collect();
    let per_client = crate::par::map(&ids, |ci| {
        let paths = &model.clients[*ci as usize].paths;
        (0..paths.len() as u32)
            .map(|pi| (hash_lower(&paths[pi as usize].tag), *ci, pi))
            .collect::<Vec<Key>>()
    });
    // Two halves by the hash's top bit, sorted side by side: equal tags share a half.
    let (mut low, mut high): (Vec<Key>, Vec<Key>) = per_client
        .into_iter()
        .flatten()
        .partition(|k| k.0 >> 63 == 0);
    let sorted = |half: &mut Vec<Key>| {
        half.sort_unstable();
        same_tags(model, half)
    };
    let pairs = if low.len() + high.len() < PARALLEL_FROM {
        [sorted(&mut low), sorted(&mut high)]
    } else {
        std::thread::scope(|s| {
            let low = s.spawn(|| sorted(&mut low));
            let high = sorted(&mut high);
            [crate::par::joined(low), high]
        })
    };
    for (first, again) in pairs.into_iter().flatten() {
        report(cx, model, decls, first, again);
    }
}

/// (first, again) for every key whose tag an earlier key of its hash run has.
fn same_tags(model: &Model, sorted: &[Key]) -> Vec<(Key, Key)> {
    let mut out = Vec::new();
    let mut run = 0;
    for i in 1..sorted.len() {
        if sorted[i].0 != sorted[run].0 {
            run = i;
            continue;
        }
        let tag = &path(model, sorted[i]).1.tag;
        let first = sorted[run..i]
            .iter()
            .find(|k| path(model, **k).1.tag.eq_ignore_ascii_case(tag));
        if let Some(first) = first {
            out.push((*first, sorted[i]));
        }
    }
    out
}

fn path(model: &Model, (_, ci, pi): Key) -> (&Client, &ClientPath) {
    let client = &model.clients[ci as usize];
    (client, &client.paths[pi as usize])
}

/// FNV-1a of the ASCII-lower-cased tag.
fn hash_lower(tag: &str) -> u64 {
    tag.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
    })
}

fn report(cx: &mut Cx, model: &Model, decls: &Decls<'_>, first: Key, again: Key) {
    let (first_client, first_path) = path(model, first);
    let (client, p) = path(model, again);
    let Decl { file, decl, .. } = decls.clients[again.1 as usize];
    let Some((key, _)) = decl.paths.get_key_value(p.path_tag.as_str()) else {
        return;
    };
    let e = AnalyzeError::TagCollision {
        tag: p.tag.clone(),
        first: format!("{}: {}", first_client.name, first_path.path_tag),
        second: format!("{}: {}", client.name, p.path_tag),
        span: key.span(),
    };
    let Decl {
        file: first_file,
        decl: first_decl,
        ..
    } = decls.clients[first.1 as usize];
    match first_decl.paths.get_key_value(first_path.path_tag.as_str()) {
        Some((k, _)) => cx.err_with_note(
            file,
            e,
            first_file,
            AnalyzeError::FirstDeclared {
                name: p.tag.clone(),
                span: k.span(),
            },
        ),
        None => cx.err(file, e),
    }
}

#[cfg(test)]
mod tests {
    use crate::source::SourceMap;

    /// The tag-collision findings of a one-file estate, as "tag: first / second".
    fn collisions(clients: &str) -> Vec<String> {
        let text = format!("site: a\nmirrored_by: [b]\nclients:\n{clients}");
        let other = "site: b\nmirrored_by: [a]\nservers:\n  m1: {address: 192.0.2.1, store: /s}\n";
        let mut sources = SourceMap::default();
        sources.add("a.yaml", text);
        sources.add("b.yaml", other);
        let compiled = crate::check(&sources);
        let mut out: Vec<String> = compiled
            .findings
            .iter()
            .filter(|f| f.code() == "mirrorc::tag_collision")
            .map(|f| f.diag.to_string())
            .collect();
        out.sort();
        out
    }

    #[test]
    fn every_later_path_is_reported_against_the_first() {
        let found = collisions(
            "  x-a:\n    paths: {home: /h}\n  x:\n    paths: {a_home: /h, A_HOME: /i}\n  y:\n    paths: {home: /h}\n",
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        // Model order: client `x` before `x-a`, and its path tags sorted (`x_A_HOME` first).
        assert!(
            found.iter().all(|m| m.contains("`x: A_HOME` and")),
            "{found:#?}"
        );
        assert!(
            collisions("  x:\n    paths: {home: /h, srv: /s}\n  y:\n    paths: {home: /h}\n")
                .is_empty()
        );
    }
}
