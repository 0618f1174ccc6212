//! Settings under the `dockls` section (`workspace/configuration`, or the payload of
//! `workspace/didChangeConfiguration`).

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Publish diagnostics at all.
    pub diagnostics: bool,
    /// Lowest severity to publish: "error", "warning", "info" or "hint".
    pub min_severity: crate::diagnostics::Severity,
    /// Diagnostic codes (rule ids, hadolint codes, BuildKit names) not to publish.
    pub ignore: Vec<String>,
    /// Opt-in rules to turn on.
    pub enable: Vec<String>,
    /// Severity per rule: `{ "image-latest": "error" }`.
    pub severity: std::collections::BTreeMap<String, String>,
    /// Registries FROM may use (enables `trusted-registry`).
    pub trusted_registries: Vec<String>,
    /// Never query registries (base image platforms come from the cache only).
    pub offline: bool,
    /// `registries.insecure`: registries reached over plain HTTP, as `.dockls.toml`'s
    /// `[registries] insecure`.
    pub registries: RegistrySettings,
    /// Target platform of the build, `os/arch[/variant]` (default: the configuration file's,
    /// else this machine's).
    pub build_platform: Option<String>,
    /// Look up the known vulnerabilities of base images (SBOM from the registry, advisories
    /// from OSV).
    pub vulnerabilities: bool,
    /// Formatting: where `&&`/`||` go and the line width (indentation comes with each
    /// formatting request, from the editor).
    pub format: FormatSettings,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct RegistrySettings {
    /// Registries (as written in references, `registry.lan:5000`) reached over plain HTTP.
    pub insecure: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct FormatSettings {
    /// `"leading"` (default) or `"trailing"`.
    pub operators: Option<String>,
    pub line_width: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            diagnostics: true,
            min_severity: crate::diagnostics::Severity::Hint,
            ignore: Vec::new(),
            enable: Vec::new(),
            severity: Default::default(),
            trusted_registries: Vec::new(),
            offline: false,
            registries: RegistrySettings::default(),
            build_platform: None,
            vulnerabilities: true,
            format: FormatSettings::default(),
        }
    }
}

impl Settings {
    /// Reads settings from a JSON value: either the `dockls` section itself or an object
    /// containing it. Unknown keys are ignored; a malformed value keeps the defaults and
    /// returns a message for the log.
    pub fn from_json(value: &serde_json::Value) -> Result<Settings, String> {
        let section = value.get("dockls").unwrap_or(value);
        if section.is_null() {
            return Ok(Settings::default());
        }
        serde_json::from_value(section.clone()).map_err(|e| format!("invalid dockls settings: {e}"))
    }
}

impl Settings {
    /// Applies these settings on top of a file configuration (settings win).
    pub fn overlay(&self, config: &mut crate::config::Config) {
        config.selection.disabled.extend(self.ignore.iter().cloned());
        config.selection.enabled.extend(self.enable.iter().cloned());
        for (rule, sev) in &self.severity {
            if let Some(s) = crate::config::parse_severity(sev) {
                config.selection.severity.push((rule.clone(), s));
            }
        }
        if !self.trusted_registries.is_empty() {
            config.trusted_registries = self.trusted_registries.clone();
        }
        config.offline |= self.offline;
        // Added to the file's list: either place may name a registry on the local network.
        for host in &self.registries.insecure {
            if !config.insecure.iter().any(|h| h.eq_ignore_ascii_case(host)) {
                config.insecure.push(host.clone());
            }
        }
        if !self.vulnerabilities {
            config.vulnerabilities_enabled = Some(false);
        }
        // An unparsable platform keeps the file's (the settings have no place to show an error).
        if let Some(p) = self.build_platform.as_deref().and_then(crate::registry::Platform::parse) {
            config.build_platform = Some(p);
        }
        if let Some(p) = self.format.operators.as_deref().and_then(crate::format::OperatorPlacement::parse) {
            config.format.operators = Some(p);
        }
        if let Some(w) = self.format.line_width {
            config.format.line_width = Some(w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_settings_apply_on_top_of_the_file() {
        let s = Settings::from_json(&serde_json::json!({ "dockls": { "offline": true, "buildPlatform": "linux/arm64" } })).unwrap();
        let mut config = crate::config::Config::default();
        s.overlay(&mut config);
        assert!(config.offline);
        assert_eq!(config.build_platform.map(|p| p.to_string()).as_deref(), Some("linux/arm64"));
        // A platform that doesn't parse keeps what the file said.
        let s = Settings::from_json(&serde_json::json!({ "buildPlatform": "arm64" })).unwrap();
        let mut config = crate::config::Config::default();
        s.overlay(&mut config);
        assert!(config.build_platform.is_none() && !config.offline);
        assert!(config.vulnerabilities_on());
        let s = Settings::from_json(&serde_json::json!({ "dockls": { "vulnerabilities": false } })).unwrap();
        let mut config = crate::config::Config::default();
        s.overlay(&mut config);
        assert!(!config.vulnerabilities_on());
    }

    #[test]
    fn insecure_registries_add_to_the_files_list() {
        let s = Settings::from_json(&serde_json::json!({ "dockls": { "registries": { "insecure": ["registry.lan:5000", "other.lan"] } } })).unwrap();
        let mut config = crate::config::Config { insecure: vec!["OTHER.lan".into()], ..Default::default() };
        s.overlay(&mut config);
        assert_eq!(config.insecure, ["OTHER.lan", "registry.lan:5000"]);
        let r = crate::registry::Reference::parse("registry.lan:5000/app:1").unwrap();
        assert_eq!(crate::registry::base_url(&config.registry_settings(), &r).unwrap(), "http://registry.lan:5000");
        // Without the setting, a registry that is not loopback by name is asked over HTTPS.
        let r = crate::registry::Reference::parse("vm:5000/app:1").unwrap();
        assert_eq!(crate::registry::base_url(&config.registry_settings(), &r).unwrap(), "https://vm:5000");
    }
}
