//! `textDocument/hover`: `ide::hover` at the position, with the base image's vulnerability
//! summary (when known) as an extra section on the image.

use tower_lsp_server::ls_types::*;

use crate::lsp::{convert, publish, state::State};

pub fn handle(state: &State, params: HoverParams) -> Option<Hover> {
    let tdp = params.text_document_position_params;
    let uri = tdp.text_document.uri;
    let (a, offset, enc) = super::at(state, &uri, tdp.position)?;
    let computed = publish::diagnostics_of(state, &uri, &a);
    // On a FROM image: what its registry says about it, then its known vulnerabilities.
    let mut extra: Vec<(std::ops::Range<usize>, String)> = crate::lsp::images::hover(state, &uri, &a, offset).into_iter().collect();
    extra.extend(computed.image_vulnerabilities.iter().map(|(range, name, found)| (range.clone(), found.hover_markdown(name))));
    let info = crate::ide::hover::hover(&a, offset, &computed.diagnostics, &extra)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: info.markdown }),
        range: Some(convert::range(&a.snapshot, &info.range, enc)),
    })
}
