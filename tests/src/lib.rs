//! Test support for dockls: a deterministic Dockerfile generator and (see `client`) a small
//! JSON-RPC client that drives the real `dockls` binary over stdio.

pub mod client;
pub mod synth;
