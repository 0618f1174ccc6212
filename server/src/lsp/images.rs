//! Registry answers for requests (completion, hover, code actions): read from the cache at
//! once, and what is missing or stale fetched on a background thread — never on the message
//! loop, never twice at the same time, never when offline. A failed fetch is logged once and
//! not retried for a while; the client's next request sees whatever has arrived.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use tower_lsp_server::ls_types::{CodeAction, CodeActionKind, CodeActionOrCommand, MessageType, TextEdit, Uri, WorkspaceEdit};

use crate::ide::completion::{ImageSource, Want};
use crate::registry::{Cached, ImageInfo, Reference, Registry, Settings, Tags};
use crate::lsp::state::State;

/// A fetch that ended (failed, or found nothing more to cache) is not tried again for this
/// long: a mistyped tag, or a tag with no more specific one, costs one lookup, not one per
/// request.
const RETRY_AFTER: Duration = Duration::from_secs(120);

/// The configuration of `uri`: its configuration files under the client's settings.
pub fn config(state: &State, uri: &Uri) -> crate::config::Config {
    let dir = super::publish::uri_path(uri).and_then(|p| p.parent().map(|d| d.to_path_buf()));
    let mut config = dir.map_or_else(crate::config::Config::default, |d| crate::config::discover(&d).0);
    state.settings().overlay(&mut config);
    config
}

/// The registry settings for `uri`.
pub fn settings(state: &State, uri: &Uri) -> Settings {
    config(state, uri).registry_settings()
}

/// The hover sections at `offset` that need the registry (their ranges and markdown), from
/// the cache: on a FROM image, its facts; on an EXPOSE, the ports its stage's base image
/// already exposes. A missing or stale answer is fetched in the background for the next hover.
pub fn hover(state: &State, uri: &Uri, a: &crate::analysis::Analysis, offset: usize) -> Vec<(std::ops::Range<usize>, String)> {
    let config = config(state, uri);
    let target = config.target_platform();
    let settings = config.registry_settings();
    let mut out = Vec::new();
    let images = crate::lint::rules::base_images(a.text(), &a.dockerfile, &a.semantics, &target);
    if let Some(image) = images.into_iter().find(|i| i.range.start <= offset && offset <= i.range.end) {
        let cached = Cache(&settings).image(&image.reference);
        let fetching = cached.as_ref().is_none_or(|c| c.stale) && fetch_in_background(state, &settings, vec![Fetch::Image(image.reference.clone())]);
        use crate::ide::hover_image::{render, Missing};
        let missing = match () {
            _ if settings.offline => Missing::Offline,
            _ if fetching => Missing::Asking,
            _ => Missing::Failed,
        };
        let text = render(&image.name, &image.reference, cached.as_ref().map(|c| &c.value).ok_or(missing), &target, crate::registry::store::now());
        out.push((image.range, text));
    }
    out.extend(expose_hover(state, &settings, &target, a, offset));
    out
}

/// On an EXPOSE: the ports the stage's base image exposes already, when its config is cached
/// (else fetched for the next hover; nothing is shown meanwhile: the section is a side note).
fn expose_hover(state: &State, settings: &Settings, target: &crate::registry::Platform, a: &crate::analysis::Analysis, offset: usize) -> Option<(std::ops::Range<usize>, String)> {
    use crate::syntax::Kind;
    let ins = a.dockerfile.instructions.iter().find(|i| i.kind == Kind::Expose && i.range.start <= offset && offset <= i.range.end)?;
    let (shown, config) = stage_base_config(state, settings, target, a, ins.stage?)?;
    let ports = if config.exposed_ports.is_empty() { "no ports".to_string() } else { config.exposed_ports.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ") };
    Some((ins.range.clone(), format!("The base image {shown} exposes {ports} already (inherited: listing them again changes nothing).")))
}

/// The ENV of the base image of the stage at `offset` (through `FROM <stage>` chains), from
/// the cache (the list is not marked incomplete while it is fetched: the variables are there
/// either way).
pub fn base_env(state: &State, uri: &Uri, a: &crate::analysis::Analysis, offset: usize) -> Vec<String> {
    let Some(stage) = a.dockerfile.instruction_at(offset).and_then(|i| i.stage) else { return Vec::new() };
    let config = config(state, uri);
    stage_base_config(state, &config.registry_settings(), &config.target_platform(), a, stage).map(|(_, c)| c.env).unwrap_or_default()
}

/// The base image of `stage` (through `FROM <stage>` chains) as written, and its config for
/// `target` from the cache; a missing or stale one is fetched in the background for the next
/// request.
fn stage_base_config(state: &State, settings: &Settings, target: &crate::registry::Platform, a: &crate::analysis::Analysis, stage: usize) -> Option<(String, crate::registry::ImageConfig)> {
    let bases = crate::lint::rules::base_images(a.text(), &a.dockerfile, &a.semantics, target);
    let base = crate::lint::rules::expose_inherited::stage_base_image(a.text(), &a.dockerfile, &a.semantics, target, &bases, stage)?;
    let cached = Cache(settings).image(&base.reference);
    if cached.as_ref().is_none_or(|c| c.stale) {
        fetch_in_background(state, settings, vec![Fetch::Image(base.reference.clone())]);
    }
    let config = cached?.value.for_platform(target)?.config.clone();
    Some((base.shown.clone(), config))
}

/// The shared registry's cache, under `settings`.
pub struct Cache<'a>(pub &'a Settings);

impl ImageSource for Cache<'_> {
    fn tags(&self, r: &Reference) -> Option<Cached<Tags>> {
        Registry::shared().cached_tags(self.0, r)
    }
    fn digest(&self, r: &Reference) -> Option<Cached<String>> {
        Registry::shared().cached_digest(self.0, r)
    }
}

impl Cache<'_> {
    pub fn image(&self, r: &Reference) -> Option<Cached<ImageInfo>> {
        Registry::shared().cached_image(self.0, r)
    }
}

/// Something to fetch for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    Want(Want),
    Image(Reference),
    /// The exact tag of a moving one (its digest, the tags, their digests).
    ExactTag(Reference),
}

impl Fetch {
    fn key(&self, settings: &Settings) -> String {
        let what = match self {
            Fetch::Want(Want::Tags(r)) => format!("tags {}/{}", r.registry, r.repository),
            Fetch::Want(Want::Digest(r)) => format!("digest {r}"),
            Fetch::Image(r) => format!("image {r}"),
            Fetch::ExactTag(r) => format!("exact {r}"),
        };
        format!("{what} {:?} {:?}", settings.mirrors, settings.insecure)
    }

    fn run(&self, settings: &Settings) -> Result<(), String> {
        let registry = Registry::shared();
        match self {
            Fetch::Want(Want::Tags(r)) => registry.fetch_tags(settings, r).map(|_| ()).map_err(|e| format!("tags of `{}/{}`: {e}", r.registry, r.repository)),
            Fetch::Want(Want::Digest(r)) => registry.fetch_digest(settings, r).map(|_| ()).map_err(|e| format!("digest of `{r}`: {e}")),
            Fetch::Image(r) => registry.fetch_image(settings, r).map(|_| ()).map_err(|e| format!("image `{r}`: {e}")),
            Fetch::ExactTag(r) => {
                registry.exact_tag(settings, r, true);
                Ok(())
            }
        }
    }
}

#[derive(Default)]
struct Running {
    in_flight: std::collections::HashSet<String>,
    /// Fetches that ended, and when.
    ended: HashMap<String, Instant>,
}

fn running() -> std::sync::MutexGuard<'static, Running> {
    static RUNNING: OnceLock<Mutex<Running>> = OnceLock::new();
    RUNNING.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts `fetches` on a background thread (those not running, not failed lately); returns
/// whether any is running now (the answer is incomplete until they end). Offline: none.
pub fn fetch_in_background(state: &State, settings: &Settings, fetches: Vec<Fetch>) -> bool {
    if settings.offline || fetches.is_empty() {
        return false;
    }
    let mut start = Vec::new();
    let mut pending = false;
    {
        let mut r = running();
        for f in fetches {
            let key = f.key(settings);
            if r.ended.get(&key).is_some_and(|t| t.elapsed() < RETRY_AFTER) {
                continue;
            }
            pending = true;
            if r.in_flight.insert(key.clone()) {
                start.push((key, f));
            }
        }
    }
    if start.is_empty() {
        return pending;
    }
    let (settings, outbox) = (settings.clone(), state.outbox());
    let spawned = std::thread::Builder::new().name("dockls-registry".into()).spawn(move || {
        for (key, fetch) in start {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fetch.run(&settings))).unwrap_or_else(|_| Err("registry lookup panicked".into()));
            let mut r = running();
            r.in_flight.remove(&key);
            r.ended.insert(key, Instant::now());
            if let Err(e) = result {
                drop(r);
                super::log::log_once_to(outbox.clone(), MessageType::WARNING, e);
            }
        }
    });
    if spawned.is_err() {
        running().in_flight.clear();
        return false;
    }
    true
}

/// The images the FROMs of every open document name (for completion), sorted, once each.
pub fn workspace_images(state: &State) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for uri in state.open_uris() {
        let Some(a) = state.analysis(&uri) else { continue };
        let stage_names: Vec<&str> = a.dockerfile.stages.iter().filter_map(|s| s.name.as_ref().map(|n| n.text.as_str())).collect();
        for s in &a.dockerfile.stages {
            let name = s.image.text.split(['@']).next().unwrap_or("");
            let slash = name.rfind('/').map_or(0, |i| i + 1);
            let name = name[slash..].find(':').map_or(name, |i| &name[..slash + i]);
            if !name.is_empty() && !name.contains('$') && name != "scratch" && !stage_names.contains(&name) && !out.iter().any(|o| o == name) {
                out.push(name.to_string());
            }
        }
    }
    out.sort();
    out
}

/// The rules whose findings pinning fixes.
const PIN_RULES: &[&str] = &["image-latest", "image-tag-missing", "image-moving-tag", "image-digest"];

/// "Pin to digest" and "Pin to the exact version" for the FROM images in `start..end`, as
/// quick fixes of the pinning rules' findings there (else as rewrites), from the cache; what
/// is missing is fetched in the background for the next request.
pub fn pin_actions(
    state: &State,
    uri: &Uri,
    a: &crate::analysis::Analysis,
    range: std::ops::Range<usize>,
    diagnostics: &[crate::diagnostics::Diagnostic],
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let enc = state.encoding();
    let settings = settings(state, uri);
    let mut out = Vec::new();
    for stage in &a.dockerfile.stages {
        let image = &stage.image;
        if image.range.end < range.start || range.end < image.range.start || image.text.contains('$') || image.is_scratch() || stage.parent.is_some() {
            continue;
        }
        let Some(r) = Reference::parse(&image.text) else { continue };
        let digest = Registry::shared().cached_digest(&settings, &r).map(|d| d.value);
        let exact = Registry::shared().exact_tag(&settings, &r, false);
        if digest.is_none() || exact.is_none() {
            fetch_in_background(state, &settings, vec![Fetch::ExactTag(r.clone())]);
        }
        let found: Vec<_> = diagnostics
            .iter()
            .filter(|d| PIN_RULES.contains(&d.code) && d.range.start <= image.range.end && image.range.start <= d.range.end)
            .map(|d| super::convert::diagnostic(&a.snapshot, uri, d, enc))
            .collect();
        let kind = if found.is_empty() { CodeActionKind::REFACTOR_REWRITE } else { CodeActionKind::QUICKFIX };
        if only.is_some_and(|o| !o.iter().any(|k| kind.as_str() == k.as_str() || kind.as_str().starts_with(&format!("{}.", k.as_str())))) {
            continue;
        }
        for fix in crate::actions::pin::pin_fixes(image, digest.as_deref(), exact.as_deref()) {
            let edits = fix.edits.iter().map(|e| TextEdit::new(super::convert::range(&a.snapshot, &e.range, enc), e.text.clone())).collect();
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.to_string(),
                kind: Some(kind.clone()),
                diagnostics: (!found.is_empty()).then(|| found.clone()),
                edit: Some(WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), edits)])), ..Default::default() }),
                ..Default::default()
            }));
        }
    }
    out
}
