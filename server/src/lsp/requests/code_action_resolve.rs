//! `codeAction/resolve`: the edit of an action listed without it (clients that declare
//! `codeAction.resolveSupport.properties: ["edit"]`, see `code_action`). The action's `data`
//! names the document, the version and text it was listed for, and the action
//! (`actions::ActionId`); its edit is computed again with `actions::resolve`.
//!
//! An action listed for another version of the text (the document changed or was closed), or
//! whose `data` is not ours, is answered with an error (`ContentModified`, or `InvalidParams`),
//! never with an edit for a text it was not made for: the client drops the action, and asks
//! for the list again.

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;

use crate::actions::{self, ActionId};
use crate::lsp::requests::code_action::{text_key, workspace_edit, ResolveData};
use crate::lsp::{publish, state::State};

fn error(code: ErrorCode, message: String) -> Error {
    Error { code, message: message.into(), data: None }
}

pub fn handle(state: &State, mut action: CodeAction) -> Result<CodeAction> {
    if action.edit.is_some() {
        return Ok(action);
    }
    let data: ResolveData = action
        .data
        .clone()
        .and_then(|d| serde_json::from_value(d).ok())
        .ok_or_else(|| error(ErrorCode::InvalidParams, "dockls: this code action has no data dockls can resolve".into()))?;
    let uri: Uri = data.uri.parse().map_err(|_| error(ErrorCode::InvalidParams, format!("dockls: not a URI: {}", data.uri)))?;
    let stale = || error(ErrorCode::ContentModified, format!("dockls: {} changed since the code action was listed; ask for code actions again", data.uri));
    let a = state.analysis(&uri).ok_or_else(stale)?;
    if a.snapshot.version != data.version || text_key(a.text()) != data.text {
        return Err(stale());
    }
    let id = data.id_with_title(&action.title).ok_or_else(|| error(ErrorCode::InvalidParams, "dockls: unknown code action".into()))?;
    let computed = publish::diagnostics_of(state, &uri, &a);
    let edits = actions::resolve(a.text(), &a.dockerfile, &computed.diagnostics, &id, &action.title).ok_or_else(|| {
        // Same text, but not the same action: the settings (and so the findings) changed.
        let what = if matches!(id, ActionId::FixAll) { "fix all" } else { "this action" };
        error(ErrorCode::ContentModified, format!("dockls: {what} is not offered any more for {}; ask for code actions again", data.uri))
    })?;
    action.edit = Some(workspace_edit(&a, &uri, &edits, state.encoding()));
    Ok(action)
}
