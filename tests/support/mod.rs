//! Harnesses for the real daemons the tests start: a throwaway Kerberos realm and remctld.

pub(crate) mod realm;
