//! Test support for dockls: a deterministic Dockerfile generator and (see `client`) a small
//! JSON-RPC client that drives the real `dockls` binary over stdio, and a fake OCI registry on
//! loopback (`fake_registry`) with a fake OSV API beside it (`fake_osv`), and a stand-in
//! ShellCheck (`fake_shellcheck`).

pub mod client;
pub mod fake_shellcheck;
pub mod fake_osv;
pub mod fake_registry;
pub mod local_registry;
pub mod rng;
pub mod synth;
