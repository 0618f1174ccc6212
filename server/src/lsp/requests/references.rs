//! `textDocument/references`.

use tower_lsp_server::ls_types::*;

use crate::lsp::{convert, state::State};

pub fn handle(state: &State, params: ReferenceParams) -> Option<Vec<Location>> {
    let tdp = params.text_document_position;
    let uri = tdp.text_document.uri;
    let (a, offset, enc) = super::at(state, &uri, tdp.position)?;
    let refs = crate::ide::navigate::references(&a.semantics, offset, params.context.include_declaration);
    Some(refs.iter().map(|r| Location::new(uri.clone(), convert::range(&a.snapshot, r, enc))).collect())
}
