//! `textDocument/hover`: on a finding, the rule's documentation (the same text as
//! `dockls rule <id>` and docs/rules.md); on a FROM image whose vulnerabilities are known, the
//! most severe of them first.

use tower_lsp_server::ls_types::*;

use crate::lsp::{convert, publish, state::State};

pub fn handle(state: &State, params: HoverParams) -> Option<Hover> {
    let tdp = params.text_document_position_params;
    let uri = tdp.text_document.uri;
    let (a, offset, enc) = super::at(state, &uri, tdp.position)?;
    let computed = publish::diagnostics_of(state, &uri, &a);
    let within = |r: &std::ops::Range<usize>| r.start <= offset && offset <= r.end;
    let image = computed.image_vulnerabilities.iter().find(|(range, _, _)| within(range));
    let hit = computed.diagnostics.iter().filter(|d| within(&d.range)).find_map(|d| crate::lint::rule(d.code).map(|r| (d, r)));
    let mut sections = Vec::new();
    if let Some((_, name, found)) = image {
        sections.push(found.hover_markdown(name));
    }
    if let Some((_, rule)) = hit {
        sections.push(crate::lint::docs::rule_markdown(rule));
    }
    let range = hit.map(|(d, _)| d.range.clone()).or_else(|| image.map(|(r, _, _)| r.clone()))?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: sections.join("\n\n---\n\n") }),
        range: Some(convert::range(&a.snapshot, &range, enc)),
    })
}
