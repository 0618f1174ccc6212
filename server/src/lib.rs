//! dockls: analysis of Dockerfiles (syntax model, semantics, diagnostics, navigation) and the
//! language server and command line on top of it. Only `lsp` knows the protocol.

pub mod document;
pub mod diagnostics;
pub mod syntax;
