//! Diagnostics of `mirrorc import`: everything in a legacy setup that cannot be mapped onto
//! the inventory, or only with a change. Wording, code, label and help sit on each variant;
//! spans are local to the legacy file the finding names. Main type: [`ImportError`].

use miette::{Diagnostic, SourceSpan};

/// A legacy line or value that import cannot map (or maps with a change).
#[derive(Debug, Clone, thiserror::Error, Diagnostic)]
pub enum ImportError {
    /// No `#define RMIRROR_SERVERS_<SITE>` in any legacy file.
    #[error("no site server list found")]
    #[diagnostic(
        code(mirrorc::import_no_sites),
        help("give the site headers that `#define RMIRROR_SERVERS_<SITE> host...` (or a folder holding them)")
    )]
    NoSites,

    /// An `#include` that is neither beside the file nor in a `-I` folder.
    #[error("cannot find included file `{path}`")]
    #[diagnostic(
        code(mirrorc::import_missing_include),
        help("includes resolve only inside the input folders and `-I DIR` folders (never elsewhere, such as /etc); add the folder holding it with `-I DIR`; the resources it would define are missing")
    )]
    MissingInclude {
        /// The path as written.
        path: String,
        /// The `#include` line.
        #[label("not found")]
        span: SourceSpan,
    },

    /// The real cpp failed on a file the built-in expander could not handle.
    #[error("cpp failed: {message}")]
    #[diagnostic(
        code(mirrorc::import_cpp),
        help("import runs cpp (LCFG's flags, or `cpp -undef` with `--cpp-mode iso`) when a file needs more than `#define`, `#ifdef` and simple calls; install cpp or simplify the file")
    )]
    Cpp {
        /// cpp's first error line, or why it could not run.
        message: String,
        /// The file (its first line).
        #[label("preprocessing this file failed")]
        span: SourceSpan,
    },

    /// A macro that pastes with `##`, which LCFG's traditional cpp leaves in the text.
    #[error("`##` is not an operator under LCFG's `cpp -traditional`: it stays in the expansion")]
    #[diagnostic(
        code(mirrorc::import_iso_paste),
        severity(Warning),
        help("LCFG runs `cpp -traditional`, where `x_##tag` gives `x_##tag`, not `x_tag`; paste with an empty comment (`x_/**/tag`), or import with `--cpp-mode iso` if your site really runs ISO cpp")
    )]
    IsoPaste {
        /// The `#define` line.
        #[label("this macro pastes with `##`")]
        span: SourceSpan,
    },

    /// `RMIRROR_ADDRS_<SITE>` does not list one address per server of `RMIRROR_SERVERS_<SITE>`.
    #[error("{addrs} address(es) for {servers} server(s) of site `{site}`")]
    #[diagnostic(
        code(mirrorc::import_address_mismatch),
        severity(Warning),
        help("RMIRROR_ADDRS_<SITE> must list the servers' addresses in the order of RMIRROR_SERVERS_<SITE>; the servers are imported without addresses")
    )]
    AddressMismatch {
        /// Site name.
        site: String,
        /// Number of addresses.
        addrs: usize,
        /// Number of servers.
        servers: usize,
        /// The address list.
        #[label("cannot pair these with the servers")]
        span: SourceSpan,
    },

    /// A server profile whose host is in no site's server list.
    #[error("server `{server}` is in no RMIRROR_SERVERS_<SITE> list")]
    #[diagnostic(
        code(mirrorc::import_unknown_server),
        help("add it to its site's `#define RMIRROR_SERVERS_<SITE>`; its disks are not imported")
    )]
    UnknownServer {
        /// Host name of the profile.
        server: String,
        /// Its disk list.
        #[label("pulled by a server of no site")]
        span: SourceSpan,
    },

    /// A disk tag without `srchost_<tag>`.
    #[error("disk `{tag}` has no rmirror.srchost_{tag}")]
    #[diagnostic(
        code(mirrorc::import_incomplete_disk),
        help("set `rmirror.srchost_{tag}` to the client's host name; the disk is not imported")
    )]
    IncompleteDisk {
        /// The disk tag.
        tag: String,
        /// The tag in the disk list.
        #[label("no source host")]
        span: SourceSpan,
    },

    /// A disk tag that is not `<client>_<path tag>`, so mirrorc would rename the rsync module.
    #[error("disk tag `{tag}` does not start with `{prefix}`")]
    #[diagnostic(
        code(mirrorc::import_tag_mismatch),
        help("mirrorc names a disk `<client>_<path tag>` (the client's rsync module); rename the module and the tag to `{prefix}<name>`; the disk is not imported")
    )]
    TagMismatch {
        /// The disk tag.
        tag: String,
        /// The prefix it needs.
        prefix: String,
        /// Where the disk is defined.
        #[label("cannot keep this module name")]
        span: SourceSpan,
    },

    /// A disk whose client path is unknown (no client profile, or no `path_<tag>` in it).
    #[error("no client path for disk `{tag}` of `{client}`")]
    #[diagnostic(
        code(mirrorc::import_missing_path),
        help("give the client's profile (with `rmirrorclient.path_{tag}`) to import; the disk is not imported")
    )]
    MissingPath {
        /// The disk tag.
        tag: String,
        /// The client host.
        client: String,
        /// Where the disk is defined.
        #[label("pulled here")]
        span: SourceSpan,
    },

    /// A client module that no server pulls.
    #[error("module `{tag}` of `{client}` is pulled by no server")]
    #[diagnostic(
        code(mirrorc::import_unpulled_module),
        severity(Warning),
        help("mirrorc would make a server pull every path of a client; the module is left out, so it is no longer exported")
    )]
    UnpulledModule {
        /// The module tag.
        tag: String,
        /// The client host.
        client: String,
        /// The module's path resource.
        #[label("no rmirror.disklist holds it")]
        span: SourceSpan,
    },

    /// A `hosts allow` entry that is no mirror server of any site.
    #[error("`{host}` in the hosts-allow list of `{client}` is not a mirror server")]
    #[diagnostic(
        code(mirrorc::import_unknown_host),
        severity(Warning),
        help("mirrorc admits only the servers of the client's mirroring sites, so this host loses access; make it a server of a site if it must keep it")
    )]
    UnknownHost {
        /// The entry.
        host: String,
        /// The client host.
        client: String,
        /// The hosts-allow value.
        #[label("dropped from access")]
        span: SourceSpan,
    },

    /// A client whose disks are pulled by different sets of servers.
    #[error("the disks of `{client}` are pulled by different servers")]
    #[diagnostic(
        code(mirrorc::import_split_client),
        severity(Warning),
        help("mirrorc keeps a client's paths together: it is pinned to {servers}, each of which will pull every path")
    )]
    SplitClient {
        /// The client host.
        client: String,
        /// The servers it is pinned to, comma-separated.
        servers: String,
        /// One of its disks.
        #[label("pulled by only some of them")]
        span: SourceSpan,
    },

    /// Two legacy values that mirrorc keeps as one disagree.
    #[error("conflicting {what}: `{kept}` kept, `{dropped}` ignored")]
    #[diagnostic(
        code(mirrorc::import_conflict),
        severity(Warning),
        help("mirrorc keeps one {what}; make the legacy values agree or adjust the imported inventory")
    )]
    Conflict {
        /// What the value is (e.g. `store of jmirror1`).
        what: String,
        /// The value imported.
        kept: String,
        /// The value dropped.
        dropped: String,
        /// The dropped value.
        #[label("differs")]
        span: SourceSpan,
    },

    /// A client whose own site had to be guessed.
    #[error("site of client `{client}` guessed: `{site}`")]
    #[diagnostic(
        code(mirrorc::import_client_site),
        severity(Warning),
        help("set `inv.location <Site> ...` in the client's profile (the first word names the site), or move the client in the imported inventory")
    )]
    ClientSite {
        /// The client host.
        client: String,
        /// The site chosen.
        site: String,
        /// Its profile, or the disk that names it.
        #[label("no `inv.location` naming a site")]
        span: SourceSpan,
    },
}
