//! `workspace/didChangeConfiguration` (and start-up): read settings under `dockls`, pulling
//! them with `workspace/configuration` when the client supports it.

use std::sync::Arc;

use tower_lsp_server::ls_types::*;
use tower_lsp_server::Client;

use crate::lsp::config::Settings;
use crate::lsp::publish;
use crate::lsp::state::State;

/// Start-up (`initialized`): reads the client's settings, then lets the publishing that waits
/// for them go on, so that the first diagnostics of a document are already under the user's
/// settings (no second, filtered publish right after).
pub async fn initial(client: Client, state: Arc<State>) {
    {
        let _one_at_a_time = state.settings_refresh.lock().await;
        refresh(&client, &state, None).await;
    }
    state.set_settings_ready();
}

/// Reads the settings (see [`refresh`]), then publishes every open document again under them.
/// One at a time: the answers of two quick changes' pulls must not be applied out of order.
pub async fn refresh_and_republish(client: Client, state: Arc<State>, pushed: Option<serde_json::Value>) {
    let _one_at_a_time = state.settings_refresh.lock().await;
    refresh(&client, &state, pushed).await;
    for uri in state.open_uris() {
        if let Some(version) = state.version(&uri) {
            tokio::spawn(publish::publish(client.clone(), state.clone(), uri, version));
        }
    }
}

pub async fn refresh(client: &Client, state: &State, pushed: Option<serde_json::Value>) {
    let value = if state.caps().configuration {
        let item = ConfigurationItem { scope_uri: None, section: Some("dockls".into()) };
        match client.configuration(vec![item]).await {
            Ok(mut values) if !values.is_empty() => Some(values.remove(0)),
            Ok(_) => None,
            Err(e) => {
                client.log_message(MessageType::WARNING, format!("workspace/configuration failed: {}", e.message)).await;
                pushed
            }
        }
    } else {
        pushed
    };
    let Some(value) = value else { return };
    match Settings::from_json(&value) {
        Ok(settings) => state.set_settings(settings),
        Err(msg) => crate::lsp::log::log(state, MessageType::WARNING, msg),
    }
}
