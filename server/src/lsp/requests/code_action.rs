//! `textDocument/codeAction`: converts the request (range, the client's diagnostics, `only`)
//! and answers with `actions::code_actions`.

use std::collections::HashMap;

use tower_lsp_server::ls_types::*;

use crate::actions::{self, ActionKind};
use crate::analysis::Analysis;
use crate::document::PositionEncoding;
use crate::lint::Edit;
use crate::lsp::{convert, publish, state::State};

fn workspace_edit(a: &Analysis, uri: &Uri, edits: &[Edit], enc: PositionEncoding) -> WorkspaceEdit {
    let edits = edits.iter().map(|e| TextEdit::new(convert::range(&a.snapshot, &e.range, enc), e.text.clone())).collect();
    WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), edits)])), ..Default::default() }
}

fn wants(only: &Option<Vec<CodeActionKind>>, kind: &CodeActionKind) -> bool {
    match only {
        None => true,
        Some(kinds) => kinds.iter().any(|k| kind.as_str() == k.as_str() || kind.as_str().starts_with(&format!("{}.", k.as_str()))),
    }
}

fn lsp_kind(kind: ActionKind) -> CodeActionKind {
    match kind {
        ActionKind::QuickFix => CodeActionKind::QUICKFIX,
        ActionKind::Rewrite => CodeActionKind::REFACTOR_REWRITE,
        ActionKind::FixAll => CodeActionKind::SOURCE_FIX_ALL,
    }
}

pub fn handle(state: &State, params: CodeActionParams) -> Option<CodeActionResponse> {
    let uri = params.text_document.uri;
    let a = state.analysis(&uri)?;
    let enc = state.encoding();
    let snap = &a.snapshot;
    let start = convert::offset(snap, params.range.start, enc);
    let end = convert::offset(snap, params.range.end, enc).max(start);
    let computed = publish::diagnostics_of(state, &uri, &a);
    let diagnostics = &computed.diagnostics;
    let lsp_diagnostics: Vec<Diagnostic> = diagnostics.iter().map(|d| convert::diagnostic(snap, &uri, d, enc)).collect();
    // The client's diagnostics are ours as published: found by range, code and message.
    let context: Vec<usize> = params
        .context
        .diagnostics
        .iter()
        .filter_map(|c| lsp_diagnostics.iter().position(|d| d.range == c.range && d.code == c.code && d.message == c.message))
        .collect();
    let only = params.context.only;
    let actions = actions::code_actions(a.text(), &a.dockerfile, diagnostics, start..end, &context, |k| wants(&only, &lsp_kind(k)));
    let mut out: Vec<CodeActionOrCommand> = actions
        .into_iter()
        .map(|action| {
            CodeActionOrCommand::CodeAction(CodeAction {
                title: action.title,
                kind: Some(lsp_kind(action.kind)),
                diagnostics: action.diagnostic.map(|i| vec![lsp_diagnostics[i].clone()]),
                edit: Some(workspace_edit(&a, &uri, &action.edits, enc)),
                is_preferred: action.preferred.then_some(true),
                ..Default::default()
            })
        })
        .collect();
    // Pinning FROM images with the registry's answers (cache first, fetched in the background).
    out.extend(crate::lsp::images::pin_actions(state, &uri, &a, start..end, diagnostics, only.as_deref()));
    Some(out)
}
