//! `workspace/didChangeWatchedFiles`: a `.dockerignore`, `.dockls.toml`, `.hadolint.yaml` or
//! `.shellcheckrc` was created, changed or deleted. Diagnostics read them from disk, so every
//! open document is published again (the files can apply to any of them: build contexts and
//! configuration are found by walking up from each Dockerfile).

use std::sync::Arc;

use tower_lsp_server::ls_types::*;
use tower_lsp_server::Client;

use crate::lsp::{publish, state::State};

/// The files diagnostics depend on besides the document, as watcher globs.
pub const WATCHED: &[&str] = &["**/.dockerignore", "**/*.dockerignore", "**/.dockls.toml", "**/.hadolint.yaml", "**/.hadolint.yml", "**/.shellcheckrc"];

/// Asks the client to watch [`WATCHED`] (when it supports registering watchers).
pub async fn register(client: &Client, state: &State) {
    if !state.caps().watch_files {
        return;
    }
    let options = DidChangeWatchedFilesRegistrationOptions {
        watchers: WATCHED.iter().map(|g| FileSystemWatcher { glob_pattern: GlobPattern::String((*g).into()), kind: None }).collect(),
    };
    let registration = Registration {
        id: "dockls-watched-files".into(),
        method: "workspace/didChangeWatchedFiles".into(),
        register_options: serde_json::to_value(options).ok(),
    };
    if let Err(e) = client.register_capability(vec![registration]).await {
        crate::lsp::log::log(state, MessageType::WARNING, format!("could not watch configuration files: {}", e.message));
    }
}

fn relevant(uri: &Uri) -> bool {
    let path = uri.path().as_str();
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(name, ".dockerignore" | ".dockls.toml" | ".hadolint.yaml" | ".hadolint.yml" | ".shellcheckrc") || name.ends_with(".dockerignore")
}

pub async fn handle(client: Client, state: Arc<State>, params: DidChangeWatchedFilesParams) {
    if !params.changes.iter().any(|c| relevant(&c.uri)) {
        return;
    }
    state.invalidate_diagnostics();
    for uri in state.open_uris() {
        if let Some(version) = state.version(&uri) {
            tokio::spawn(publish::publish(client.clone(), state.clone(), uri, version));
        }
    }
}
