//! Request handlers: convert LSP → library, call one pure function, convert back.

pub mod code_action;
pub mod code_action_resolve;
pub mod completion;
pub mod definition;
pub mod document_highlight;
pub mod document_link;
pub mod document_symbol;
pub mod folding_range;
pub mod formatting;
pub mod hover;
pub mod inlay_hint;
pub mod prepare_rename;
pub mod range_formatting;
pub mod references;
pub mod rename;
pub mod selection_range;
pub mod semantic_tokens;
pub mod signature_help;

use std::sync::Arc;

use tower_lsp_server::ls_types::{Position, Uri};

use crate::analysis::Analysis;
use crate::document::PositionEncoding;
use crate::lsp::{convert, state::State};

/// The analysis of an open document and a byte offset for a client position.
pub(crate) fn at(state: &State, uri: &Uri, pos: Position) -> Option<(Arc<Analysis>, usize, PositionEncoding)> {
    let a = state.analysis(uri)?;
    let enc = state.encoding();
    let offset = convert::offset(&a.snapshot, pos, enc);
    Some((a, offset, enc))
}
