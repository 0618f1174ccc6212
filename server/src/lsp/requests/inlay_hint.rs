//! `textDocument/inlayHint`: `ide::inlay_hints` over the requested range.

use tower_lsp_server::ls_types::*;

use crate::lsp::{convert, state::State};

pub fn handle(state: &State, params: InlayHintParams) -> Option<Vec<InlayHint>> {
    let a = state.analysis(&params.text_document.uri)?;
    let enc = state.encoding();
    let start = convert::offset(&a.snapshot, params.range.start, enc);
    let end = convert::offset(&a.snapshot, params.range.end, enc);
    let hints = crate::ide::inlay_hints::inlay_hints(&a, start..end);
    Some(
        hints
            .into_iter()
            .map(|h| InlayHint {
                position: convert::position(&a.snapshot, h.offset, enc),
                label: InlayHintLabel::String(h.label),
                kind: None,
                text_edits: None,
                tooltip: Some(InlayHintTooltip::String(h.tooltip)),
                padding_left: Some(true),
                padding_right: Some(false),
                data: None,
            })
            .collect(),
    )
}
