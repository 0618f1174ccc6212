//! Code actions that are not a single rule's fix: suppressing a rule here or in the file,
//! applying every safe fix at once, and the refactors that restructure layers (one file each;
//! the rules whose fix they are call them).

pub mod cache_mount;
pub mod merge_run;
pub mod move_up;
pub mod reorder_copy;
pub mod split_cd;
pub mod verify;

use std::ops::Range;

use crate::diagnostics::Diagnostic;
use crate::lint::{Edit, Fix, Safety};
use crate::syntax::Dockerfile;

pub mod pin;

/// The line ending fixes write: the file's first one (CRLF or LF), as editors decide a file's
/// line ending. A function of the file on purpose: the incremental lint keys kept fixes by it
/// (see `lint::lint`). Only the first line is read: fixes ask for it once each, and searching
/// a 5,000-line LF file for a CRLF each time was a tenth of a RUN-dense file's cold open.
pub fn newline(text: &str) -> &'static str {
    match memchr::memchr(b'\n', text.as_bytes()) {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// `# dockls ignore=<id>` on its own line above the instruction containing `at`, indented like
/// it; an existing `# dockls ignore=` comment right above is extended instead.
pub fn ignore_here(text: &str, df: &Dockerfile, at: usize, rule_id: &str) -> Option<Fix> {
    let ins = df.instruction_at(at)?;
    let line_start = text[..ins.range.start].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = text[line_start..ins.range.start].chars().take_while(|c| c.is_whitespace()).collect();
    let newline = newline(text);
    // Extend `# dockls ignore=a` on the line above.
    if line_start > 0 {
        let prev_start = text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
        let prev = text[prev_start..line_start].trim_end();
        if let Some(pos) = prev.find("dockls ignore=") {
            if prev.trim_start().starts_with('#') {
                let end = prev_start + prev.len();
                let _ = pos;
                return Some(Fix::safe(
                    format!("Ignore `{rule_id}` for this instruction"),
                    vec![Edit { range: end..end, text: format!(",{rule_id}") }],
                ));
            }
        }
    }
    Some(Fix::safe(
        format!("Ignore `{rule_id}` for this instruction"),
        vec![Edit { range: line_start..line_start, text: format!("{indent}# dockls ignore={rule_id}{newline}") }],
    ))
}

/// Adds `buildkit_name` to the `# check=skip=` directive (creating it at the top of the file,
/// after other directives, when there is none).
pub fn ignore_in_file(text: &str, df: &Dockerfile, buildkit_name: &str) -> Fix {
    let title = format!("Ignore `{buildkit_name}` in this file (# check=skip)");
    let newline = newline(text);
    if let Some(d) = df.directive("check") {
        let value = &d.value;
        let edit = match value.find("skip=") {
            Some(i) => {
                let list_end = value[i..].find(';').map_or(value.len(), |j| i + j);
                let at = d.value_range.start + list_end;
                Edit { range: at..at, text: format!(",{buildkit_name}") }
            }
            None => {
                let at = d.value_range.end;
                Edit { range: at..at, text: format!(";skip={buildkit_name}") }
            }
        };
        return Fix::safe(title, vec![edit]);
    }
    let at = df.directives.last().map_or(0, |d| {
        let end = d.range.end;
        text[end..].find('\n').map_or(text.len(), |i| end + i + 1)
    });
    let at = if text.starts_with('\u{feff}') && at == 0 { 3 } else { at };
    Fix::safe(title, vec![Edit { range: at..at, text: format!("# check=skip={buildkit_name}{newline}") }])
}

/// The safe fixes of `diagnostics`, without overlapping edits (first come, first kept).
pub fn fix_all(diagnostics: &[Diagnostic]) -> Vec<Edit> {
    fixes_to_apply(diagnostics, false)
}

/// Like [`fix_all`]; with `include_unsafe`, unsafe fixes too.
pub fn fixes_to_apply(diagnostics: &[Diagnostic], include_unsafe: bool) -> Vec<Edit> {
    plan_fixes(diagnostics, include_unsafe).edits
}

/// What "fix all" does: its edits, how many fixes they make, and how many unsafe fixes it
/// leaves (for its title).
#[derive(Debug, Clone, Default)]
pub struct FixPlan {
    pub edits: Vec<Edit>,
    pub applied: usize,
    pub unsafe_left: usize,
}

pub fn plan_fixes(diagnostics: &[Diagnostic], include_unsafe: bool) -> FixPlan {
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut plan = FixPlan::default();
    let mut seen: Vec<&[Edit]> = Vec::new();
    for d in diagnostics {
        let Some(fix) = d.fixes.first() else { continue };
        if fix.safety != Safety::Safe && !include_unsafe {
            plan.unsafe_left += 1;
            continue;
        }
        // Several findings can share one fix (a merge of three RUNs): it is one fix.
        if seen.contains(&&*fix.edits) {
            continue;
        }
        let overlaps = fix.edits.iter().any(|e| {
            taken.iter().any(|t| e.range.start < t.end && t.start < e.range.end || (e.range.is_empty() && e.range.start == t.start))
        });
        if overlaps {
            continue;
        }
        seen.push(&fix.edits);
        plan.applied += 1;
        for e in fix.edits.iter() {
            taken.push(e.range.clone());
            plan.edits.push(e.clone());
        }
    }
    plan.edits.sort_by_key(|e| e.range.start);
    plan
}

/// The title of "fix all": how many fixes it applies, and that unsafe ones are left.
pub fn fix_all_title(plan: &FixPlan) -> String {
    let fixes = if plan.applied == 1 { "1 safe fix".to_string() } else { format!("{} safe fixes", plan.applied) };
    match plan.unsafe_left {
        0 => format!("Fix all (dockls): apply {fixes}"),
        1 => format!("Fix all (dockls): apply {fixes}; 1 unsafe fix left as a quick fix"),
        n => format!("Fix all (dockls): apply {fixes}; {n} unsafe fixes left as quick fixes"),
    }
}

/// What a code action is, as the editor groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    QuickFix,
    /// `refactor.rewrite`
    Rewrite,
    /// `source.fixAll`
    FixAll,
}

#[derive(Debug, Clone)]
pub struct Action {
    pub title: String,
    pub kind: ActionKind,
    pub edits: Vec<Edit>,
    /// The diagnostic (an index into the list given) this action fixes.
    pub diagnostic: Option<usize>,
    /// The one best fix of the request.
    pub preferred: bool,
    /// How to compute the edits again from the same text and diagnostics ([`resolve`]), so a
    /// client that resolves actions is sent the list without them; `None` for the cheap ones
    /// (the "ignore" comments), always sent with their edits.
    pub id: Option<ActionId>,
}

/// What identifies an action within one text and its diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionId {
    /// Fix number `fix` of diagnostic number `diagnostic`, whose rule is `code`.
    Fix { diagnostic: usize, code: String, fix: usize },
    /// The refactor titled `title` among those offered at `range`.
    Refactor { range: Range<usize>, title: String },
    /// "Fix all".
    FixAll,
}

/// The edits of the action `id` (see [`Action::id`]): `None` when it is not offered for this
/// text and these diagnostics (the text or the settings changed since it was listed).
pub fn resolve(text: &str, df: &Dockerfile, diagnostics: &[Diagnostic], id: &ActionId, title: &str) -> Option<Vec<Edit>> {
    match id {
        ActionId::Fix { diagnostic, code, fix } => {
            let d = diagnostics.get(*diagnostic).filter(|d| d.code == code.as_str())?;
            d.fixes.get(*fix).filter(|f| &*f.title == title).map(|f| f.edits.to_vec())
        }
        ActionId::Refactor { range, title } => {
            if range.start > range.end || range.end > text.len() || !text.is_char_boundary(range.start) || !text.is_char_boundary(range.end) {
                return None;
            }
            refactors(text, df, range.clone()).into_iter().find(|f| *f.title == **title).map(|f| f.edits.to_vec())
        }
        ActionId::FixAll => {
            let plan = plan_fixes(diagnostics, false);
            (!plan.edits.is_empty() && fix_all_title(&plan) == title).then_some(plan.edits)
        }
    }
}

/// Start of the line containing `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The index of the instruction containing `offset`.
fn instruction_index(df: &Dockerfile, offset: usize) -> Option<usize> {
    let i = df.instructions.partition_point(|ins| ins.range.end < offset);
    df.instructions.get(i).filter(|ins| ins.range.start <= offset).map(|_| i)
}

/// The refactors offered at `range` (a cursor or a selection) beyond the rules' fixes (which
/// reorder COPY, split at `cd`, add cache mounts and `--link`): merge RUNs (also long ones, or
/// a selection), move cache-stable instructions up, a pip cache mount instead of
/// `--no-cache-dir`.
pub fn refactors(text: &str, df: &Dockerfile, range: Range<usize>) -> Vec<Fix> {
    let runs: Vec<_> = df.instructions.iter().map(|i| crate::shell::analyze_run_cached(text, i)).collect();
    let mut out = Vec::new();
    let group = if range.is_empty() {
        instruction_index(df, range.start).and_then(|i| merge_run::group_at(text, df, &runs, i))
    } else {
        merge_run::group_in(text, df, &runs, range.clone())
    };
    let forms: &[merge_run::Form] =
        if merge_run::uses_buildkit_syntax(df) { &[merge_run::Form::Chain, merge_run::Form::Heredoc] } else { &[merge_run::Form::Chain] };
    if let Some(group) = group {
        let before = out.len();
        out.extend(merge_run::merge_forms(text, df, &runs, group.clone(), merge_run::line_number(text, df, &group), forms).into_iter().flatten());
        // A heredoc RUN that cannot join keeps the shell-form RUNs around the cursor mergeable.
        if out.len() == before && range.is_empty() {
            let plain = instruction_index(df, range.start).and_then(|i| merge_run::plain_group_at(text, df, &runs, i)).filter(|g| *g != group);
            if let Some(plain) = plain {
                let line = merge_run::line_number(text, df, &plain);
                out.extend(merge_run::merge_forms(text, df, &runs, plain, line, forms).into_iter().flatten());
            }
        }
    }
    if let Some(i) = instruction_index(df, range.start) {
        out.extend(move_up::move_up(text, df, &runs, i));
        out.extend(cache_mount::instead_of_no_cache_dir(text, df, &runs[i], i));
    }
    out
}

/// Every code action for a request: the fixes of the diagnostics the client sent (`context`,
/// indices into `diagnostics`) first, whatever the cursor, then those of the other diagnostics
/// under `range`, then "ignore" for each, the refactors at `range`, and "fix all". `wants`
/// filters by kind (the client's `only`).
pub fn code_actions(text: &str, df: &Dockerfile, diagnostics: &[Diagnostic], range: Range<usize>, context: &[usize], wants: impl Fn(ActionKind) -> bool) -> Vec<Action> {
    let mut out: Vec<Action> = Vec::new();
    let mut listed: Vec<usize> = Vec::new();
    for &i in context {
        if i < diagnostics.len() && !listed.contains(&i) {
            listed.push(i);
        }
    }
    for (i, d) in diagnostics.iter().enumerate() {
        if d.range.start <= range.end && range.start <= d.range.end && !listed.contains(&i) {
            listed.push(i);
        }
    }
    let push = |out: &mut Vec<Action>, action: Action| {
        if !out.iter().any(|a| a.edits == action.edits && a.kind == action.kind) {
            out.push(action);
        }
    };
    if wants(ActionKind::QuickFix) {
        let mut preferred_given = false;
        for &i in &listed {
            for (j, fix) in diagnostics[i].fixes.iter().enumerate() {
                let preferred = !preferred_given && fix.safety == Safety::Safe;
                preferred_given |= preferred;
                let id = ActionId::Fix { diagnostic: i, code: diagnostics[i].code.to_string(), fix: j };
                push(&mut out, Action { title: fix.title.to_string(), kind: ActionKind::QuickFix, edits: fix.edits.to_vec(), diagnostic: Some(i), preferred, id: Some(id) });
            }
        }
        for &i in &listed {
            let d = &diagnostics[i];
            let Some(rule) = crate::lint::rule(d.code) else { continue };
            if let Some(fix) = ignore_here(text, df, d.range.start, rule.id) {
                push(&mut out, Action { title: fix.title.to_string(), kind: ActionKind::QuickFix, edits: fix.edits.to_vec(), diagnostic: Some(i), preferred: false, id: None });
            }
            if let Some(bk) = rule.buildkit {
                let fix = ignore_in_file(text, df, bk);
                push(&mut out, Action { title: fix.title.to_string(), kind: ActionKind::QuickFix, edits: fix.edits.to_vec(), diagnostic: Some(i), preferred: false, id: None });
            }
        }
    }
    if wants(ActionKind::Rewrite) {
        for fix in refactors(text, df, range.clone()) {
            // A refactor that is also a listed diagnostic's fix is offered once, as the fix.
            if out.iter().any(|a| *a.edits == *fix.edits) {
                continue;
            }
            let id = ActionId::Refactor { range: range.clone(), title: fix.title.to_string() };
            push(&mut out, Action { title: fix.title.to_string(), kind: ActionKind::Rewrite, edits: fix.edits.to_vec(), diagnostic: None, preferred: false, id: Some(id) });
        }
    }
    if wants(ActionKind::FixAll) {
        let plan = plan_fixes(diagnostics, false);
        if !plan.edits.is_empty() {
            out.push(Action { title: fix_all_title(&plan), kind: ActionKind::FixAll, edits: plan.edits, diagnostic: None, preferred: false, id: Some(ActionId::FixAll) });
        }
    }
    out
}

/// Applies edits (non-overlapping) to `text`, as an LSP client applies a `TextEdit[]`: at one
/// offset the inserted texts come in the order given, before whatever replaces the text there.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut order: Vec<usize> = (0..edits.len()).collect();
    // From the end, so that the offsets still to apply stay valid; at one offset the
    // replacement first, then the insertions from the last to the first.
    order.sort_by_key(|&i| (std::cmp::Reverse(edits[i].range.start), edits[i].range.is_empty(), std::cmp::Reverse(i)));
    let mut out = text.to_string();
    for i in order {
        out.replace_range(edits[i].range.clone(), &edits[i].text);
    }
    out
}

#[cfg(test)]
mod snapshot_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Snapshot;

    fn df(text: &str) -> Dockerfile {
        let s = Snapshot::from_text(text);
        Dockerfile::new(&s.text, &s.tree)
    }

    #[test]
    fn insertions_at_a_replaced_offset_come_first_in_their_order() {
        // `yum-clean` appends to the first RUN where `consecutive-run` joins the next one.
        let text = "RUN yum install -y httpd\nRUN echo b\n";
        let end = text.find('\n').unwrap();
        let edits = [
            Edit { range: end..end, text: " && yum clean all".into() },
            Edit { range: end..end + 5, text: " && \\\n    ".into() },
            Edit { range: end..end, text: " && true".into() },
        ];
        assert_eq!(apply(text, &edits), "RUN yum install -y httpd && yum clean all && true && \\\n    echo b\n");
    }

    #[test]
    fn every_action_with_an_id_resolves_to_its_edits_and_a_changed_text_to_none() {
        let text = "# syntax=docker/dockerfile:1\nFROM debian:12\nRUN apt-get update\nRUN apt-get install curl\nRUN echo done\nMAINTAINER me\n";
        let d = df(text);
        let diags = crate::diagnostics::diagnose(&Snapshot::from_text(text));
        let at = text.find("RUN apt-get install").unwrap();
        let context: Vec<usize> = (0..diags.len()).collect();
        let actions = code_actions(text, &d, &diags, at..at, &context, |_| true);
        let kinds: Vec<ActionKind> = actions.iter().filter(|a| a.id.is_some()).map(|a| a.kind).collect();
        for k in [ActionKind::QuickFix, ActionKind::Rewrite, ActionKind::FixAll] {
            assert!(kinds.contains(&k), "no {k:?} with an id: {:?}", actions.iter().map(|a| &a.title).collect::<Vec<_>>());
        }
        for a in &actions {
            match &a.id {
                Some(id) => assert_eq!(resolve(text, &d, &diags, id, &a.title).as_ref(), Some(&a.edits), "{}", a.title),
                None => assert!(a.title.starts_with("Ignore"), "{}", a.title),
            }
        }
        // Another text (the second RUN gone): its fixes and merges are not there any more.
        let other = "# syntax=docker/dockerfile:1\nFROM debian:12\nRUN apt-get update\nMAINTAINER me\n";
        let (od, odiags) = (df(other), crate::diagnostics::diagnose(&Snapshot::from_text(other)));
        for a in actions.iter().filter(|a| a.kind != ActionKind::FixAll && a.title.contains("curl") || a.title.starts_with("Merge")) {
            assert_eq!(resolve(other, &od, &odiags, a.id.as_ref().unwrap(), &a.title), None, "{}", a.title);
        }
        // Out-of-range or mid-character ranges never panic.
        let id = ActionId::Refactor { range: 5..10_000, title: "x".into() };
        assert_eq!(resolve(text, &d, &diags, &id, "x"), None);
    }

    #[test]
    fn ignore_here_inserts_or_extends_a_comment() {
        let text = "FROM a\n  ADD x /y\n";
        let fix = ignore_here(text, &df(text), 10, "add-instead-of-copy").unwrap();
        let out = apply(text, &fix.edits);
        assert_eq!(out, "FROM a\n  # dockls ignore=add-instead-of-copy\n  ADD x /y\n");
        let fix = ignore_here(&out, &df(&out), out.find("ADD").unwrap(), "other").unwrap();
        assert_eq!(apply(&out, &fix.edits), "FROM a\n  # dockls ignore=add-instead-of-copy,other\n  ADD x /y\n");
    }

    #[test]
    fn ignore_in_file_uses_the_check_directive() {
        let text = "# syntax=docker/dockerfile:1\nFROM a\n";
        let out = apply(text, &ignore_in_file(text, &df(text), "MaintainerDeprecated").edits);
        assert_eq!(out, "# syntax=docker/dockerfile:1\n# check=skip=MaintainerDeprecated\nFROM a\n");
        let out2 = apply(&out, &ignore_in_file(&out, &df(&out), "JSONArgsRecommended").edits);
        assert_eq!(out2, "# syntax=docker/dockerfile:1\n# check=skip=MaintainerDeprecated,JSONArgsRecommended\nFROM a\n");
    }
}
