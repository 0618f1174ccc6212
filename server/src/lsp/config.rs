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
    /// Diagnostic codes not to publish.
    pub ignore: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { diagnostics: true, min_severity: crate::diagnostics::Severity::Hint, ignore: Vec::new() }
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
