//! dockls: analysis of Dockerfiles (syntax model, semantics, diagnostics, navigation) and the
//! language server and command line on top of it. Only `lsp` knows the protocol.

pub mod actions;
pub mod analysis;
pub mod cache_file;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod docs;
pub mod document;
pub mod format;
pub mod keys;
pub mod lint;
pub mod lsp;
pub mod registry;
pub mod semantics;
pub mod shell;
pub mod shellcheck;
pub mod syntax;
pub mod ide;
pub mod vulns;
