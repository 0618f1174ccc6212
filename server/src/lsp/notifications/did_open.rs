//! `textDocument/didOpen`: parse and keep the document.

use tower_lsp_server::ls_types::*;

use crate::document::Document;
use crate::lsp::state::State;

pub fn handle(state: &State, params: DidOpenTextDocumentParams) -> Uri {
    let td = params.text_document;
    // With `DOCKLS_TIMINGS` set (as each publish, see `lsp::publish`): the parse on the
    // message loop, which comes before the publish's own steps.
    let parsing = std::time::Instant::now();
    let doc = Document::new(&td.text, td.version);
    if std::env::var_os("DOCKLS_TIMINGS").is_some() {
        eprintln!("dockls: didOpen of version {}: parse {:.2} ms", td.version, parsing.elapsed().as_secs_f64() * 1e3);
    }
    state.with_docs(|docs| docs.insert(td.uri.clone(), doc));
    td.uri
}

