//! Every LCFG header mirrorc emits, run through the real C preprocessor with LCFG's own flags
//! (`cpp -traditional -x c -undef -nostdinc -Wall -Wundef -Ui386 -DLCFGNG`) and the two ISO
//! forms (`cpp -P -undef` and `cpp -P`), site headers on the include path,
//! parsed with our grammar, mutations applied, and compared with the resources the Model
//! intends — for the bundled estates and for generated ones (property test). Include guards
//! must make a double `#include` harmless. cpp missing is a failure, never a skip.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use mirrorc_core::model::Model;
use mirrorc_core::source::{self, SourceMap};
use mirrorc_lcfg as lcfg;
use proptest::prelude::*;

type Resources = BTreeMap<(String, String), String>;

/// How cpp is run: LCFG's flags (lcfg-core's `packages/container.c`) with `-P`, then ISO C
/// with and without `-undef`.
const FLAG_SETS: [&[&str]; 3] = [
    &[
        "-traditional",
        "-x",
        "c",
        "-undef",
        "-nostdinc",
        "-Wall",
        "-Wundef",
        "-Ui386",
        "-DLCFGNG",
        "-P",
    ],
    &["-P", "-undef"],
    &["-P"],
];

fn cpp(args: &[&str], file: &Path, include: &Path) -> String {
    let out = Command::new("cpp")
        .args(args)
        .arg("-I")
        .arg(include)
        .arg(file)
        .output()
        .expect("cpp must be installed (scripts/test installs it)");
    assert!(
        out.status.success(),
        "cpp {args:?} {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    // LCFG runs cpp with -Wall -Wundef: a generated header must not make it warn either.
    assert!(
        out.stderr.is_empty(),
        "cpp {args:?} {} warns: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf8")
}

fn evaluate(text: &str, what: &str) -> Resources {
    let lines = lcfg::parse(text).unwrap_or_else(|e| panic!("{what}: parse errors {e:?}\n{text}"));
    lcfg::evaluate(&lines).unwrap_or_else(|e| panic!("{what}: evaluate errors {e:?}\n{text}"))
}

fn r(map: &mut Resources, comp: &str, res: &str, value: impl Into<String>) {
    map.insert((comp.to_string(), res.to_string()), value.into());
}

/// What a server header must say, computed from the Model (not from the template).
fn expected_server(model: &Model, name: &str) -> Resources {
    let s = model.server(model.find_host(name).0.expect("server"));
    let mut m = Resources::new();
    // A server header adds its component (mkxprof builds no profile for one not listed).
    r(&mut m, "profile", "components", "rmirror");
    let mut tags = Vec::new();
    for c in s.holds.iter().map(|id| model.client(*id)) {
        for p in &c.paths {
            tags.push(p.tag.clone());
            r(
                &mut m,
                "rmirror",
                &format!("srchost_{}", p.tag),
                c.fqdn.clone(),
            );
            r(
                &mut m,
                "rmirror",
                &format!("client_{}", p.tag),
                c.name.clone(),
            );
            if !c.addresses.is_empty() {
                let addrs = c.addresses.join(" ");
                r(&mut m, "rmirror", &format!("srcaddr_{}", p.tag), addrs);
            }
            // `runner: rmirror` writes no srcport_ (rmirror pulls on port 873).
            if model.estate.runner != mirrorc_core::model::Runner::Rmirror {
                r(
                    &mut m,
                    "rmirror",
                    &format!("srcport_{}", p.tag),
                    c.port.to_string(),
                );
            }
            r(
                &mut m,
                "rmirror",
                &format!("dstdir_{}", p.tag),
                model.dstdir(s, c, p),
            );
            if p.checksum {
                r(&mut m, "rmirror", &format!("checksum_{}", p.tag), "yes");
            }
        }
    }
    tags.sort();
    if !tags.is_empty() {
        r(&mut m, "rmirror", "disklist", tags.join(" "));
    }
    r(&mut m, "rmirror", "safetylimit", s.safety_limit.to_string());
    if !s.addresses.is_empty() {
        r(&mut m, "rmirror", "address", s.addresses.join(" "));
    }
    m
}

fn expected_client(model: &Model, name: &str) -> Resources {
    let c = model.client(model.find_host(name).1.expect("client"));
    let mut m = Resources::new();
    r(&mut m, "profile", "components", "rmirrorclient");
    r(&mut m, "rmirrorclient", "port", c.port.to_string());
    if !c.paths.is_empty() {
        r(
            &mut m,
            "rmirrorclient",
            "modules",
            c.paths
                .iter()
                .map(|p| p.tag.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    for p in &c.paths {
        r(
            &mut m,
            "rmirrorclient",
            &format!("path_{}", p.tag),
            p.path.clone(),
        );
    }
    let set: Vec<_> = c.server_set.iter().map(|s| model.server(*s)).collect();
    r(
        &mut m,
        "rmirrorclient",
        "servers",
        set.iter()
            .map(|s| s.tag.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );
    for s in &set {
        r(
            &mut m,
            "rmirrorclient",
            &format!("serverhost_{}", s.tag),
            s.fqdn.clone(),
        );
    }
    r(
        &mut m,
        "rmirrorclient",
        "hostsallow",
        model.hosts_allow(c).join(" "),
    );
    m
}

fn expected_site(model: &Model, site: &str) -> Resources {
    let s = model.sites.iter().find(|x| x.name == site).expect("site");
    let live: Vec<_> = model.live_servers(s).collect();
    let mut m = Resources::new();
    if live.is_empty() {
        return m;
    }
    r(
        &mut m,
        "probe",
        "servers",
        live.iter()
            .map(|x| x.fqdn.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );
    let mut hosts: Vec<String> = Vec::new();
    for h in live.iter().flat_map(|x| x.access_names()) {
        if !hosts.contains(&h) {
            hosts.push(h);
        }
    }
    r(&mut m, "probe", "allow", hosts.join(" "));
    m
}

/// Compiles, writes the artifacts into a temp dir, and checks every header both ways.
fn check_estate(sources: &SourceMap) {
    let compiled = mirrorc_core::build(sources).expect("emit");
    let codes: Vec<String> = compiled.findings.iter().map(|f| f.code()).collect();
    let (Some(model), Some(artifacts)) = (compiled.model, compiled.artifacts) else {
        panic!("estate has errors: {codes:?}")
    };
    let tmp = tempfile::tempdir().expect("tmp");
    for a in &artifacts {
        let p = tmp.path().join(&a.path);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(&p, &a.content).expect("write");
    }
    let sites = tmp.path().join("lcfg/sites");
    for a in artifacts.iter().filter(|a| a.path.starts_with("lcfg/")) {
        let file = tmp.path().join(&a.path);
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("stem")
            .to_string();
        let (probe, expected) = if a.path.starts_with("lcfg/servers/") {
            (file.clone(), expected_server(&model, &stem))
        } else if a.path.starts_with("lcfg/clients/") {
            (file.clone(), expected_client(&model, &stem))
        } else {
            let macro_name = stem.to_uppercase().replace('-', "_");
            let probe = tmp.path().join(format!("probe-{stem}.h"));
            let body = format!("#include \"{stem}.h\"\nprobe.servers RMIRROR_SERVERS_{macro_name}\nprobe.allow RMIRROR_HOSTS_ALLOW_{macro_name}\n");
            let body = if expected_site(&model, &stem).is_empty() {
                format!("#include \"{stem}.h\"\n")
            } else {
                body
            };
            fs::write(&probe, body).expect("write");
            (probe, expected_site(&model, &stem))
        };
        for args in FLAG_SETS {
            let once = cpp(args, &probe, &sites);
            assert_eq!(
                evaluate(&once, &a.path),
                expected,
                "{} through cpp {args:?}:\n{once}",
                a.path
            );
            let twice_file = tmp.path().join("twice.h");
            let inc = file.display().to_string();
            fs::write(
                &twice_file,
                format!("#include \"{inc}\"\n#include \"{inc}\"\n"),
            )
            .expect("write");
            assert_eq!(
                cpp(args, &twice_file, &sites),
                cpp(args, &file, &sites),
                "{}: a second #include changed the result",
                a.path
            );
        }
    }
}

fn load(dir: &str) -> SourceMap {
    source::load(&[Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)]).expect("load")
}

#[test]
fn bundled_estates_survive_cpp() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<String> = ["site", "examples/at", "examples/failover"]
        .map(String::from)
        .to_vec();
    let ok = fs::read_dir(root.join("tests/fixtures/ok")).expect("fixtures");
    let mut fixtures: Vec<String> = ok
        .map(|e| {
            format!(
                "tests/fixtures/ok/{}",
                e.expect("entry").file_name().to_string_lossy()
            )
        })
        .collect();
    fixtures.sort();
    dirs.extend(fixtures);
    for dir in &dirs {
        check_estate(&load(dir));
    }
}

#[test]
fn guards_make_double_include_harmless_but_only_because_of_them() {
    // Control: the same header without its guard really is included twice.
    let tmp = tempfile::tempdir().expect("tmp");
    let h = tmp.path().join("x.h");
    fs::write(&h, "!rmirror.disklist mADD(a_b)\n").expect("write");
    let twice = tmp.path().join("twice.h");
    fs::write(
        &twice,
        format!("#include \"{0}\"\n#include \"{0}\"\n", h.display()),
    )
    .expect("write");
    let out = cpp(&["-P", "-undef"], &twice, tmp.path());
    assert_eq!(out.matches("mADD(a_b)").count(), 2, "{out}");
}

#[test]
fn a_value_cpp_would_change_is_rejected_by_check() {
    // Without -undef, cpp turns `linux` into `1`: mirrorc must refuse such a path.
    let mut sources = SourceMap::default();
    sources.add("a.yaml", "site: a\nmirrored_by: [b]\nclients:\n  c1:\n    address: 10.0.0.1\n    paths:\n      x: /disk/linux\n");
    sources.add(
        "b.yaml",
        "site: b\nservers:\n  m1:\n    address: 10.0.1.1\n    store: /srv\n",
    );
    let compiled = mirrorc_core::build(&sources).expect("emit");
    assert!(compiled.artifacts.is_none());
    assert!(compiled
        .findings
        .iter()
        .any(|f| f.code() == "mirrorc::unsafe_value"));
}

/// A name part: letters, digits and inner dashes (valid DNS label).
fn label() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,4})?"
}

/// A path component: letters, digits, spaces, dots, dashes, underscores.
fn component() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9 ._-]{0,10}[A-Za-z0-9]"
}

/// Client name → (path tag, path) pairs.
type Clients = Vec<(String, Vec<(String, String)>)>;

fn estate_yaml() -> impl Strategy<Value = (Vec<String>, Clients, String)> {
    let servers = prop::collection::btree_set(label(), 1..4)
        .prop_map(|s| s.into_iter().map(|x| format!("m{x}")).collect::<Vec<_>>());
    let paths = prop::collection::btree_map(
        "[a-z][a-z0-9._-]{0,6}",
        prop::collection::vec(component(), 1..4),
        1..4,
    )
    .prop_map(|m| {
        m.into_iter()
            .map(|(t, comps)| (t, format!("/{}", comps.join("/"))))
            .collect::<Vec<_>>()
    });
    let clients = prop::collection::btree_map(label(), paths, 1..5).prop_map(|m| {
        m.into_iter()
            .map(|(k, v)| (format!("c{k}"), v))
            .collect::<Vec<_>>()
    });
    (servers, clients, label())
}

fn render_estate(
    servers: &[String],
    clients: &[(String, Vec<(String, String)>)],
    domain: &str,
) -> SourceMap {
    let mut a = format!("site: a\ndomain: {domain}.example\nmirrored_by: [b]\nclients:\n");
    for (i, (c, paths)) in clients.iter().enumerate() {
        a += &format!("  {c}:\n    address: 10.0.0.{}\n    paths:\n", i + 1);
        for (t, p) in paths {
            a += &format!("      \"{t}\": \"{p}\"\n");
        }
    }
    let mut b = "site: b\nservers:\n".to_string();
    for (i, s) in servers.iter().enumerate() {
        b += &format!(
            "  {s}:\n    address: 10.0.1.{}\n    store: /srv/mirror {i}\n",
            i + 1
        );
    }
    let mut sources = SourceMap::default();
    sources.add("a.yaml", a);
    sources.add("b.yaml", b);
    sources
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn generated_estates_survive_cpp((servers, clients, domain) in estate_yaml()) {
        let sources = render_estate(&servers, &clients, &domain);
        let compiled = mirrorc_core::build(&sources).expect("emit");
        // Values cpp would change must be refused by check, never emitted broken.
        if compiled.artifacts.is_none() {
            let codes: Vec<String> = compiled.findings.iter().map(|f| f.code()).collect();
            let refusals = ["mirrorc::unsafe_value", "mirrorc::tag_collision", "mirrorc::invalid_host_name", "mirrorc::invalid_tag"];
            prop_assert!(codes.iter().all(|c| refusals.contains(&c.as_str())), "{codes:?}");
            return Ok(());
        }
        check_estate(&sources);
    }
}

/// A hostile path component: non-ASCII, trigraphs, `_Pragma`, words cpp predefines, rsync's
/// list-modifying `!`, `%`, and every ASCII punctuation character.
fn hostile_component() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        12 => "[A-Za-z0-9]{1,3}",
        1 => Just("é".to_string()),
        1 => Just("Zürich".to_string()),
        1 => Just("\u{200b}".to_string()),
        1 => Just("\u{feff}".to_string()),
        1 => Just("??/".to_string()),
        1 => Just("??=".to_string()),
        1 => Just("??".to_string()),
        1 => Just("_Pragma".to_string()),
        1 => Just("linux".to_string()),
        1 => Just("!".to_string()),
        1 => Just("%".to_string()),
        4 => "[!-/:-@\\[-`{-~]",
    ];
    prop::collection::vec(piece, 1..5).prop_map(|p| p.concat())
}

/// The text as a YAML double-quoted scalar body.
fn yaml_quoted(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// A hostile value is either refused by `check` with a diagnostic, or survives cpp (LCFG's
    /// flags and both ISO forms) unchanged: never emitted broken.
    #[test]
    fn hostile_values_are_refused_or_survive_cpp(comps in prop::collection::vec(hostile_component(), 1..4)) {
        let path = format!("/{}", comps.join("/"));
        let clients = vec![("c1".to_string(), vec![("home".to_string(), yaml_quoted(&path))])];
        let sources = render_estate(&["m1".to_string()], &clients, "hostile");
        let compiled = mirrorc_core::build(&sources).expect("emit");
        if compiled.artifacts.is_none() {
            let codes: Vec<String> = compiled.findings.iter().map(|f| f.code()).collect();
            prop_assert!(
                codes.iter().all(|c| c == "mirrorc::unsafe_value"),
                "{path:?} refused with {codes:?}"
            );
            prop_assert!(!codes.is_empty());
            return Ok(());
        }
        prop_assert!(path.is_ascii(), "{path:?} was accepted");
        check_estate(&sources);
    }
}

/// Lists `module` of the rsyncd.conf `conf` as the real rsync daemon serves it to `from`
/// (daemon over a fake remote shell, no sockets); the file names, or why not.
fn rsync_listing(conf: &Path, module: &str, from: &str, scratch: &Path) -> Result<String, String> {
    let rsh = scratch.join("rsh");
    fs::write(&rsh, "#!/bin/sh\nwhile [ $# -gt 0 ] && [ \"$1\" != rsync ]; do shift; done; shift\nexec rsync --config=\"$RSYNCD_CONF\" \"$@\"\n").expect("rsh");
    Command::new("chmod")
        .arg("755")
        .arg(&rsh)
        .status()
        .expect("chmod");
    let o = Command::new("rsync")
        .args(["--list-only", "-e"])
        .arg(&rsh)
        .arg(format!("fakehost::{module}/"))
        .env("SSH_CONNECTION", format!("{from} 40000 127.0.0.1 22"))
        .env("RSYNCD_CONF", conf)
        .output()
        .expect("rsync");
    if o.status.success() {
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&o.stderr).into_owned())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    /// A hostile path that `check` accepts reaches the real rsync unchanged: the folder of
    /// exactly that name is created, and the daemon reading the generated rsyncd.conf (chroot,
    /// uid and all, as root) serves the marker file inside it.
    #[test]
    fn hostile_paths_that_pass_check_are_the_folder_rsync_serves(comps in prop::collection::vec(hostile_component(), 1..4)) {
        if !crate::rsync_e2e::have_rsync() || !crate::rsync_e2e::is_root() {
            crate::rsync_e2e::skip("hostile_paths_that_pass_check_are_the_folder_rsync_serves", "needs rsync and root");
            return Ok(());
        }
        let tmp = tempfile::tempdir().expect("tmp");
        let path = format!("{}/{}", tmp.path().display(), comps.join("/"));
        let clients = vec![("c1".to_string(), vec![("home".to_string(), yaml_quoted(&path))])];
        let sources = render_estate(&["m1".to_string()], &clients, "hostile");
        let compiled = mirrorc_core::build(&sources).expect("emit");
        let Some(artifacts) = compiled.artifacts else {
            return Ok(()); // refused: the cpp property test checks it is refused as unsafe_value
        };
        let conf_text = &artifacts.iter().find(|a| a.path == "rsync/c1.conf").expect("conf").content;
        prop_assume!(fs::create_dir_all(&path).is_ok());
        fs::write(Path::new(&path).join("MARKER"), "").expect("marker");
        let scratch = tempfile::tempdir().expect("scratch");
        let conf = scratch.path().join("c1.conf");
        fs::write(&conf, conf_text).expect("conf");
        let listing = rsync_listing(&conf, "c1_home", "10.0.1.1", scratch.path());
        prop_assert!(
            listing.as_ref().is_ok_and(|l| l.contains("MARKER")),
            "{path:?} accepted, but rsync served something else: {listing:?}\n{conf_text}"
        );
    }
}
