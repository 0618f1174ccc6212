//! Diagnostics: the library's own type (byte ranges, no LSP) and the entry point that runs
//! every check over a snapshot.

pub mod flags;
mod mounts;
pub mod syntax;
pub mod values;

use std::ops::Range;

use crate::document::Snapshot;
use crate::lint::{LintOptions, RuleSelection};
use crate::semantics::Semantics;
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
    /// Shared: see [`crate::lint::Finding::message`].
    pub message: std::sync::Arc<str>,
    pub tags: Vec<Tag>,
    /// Other places that explain this one (e.g. the first definition of a duplicate).
    pub related: Vec<(Range<usize>, String)>,
    /// Fixes for this diagnostic, the preferred one first.
    #[serde(skip)]
    pub fixes: Vec<crate::lint::Fix>,
}

impl Diagnostic {
    pub fn new(code: &'static str, severity: Severity, range: Range<usize>, message: impl Into<std::sync::Arc<str>>) -> Self {
        Diagnostic { range, severity, code, message: message.into(), tags: Vec::new(), related: Vec::new(), fixes: Vec::new() }
    }

    pub fn error(code: &'static str, range: Range<usize>, message: impl Into<std::sync::Arc<str>>) -> Self {
        Self::new(code, Severity::Error, range, message)
    }

    pub fn warning(code: &'static str, range: Range<usize>, message: impl Into<std::sync::Arc<str>>) -> Self {
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

/// Every diagnostic for a snapshot with the default rules and no build context, sorted.
pub fn diagnose(snapshot: &Snapshot) -> Vec<Diagnostic> {
    let df = Dockerfile::new(&snapshot.text, &snapshot.tree);
    let sem = Semantics::analyze(&snapshot.text, &df);
    diagnose_with(&snapshot.text, &df, &sem, &LintOptions::default(), &RuleSelection::default())
}

/// Syntax diagnostics only.
pub fn diagnose_model(text: &str, df: &Dockerfile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    syntax::check(text, df, &mut out);
    sort(&mut out);
    out
}

/// Syntax diagnostics and the selected rules' findings (with their fixes), sorted.
pub fn diagnose_with(text: &str, df: &Dockerfile, sem: &Semantics, options: &LintOptions, selection: &RuleSelection) -> Vec<Diagnostic> {
    let syntax = || {
        let mut out = Vec::new();
        syntax::check(text, df, &mut out);
        out.retain(|d| !selection.disabled.iter().any(|c| c == d.code));
        out
    };
    let lint = || crate::lint::lint(text, df, sem, options, selection);
    // Syntax checks and rules are independent: run them side by side, unless this is a
    // keystroke's few changed instructions (see `lint::memo::few_changed`).
    let (mut out, findings) = if crate::lint::memo::few_changed(df) { (syntax(), lint()) } else { rayon::join(syntax, lint) };
    out.reserve(findings.len());
    for rd in findings {
        let mut d = rd.diagnostic;
        d.fixes = rd.fix.into_iter().chain(rd.alternatives).collect();
        out.push(d);
    }
    sort(&mut out);
    out
}

/// Computes the diagnostics of a small built-in Dockerfile that touches every stage of the
/// pipeline (typed model, semantics, shell analysis, every rule) and throws them away.
pub fn warm_up() {
    const SAMPLE: &str = "ARG BASE=debian:12\nFROM ${BASE} AS build\nRUN apt-get update && apt-get install -y curl \\\n    && pip install flask\nCOPY . /src\nFROM build\nUSER app\nCMD [\"app\"]\n";
    let snapshot = crate::document::Snapshot::from_text(SAMPLE);
    let analysis = crate::analysis::Analysis::new(snapshot);
    let _ = diagnose_with(analysis.text(), &analysis.dockerfile, &analysis.semantics, &Default::default(), &Default::default());
}

fn sort(out: &mut Vec<Diagnostic>) {
    out.sort_by(|a, b| (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code)));
    out.dedup_by(|a, b| a.range == b.range && a.code == b.code && a.message == b.message);
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

/// Renders diagnostics like the editor shows them: `line:col code message` and the source
/// line with `^` under the exact range.
pub fn render_annotated(text: &str, diags: &[Diagnostic]) -> String {
    let idx = crate::document::LineIndex::new(text);
    let mut out = String::new();
    for d in diags {
        let start = idx.position(text, d.range.start, crate::document::PositionEncoding::Utf32);
        let line = idx.line_range(text, start.line as usize);
        let src_line = &text[line.clone()];
        out.push_str(&format!("{}:{} {} [{}] {}\n", start.line + 1, start.character + 1, d.severity.as_str(), d.code, d.message));
        out.push_str(&format!("  | {src_line}\n"));
        let col = text[line.start..d.range.start.max(line.start)].chars().count();
        let end = d.range.end.min(line.end).max(d.range.start);
        let width = text[d.range.start..end].chars().count().max(1);
        out.push_str(&format!("  | {}{}\n", " ".repeat(col), "^".repeat(width)));
    }
    out
}

#[cfg(test)]
mod tests;
