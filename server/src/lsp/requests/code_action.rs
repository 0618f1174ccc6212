//! `textDocument/codeAction`: each diagnostic's fixes as quick fixes, "ignore here" and
//! "ignore in this file" for rules, and `source.fixAll` with every safe fix.

use std::collections::HashMap;

use tower_lsp_server::ls_types::*;

use crate::actions;
use crate::analysis::Analysis;
use crate::document::PositionEncoding;
use crate::lint::{Edit, Safety};
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

pub fn handle(state: &State, params: CodeActionParams) -> Option<CodeActionResponse> {
    let uri = params.text_document.uri;
    let a = state.analysis(&uri)?;
    let enc = state.encoding();
    let snap = &a.snapshot;
    let start = convert::offset(snap, params.range.start, enc);
    let end = convert::offset(snap, params.range.end, enc);
    let computed = publish::diagnostics_of(state, &uri, &a);
    let diagnostics = &computed.diagnostics;
    let only = params.context.only;
    let mut out: Vec<CodeActionOrCommand> = Vec::new();

    if wants(&only, &CodeActionKind::QUICKFIX) {
        for d in diagnostics.iter().filter(|d| d.range.start <= end && start <= d.range.end) {
            let lsp_diag = convert::diagnostic(snap, &uri, d, enc);
            for (i, fix) in d.fixes.iter().enumerate() {
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: fix.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp_diag.clone()]),
                    edit: Some(workspace_edit(&a, &uri, &fix.edits, enc)),
                    is_preferred: Some(i == 0 && fix.safety == Safety::Safe),
                    ..Default::default()
                }));
            }
            if let Some(rule) = crate::lint::rule(d.code) {
                if let Some(fix) = actions::ignore_here(a.text(), &a.dockerfile, d.range.start, rule.id) {
                    out.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: fix.title.clone(),
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![lsp_diag.clone()]),
                        edit: Some(workspace_edit(&a, &uri, &fix.edits, enc)),
                        ..Default::default()
                    }));
                }
                if let Some(bk) = rule.buildkit {
                    let fix = actions::ignore_in_file(a.text(), &a.dockerfile, bk);
                    out.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: fix.title.clone(),
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![lsp_diag.clone()]),
                        edit: Some(workspace_edit(&a, &uri, &fix.edits, enc)),
                        ..Default::default()
                    }));
                }
            }
        }
    }
    // Pinning FROM images with the registry's answers (cache first).
    out.extend(crate::lsp::images::pin_actions(state, &uri, &a, start..end, diagnostics, only.as_deref()));
    let fix_all_kind = CodeActionKind::SOURCE_FIX_ALL;
    if only.as_ref().is_some_and(|_| wants(&only, &fix_all_kind)) || only.is_none() {
        let edits = actions::fix_all(diagnostics);
        if !edits.is_empty() {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: "Fix all auto-fixable problems (dockls)".into(),
                kind: Some(fix_all_kind),
                edit: Some(workspace_edit(&a, &uri, &edits, enc)),
                ..Default::default()
            }));
        }
    }
    Some(out)
}
