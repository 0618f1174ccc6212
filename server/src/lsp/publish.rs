//! Computing and publishing diagnostics: off the message loop, latest version only.

use std::sync::Arc;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::Uri;

use super::{convert, guard::guarded, state::State};
use crate::diagnostics;

/// Computes diagnostics for the current version of `uri` on a blocking thread and publishes
/// them unless a newer version arrived meanwhile.
/// `version` is the document version the caller just applied: a task whose version is no
/// longer current does nothing (the newer version's task publishes).
pub async fn publish(client: Client, state: Arc<State>, uri: Uri, version: i32) {
    if state.version(&uri) != Some(version) {
        return;
    }
    let st = state.clone();
    let u = uri.clone();
    let computed = tokio::task::spawn_blocking(move || {
        let analysis = st.analysis(&u)?;
        let enc = st.encoding();
        let diags = guarded("diagnostics", || {
            compute(&st, &analysis).iter().map(|d| convert::diagnostic(&analysis.snapshot, &u, d, enc)).collect::<Vec<_>>()
        })
        .unwrap_or_default();
        Some((analysis.snapshot.version, diags))
    })
    .await;
    let Ok(Some((version, diags))) = computed else { return };
    let _order = state.publish_lock.lock().await;
    if state.version(&uri) != Some(version) {
        return; // superseded (or closed): the newer version publishes its own
    }
    client.publish_diagnostics(uri, diags, Some(version)).await;
}

/// The diagnostics of an analysis under the current settings (with their fixes).
pub fn compute(state: &State, analysis: &crate::analysis::Analysis) -> Vec<diagnostics::Diagnostic> {
    let settings = state.settings();
    if !settings.diagnostics {
        return Vec::new();
    }
    let selection = crate::lint::RuleSelection { disabled: settings.ignore.clone(), ..Default::default() };
    let options = crate::lint::LintOptions::default();
    diagnostics::diagnose_with(analysis.text(), &analysis.dockerfile, &analysis.semantics, &options, &selection)
        .into_iter()
        .filter(|d| d.severity <= settings.min_severity)
        .collect()
}
