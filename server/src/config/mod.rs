//! Configuration from files: `.dockls.toml`, found by walking up from the Dockerfile, or, when
//! there is none, an existing `.hadolint.yaml` (`ignored`, `override`, `trustedRegistries`).
//! LSP settings are applied on top by the server. A broken file never stops linting: it is
//! reported (with a line when known) and the defaults are used.
//!
//! ```toml
//! [rules]
//! disable = ["apt-pin", "DL3059"]      # ids, hadolint codes or BuildKit names
//! enable = ["healthcheck-missing"]     # opt-in rules
//! severity = { image-latest = "error" }
//!
//! [registries]
//! trusted = ["docker.io", "ghcr.io"]
//! offline = true                       # never query registries (also DOCKLS_OFFLINE=1)
//! mirrors = { "docker.io" = "https://mirror.example.com" }
//! insecure = ["registry.lan:5000"]     # plain HTTP (loopback registries always are)
//!
//! [build]
//! context = "."                        # relative to this file; default: the Dockerfile's folder
//! platform = "linux/arm64"             # default: the machine dockls runs on
//!
//! [shellcheck]
//! enabled = true                       # default: when `shellcheck` is on PATH
//! path = "shellcheck"
//!
//! [vulnerabilities]
//! enabled = false                      # default: on (base image SBOM + OSV lookups)
//! osv-url = "https://osv.example.com"  # default: https://api.osv.dev (DOCKLS_OSV_URL wins)
//!
//! [format]                             # over .editorconfig's indent_style/indent_size
//! indent = 4                           # spaces, or "tab"
//! operators = "leading"                # `\` then `&& cmd` on the next line, or "trailing"
//! line-width = 80                      # longer commands put their arguments one per line
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::Severity;
use crate::lint::{LintOptions, RuleSelection};

#[derive(Debug, Clone, Default)]
pub struct Config {
    pub selection: RuleSelection,
    pub trusted_registries: Vec<String>,
    /// Build context directory (absolute), when configured.
    pub context: Option<PathBuf>,
    pub shellcheck_enabled: Option<bool>,
    pub shellcheck_path: Option<String>,
    /// Never query registries.
    pub offline: bool,
    /// Registry name → base URL used instead.
    pub mirrors: BTreeMap<String, String>,
    /// Registries reached over plain HTTP.
    pub insecure: Vec<String>,
    /// The platform builds target (`[build] platform`).
    pub build_platform: Option<crate::registry::Platform>,
    /// `[vulnerabilities] enabled` (`None`: on).
    pub vulnerabilities_enabled: Option<bool>,
    /// `[vulnerabilities] osv-url`, checked when read.
    pub osv_url: Option<String>,
    /// `[format]`.
    pub format: crate::format::FormatConfig,
    /// The file this came from.
    pub source: Option<PathBuf>,
}

/// A configuration file that could not be read or understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line, when the parser knows it.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.path.display(), l, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocklsToml {
    #[serde(default)]
    rules: RulesToml,
    #[serde(default)]
    registries: RegistriesToml,
    #[serde(default)]
    build: BuildToml,
    #[serde(default)]
    shellcheck: ShellcheckToml,
    #[serde(default)]
    vulnerabilities: VulnerabilitiesToml,
    #[serde(default)]
    format: FormatToml,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FormatToml {
    indent: Option<IndentToml>,
    operators: Option<String>,
    #[serde(rename = "line-width")]
    line_width: Option<usize>,
}

/// `indent = 4` or `indent = "tab"`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum IndentToml {
    Spaces(usize),
    Word(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct VulnerabilitiesToml {
    enabled: Option<bool>,
    #[serde(rename = "osv-url")]
    osv_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesToml {
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    enable: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistriesToml {
    #[serde(default)]
    trusted: Vec<String>,
    #[serde(default)]
    offline: bool,
    #[serde(default)]
    mirrors: BTreeMap<String, String>,
    #[serde(default)]
    insecure: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BuildToml {
    context: Option<String>,
    platform: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShellcheckToml {
    enabled: Option<bool>,
    path: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HadolintYaml {
    #[serde(default)]
    ignored: Vec<String>,
    #[serde(default, rename = "override")]
    overrides: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    trusted_registries: Vec<String>,
}

pub fn parse_severity(s: &str) -> Option<Severity> {
    match s.to_ascii_lowercase().as_str() {
        "error" => Some(Severity::Error),
        "warning" | "warn" => Some(Severity::Warning),
        "info" | "information" => Some(Severity::Info),
        "hint" | "style" => Some(Severity::Hint),
        _ => None,
    }
}

fn unknown_rule(name: &str) -> bool {
    crate::lint::rule(name).is_none()
}

/// Parses `.dockls.toml` text.
pub fn parse_dockls_toml(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let err = |line: Option<usize>, message: String| ConfigError { path: path.to_path_buf(), line, message };
    let raw: DocklsToml = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        err(line, e.message().to_string())
    })?;
    let mut c = Config { source: Some(path.to_path_buf()), ..Default::default() };
    for name in raw.rules.disable.iter().chain(&raw.rules.enable).chain(raw.rules.severity.keys()) {
        if unknown_rule(name) {
            let line = text.find(name.as_str()).map(|i| text[..i].matches('\n').count() + 1);
            return Err(err(line, format!("unknown rule `{name}` (see `dockls rule --list`)")));
        }
    }
    c.selection.disabled = raw.rules.disable;
    c.selection.enabled = raw.rules.enable;
    for (name, sev) in raw.rules.severity {
        let s = parse_severity(&sev).ok_or_else(|| {
            let line = text.find(sev.as_str()).map(|i| text[..i].matches('\n').count() + 1);
            err(line, format!("invalid severity `{sev}` for `{name}`: use error, warning, info or hint"))
        })?;
        c.selection.severity.push((name, s));
    }
    c.trusted_registries = raw.registries.trusted;
    c.offline = raw.registries.offline;
    c.mirrors = raw.registries.mirrors;
    c.insecure = raw.registries.insecure;
    if let Some(p) = raw.build.platform {
        let parsed = crate::registry::Platform::parse(&p).ok_or_else(|| {
            let line = text.find(p.as_str()).map(|i| text[..i].matches('\n').count() + 1);
            err(line, format!("invalid platform `{p}`: use os/arch[/variant], e.g. linux/arm64"))
        })?;
        c.build_platform = Some(parsed);
    }
    c.context = raw.build.context.map(|ctx| path.parent().unwrap_or(Path::new(".")).join(ctx));
    c.shellcheck_enabled = raw.shellcheck.enabled;
    c.shellcheck_path = raw.shellcheck.path;
    c.vulnerabilities_enabled = raw.vulnerabilities.enabled;
    let line_of = |needle: &str| text.find(needle).map(|i| text[..i].matches('\n').count() + 1);
    match raw.format.indent {
        Some(IndentToml::Spaces(n)) if (1..=16).contains(&n) => {
            c.format.indent = Some(n);
            c.format.tabs = Some(false);
        }
        Some(IndentToml::Word(w)) if w == "tab" => c.format.tabs = Some(true),
        Some(_) => return Err(err(line_of("indent"), "`indent` is a number of spaces (1 to 16) or \"tab\"".into())),
        None => {}
    }
    if let Some(o) = raw.format.operators {
        let p = crate::format::OperatorPlacement::parse(&o)
            .ok_or_else(|| err(line_of("operators"), format!("invalid operators `{o}`: use leading or trailing")))?;
        c.format.operators = Some(p);
    }
    c.format.line_width = raw.format.line_width;
    if let Some(url) = raw.vulnerabilities.osv_url {
        let checked = crate::vulns::osv::check_url(&url).map_err(|e| {
            let line = text.find(url.as_str()).map(|i| text[..i].matches('\n').count() + 1);
            err(line, e.to_string())
        })?;
        c.osv_url = Some(checked);
    }
    Ok(c)
}

/// Parses `.hadolint.yaml` text (the parts dockls understands; other keys are ignored).
pub fn parse_hadolint_yaml(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let raw: HadolintYaml = if text.trim().is_empty() {
        HadolintYaml::default()
    } else {
        serde_yaml_ng::from_str(text).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: e.location().map(|l| l.line()),
            message: e.to_string(),
        })?
    };
    let mut c = Config { source: Some(path.to_path_buf()), ..Default::default() };
    // hadolint codes we have no rule for (e.g. the label-schema family) are skipped silently.
    c.selection.disabled = raw.ignored;
    for (level, codes) in raw.overrides {
        let severity = match level.as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            "style" => Severity::Hint,
            other => {
                return Err(ConfigError {
                    path: path.to_path_buf(),
                    line: text.find(other).map(|i| text[..i].matches('\n').count() + 1),
                    message: format!("unknown override level `{other}`: use error, warning, info or style"),
                })
            }
        };
        for code in codes {
            c.selection.severity.push((code, severity));
        }
    }
    c.trusted_registries = raw.trusted_registries;
    Ok(c)
}

/// The configuration for a Dockerfile in `dir`: the nearest `.dockls.toml` walking up, else the
/// nearest `.hadolint.yaml`/`.hadolint.yml`. Returns defaults with the error when a file is broken.
pub fn discover(dir: &Path) -> (Config, Option<ConfigError>) {
    let mut hadolint: Option<PathBuf> = None;
    for d in dir.ancestors() {
        let toml = d.join(".dockls.toml");
        if toml.is_file() {
            return load(&toml, parse_dockls_toml);
        }
        if hadolint.is_none() {
            for name in [".hadolint.yaml", ".hadolint.yml"] {
                let p = d.join(name);
                if p.is_file() {
                    hadolint = Some(p);
                    break;
                }
            }
        }
    }
    match hadolint {
        Some(p) => load(&p, parse_hadolint_yaml),
        None => (Config::default(), None),
    }
}

fn load(path: &Path, parse: fn(&str, &Path) -> Result<Config, ConfigError>) -> (Config, Option<ConfigError>) {
    match std::fs::read_to_string(path) {
        Ok(text) => match parse(&text, path) {
            Ok(c) => (c, None),
            Err(e) => (Config { source: Some(path.to_path_buf()), ..Default::default() }, Some(e)),
        },
        Err(e) => (
            Config::default(),
            Some(ConfigError { path: path.to_path_buf(), line: None, message: format!("cannot read: {e}") }),
        ),
    }
}

/// Lint inputs for the Dockerfile at `dockerfile`: its build context (configured, or the
/// Dockerfile's folder) and the `.dockerignore` BuildKit would use (`<name>.dockerignore` next
/// to the Dockerfile first, then `<context>/.dockerignore`).
pub fn lint_options(dockerfile: &Path, config: &Config) -> LintOptions {
    let dir = dockerfile.parent().unwrap_or(Path::new("."));
    let context = config.context.clone().unwrap_or_else(|| dir.to_path_buf());
    let specific = dockerfile.file_name().map(|n| dir.join(format!("{}.dockerignore", n.to_string_lossy())));
    let dockerignore = specific
        .iter()
        .chain(std::iter::once(&context.join(".dockerignore")))
        .find_map(|p| std::fs::read_to_string(p).ok());
    // The manifests the "reorder COPY" fix may copy: only those that exist.
    let context_manifests = std::fs::read_dir(&context).ok().map(|entries| {
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let name = if e.file_type().is_ok_and(|t| t.is_dir()) { format!("{name}/") } else { name };
                crate::actions::reorder_copy::is_manifest_name(&name).then_some(name)
            })
            .collect();
        names.sort();
        names
    });
    LintOptions { dockerignore, context_known: true, context_manifests, ..config.base_lint_options() }
}

impl Config {
    /// Lint inputs that need no file system: trusted registries and the build platform.
    pub fn base_lint_options(&self) -> LintOptions {
        LintOptions { trusted_registries: self.trusted_registries.clone(), build_platform: self.build_platform.clone(), ..Default::default() }
    }

    /// How to reach registries under this configuration (`DOCKLS_OFFLINE` also turns the
    /// network off).
    pub fn registry_settings(&self) -> crate::registry::Settings {
        let mut s = crate::registry::Settings::default();
        s.offline |= self.offline;
        s.mirrors = self.mirrors.clone();
        s.insecure = self.insecure.clone();
        s
    }

    /// Whether base image vulnerabilities are looked up: the rule is on and the lookup not
    /// turned off (`[vulnerabilities] enabled = false`, the `dockls.vulnerabilities` setting).
    pub fn vulnerabilities_on(&self) -> bool {
        self.vulnerabilities_enabled != Some(false) && crate::lint::rule("image-vulnerabilities").is_some_and(|r| self.selection.is_on(r))
    }

    /// How to look vulnerabilities up: the registry settings, OSV's URL (`DOCKLS_OSV_URL`,
    /// else `[vulnerabilities] osv-url`, else OSV's public API) and the target platform.
    pub fn vulnerability_settings(&self) -> crate::vulns::Settings {
        crate::vulns::Settings {
            registry: self.registry_settings(),
            osv_url: crate::vulns::env_osv_url().or_else(|| self.osv_url.clone()).unwrap_or_else(|| crate::vulns::DEFAULT_OSV_URL.to_string()),
            platform: self.target_platform(),
        }
    }

    /// The platform builds target: configured, else this machine.
    pub fn target_platform(&self) -> crate::registry::Platform {
        self.build_platform.clone().unwrap_or_else(crate::registry::Platform::host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockls_toml() {
        let text = "[rules]\ndisable = [\"DL3008\"]\nenable = [\"image-latest\"]\nseverity = { image-latest = \"error\" }\n[registries]\ntrusted = [\"ghcr.io\"]\n";
        let c = parse_dockls_toml(text, Path::new("/p/.dockls.toml")).unwrap();
        assert_eq!(c.selection.disabled, ["DL3008"]);
        assert_eq!(c.selection.severity, [("image-latest".to_string(), Severity::Error)]);
        assert_eq!(c.trusted_registries, ["ghcr.io"]);
    }

    #[test]
    fn registries_and_build_platform() {
        let text = "[registries]\noffline = true\nmirrors = { \"docker.io\" = \"http://127.0.0.1:5000\" }\n[build]\nplatform = \"linux/arm64\"\n";
        let c = parse_dockls_toml(text, Path::new("/p/.dockls.toml")).unwrap();
        assert!(c.offline && c.registry_settings().offline);
        assert_eq!(c.mirrors["docker.io"], "http://127.0.0.1:5000");
        assert_eq!(c.target_platform().to_string(), "linux/arm64");
        let e = parse_dockls_toml("[build]\nplatform = \"arm64\"\n", Path::new(".dockls.toml")).unwrap_err();
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn vulnerabilities_section() {
        let c = parse_dockls_toml("[vulnerabilities]\nenabled = false\n", Path::new(".dockls.toml")).unwrap();
        assert!(!c.vulnerabilities_on());
        assert!(Config::default().vulnerabilities_on());
        let c = parse_dockls_toml("[rules]\ndisable = [\"image-vulnerabilities\"]\n", Path::new(".dockls.toml")).unwrap();
        assert!(!c.vulnerabilities_on());
        let c = parse_dockls_toml("[vulnerabilities]\nosv-url = \"http://127.0.0.1:8080/\"\n", Path::new(".dockls.toml")).unwrap();
        assert_eq!(c.osv_url.as_deref(), Some("http://127.0.0.1:8080"));
        let e = parse_dockls_toml("[vulnerabilities]\n\nosv-url = \"http://osv.example.com\"\n", Path::new(".dockls.toml")).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
    }

    #[test]
    fn broken_files_report_a_line() {
        let e = parse_dockls_toml("[rules]\ndisable = [\n", Path::new(".dockls.toml")).unwrap_err();
        assert!(e.line.is_some(), "{e}");
        let e = parse_dockls_toml("[rules]\ndisable = [\"no-such-rule\"]\n", Path::new(".dockls.toml")).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("no-such-rule"));
        let e = parse_dockls_toml("[rulez]\n", Path::new(".dockls.toml")).unwrap_err();
        assert!(e.message.contains("rulez"), "{e}");
        let e = parse_hadolint_yaml("ignored: [DL3008\n", Path::new(".hadolint.yaml")).unwrap_err();
        assert!(e.line.is_some(), "{e}");
    }

    #[test]
    fn hadolint_yaml() {
        let text = "ignored:\n  - DL3008\noverride:\n  error:\n    - DL3007\n  style:\n    - DL3059\ntrustedRegistries:\n  - docker.io\nfailure-threshold: warning\n";
        let c = parse_hadolint_yaml(text, Path::new(".hadolint.yaml")).unwrap();
        assert_eq!(c.selection.disabled, ["DL3008"]);
        assert!(c.selection.severity.contains(&("DL3007".to_string(), Severity::Error)));
        assert!(c.selection.severity.contains(&("DL3059".to_string(), Severity::Hint)));
        assert_eq!(c.trusted_registries, ["docker.io"]);
    }
}
