//! `textDocument/definition`: stage names and variables.

use tower_lsp_server::ls_types::*;

use crate::lsp::{convert, state::State};

pub fn handle(state: &State, params: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let tdp = params.text_document_position_params;
    let (a, offset, enc) = super::at(state, &tdp.text_document.uri, tdp.position)?;
    let def = crate::ide::navigate::definition(&a.semantics, offset)?;
    Some(GotoDefinitionResponse::Scalar(Location::new(
        tdp.text_document.uri,
        convert::range(&a.snapshot, &def, enc),
    )))
}
