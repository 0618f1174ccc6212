//! `textDocument/codeAction`: converts the request (range, the client's diagnostics, `only`)
//! and answers with `actions::code_actions`. A client that resolves edits
//! (`codeAction.resolveSupport.properties` has `edit`) gets the actions that have an
//! `actions::ActionId` without their edit and with [`ResolveData`] instead; `code_action_resolve`
//! computes the edit when the user picks one. The cheap ones (ignore comments, pins) keep theirs.

use std::collections::HashMap;

use tower_lsp_server::ls_types::*;

use serde::{Deserialize, Serialize};

use crate::actions::{self, ActionId, ActionKind};
use crate::analysis::Analysis;
use crate::document::PositionEncoding;
use crate::lint::Edit;
use crate::lsp::{convert, publish, state::State};

pub(crate) fn workspace_edit(a: &Analysis, uri: &Uri, edits: &[Edit], enc: PositionEncoding) -> WorkspaceEdit {
    let edits = edits.iter().map(|e| TextEdit::new(convert::range(&a.snapshot, &e.range, enc), e.text.clone())).collect();
    WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), edits)])), ..Default::default() }
}

/// A code action's `data`: the document, its version and a key of its text (a document closed
/// and opened again starts at version 1 again), and the action.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ResolveData {
    pub uri: String,
    pub version: i32,
    /// [`text_key`] of the text listed for.
    pub text: String,
    /// `fix`, `refactor` or `fixAll`.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostic: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<usize>,
    /// A refactor's byte range in the text (the request's range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<(usize, usize)>,
}

impl ResolveData {
    fn new(uri: &Uri, version: i32, text: String, id: &ActionId) -> ResolveData {
        let mut d = ResolveData { uri: uri.as_str().to_string(), version, text, action: String::new(), diagnostic: None, code: None, fix: None, range: None };
        match id {
            ActionId::Fix { diagnostic, code, fix } => {
                d.action = "fix".into();
                (d.diagnostic, d.code, d.fix) = (Some(*diagnostic), Some(code.clone()), Some(*fix));
            }
            ActionId::Refactor { range, .. } => {
                d.action = "refactor".into();
                d.range = Some((range.start, range.end));
            }
            ActionId::FixAll => d.action = "fixAll".into(),
        }
        d
    }

    /// The action; a refactor's title is the action's own (`CodeAction::title`).
    pub fn id_with_title(&self, title: &str) -> Option<ActionId> {
        match self.action.as_str() {
            "fix" => Some(ActionId::Fix { diagnostic: self.diagnostic?, code: self.code.clone()?, fix: self.fix? }),
            "refactor" => self.range.map(|(s, e)| ActionId::Refactor { range: s..e, title: title.to_string() }),
            "fixAll" => Some(ActionId::FixAll),
            _ => None,
        }
    }
}

/// A short key of a text (hex, so that clients that read JSON numbers as doubles keep it).
pub(crate) fn text_key(text: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    format!("{:016x}", h.finish())
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
    let resolve = state.caps.read().unwrap_or_else(|e| e.into_inner()).code_action_resolve;
    let key = resolve.then(|| text_key(a.text()));
    let mut out: Vec<CodeActionOrCommand> = actions
        .into_iter()
        .map(|action| {
            let data = match (&key, &action.id) {
                (Some(key), Some(id)) => serde_json::to_value(ResolveData::new(&uri, snap.version, key.clone(), id)).ok(),
                _ => None,
            };
            CodeActionOrCommand::CodeAction(CodeAction {
                edit: data.is_none().then(|| workspace_edit(&a, &uri, &action.edits, enc)),
                data,
                title: action.title,
                kind: Some(lsp_kind(action.kind)),
                diagnostics: action.diagnostic.map(|i| vec![lsp_diagnostics[i].clone()]),
                is_preferred: action.preferred.then_some(true),
                ..Default::default()
            })
        })
        .collect();
    // Pinning FROM images with the registry's answers (cache first, fetched in the background).
    out.extend(crate::lsp::images::pin_actions(state, &uri, &a, start..end, diagnostics, only.as_deref()));
    Some(out)
}
