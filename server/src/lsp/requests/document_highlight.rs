//! `textDocument/documentHighlight`: the definition is a write, uses are reads.

use tower_lsp_server::ls_types::*;

use crate::lsp::{convert, state::State};
use crate::ide::navigate::{highlights, HighlightKind};

pub fn handle(state: &State, params: DocumentHighlightParams) -> Option<Vec<DocumentHighlight>> {
    let tdp = params.text_document_position_params;
    let (a, offset, enc) = super::at(state, &tdp.text_document.uri, tdp.position)?;
    let out: Vec<DocumentHighlight> = highlights(&a.semantics, offset)
        .into_iter()
        .map(|(r, k)| DocumentHighlight {
            range: convert::range(&a.snapshot, &r, enc),
            kind: Some(match k {
                HighlightKind::Write => DocumentHighlightKind::WRITE,
                HighlightKind::Read => DocumentHighlightKind::READ,
            }),
        })
        .collect();
    if out.is_empty() { None } else { Some(out) }
}
