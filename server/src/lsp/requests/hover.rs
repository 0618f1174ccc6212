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
    // Every rule with a finding here (several often cover one image reference), once each.
    let mut hits: Vec<(&crate::diagnostics::Diagnostic, &crate::lint::Rule)> = Vec::new();
    for d in computed.diagnostics.iter().filter(|d| within(&d.range)) {
        if let Some(rule) = crate::lint::rule(d.code) {
            if !hits.iter().any(|(_, r)| r.id == rule.id) {
                hits.push((d, rule));
            }
        }
    }
    let facts = crate::lsp::images::hover(state, &uri, &a, offset);
    let mut sections: Vec<String> = facts.iter().map(|(_, text)| text.clone()).collect();
    if let Some((_, name, found)) = image {
        sections.push(found.hover_markdown(name));
    }
    for (_, rule) in &hits {
        sections.push(crate::lint::docs::rule_markdown(rule));
    }
    // The part of the text all of them cover (each contains the position).
    let range = hits
        .iter()
        .map(|(d, _)| d.range.clone())
        .reduce(|a, b| a.start.max(b.start)..a.end.min(b.end))
        .or_else(|| image.map(|(r, _, _)| r.clone()))
        .or_else(|| facts.map(|(r, _)| r))?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: sections.join("\n\n---\n\n") }),
        range: Some(convert::range(&a.snapshot, &range, enc)),
    })
}
