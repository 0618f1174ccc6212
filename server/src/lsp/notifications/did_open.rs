//! `textDocument/didOpen`: parse and keep the document.

use tower_lsp_server::ls_types::*;

use crate::document::Document;
use crate::lsp::state::State;

pub fn handle(state: &State, params: DidOpenTextDocumentParams) -> Uri {
    let td = params.text_document;
    // A large file's RUN scripts are parsed on the other core meanwhile (`shell::preparse`).
    if td.text.len() >= PREPARSE_FROM {
        crate::shell::preparse::start(td.text.as_str().into());
    }
    let doc = Document::new(&td.text, td.version);
    state.with_docs(|docs| docs.insert(td.uri.clone(), doc));
    td.uri
}

/// From this size on an open parses RUN scripts beside the Dockerfile: below it the whole
/// open takes about a millisecond.
const PREPARSE_FROM: usize = 16 * 1024;
