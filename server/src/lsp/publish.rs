//! Computing and publishing diagnostics: off the message loop, latest version only.

use std::sync::Arc;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::Uri;

use super::{convert, guard::guarded, state::{DiagnosticsResult, State}};
use crate::diagnostics;
use crate::registry::{Reference, Registry, Settings as RegistrySettings};
use crate::vulns::{ImageVulnerabilities, Scanner, Settings as VulnSettings};

/// Computes diagnostics for the current version of `uri` on a blocking thread and publishes
/// them unless a newer version arrived meanwhile.
/// `version` is the document version the caller just applied: a task whose version is no
/// longer current does nothing (the newer version's task publishes).
pub async fn publish(client: Client, state: Arc<State>, uri: Uri, version: i32) {
    // The first diagnostics use the client's settings: wait for them to be read at start-up.
    state.settings_ready(SETTINGS_WAIT).await;
    if state.version(&uri) != Some(version) {
        return;
    }
    let st = state.clone();
    let u = uri.clone();
    // The settings these diagnostics are computed under: if they change meanwhile, the
    // change publishes every document again, and this result must not come after that.
    let generation = state.settings_generation();
    let computed = tokio::task::spawn_blocking(move || {
        let mut timings = Timings::new();
        let analysis = st.analysis(&u)?;
        timings.lap("analysis");
        let enc = st.encoding();
        let (diags, config, shellcheck_missing) = guarded("diagnostics", || {
            let r = diagnostics_of(&st, &u, &analysis);
            timings.lap("diagnostics");
            // ShellCheck's findings that are known already (every unchanged RUN after an
            // edit); the others are checked in the background, never waited for here.
            let (found, missing) = match &r.shellcheck {
                Some((bin, min)) => {
                    let scripts = crate::shellcheck::Scripts::collect(analysis.text(), &analysis.dockerfile, &analysis.semantics);
                    let (mut found, missing) = crate::shellcheck::cached(bin, &scripts);
                    found.retain(|d| d.severity <= *min);
                    (found, (missing > 0).then(|| bin.clone()))
                }
                None => (Vec::new(), None),
            };
            timings.lap("shellcheck cache");
            let mut all: Vec<&diagnostics::Diagnostic> = r.diagnostics.iter().chain(&found).collect();
            if !found.is_empty() {
                all.sort_by_key(|d| (d.range.start, d.range.end));
            }
            // Written straight to the notification's bytes (see `send_written`).
            let body = convert::publish_diagnostics_json(&analysis.snapshot, &u, &all, enc, Some(analysis.snapshot.version));
            timings.lap("json");
            timings.print(analysis.snapshot.version);
            (body, r.config_source.clone().map(|s| (s, r.config_error.clone())), missing)
        })
        // After a panic: no diagnostics (as the empty list).
        .unwrap_or_else(|_| (convert::publish_diagnostics_json(&analysis.snapshot, &u, &[], enc, Some(analysis.snapshot.version)), None, None));
        Some((diags, config, analysis.snapshot.text.clone(), analysis.snapshot.tree.clone(), shellcheck_missing))
    })
    .await;
    let Ok(Some((diags, config, text, tree, shellcheck_missing))) = computed else { return };
    let text_len = text.len();
    let _order = state.publish_lock.lock().await;
    if !state.is_current(&uri, &text) || state.settings_generation() != generation {
        // Superseded, closed, closed and opened again, or under older settings: the current
        // text and settings publish their own.
        return;
    }
    send_written(&client, &state, uri.clone(), diags).await;
    // A large document opened in two halves (`document::split`) gets its whole tree now, off
    // the first diagnostics' path: the next edit and the tree-reading requests need it.
    if !tree.is_whole() {
        tokio::task::spawn_blocking(move || {
            tree.get();
        });
    }
    // Off the latency path: what building this version freed goes back to the system. Only
    // for large documents: the next keystroke pays for it in page faults (~0.7 ms at 5,000
    // lines, lost in the noise at 50,000).
    if text_len >= RELEASE_AFTER {
        tokio::task::spawn_blocking(release_free_memory);
    }
    fetch_in_background(&client, &state, &uri);
    if let Some(bin) = shellcheck_missing {
        shellcheck_in_background(&client, &state, &uri, bin);
    }
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
            send(&client, &state, config_uri, diags, None).await;
        }
    }
}

/// Sends `textDocument/publishDiagnostics`, serialized straight to bytes and queued on the
/// writer: tower-lsp-server's own `publish_diagnostics` first builds a `serde_json::Value`
/// tree of the whole list, which was the server's memory peak on a RUN-dense 50,000-line file
/// (~40 MiB for 16,000 diagnostics). Every publish goes this one way, so they stay in order.
pub async fn send(client: &Client, state: &State, uri: Uri, diagnostics: Vec<tower_lsp_server::ls_types::Diagnostic>, version: Option<i32>) {
    use tower_lsp_server::ls_types::PublishDiagnosticsParams;
    let Some(outbox) = state.outbox() else {
        client.publish_diagnostics(uri, diagnostics, version).await;
        return;
    };
    #[derive(serde::Serialize)]
    struct Notification<'a> {
        jsonrpc: &'static str,
        method: &'static str,
        params: &'a PublishDiagnosticsParams,
    }
    let params = PublishDiagnosticsParams { uri, diagnostics, version };
    let message = Notification { jsonrpc: "2.0", method: "textDocument/publishDiagnostics", params: &params };
    match serde_json::to_vec(&message) {
        Ok(body) => outbox.send_json(body),
        Err(e) => eprintln!("dockls: cannot serialize diagnostics: {e}"),
    }
}

/// Sends a `publishDiagnostics` already written as the notification's JSON body
/// ([`convert::publish_diagnostics_json`]: no `lsp::Diagnostic` per item on every keystroke)
/// straight to the writer, in order with the others.
async fn send_written(client: &Client, state: &State, uri: Uri, body: Vec<u8>) {
    match state.outbox() {
        Some(outbox) => outbox.send_json(body),
        None => {
            // No writer (the server is exiting): tower-lsp-server's own path, from the values.
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let version = body["params"]["version"].as_i64().and_then(|v| i32::try_from(v).ok());
            let diagnostics = serde_json::from_value(body["params"]["diagnostics"].clone()).unwrap_or_default();
            client.publish_diagnostics(uri, diagnostics, version).await;
        }
    }
}

/// With `DOCKLS_TIMINGS` set, each publish prints where its time went on stderr (the client's
/// log): the way to see which step a slow keystroke spent its time in, in the real server.
struct Timings {
    on: bool,
    last: std::time::Instant,
    laps: Vec<(&'static str, std::time::Duration)>,
}

impl Timings {
    fn new() -> Timings {
        static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        let on = *ON.get_or_init(|| std::env::var_os("DOCKLS_TIMINGS").is_some());
        Timings { on, last: std::time::Instant::now(), laps: Vec::new() }
    }

    fn lap(&mut self, what: &'static str) {
        if self.on {
            let now = std::time::Instant::now();
            self.laps.push((what, now - self.last));
            self.last = now;
        }
    }

    fn print(&self, version: i32) {
        if self.on {
            let laps: Vec<String> = self.laps.iter().map(|(w, d)| format!("{w} {:.2} ms", d.as_secs_f64() * 1e3)).collect();
            eprintln!("dockls: publish of version {version}: {}", laps.join(", "));
        }
    }
}

/// How long a publish waits for the client to answer the start-up `workspace/configuration`.
const SETTINGS_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Documents from this size on give their freed memory back after each publish.
const RELEASE_AFTER: usize = 1 << 20;

/// Gives the pages of freed heap memory back to the system. A new version's model is built
/// while the old one is still alive, and glibc keeps the freed holes resident: after opening a
/// 50,000-line file that was ~4 MiB (72 → 68 MiB resident), lowering every later peak by as
/// much. Costs ~0.6 ms there, ~0.1 ms at 5,000 lines.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_free_memory() {
    // SAFETY: malloc_trim only returns free memory to the kernel; it is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_memory() {}

/// The local path of a `file:` URI.
pub fn uri_path(uri: &Uri) -> Option<std::path::PathBuf> {
    let s = uri.as_str().strip_prefix("file://")?;
    let decoded = percent_encoding::percent_decode_str(s).decode_utf8().ok()?;
    Some(std::path::PathBuf::from(decoded.as_ref()))
}

/// The FROM images with known vulnerabilities: (image token range, resolved name, summary).
type ImageSummaries = Vec<(std::ops::Range<usize>, String, Arc<ImageVulnerabilities>)>;

/// ShellCheck's binary and the lowest severity to publish, when ShellCheck is on.
type ShellcheckChoice = Option<(std::path::PathBuf, diagnostics::Severity)>;

/// The diagnostics of an analysis under the configuration files and current settings (with
/// their fixes), the configuration file problem, if any, the vulnerability summaries the
/// diagnostics saw, and whether (and which) ShellCheck is to check the RUN bodies.
pub fn compute_with_config(
    state: &State,
    uri: &Uri,
    analysis: &crate::analysis::Analysis,
) -> (Vec<diagnostics::Diagnostic>, Option<crate::config::ConfigError>, Option<std::path::PathBuf>, ImageSummaries, ShellcheckChoice) {
    let settings = state.settings();
    if !settings.diagnostics {
        return (Vec::new(), None, None, Vec::new(), None);
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
    let mut options = options;
    let images = cached_lookups(state, uri, analysis, &config, &mut options);
    let diags: Vec<diagnostics::Diagnostic> =
        diagnostics::diagnose_with(analysis.text(), &analysis.dockerfile, &analysis.semantics, &options, &config.selection);
    // ShellCheck on RUN bodies, when installed (or configured) and not turned off: its
    // findings are merged in at publishing time, from its cache or when it has run.
    let shellcheck = if config.shellcheck_enabled != Some(false) {
        let found = crate::shellcheck::locate(config.shellcheck_path.as_deref());
        if found.is_none() {
            super::log::log_once(state, tower_lsp_server::ls_types::MessageType::INFO, crate::shellcheck::MISSING);
        }
        found.map(|bin| (bin, settings.min_severity))
    } else {
        None
    };
    let diags = diags.into_iter().filter(|d| d.severity <= settings.min_severity).collect();
    (diags, error, config.source, images, shellcheck)
}

/// The diagnostics of `analysis`: computed once per analysis and settings generation, shared
/// by publishing, hover and code actions.
pub fn diagnostics_of(state: &State, uri: &Uri, analysis: &Arc<crate::analysis::Analysis>) -> Arc<DiagnosticsResult> {
    match state.cached_diagnostics(uri, analysis) {
        Some(hit) => hit,
        None => recompute(state, uri, analysis),
    }
}

/// Computes the diagnostics of `analysis` and caches them (replacing any cached ones).
fn recompute(state: &State, uri: &Uri, analysis: &Arc<crate::analysis::Analysis>) -> Arc<DiagnosticsResult> {
    let generation = state.settings_generation();
    let (diagnostics, config_error, config_source, image_vulnerabilities, shellcheck) = compute_with_config(state, uri, analysis);
    let result = Arc::new(DiagnosticsResult { diagnostics, config_error, config_source, image_vulnerabilities, shellcheck });
    state.cache_diagnostics(uri, analysis, generation, result.clone());
    result
}

// ------------------------------------------------------------------ ShellCheck
//
// The first publish of a version carries ShellCheck's findings of every script in its cache
// (after an edit: every RUN but the edited one) and never waits for the others. They are
// checked here, one run per document at a time; when the run ends, the document's current
// version is published again (its findings are all in the cache then, unless it changed
// meanwhile: then that publish starts the next run, for the scripts still missing).

/// A run taking longer than this shows `$/progress` (when the client supports it).
const PROGRESS_AFTER: std::time::Duration = std::time::Duration::from_millis(500);

fn shellcheck_in_background(client: &Client, state: &Arc<State>, uri: &Uri, bin: std::path::PathBuf) {
    if !state.start_shellcheck(uri) {
        // The running one publishes the current version when it ends.
        return;
    }
    let (client, state, uri) = (client.clone(), state.clone(), uri.clone());
    tokio::spawn(async move {
        let (st, u) = (state.clone(), uri.clone());
        let mut run = tokio::task::spawn_blocking(move || {
            // The analysis is let go before ShellCheck runs: held for the run's duration, it
            // would make the next keystroke copy the whole model instead of moving it.
            let scripts = {
                let analysis = st.analysis(&u)?;
                crate::shellcheck::Scripts::collect(analysis.text(), &analysis.dockerfile, &analysis.semantics)
            };
            guarded("shellcheck", || crate::shellcheck::check_in_background(&bin, scripts)).ok()
        });
        let checked = match tokio::time::timeout(PROGRESS_AFTER, &mut run).await {
            Ok(done) => done,
            Err(_) => {
                let name = uri.as_str().rsplit('/').next().unwrap_or("Dockerfile").to_string();
                let progress = begin_progress(&client, &state, "ShellCheck", format!("checking RUN instructions of {name}")).await;
                let done = run.await;
                if let Some(p) = progress {
                    p.finish().await;
                }
                done
            }
        };
        state.end_shellcheck(&uri);
        // A script ShellCheck could not check is cached as checked (nothing found), so the
        // publish below cannot start this again for the same text; after a panic (nothing
        // cached) or a closed document there is nothing to publish.
        if !matches!(checked, Ok(Some(_))) {
            return;
        }
        if let Some(version) = state.version(&uri) {
            Box::pin(publish(client, state, uri, version)).await;
        }
    });
}

type Progress = tower_lsp_server::OngoingProgress<tower_lsp_server::Unbounded, tower_lsp_server::NotCancellable>;

/// Work-done progress for background work (ShellCheck, registry lookups), when the client
/// supports server-created tokens and answers the creation in time.
async fn begin_progress(client: &Client, state: &State, title: &str, message: String) -> Option<Progress> {
    use tower_lsp_server::ls_types::{NumberOrString, ProgressToken};
    if !state.caps().work_done_progress {
        return None;
    }
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let token: ProgressToken = NumberOrString::String(format!("dockls/{}/{}", title.to_ascii_lowercase().replace(' ', "-"), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
    let created = tokio::time::timeout(std::time::Duration::from_secs(2), client.create_work_done_progress(token.clone())).await;
    if !matches!(created, Ok(Ok(()))) {
        return None;
    }
    Some(client.progress(token, title.to_string()).with_message(message).begin().await)
}

// ------------------------------------------------------------------ registry lookups
//
// Diagnostics use the base image platforms and vulnerabilities already in the caches at once;
// images not known yet are looked up in the background and the documents waiting on them are
// re-published when the answers arrive. Publishing never waits for the network.

use crate::lint::rules::IMAGE_CONFIG_RULES;

/// A failed lookup is not retried for this long (a mistyped tag would cost a request per edit).
const RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(300);

/// One image to look up in the background.
#[derive(Clone)]
enum Job {
    Platforms(RegistrySettings, Reference),
    Vulnerabilities(Box<VulnSettings>, Reference),
    /// The image's config (user, env, working dir) for the rules that read it.
    Image(RegistrySettings, Reference),
}

impl Job {
    /// Identifies the lookup: same key, same answer.
    fn key(&self) -> String {
        match self {
            Job::Platforms(s, r) => format!("platforms {:?} {r}", s.mirrors),
            Job::Vulnerabilities(s, r) => format!("vulnerabilities {:?} {r} {} {}", s.registry.mirrors, s.platform, s.osv_url),
            Job::Image(s, r) => format!("image {:?} {r}", s.mirrors),
        }
    }

    fn reference(&self) -> &Reference {
        match self {
            Job::Platforms(_, r) | Job::Vulnerabilities(_, r) | Job::Image(_, r) => r,
        }
    }

    /// Looks the image up (filling the caches); the message for the log when that failed.
    fn run(&self) -> Result<(), String> {
        match self {
            Job::Platforms(s, r) => Registry::shared().platforms(s, r).map(|_| ()).map_err(|e| format!("base image platforms of `{r}`: {e}")),
            Job::Vulnerabilities(s, r) => Scanner::shared().scan(s, r).map(|_| ()).map_err(|e| format!("vulnerabilities of `{r}`: {e}")),
            Job::Image(s, r) => Registry::shared().fetch_image(s, r).map(|_| ()).map_err(|e| format!("base image config of `{r}`: {e}")),
        }
    }
}

/// The background lookups' bookkeeping (one per server, in [`State`]).
#[derive(Default)]
pub struct Lookups {
    /// Per document: the lookups its last diagnostics wanted but the caches lacked.
    wanted: std::collections::HashMap<Uri, Vec<Job>>,
    /// Per job key being looked up: the documents to re-publish when it arrives.
    in_flight: std::collections::HashMap<String, Vec<Uri>>,
    /// Job keys whose last lookup failed, and when.
    failed: std::collections::HashMap<String, std::time::Instant>,
}

impl Lookups {
    /// Forgets a closed document: it waits on nothing any more.
    pub fn forget(&mut self, uri: &Uri) {
        self.wanted.remove(uri);
        for waiting in self.in_flight.values_mut() {
            waiting.retain(|u| u != uri);
        }
    }
}

/// Puts the cached platforms and vulnerabilities of the document's base images in `options`,
/// remembers the ones still unknown for [`fetch_in_background`], and returns the FROM images
/// with a known vulnerability summary (for hover).
fn cached_lookups(state: &State, uri: &Uri, analysis: &crate::analysis::Analysis, config: &crate::config::Config, options: &mut crate::lint::LintOptions) -> ImageSummaries {
    let platforms_on = crate::lint::rule("invalid-base-image-platform").is_some_and(|r| config.selection.is_on(r));
    let vulnerabilities_on = config.vulnerabilities_on();
    let configs_on = IMAGE_CONFIG_RULES.iter().any(|id| crate::lint::rule(id).is_some_and(|r| config.selection.is_on(r)));
    let mut missing = Vec::new();
    let mut summaries = Vec::new();
    // The FROM images, resolved once for every lookup below (a RUN-dense 5,000-line file has
    // 280 of them, and resolving them twice was a tenth of a keystroke's diagnostics).
    let images = if configs_on || platforms_on || vulnerabilities_on {
        crate::lint::rules::base_images(analysis.text(), &analysis.dockerfile, &analysis.semantics, &config.target_platform())
    } else {
        Vec::new()
    };
    if configs_on {
        let settings = config.registry_settings();
        let target = config.target_platform();
        for r in crate::registry::distinct(images.iter().map(|i| i.reference.clone())) {
            let cached = Registry::shared().cached_image(&settings, &r);
            if let Some(one) = cached.as_ref().and_then(|c| c.value.for_platform(&target)) {
                options.image_configs.insert(r.to_string(), one.config.clone());
            }
            // Stale answers are used meanwhile and refreshed.
            if cached.is_none_or(|c| c.stale) && !settings.offline {
                missing.push(Job::Image(settings.clone(), r));
            }
        }
    }
    if platforms_on || vulnerabilities_on {
        let refs = crate::registry::distinct(images.iter().map(|i| i.reference.clone()));
        if platforms_on {
            let settings = config.registry_settings();
            for r in &refs {
                match Registry::shared().cached(&settings, r) {
                    Some(platforms) => {
                        options.image_platforms.insert(r.to_string(), platforms);
                    }
                    None if !settings.offline => missing.push(Job::Platforms(settings.clone(), r.clone())),
                    None => {}
                }
            }
        }
        if vulnerabilities_on {
            let settings = config.vulnerability_settings();
            for r in &refs {
                match Scanner::shared().cached(&settings, r) {
                    Some(found) => {
                        options.image_vulnerabilities.insert(r.to_string(), found);
                    }
                    None if !settings.registry.offline => missing.push(Job::Vulnerabilities(Box::new(settings.clone()), r.clone())),
                    None => {}
                }
            }
            for image in images {
                if let Some(found) = options.image_vulnerabilities.get(&image.reference.to_string()) {
                    summaries.push((image.range, image.name, found.clone()));
                }
            }
        }
    }
    let mut l = state.lookups();
    if missing.is_empty() {
        l.wanted.remove(uri);
    } else {
        l.wanted.insert(uri.clone(), missing);
    }
    summaries
}

/// Starts the lookups `uri`'s diagnostics lacked (those not already running or recently
/// failed), platforms before vulnerabilities (a slow vulnerability scan must not hold the
/// platform answers back); when answers arrive, re-publishes every document that waits on
/// them.
fn fetch_in_background(client: &Client, state: &Arc<State>, uri: &Uri) {
    let jobs = {
        let mut l = state.lookups();
        let Some(wanted) = l.wanted.remove(uri) else { return };
        let mut start = Vec::new();
        for job in wanted {
            let key = job.key();
            if l.failed.get(&key).is_some_and(|t| t.elapsed() < RETRY_AFTER) {
                continue;
            }
            match l.in_flight.get_mut(&key) {
                Some(waiting) => {
                    if !waiting.contains(uri) {
                        waiting.push(uri.clone());
                    }
                }
                None => {
                    l.in_flight.insert(key, vec![uri.clone()]);
                    start.push(job);
                }
            }
        }
        start
    };
    if jobs.is_empty() {
        return;
    }
    let (platforms, rest): (Vec<Job>, Vec<Job>) = jobs.into_iter().partition(|j| matches!(j, Job::Platforms(..)));
    let (images, vulnerabilities): (Vec<Job>, Vec<Job>) = rest.into_iter().partition(|j| matches!(j, Job::Image(..)));
    let (client, state) = (client.clone(), state.clone());
    tokio::spawn(async move {
        // Platforms first, published as soon as they arrive; the vulnerability lookups after
        // them reuse the image indexes just fetched and skip registries found dead.
        // Image configs after the platforms, reusing the indexes they fetched.
        for batch in [platforms, images, vulnerabilities] {
            if batch.is_empty() {
                continue;
            }
            let jobs = batch.clone();
            let names: Vec<String> = batch.iter().map(|j| j.reference().to_string()).collect();
            // A few at a time, like the registry client's own batches.
            let mut run = tokio::task::spawn_blocking(move || crate::vulns::parallel(&jobs, 4, Job::run));
            let results = match tokio::time::timeout(PROGRESS_AFTER, &mut run).await {
                Ok(done) => done.unwrap_or_default(),
                Err(_) => {
                    let what = match batch[0] {
                        Job::Platforms(..) => "platforms",
                        Job::Image(..) => "configuration",
                        Job::Vulnerabilities(..) => "vulnerabilities",
                    };
                    let progress = begin_progress(&client, &state, "Registry", format!("looking up the {what} of {}", names.join(", "))).await;
                    let done = run.await.unwrap_or_default();
                    if let Some(p) = progress {
                        p.finish().await;
                    }
                    done
                }
            };
            let mut to_refresh: Vec<Uri> = Vec::new();
            {
                let mut l = state.lookups();
                for (i, job) in batch.iter().enumerate() {
                    let key = job.key();
                    let waiting = l.in_flight.remove(&key).unwrap_or_default();
                    match results.get(i) {
                        Some(Ok(())) => {
                            for u in waiting {
                                if !to_refresh.contains(&u) {
                                    to_refresh.push(u);
                                }
                            }
                        }
                        Some(Err(e)) => {
                            // The client's log (once), not the user's diagnostics.
                            super::log::log_once(&state, tower_lsp_server::ls_types::MessageType::WARNING, e);
                            l.failed.insert(key, std::time::Instant::now());
                        }
                        None => {
                            l.failed.insert(key, std::time::Instant::now());
                        }
                    }
                }
            }
            for u in to_refresh {
                refresh(client.clone(), state.clone(), u).await;
            }
        }
    });
}

/// Recomputes the diagnostics of the current version (the cached ones predate the new
/// platforms) and publishes them.
async fn refresh(client: Client, state: Arc<State>, uri: Uri) {
    let Some(version) = state.version(&uri) else { return };
    let (st, u) = (state.clone(), uri.clone());
    let recomputed = tokio::task::spawn_blocking(move || {
        let analysis = st.analysis(&u)?;
        guarded("diagnostics", || recompute(&st, &u, &analysis)).ok()?;
        Some(())
    })
    .await;
    if matches!(recomputed, Ok(Some(()))) {
        publish(client, state, uri, version).await;
    }
}
