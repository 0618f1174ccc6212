//! `textDocument/documentLink`: base images → their registry pages.

use tower_lsp_server::ls_types::*;

use crate::lsp::{convert, state::State};

pub fn handle(state: &State, params: DocumentLinkParams) -> Option<Vec<DocumentLink>> {
    let a = state.analysis(&params.text_document.uri)?;
    let enc = state.encoding();
    Some(
        crate::ide::links::document_links(&a.dockerfile)
            .into_iter()
            .map(|l| DocumentLink {
                range: convert::range(&a.snapshot, &l.range, enc),
                target: l.target.parse().ok(),
                tooltip: Some(l.tooltip),
                data: None,
            })
            .collect(),
    )
}
