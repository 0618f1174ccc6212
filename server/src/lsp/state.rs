//! Server state: open documents, negotiated encoding, settings, client capabilities.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use tower_lsp_server::ls_types::Uri;

use super::config::Settings;
use crate::analysis::Analysis;
use crate::document::{Document, PositionEncoding};

#[derive(Debug, Clone, Default)]
pub struct ClientCaps {
    pub configuration: bool,
    /// The client shows `$/progress` for server-created tokens (`window.workDoneProgress`).
    pub work_done_progress: bool,
    pub hierarchical_symbols: bool,
    pub multiline_tokens: bool,
    /// The client lets the server register file watchers (`workspace/didChangeWatchedFiles`).
    pub watch_files: bool,
    /// The client resolves a code action's `edit` (`codeAction.resolveSupport.properties`) and
    /// keeps its `data` (`codeAction.dataSupport`).
    pub code_action_resolve: bool,
}

/// The diagnostics of one analysis, and the configuration file they were computed under.
pub struct DiagnosticsResult {
    pub diagnostics: Vec<crate::diagnostics::Diagnostic>,
    pub config_error: Option<crate::config::ConfigError>,
    pub config_source: Option<std::path::PathBuf>,
    /// The FROM images whose vulnerabilities were known when the diagnostics were computed:
    /// the image token's range, its name with build args resolved, the summary (for hover).
    pub image_vulnerabilities: Vec<(std::ops::Range<usize>, String, Arc<crate::vulns::ImageVulnerabilities>)>,
    /// ShellCheck's part, when it is on and installed: the binary and the lowest severity to
    /// publish. Not in `diagnostics`: those are published without waiting for ShellCheck.
    pub shellcheck: Option<(std::path::PathBuf, crate::diagnostics::Severity)>,
}

struct CachedDiagnostics {
    /// Weak: the cache must not keep an old analysis (its tree and model) alive.
    analysis: std::sync::Weak<Analysis>,
    generation: u64,
    result: Arc<DiagnosticsResult>,
}

#[derive(Default)]
pub struct State {
    docs: Mutex<HashMap<Uri, Document>>,
    /// The last analysis per document, reused while the version is unchanged.
    analyses: Mutex<HashMap<Uri, Arc<Analysis>>>,
    pub encoding: RwLock<PositionEncoding>,
    settings: RwLock<Settings>,
    /// Bumped whenever the settings change: cached diagnostics of an older generation are stale.
    settings_generation: AtomicU64,
    /// The last diagnostics per document, for the analysis (version) they were computed on.
    diagnostics: Mutex<HashMap<Uri, CachedDiagnostics>>,
    pub caps: RwLock<ClientCaps>,
    /// Serialises publishing so an older version can never be published after a newer one.
    pub publish_lock: tokio::sync::Mutex<()>,
    /// Held while settings are read and documents published again under them.
    pub settings_refresh: tokio::sync::Mutex<()>,
    /// Held while an analysis is built (see [`State::analysis`]).
    analysis_build: Mutex<()>,
    /// Between `initialize` and `shutdown`: requests may be answered.
    serving: AtomicBool,
    /// `shutdown` was asked for (the exit status depends on it).
    shutdown: AtomicBool,
    /// Woken when `exit` arrives (see `lsp::run`).
    pub exit: tokio::sync::Notify,
    /// Registry and vulnerability lookups running in the background, and who waits on them.
    lookups: Mutex<super::publish::Lookups>,
    /// Documents whose RUN bodies ShellCheck is checking in the background (one run per
    /// document at a time; the run publishes the then-current version when it ends).
    shellcheck_running: Mutex<std::collections::HashSet<Uri>>,
    /// The client's settings have been read at start-up (or there are none to read).
    settings_ready: AtomicBool,
    settings_ready_notify: tokio::sync::Notify,
    /// The writer's queue: diagnostics are serialized straight to bytes and queued here.
    /// Taken away at exit, so that the writer can finish.
    outbox: Mutex<Option<super::transport::Outbox>>,
}

impl State {
    pub fn serving(&self) -> bool {
        self.serving.load(Ordering::Acquire)
    }

    pub fn set_serving(&self, on: bool) {
        self.serving.store(on, Ordering::Release);
    }

    pub fn shutdown_received(&self) -> bool {
        self.shutdown.load(Ordering::Acquire)
    }

    pub fn set_shutdown_received(&self) {
        self.shutdown.store(true, Ordering::Release);
    }

    pub fn encoding(&self) -> PositionEncoding {
        *self.encoding.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_settings(&self, settings: Settings) {
        *self.settings.write().unwrap_or_else(|e| e.into_inner()) = settings;
        self.settings_generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Forgets every cached diagnostic: something they were computed from outside the
    /// document (a configuration or ignore file) changed.
    pub fn invalidate_diagnostics(&self) {
        self.settings_generation.fetch_add(1, Ordering::AcqRel);
    }

    pub fn settings_generation(&self) -> u64 {
        self.settings_generation.load(Ordering::Acquire)
    }

    /// Diagnostics cached for exactly this analysis under the current settings.
    pub fn cached_diagnostics(&self, uri: &Uri, analysis: &Arc<Analysis>) -> Option<Arc<DiagnosticsResult>> {
        let generation = self.settings_generation();
        let cache = self.diagnostics.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .get(uri)
            .filter(|c| c.generation == generation && std::sync::Weak::ptr_eq(&c.analysis, &Arc::downgrade(analysis)))
            .map(|c| c.result.clone())
    }

    pub fn cache_diagnostics(&self, uri: &Uri, analysis: &Arc<Analysis>, generation: u64, result: Arc<DiagnosticsResult>) {
        let mut cache = self.diagnostics.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(uri.clone(), CachedDiagnostics { analysis: Arc::downgrade(analysis), generation, result });
    }

    pub fn caps(&self) -> ClientCaps {
        self.caps.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Runs `f` on the open document (under the lock: keep it short and synchronous).
    pub fn with_docs<T>(&self, f: impl FnOnce(&mut HashMap<Uri, Document>) -> T) -> T {
        let mut docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut docs)
    }

    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.with_docs(|d| d.get(uri).map(|doc| doc.version()))
    }

    /// Whether `text` is still the text of the open document `uri`. Stricter than comparing
    /// versions: a document closed and opened again restarts at the same version numbers.
    pub fn is_current(&self, uri: &Uri, text: &Arc<str>) -> bool {
        self.with_docs(|d| d.get(uri).is_some_and(|doc| Arc::ptr_eq(doc.text(), text)))
    }

    pub fn open_uris(&self) -> Vec<Uri> {
        self.with_docs(|d| d.keys().cloned().collect())
    }

    /// The analysis of the current version of `uri` (computed once per version).
    pub fn analysis(&self, uri: &Uri) -> Option<Arc<Analysis>> {
        // One build at a time: a request arriving while the diagnostics build the same version
        // waits for that build instead of starting its own.
        let _building = self.analysis_build.lock().unwrap_or_else(|e| e.into_inner());
        let snapshot = self.with_docs(|d| d.get(uri).map(|doc| doc.snapshot()))?;
        let previous = {
            let mut cache = self.analyses.lock().unwrap_or_else(|e| e.into_inner());
            match cache.get(uri) {
                Some(a) if a.snapshot.version == snapshot.version && Arc::ptr_eq(&a.snapshot.text, &snapshot.text) => {
                    return Some(a.clone());
                }
                Some(a) if a.snapshot.version < snapshot.version => cache.remove(uri),
                _ => None,
            }
        };
        let analysis = Arc::new(match previous {
            // Unchanged instructions are moved from the previous analysis when nothing else
            // holds it, else copied from it.
            Some(prev) => match Arc::try_unwrap(prev) {
                Ok(owned) => Analysis::new_reusing(snapshot, owned),
                Err(shared) => Analysis::new_reusing(snapshot, shared.reusable_copy()),
            },
            None => Analysis::new(snapshot),
        });
        let mut cache = self.analyses.lock().unwrap_or_else(|e| e.into_inner());
        // The cache keeps the newest version analysed.
        if cache.get(uri).is_none_or(|a| a.snapshot.version <= analysis.snapshot.version) {
            cache.insert(uri.clone(), analysis.clone());
        }
        Some(analysis)
    }

    pub fn lookups(&self) -> std::sync::MutexGuard<'_, super::publish::Lookups> {
        self.lookups.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_settings_ready(&self) {
        self.settings_ready.store(true, Ordering::Release);
        self.settings_ready_notify.notify_waiters();
    }

    /// Waits until the start-up settings are read, at most `limit` (a client that never
    /// answers `workspace/configuration` must not keep diagnostics back for long).
    pub async fn settings_ready(&self, limit: std::time::Duration) {
        let wait = async {
            loop {
                let notified = self.settings_ready_notify.notified();
                if self.settings_ready.load(Ordering::Acquire) {
                    return;
                }
                notified.await;
            }
        };
        let _ = tokio::time::timeout(limit, wait).await;
    }

    pub fn set_outbox(&self, outbox: super::transport::Outbox) {
        *self.outbox.lock().unwrap_or_else(|e| e.into_inner()) = Some(outbox);
    }

    pub fn take_outbox(&self) -> Option<super::transport::Outbox> {
        self.outbox.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    pub fn outbox(&self) -> Option<super::transport::Outbox> {
        self.outbox.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Marks a background ShellCheck run for `uri` as started; false if one is running.
    pub fn start_shellcheck(&self, uri: &Uri) -> bool {
        self.shellcheck_running.lock().unwrap_or_else(|e| e.into_inner()).insert(uri.clone())
    }

    pub fn end_shellcheck(&self, uri: &Uri) {
        self.shellcheck_running.lock().unwrap_or_else(|e| e.into_inner()).remove(uri);
    }

    pub fn forget(&self, uri: &Uri) {
        self.lookups().forget(uri);
        self.with_docs(|d| d.remove(uri));
        self.analyses.lock().unwrap_or_else(|e| e.into_inner()).remove(uri);
        self.diagnostics.lock().unwrap_or_else(|e| e.into_inner()).remove(uri);
    }
}
