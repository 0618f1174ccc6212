//! `textDocument/didOpen`: parse and keep the document.

use tower_lsp_server::ls_types::*;

use crate::document::Document;
use crate::lsp::state::State;

pub fn handle(state: &State, params: DidOpenTextDocumentParams) -> Uri {
    let td = params.text_document;
    let doc = Document::new(&td.text, td.version);
    state.with_docs(|docs| docs.insert(td.uri.clone(), doc));
    td.uri
}
