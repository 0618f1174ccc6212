//! `textDocument/selectionRange`: token → word → instruction → stage → file.

use tower_lsp_server::ls_types::*;

use crate::lsp::{convert, state::State};

pub fn handle(state: &State, params: SelectionRangeParams) -> Option<Vec<SelectionRange>> {
    let a = state.analysis(&params.text_document.uri)?;
    let enc = state.encoding();
    let offsets: Vec<usize> = params.positions.iter().map(|p| convert::offset(&a.snapshot, *p, enc)).collect();
    let chains = crate::ide::selection::selection_ranges_in(&a.snapshot, &a.dockerfile, &offsets);
    Some(
        chains
            .into_iter()
            .map(|chain| {
                // Build from the outermost inwards so each range points at its parent.
                let mut parent: Option<Box<SelectionRange>> = None;
                for r in chain.iter().rev() {
                    parent = Some(Box::new(SelectionRange { range: convert::range(&a.snapshot, r, enc), parent }));
                }
                parent.map(|b| *b).unwrap_or(SelectionRange {
                    range: convert::range(&a.snapshot, &(0..a.text().len()), enc),
                    parent: None,
                })
            })
            .collect(),
    )
}
