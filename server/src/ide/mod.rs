//! Editor features as pure functions over an analysis, one module per feature, each answering
//! one LSP request in `lsp/requests/` (their tests and snapshots beside them).

pub mod completion;
pub mod folding;
pub mod hover;
pub mod hover_image;
pub mod inlay_hints;
pub mod links;
pub mod navigate;
pub mod selection;
pub mod signature_help;
pub mod symbols;
pub mod tokens;
