//! Diagnostics: the library's own type (byte ranges, no LSP) and the entry point that runs
//! every check over a snapshot.

mod flags;
mod syntax;
mod values;

use std::ops::Range;

use crate::document::Snapshot;
use crate::syntax::Dockerfile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Tag {
    /// Greyed out by editors (dead or redundant code).
    Unnecessary,
    /// Struck through by editors.
    Deprecated,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub range: Range<usize>,
    pub severity: Severity,
    /// Stable id: the rule id or the syntax check id (`unknown-instruction`, …).
    pub code: &'static str,
    pub message: String,
    pub tags: Vec<Tag>,
    /// Other places that explain this one (e.g. the first definition of a duplicate).
    pub related: Vec<(Range<usize>, String)>,
}

impl Diagnostic {
    pub fn new(code: &'static str, severity: Severity, range: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic { range, severity, code, message: message.into(), tags: Vec::new(), related: Vec::new() }
    }

    pub fn error(code: &'static str, range: Range<usize>, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, range, message)
    }

    pub fn warning(code: &'static str, range: Range<usize>, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, range, message)
    }

    pub fn with_related(mut self, range: Range<usize>, message: impl Into<String>) -> Self {
        self.related.push((range, message.into()));
        self
    }

    pub fn with_tag(mut self, tag: Tag) -> Self {
        self.tags.push(tag);
        self
    }
}

/// Every diagnostic for a snapshot, sorted by position.
pub fn diagnose(snapshot: &Snapshot) -> Vec<Diagnostic> {
    let df = Dockerfile::new(&snapshot.text, &snapshot.tree);
    diagnose_model(&snapshot.text, &df)
}

pub fn diagnose_model(text: &str, df: &Dockerfile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    syntax::check(text, df, &mut out);
    out.sort_by(|a, b| (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code)));
    out.dedup();
    out
}

/// The closest candidate to `word` (case-insensitive), if it is close enough to be a typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&w, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests;
