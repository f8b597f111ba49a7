//! Diagnostics of the analyze stage: names, references, server sets, assignment, capacity and
//! unsafe values. Wording, codes, labels and help live on the variants.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A problem in an inventory that parsed.
#[derive(Debug, Error, Diagnostic)]
pub enum AnalyzeError {
    /// A site name outside `^[a-z][a-z0-9_-]*$`.
    #[error("invalid site name `{name}`")]
    #[diagnostic(
        code(mirrorc::invalid_site_name),
        help("site names start with a lower-case letter and use only a-z, 0-9, `_` and `-`")
    )]
    InvalidSiteName {
        name: String,
        #[label("{reason}")]
        span: SourceSpan,
        reason: String,
    },

    /// Two files declare the same site.
    #[error("site `{name}` is declared twice")]
    #[diagnostic(
        code(mirrorc::duplicate_site),
        help("each site has exactly one file; merge the two")
    )]
    DuplicateSite {
        name: String,
        #[label("declared again here")]
        span: SourceSpan,
    },

    /// A reference to a site that does not exist.
    #[error("unknown site `{name}`")]
    #[diagnostic(
        code(mirrorc::unknown_site),
        help("{}{}", did_you_mean_help(suggestion, "site", known), inherit_note(*inherited))
    )]
    UnknownSite {
        name: String,
        suggestion: Option<String>,
        known: String,
        /// Clients of the site that inherit this list (0 for a client's own list).
        inherited: usize,
        #[label("no site of this name")]
        span: SourceSpan,
    },

    /// A host name used twice in the estate.
    #[error("host `{name}` is declared twice")]
    #[diagnostic(code(mirrorc::duplicate_host), help("host names are unique across the estate; a server may also be a client only within its own site"))]
    DuplicateHost {
        name: String,
        #[label("declared again here")]
        span: SourceSpan,
    },

    /// A host name that is not a valid DNS name.
    #[error("invalid host name `{name}`")]
    #[diagnostic(
        code(mirrorc::invalid_host_name),
        help("use lower-case DNS labels: a-z, 0-9 and `-` (not at either end), separated by dots")
    )]
    InvalidHostName {
        name: String,
        #[label("{reason}")]
        span: SourceSpan,
        reason: String,
    },

    /// A domain that is not a valid DNS name.
    #[error("invalid domain `{name}`")]
    #[diagnostic(
        code(mirrorc::invalid_domain),
        help("use lower-case DNS labels separated by single dots, e.g. `inf.ed.ac.uk`")
    )]
    InvalidDomain {
        name: String,
        #[label("{reason}")]
        span: SourceSpan,
        reason: String,
    },

    /// An address that is not IPv4 or IPv6.
    #[error("invalid address `{text}`")]
    #[diagnostic(
        code(mirrorc::invalid_address),
        help("give an IPv4 address such as 192.0.2.11 or an IPv6 address such as 2001:db8::11")
    )]
    InvalidAddress {
        text: String,
        #[label("not an IP address")]
        span: SourceSpan,
    },

    /// A client whose server set is empty: its modules would have nobody to allow.
    #[error("client `{client}` has no server that may mirror it")]
    #[diagnostic(code(mirrorc::empty_server_set), help("{help}"))]
    EmptyServerSet {
        client: String,
        help: String,
        #[label("no live server in its mirroring sites")]
        span: SourceSpan,
    },

    /// More copies than servers that can hold them.
    #[error("client `{client}` wants {copies} copies but only {available} servers can hold it")]
    #[diagnostic(code(mirrorc::copies_exceed_servers), help("lower `copies`, add servers to its mirroring sites, or set a drained server back to active"))]
    CopiesExceedServers {
        client: String,
        copies: u32,
        available: usize,
        #[label("{copies} copies requested")]
        span: SourceSpan,
    },

    /// Zero copies.
    #[error("`copies` must be at least 1")]
    #[diagnostic(
        code(mirrorc::invalid_copies),
        help("a mirrored client is held by at least one server")
    )]
    InvalidCopies {
        /// " (the default of 6 clients)" for a site default, else empty.
        affected: String,
        #[label("zero copies{affected}")]
        span: SourceSpan,
    },

    /// More pins than copies.
    #[error("client `{client}` pins {pins} servers but `copies` is {copies}")]
    #[diagnostic(
        code(mirrorc::too_many_pins),
        help("raise `copies` to at least {pins} or remove a pin")
    )]
    TooManyPins {
        client: String,
        pins: usize,
        copies: u32,
        #[label("{pins} pins")]
        span: SourceSpan,
    },

    /// A pin naming no server.
    #[error("unknown server `{name}` in `pin`")]
    #[diagnostic(
        code(mirrorc::unknown_pin),
        help("{}", did_you_mean_help(suggestion, "server", known))
    )]
    UnknownPin {
        name: String,
        suggestion: Option<String>,
        known: String,
        #[label("no server of this name")]
        span: SourceSpan,
    },

    /// A pin on a server that may not mirror the client.
    #[error("pinned server `{name}` is not in the server set of `{client}`")]
    #[diagnostic(code(mirrorc::pin_outside_server_set), help("{help}"))]
    PinOutsideServerSet {
        name: String,
        client: String,
        help: String,
        #[label("not allowed to mirror this client")]
        span: SourceSpan,
    },

    /// A pin on a draining server: it keeps the client while draining, but the pin does not
    /// count towards `copies` (another active server is chosen besides), and retiring the
    /// server makes the pin an error.
    #[error("pinned server `{name}` of `{client}` is draining")]
    #[diagnostic(
        code(mirrorc::pin_to_draining),
        severity(Warning),
        help("`{name}` keeps pulling `{client}` while it drains and an active server of the set takes over besides; remove the pin before retiring `{name}` (a pin on a retired server is an error), or set it back to `active`")
    )]
    PinToDraining {
        name: String,
        client: String,
        #[label("draining")]
        span: SourceSpan,
    },

    /// A path tag or resulting rmirror tag outside LCFG's tag rules.
    #[error("invalid tag `{tag}`")]
    #[diagnostic(code(mirrorc::invalid_tag), help("path tags use only A-Z, a-z, 0-9, `_`, `-` and `.`; the rmirror tag `<client>_<path tag>` maps `-` and `.` to `_`"))]
    InvalidTag {
        tag: String,
        #[label("{reason}")]
        span: SourceSpan,
        reason: String,
    },

    /// Two paths that map to the same rmirror tag / rsync module.
    #[error("tag `{tag}` is produced by two paths: `{first}` and `{second}`")]
    #[diagnostic(code(mirrorc::tag_collision), help("rename one path tag or client; `-` and `.` both become `_` in tags, and rsync merges module names that differ only in case"))]
    TagCollision {
        tag: String,
        first: String,
        second: String,
        #[label("also becomes `{tag}`")]
        span: SourceSpan,
    },

    /// Two different names that become one generated identifier (an LCFG tag, an include
    /// guard, a site macro) once `-` and `.` are mapped to `_`.
    #[error("{kind} `{second}` and `{first}` both become `{ident}` in the generated headers")]
    #[diagnostic(
        code(mirrorc::name_collision),
        help("rename one of them: `-` and `.` both become `_` in LCFG tags, include guards and site macros, so the second would silently take the first one's place")
    )]
    NameCollision {
        kind: &'static str,
        first: String,
        second: String,
        ident: String,
        #[label("also becomes `{ident}`")]
        span: SourceSpan,
    },

    /// A path that is not absolute.
    #[error("path `{path}` is not absolute")]
    #[diagnostic(code(mirrorc::relative_path), help("write the full path from `/`"))]
    RelativePath {
        path: String,
        #[label("must start with `/`")]
        span: SourceSpan,
    },

    /// A value that would corrupt an rsyncd.conf or an LCFG header.
    #[error("unsafe value `{value}`: {reason}")]
    #[diagnostic(code(mirrorc::unsafe_value), help("{help}"))]
    UnsafeValue {
        value: String,
        reason: String,
        help: String,
        #[label("{reason}")]
        span: SourceSpan,
    },

    /// An exclude pattern rsyncd.conf cannot carry.
    #[error("invalid exclude pattern `{pattern}`: {reason}")]
    #[diagnostic(code(mirrorc::invalid_exclude), help("rsyncd.conf separates exclude patterns by spaces; patterns may not contain white space, control characters or `\\`, nor start with `!` (clears the list), `+` or `-` (rule prefixes)"))]
    InvalidExclude {
        pattern: String,
        reason: String,
        #[label("{reason}")]
        span: SourceSpan,
    },

    /// A size or capacity that does not parse.
    #[error("invalid size `{text}`")]
    #[diagnostic(code(mirrorc::invalid_size), help("write a number with a unit: B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB or PiB, e.g. `300GiB`"))]
    InvalidSize {
        text: String,
        #[label("{reason}")]
        span: SourceSpan,
        reason: String,
    },

    /// Port zero.
    #[error("invalid port {port}")]
    #[diagnostic(
        code(mirrorc::invalid_port),
        help("use a port from 1 to 65535 (the default is 8873)")
    )]
    InvalidPort {
        port: u16,
        /// " (the default of 6 clients)" for a site default, else empty.
        affected: String,
        #[label("not a usable port{affected}")]
        span: SourceSpan,
    },

    /// Safety limit above 100%.
    #[error("invalid safety limit {value}%")]
    #[diagnostic(
        code(mirrorc::invalid_safety_limit),
        help("a percentage from 0 to 100; sites commonly use 70")
    )]
    InvalidSafetyLimit {
        value: u32,
        #[label("above 100%")]
        span: SourceSpan,
    },

    /// Assigned sizes above a server's capacity.
    #[error("server `{server}` is over capacity: {used} held of {capacity} ({percent}%)")]
    #[diagnostic(code(mirrorc::capacity_exceeded), help("add capacity, add servers to the site, or lower copies; `mirrorc explain {server}` lists what it holds"))]
    CapacityExceeded {
        server: String,
        used: String,
        capacity: String,
        percent: u64,
        #[label("capacity of `{server}`")]
        span: SourceSpan,
    },

    /// Assigned sizes above 90% of a server's capacity.
    #[error("server `{server}` is {percent}% full: {used} held of {capacity}")]
    #[diagnostic(
        code(mirrorc::capacity_high),
        severity(Warning),
        help(
            "plan more capacity before it runs out; `mirrorc explain {server}` lists what it holds"
        )
    )]
    CapacityHigh {
        server: String,
        used: String,
        capacity: String,
        percent: u64,
        #[label("capacity of `{server}`")]
        span: SourceSpan,
    },

    /// A server known only by name: access depends on DNS.
    #[error("server `{server}` has no address: clients admit it by name ({fqdn})")]
    #[diagnostic(code(mirrorc::name_only_access), severity(Warning), help("add `address:`; rsync resolves names in `hosts allow` at connect time, and an unresolvable name is skipped silently"))]
    NameOnlyAccess {
        server: String,
        fqdn: String,
        #[label("no `address`")]
        span: SourceSpan,
    },

    /// A server with a capacity holds disks without a size: they count as 0.
    #[error("{count} disk{} held by `{server}` {} no size: its capacity check is partial", if *count == 1 { "" } else { "s" }, if *count == 1 { "has" } else { "have" })]
    #[diagnostic(
        code(mirrorc::unsized_disks),
        severity(Warning),
        help("give those paths a `size:` (`home: {{ path: /disk/home, size: 300GiB }}`); `mirrorc plan` lists them")
    )]
    UnsizedDisks {
        server: String,
        count: usize,
        #[label("checked against the sized disks only")]
        span: SourceSpan,
    },

    /// Some live servers have a capacity, others not.
    #[error("{count} of {live} live servers have no capacity: {servers}")]
    #[diagnostic(
        code(mirrorc::mixed_capacity),
        severity(Warning),
        help("give every server a `capacity:` (or none): a server set that mixes them is assigned with equal weights, not by capacity")
    )]
    MixedCapacity {
        servers: String,
        count: usize,
        live: usize,
        #[label("no `capacity`")]
        span: SourceSpan,
    },

    /// A site mirrored by itself: the copy is not offsite.
    #[error("site `{site}` is mirrored by itself: copies are not offsite")]
    #[diagnostic(
        code(mirrorc::self_mirrored),
        severity(Warning),
        help("mirror a site from another building, so one fire does not take both copies")
    )]
    SelfMirrored {
        site: String,
        #[label("its own site")]
        span: SourceSpan,
    },

    /// Port 873 clashes with the system rsync daemon.
    #[error("port 873 is the system rsync daemon's port")]
    #[diagnostic(
        code(mirrorc::system_rsync_port),
        severity(Warning),
        help("rmirrorclient runs its own daemon; use another port such as 8873")
    )]
    SystemRsyncPort {
        /// " (the default of 6 clients)" for a site default, else empty.
        affected: String,
        #[label("clashes with rsync on the client{affected}")]
        span: SourceSpan,
    },

    /// A client that mirrors nothing.
    #[error("client `{client}` has no paths")]
    #[diagnostic(
        code(mirrorc::client_without_paths),
        severity(Warning),
        help("add `paths:` or remove the client")
    )]
    ClientWithoutPaths {
        client: String,
        #[label("nothing to mirror")]
        span: SourceSpan,
    },

    /// Where a duplicate was first declared (a note beside a duplicate error).
    #[error("`{name}` was first declared here")]
    #[diagnostic(code(mirrorc::first_declared), severity(Advice))]
    FirstDeclared {
        name: String,
        #[label("first declared here")]
        span: SourceSpan,
    },
}

/// "; 6 clients inherit this ..." for a site-level list.
fn inherit_note(inherited: usize) -> String {
    match inherited {
        0 => String::new(),
        1 => {
            "\nnote: 1 client inherits this; its server set is not checked until it is fixed".into()
        }
        n => format!(
            "\nnote: {n} clients inherit this; their server sets are not checked until it is fixed"
        ),
    }
}

fn did_you_mean_help(suggestion: &Option<String>, what: &str, known: &str) -> String {
    match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None if known.is_empty() => format!("no {what} is declared in this estate"),
        None => format!("known {what}s: {known}"),
    }
}

/// Names for a help text: sorted, at most ten, then how many more.
pub fn known_names<S: AsRef<str>>(names: &[S]) -> String {
    let mut sorted: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    sorted.sort_unstable();
    let shown = sorted
        .iter()
        .take(10)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    match sorted.len().saturating_sub(10) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}
