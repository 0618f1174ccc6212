//! `textDocument/hover`: on a finding, the rule's documentation (the same text as
//! `dockls rule <id>` and docs/rules.md).

use tower_lsp_server::ls_types::*;

use crate::lsp::{convert, publish, state::State};

pub fn handle(state: &State, params: HoverParams) -> Option<Hover> {
    let tdp = params.text_document_position_params;
    let uri = tdp.text_document.uri;
    let (a, offset, enc) = super::at(state, &uri, tdp.position)?;
    let computed = publish::diagnostics_of(state, &uri, &a);
    let diagnostics = &computed.diagnostics;
    let hit = diagnostics
        .iter()
        .filter(|d| d.range.start <= offset && offset <= d.range.end)
        .find_map(|d| crate::lint::rule(d.code).map(|r| (d, r)))?;
    let (d, rule) = hit;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: crate::lint::docs::rule_markdown(rule),
        }),
        range: Some(convert::range(&a.snapshot, &d.range, enc)),
    })
}
