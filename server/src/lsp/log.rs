//! The server's log for the user: `window/logMessage` at the right level (editors show
//! anything on stderr as an error), serialized straight onto the writer like diagnostics.
//! stderr is kept for what happens before the writer runs or after it is gone.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use tower_lsp_server::ls_types::{LogMessageParams, MessageType};

use super::state::State;

/// Sends `message` to the client's log (stderr when there is no client to send it to).
pub fn log(state: &State, level: MessageType, message: impl Into<String>) {
    log_to(state.outbox(), level, message)
}

/// [`log`] through the writer's queue itself (for threads that outlive a request).
pub fn log_to(outbox: Option<super::transport::Outbox>, level: MessageType, message: impl Into<String>) {
    let message = message.into();
    let Some(outbox) = outbox else {
        eprintln!("dockls: {message}");
        return;
    };
    #[derive(serde::Serialize)]
    struct Notification<'a> {
        jsonrpc: &'static str,
        method: &'static str,
        params: &'a LogMessageParams,
    }
    let params = LogMessageParams { typ: level, message };
    match serde_json::to_vec(&Notification { jsonrpc: "2.0", method: "window/logMessage", params: &params }) {
        Ok(body) => outbox.send_json(body),
        Err(_) => eprintln!("dockls: {}", params.message),
    }
}

/// [`log`], once per distinct message for the server's lifetime (an unreachable registry
/// would otherwise be reported on every edit that looks it up).
pub fn log_once(state: &State, level: MessageType, message: impl Into<String>) {
    log_once_to(state.outbox(), level, message)
}

/// [`log_once`] through the writer's queue itself.
pub fn log_once_to(outbox: Option<super::transport::Outbox>, level: MessageType, message: impl Into<String>) {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let message = message.into();
    let first = SEEN.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner()).insert(message.clone());
    if first {
        log_to(outbox, level, message);
    }
}
