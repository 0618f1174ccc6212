//! `textDocument/signatureHelp`: `ide::signature_help` at the position.

use tower_lsp_server::ls_types::*;

use crate::lsp::state::State;

/// UTF-16 length of `s`: parameter offsets in a label are counted in UTF-16 units.
fn utf16(s: &str) -> u32 {
    s.encode_utf16().count() as u32
}

pub fn handle(state: &State, params: SignatureHelpParams) -> Option<SignatureHelp> {
    let tdp = params.text_document_position_params;
    let (a, offset, _) = super::at(state, &tdp.text_document.uri, tdp.position)?;
    let help = crate::ide::signature_help::signature_help(&a, offset)?;
    let signatures = help
        .signatures
        .iter()
        .map(|s| SignatureInformation {
            label: s.label.clone(),
            documentation: Some(Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value: help.documentation.to_string() })),
            parameters: Some(
                s.parameters
                    .iter()
                    .map(|p| ParameterInformation { label: ParameterLabel::LabelOffsets([utf16(&s.label[..p.start]), utf16(&s.label[..p.end])]), documentation: None })
                    .collect(),
            ),
            active_parameter: None,
        })
        .collect();
    Some(SignatureHelp { signatures, active_signature: Some(help.active_signature as u32), active_parameter: help.active_parameter.map(|p| p as u32) })
}
