//! Computing and publishing diagnostics: off the message loop, latest version only.

use std::sync::Arc;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::Uri;

use super::{convert, guard::guarded, state::{DiagnosticsResult, State}};
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
        let (diags, config) = guarded("diagnostics", || {
            let r = diagnostics_of(&st, &u, &analysis);
            let lsp: Vec<_> = r.diagnostics.iter().map(|d| convert::diagnostic(&analysis.snapshot, &u, d, enc)).collect();
            (lsp, r.config_source.clone().map(|s| (s, r.config_error.clone())))
        })
        .unwrap_or_default();
        Some((analysis.snapshot.version, diags, config))
    })
    .await;
    let Ok(Some((version, diags, config))) = computed else { return };
    let _order = state.publish_lock.lock().await;
    if state.version(&uri) != Some(version) {
        return; // superseded (or closed): the newer version publishes its own
    }
    client.publish_diagnostics(uri, diags, Some(version)).await;
    // A configuration file's own problem is shown on that file (cleared once it is fixed).
    if let Some((path, error)) = config {
        if let Ok(config_uri) = format!("file://{}", path.display()).parse::<Uri>() {
            let diags = error
                .map(|e| {
                    let line = e.line.unwrap_or(1).saturating_sub(1) as u32;
                    vec![tower_lsp_server::ls_types::Diagnostic {
                        range: tower_lsp_server::ls_types::Range::new(
                            tower_lsp_server::ls_types::Position::new(line, 0),
                            tower_lsp_server::ls_types::Position::new(line, u32::MAX / 2),
                        ),
                        severity: Some(tower_lsp_server::ls_types::DiagnosticSeverity::ERROR),
                        code: Some(tower_lsp_server::ls_types::NumberOrString::String("invalid-config".into())),
                        source: Some("dockls".into()),
                        message: format!("{} (the defaults are used until this is fixed)", e.message),
                        ..Default::default()
                    }]
                })
                .unwrap_or_default();
            client.publish_diagnostics(config_uri, diags, None).await;
        }
    }
}

/// The local path of a `file:` URI.
pub fn uri_path(uri: &Uri) -> Option<std::path::PathBuf> {
    let s = uri.as_str().strip_prefix("file://")?;
    let decoded = percent_encoding::percent_decode_str(s).decode_utf8().ok()?;
    Some(std::path::PathBuf::from(decoded.as_ref()))
}

/// The diagnostics of an analysis under the configuration files and current settings (with
/// their fixes), and the configuration file problem, if any.
pub fn compute_with_config(
    state: &State,
    uri: &Uri,
    analysis: &crate::analysis::Analysis,
) -> (Vec<diagnostics::Diagnostic>, Option<crate::config::ConfigError>, Option<std::path::PathBuf>) {
    let settings = state.settings();
    if !settings.diagnostics {
        return (Vec::new(), None, None);
    }
    let path = uri_path(uri);
    let (mut config, error) = match path.as_ref().and_then(|p| p.parent()) {
        Some(dir) => crate::config::discover(dir),
        None => (crate::config::Config::default(), None),
    };
    settings.overlay(&mut config);
    let options = match &path {
        Some(p) => crate::config::lint_options(p, &config),
        None => crate::lint::LintOptions { trusted_registries: config.trusted_registries.clone(), ..Default::default() },
    };
    let mut diags: Vec<diagnostics::Diagnostic> =
        diagnostics::diagnose_with(analysis.text(), &analysis.dockerfile, &analysis.semantics, &options, &config.selection);
    // ShellCheck on RUN bodies, when installed (or configured) and not turned off.
    if config.shellcheck_enabled != Some(false) {
        match crate::shellcheck::locate(config.shellcheck_path.as_deref()) {
            Some(bin) => {
                diags.extend(crate::shellcheck::check(&bin, analysis.text(), &analysis.dockerfile, &analysis.semantics));
                diags.sort_by_key(|d| (d.range.start, d.range.end));
            }
            None => crate::shellcheck::log_missing_once(),
        }
    }
    let diags = diags.into_iter().filter(|d| d.severity <= settings.min_severity).collect();
    (diags, error, config.source)
}

/// The diagnostics of `analysis`: computed once per analysis and settings generation, shared
/// by publishing, hover and code actions.
pub fn diagnostics_of(state: &State, uri: &Uri, analysis: &Arc<crate::analysis::Analysis>) -> Arc<DiagnosticsResult> {
    if let Some(hit) = state.cached_diagnostics(uri, analysis) {
        return hit;
    }
    let generation = state.settings_generation();
    let (diagnostics, config_error, config_source) = compute_with_config(state, uri, analysis);
    let result = Arc::new(DiagnosticsResult { diagnostics, config_error, config_source });
    state.cache_diagnostics(uri, analysis, generation, result.clone());
    result
}
