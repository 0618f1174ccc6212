//! `textDocument/rangeFormatting`: the formatter's edits for the instructions the range touches.

use tower_lsp_server::ls_types::*;

use super::formatting::{options, text_edits};
use crate::lsp::{convert, state::State};

pub fn handle(state: &State, params: DocumentRangeFormattingParams) -> Option<Vec<TextEdit>> {
    let uri = params.text_document.uri;
    let a = state.analysis(&uri)?;
    let enc = state.encoding();
    let start = convert::offset(&a.snapshot, params.range.start, enc);
    let end = convert::offset(&a.snapshot, params.range.end, enc).max(start);
    let options = options(state, &uri, &params.options);
    let edits = crate::format::format_range(a.text(), &a.dockerfile, &options, start..end);
    Some(text_edits(state, &a, edits))
}
