//! `initialize`: negotiate the position encoding, record client capabilities.

use tower_lsp_server::ls_types::*;

use crate::lsp::capabilities;
use crate::lsp::state::{ClientCaps, State};

pub fn handle(state: &State, params: &InitializeParams) -> InitializeResult {
    let enc = capabilities::negotiate_encoding(params);
    *state.encoding.write().unwrap_or_else(|e| e.into_inner()) = enc;
    let c = &params.capabilities;
    let td = c.text_document.as_ref();
    let caps = ClientCaps {
        configuration: c.workspace.as_ref().and_then(|w| w.configuration).unwrap_or(false),
        work_done_progress: c.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
        hierarchical_symbols: td
            .and_then(|t| t.document_symbol.as_ref())
            .and_then(|d| d.hierarchical_document_symbol_support)
            .unwrap_or(false),
        multiline_tokens: td
            .and_then(|t| t.semantic_tokens.as_ref())
            .and_then(|s| s.multiline_token_support)
            .unwrap_or(false),
        watch_files: c.workspace.as_ref().and_then(|w| w.did_change_watched_files.as_ref()).and_then(|d| d.dynamic_registration).unwrap_or(false),
        // `data` comes back on resolve only with `dataSupport`; without it edits stay inline.
        code_action_resolve: td.and_then(|t| t.code_action.as_ref()).is_some_and(|a| {
            a.data_support == Some(true) && a.resolve_support.as_ref().is_some_and(|r| r.properties.iter().any(|p| p == "edit"))
        }),
    };
    // Without `workspace/configuration` there is nothing to wait for before publishing.
    if !caps.configuration {
        state.set_settings_ready();
    }
    *state.caps.write().unwrap_or_else(|e| e.into_inner()) = caps;
    if let Some(opts) = &params.initialization_options {
        if let Ok(settings) = crate::lsp::config::Settings::from_json(opts) {
            state.set_settings(settings);
        }
    }
    InitializeResult {
        capabilities: capabilities::server_capabilities(enc),
        server_info: Some(ServerInfo { name: "dockls".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
        offset_encoding: None,
    }
}
