//! Checks that fixes and refactors can be trusted, on any Dockerfile: applying any single fix,
//! fix-all, or any refactor adds no syntax error; none adds a finding that was not there
//! (by rule, counted; except the ones [`ALLOWED`] names, which the rules' docs explain, and
//! [`REFACTOR_ALLOWED`]); a
//! merge of RUNs runs the same commands in the same order. The unit tests run it over every
//! fixture, `examples/verify_actions.rs` over the real-world corpus.

use std::collections::HashMap;

use crate::diagnostics::{diagnose_with, Diagnostic, Severity};
use crate::document::Snapshot;
use crate::lint::{Edit, LintOptions, RuleSelection};
use crate::semantics::Semantics;
use crate::syntax::Dockerfile;

use super::{apply, merge_run, plan_fixes, refactors};

/// (the rule whose fix it is, a finding that fix may add; `*`: any): trade-offs each rule's
/// "Fix safety" names (a test holds the docs to it).
pub const ALLOWED: &[(&str, &str)] = &[
    ("missing-user", "consecutive-run"),
    ("cd-in-run", "consecutive-run"),
    ("apk-no-cache", "apk-update-cache"),
    ("undefined-arg-in-from", "invalid-default-arg-in-from"),
    ("json-single-quotes", "*"),
    ("shell-pipefail", "heredoc-set-e"),
    ("yum-clean", "heredoc-set-e"),
    ("dnf-clean", "heredoc-set-e"),
    ("zypper-clean", "heredoc-set-e"),
    ("deps-manifest-first", "cache-mount"),
    ("insecure-download", "add-url-checksum"),
];

/// Findings a refactor may add: one that changes a RUN's flags or moves instructions can leave
/// two short RUNs with the same flags next to each other, which `consecutive-run` then offers
/// to merge.
pub const REFACTOR_ALLOWED: &[&str] = &["consecutive-run"];

fn allowed(fixing: &str, code: &str) -> bool {
    (fixing == "refactor" && REFACTOR_ALLOWED.contains(&code)) || ALLOWED.iter().any(|(f, c)| *f == fixing && (*c == code || *c == "*"))
}

/// What the checks found: one line per problem, and how many edits were tried.
#[derive(Debug, Default)]
pub struct Report {
    pub problems: Vec<String>,
    pub fixes: usize,
    pub refactors: usize,
    /// Merges of RUN groups checked for order, and how many of them take a RUN with heredocs.
    pub merges: usize,
    pub heredoc_merges: usize,
}

fn diagnostics(text: &str) -> (Snapshot, Dockerfile, Vec<Diagnostic>) {
    let snap = Snapshot::from_text(text);
    let df = Dockerfile::new(&snap.text, &snap.tree);
    let sem = Semantics::analyze(&snap.text, &df);
    let diags = diagnose_with(&snap.text, &df, &sem, &LintOptions::default(), &RuleSelection::default());
    (snap, df, diags)
}

/// Syntax errors (not rule findings) of a text.
fn syntax_errors(diags: &[Diagnostic]) -> usize {
    diags.iter().filter(|d| d.severity == Severity::Error && crate::lint::rule(d.code).is_none()).count()
}

fn counts(diags: &[Diagnostic]) -> HashMap<&'static str, usize> {
    let mut out = HashMap::new();
    for d in diags {
        *out.entry(d.code).or_insert(0) += 1;
    }
    out
}

/// The findings `after` has more of than `before`, by rule.
fn added(before: &HashMap<&'static str, usize>, after: &[Diagnostic], fixing: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = counts(after)
        .into_iter()
        .filter(|(code, n)| *n > before.get(code).copied().unwrap_or(0))
        .filter(|(code, _)| !allowed(fixing, code))
        .map(|(code, _)| code)
        .collect();
    out.sort();
    out
}

/// Runs every check on `text`; `name` heads each problem.
pub fn verify(name: &str, text: &str) -> Report {
    let mut report = Report::default();
    let (_, df, diags) = diagnostics(text);
    let errors = syntax_errors(&diags);
    let before = counts(&diags);
    let check = |report: &mut Report, what: &str, fixing: &str, edits: &[Edit], findings: bool| {
        let fixed = apply(text, edits);
        let (_, _, after) = diagnostics(&fixed);
        if syntax_errors(&after) > errors {
            report.problems.push(format!("{name}: {what} adds a syntax error:\n{fixed}"));
        }
        if findings {
            let new = added(&before, &after, fixing);
            if !new.is_empty() {
                report.problems.push(format!("{name}: {what} adds {}:\n{fixed}", new.join(", ")));
            }
        }
    };
    for d in &diags {
        for fix in &d.fixes {
            report.fixes += 1;
            check(&mut report, &format!("fix `{}` of {}", fix.title, d.code), d.code, &fix.edits, true);
        }
    }
    let plan = plan_fixes(&diags, false);
    if !plan.edits.is_empty() {
        report.fixes += 1;
        // Fix-all may add what any of its fixes may.
        let fixed = apply(text, &plan.edits);
        let (_, _, after) = diagnostics(&fixed);
        if syntax_errors(&after) > errors {
            report.problems.push(format!("{name}: fix-all adds a syntax error:\n{fixed}"));
        }
        let fixing: Vec<&str> = diags.iter().filter(|d| d.fixes.first().is_some_and(|f| f.safety == crate::lint::Safety::Safe)).map(|d| d.code).collect();
        let new: Vec<&str> = added(&before, &after, "").into_iter().filter(|c| !fixing.iter().any(|f| allowed(f, c))).collect();
        if !new.is_empty() {
            report.problems.push(format!("{name}: fix-all adds {}:\n{fixed}", new.join(", ")));
        }
    }
    // Refactors at every instruction (a cursor at its start) and over every pair of neighbours
    // (a selection): no new syntax error or finding.
    let mut seen: Vec<std::sync::Arc<[Edit]>> = Vec::new();
    for (i, ins) in df.instructions.iter().enumerate() {
        let cursor = std::iter::once(ins.range.start..ins.range.start);
        let selection = df.instructions.get(i + 1).map(|next| ins.range.start..next.range.end);
        for range in cursor.chain(selection) {
            for fix in refactors(text, &df, range) {
                if seen.contains(&fix.edits) {
                    continue;
                }
                report.refactors += 1;
                check(&mut report, &format!("refactor `{}`", fix.title), "refactor", &fix.edits, true);
                seen.push(fix.edits);
            }
        }
    }
    // Merged RUNs run the same commands, in the same order: each command's text (continuations
    // and blanks folded) is found in the merged RUN after the one before it.
    let runs: Vec<_> = df.instructions.iter().map(|i| crate::shell::analyze_run_cached(text, i)).collect();
    let fold = |s: &str| -> String {
        let esc = df.escape;
        let mut out = String::new();
        for line in s.lines() {
            let line = line.trim_end();
            // A comment line inside a continuation is no part of the command (BuildKit drops
            // it); left out of both sides, so a command spanning one is still found.
            if line.trim_start().starts_with('#') {
                continue;
            }
            let line = line.strip_suffix(esc).unwrap_or(line);
            out.push_str(line);
            out.push(' ');
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    // Every group the refactor may merge: with RUNs that have heredocs, and the shell-form RUNs
    // inside it alone.
    let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
    let mut i = 0;
    while i < df.instructions.len() {
        let Some(group) = merge_run::group_at(text, &df, &runs, i) else {
            i += 1;
            continue;
        };
        let mut j = group.start;
        while j < group.end {
            match merge_run::plain_group_at(text, &df, &runs, j) {
                Some(plain) => {
                    j = plain.end;
                    if plain != group {
                        groups.push(plain);
                    }
                }
                None => j += 1,
            }
        }
        i = group.end;
        groups.push(group);
    }
    for group in groups {
        // Commands inside another (`sh -c '…'`, `$(…)`) are part of its text.
        let mut outer: Vec<std::ops::Range<usize>> = Vec::new();
        for c in group.clone().flat_map(|g| runs[g].commands.iter()) {
            if outer.last().is_none_or(|o| c.range.start >= o.end) {
                outer.push(c.range.clone());
            }
        }
        let commands: Vec<String> = outer.iter().map(|r| fold(&text[r.clone()])).collect();
        for form in [merge_run::Form::Chain, merge_run::Form::Heredoc] {
            let Some(fix) = merge_run::merge(text, &df, &runs, group.clone(), form) else { continue };
            report.merges += 1;
            report.heredoc_merges += usize::from(group.clone().any(|g| !df.instructions[g].heredocs.is_empty()));
            let merged = fold(&fix.edits[0].text);
            let mut from = 0;
            for c in &commands {
                match merged[from..].find(c.as_str()) {
                    Some(at) => from += at + c.len(),
                    None => {
                        report.problems.push(format!("{name}: `{}` loses or reorders `{c}`:\n{}", fix.title, apply(text, &fix.edits)));
                        break;
                    }
                }
            }
        }
    }
    report
}
