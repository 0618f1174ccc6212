//! `textDocument/foldingRange`: stages, multi-line instructions, heredocs, comment blocks.

use tower_lsp_server::ls_types::*;

use crate::ide::folding::{folding_ranges, FoldKind};
use crate::lsp::state::State;

pub fn handle(state: &State, params: FoldingRangeParams) -> Option<Vec<FoldingRange>> {
    let a = state.analysis(&params.text_document.uri)?;
    Some(
        folding_ranges(&a.snapshot, &a.dockerfile)
            .into_iter()
            .map(|f| FoldingRange {
                start_line: f.start_line,
                end_line: f.end_line,
                kind: Some(match f.kind {
                    FoldKind::Comment => FoldingRangeKind::Comment,
                    FoldKind::Region => FoldingRangeKind::Region,
                }),
                ..Default::default()
            })
            .collect(),
    )
}
