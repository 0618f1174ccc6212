//! Editor features as pure functions over an analysis, one module per feature, each answering
//! one LSP request in `lsp/requests/` (the older ones still sit beside this folder:
//! symbols, navigate, folding, selection, links, tokens).

pub mod completion;
pub mod hover_image;
