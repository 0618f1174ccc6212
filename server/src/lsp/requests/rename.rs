//! `textDocument/rename`: one edit per occurrence; an invalid new name is an error response.

use std::collections::HashMap;

use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::*;

use crate::lsp::{convert, state::State};

pub fn handle(state: &State, params: RenameParams) -> jsonrpc::Result<Option<WorkspaceEdit>> {
    let tdp = params.text_document_position;
    let uri = tdp.text_document.uri;
    let Some((a, offset, enc)) = super::at(state, &uri, tdp.position) else { return Ok(None) };
    match crate::ide::navigate::rename(&a.semantics, offset, &params.new_name) {
        Ok(edits) => {
            let edits: Vec<TextEdit> =
                edits.into_iter().map(|(r, t)| TextEdit::new(convert::range(&a.snapshot, &r, enc), t)).collect();
            Ok(Some(WorkspaceEdit { changes: Some(HashMap::from([(uri, edits)])), ..Default::default() }))
        }
        Err(crate::ide::navigate::RenameError::NothingToRename) => Ok(None),
        Err(e) => Err(jsonrpc::Error::invalid_params(e.to_string())),
    }
}
