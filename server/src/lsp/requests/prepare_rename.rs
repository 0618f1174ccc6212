//! `textDocument/prepareRename`: the exact name under the cursor, or nothing.

use tower_lsp_server::ls_types::*;

use crate::lsp::{convert, state::State};

pub fn handle(state: &State, params: TextDocumentPositionParams) -> Option<PrepareRenameResponse> {
    let (a, offset, enc) = super::at(state, &params.text_document.uri, params.position)?;
    let (range, name) = crate::ide::navigate::prepare_rename(&a.semantics, offset)?;
    Some(PrepareRenameResponse::RangeWithPlaceholder { range: convert::range(&a.snapshot, &range, enc), placeholder: name })
}
