//! `textDocument/didChange`: apply incremental changes in order, synchronously.

use tower_lsp_server::ls_types::*;

use crate::document::Change;
use crate::lsp::convert::text_position;
use crate::lsp::state::State;

pub fn handle(state: &State, params: DidChangeTextDocumentParams) -> Result<Uri, String> {
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    let enc = state.encoding();
    let changes: Vec<Change> = params
        .content_changes
        .into_iter()
        .map(|c| Change { range: c.range.map(|r| (text_position(r.start), text_position(r.end))), text: c.text })
        .collect();
    state.with_docs(|docs| match docs.get_mut(&uri) {
        Some(doc) => {
            doc.apply_changes(&changes, version, enc);
            Ok(())
        }
        None => Err(format!("didChange for a document that is not open: {}", uri.as_str())),
    })?;
    Ok(uri)
}
