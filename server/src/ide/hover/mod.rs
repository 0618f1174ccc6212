//! Hover: what the thing under the cursor is, in a few lines. An instruction keyword, a flag, a
//! `--mount` type or key, a parser directive: their docs (`crate::docs`). A variable: its value
//! at that place and where it is set. A stage name: the stage's FROM. Below that, each problem
//! reported there once: its rule's summary and why, never the rule's whole page.

use std::ops::Range;

use crate::analysis::Analysis;
use crate::diagnostics::Diagnostic;
use crate::docs;
use crate::semantics::SymbolKind;
use crate::syntax::{Args, Instruction};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverInfo {
    pub markdown: String,
    /// What the hover is about (highlighted by some editors).
    pub range: Range<usize>,
}

/// The hover at `offset`. `extra` are sections others computed for ranges of the file (the
/// vulnerabilities of a base image, its registry facts); those containing `offset` are shown.
pub fn hover(a: &Analysis, offset: usize, diagnostics: &[Diagnostic], extra: &[(Range<usize>, String)]) -> Option<HoverInfo> {
    let within = |r: &Range<usize>| r.start <= offset && offset <= r.end;
    let mut sections: Vec<String> = Vec::new();
    let mut range: Option<Range<usize>> = None;

    if let Some((md, r)) = construct(a, offset) {
        sections.push(md);
        range = Some(r);
    }
    for (r, md) in extra.iter().filter(|(r, _)| within(r)) {
        sections.push(md.clone());
        range.get_or_insert_with(|| r.clone());
    }
    // One short entry per rule with a finding here.
    let mut seen: Vec<&str> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for d in diagnostics.iter().filter(|d| within(&d.range)) {
        if seen.contains(&d.code) {
            continue;
        }
        seen.push(d.code);
        range.get_or_insert_with(|| d.range.clone());
        match crate::lint::rule(d.code) {
            Some(rule) => {
                let mut entry = format!("**`{}`** ({}): {}.", rule.id, d.severity.as_str(), rule.summary.trim_end_matches('.'));
                if let Some(why) = why_paragraph(rule.docs) {
                    entry.push(' ');
                    entry.push_str(&why);
                }
                entry.push_str(&format!(" — more: `dockls rule {}`", rule.id));
                problems.push(entry);
            }
            None => problems.push(format!("**`{}`** ({}): {}", d.code, d.severity.as_str(), d.message)),
        }
    }
    if !problems.is_empty() {
        sections.push(problems.join("\n\n"));
    }
    if sections.is_empty() {
        return None;
    }
    Some(HoverInfo { markdown: sections.join("\n\n---\n\n"), range: range.unwrap_or(offset..offset) })
}

/// The first paragraph of a rule's "Why is this bad?" section, joined into one line.
fn why_paragraph(docs: &str) -> Option<String> {
    let after = docs.split("## Why is this bad?").nth(1)?;
    let para = after.trim_start().split("\n\n").next()?;
    let line = para.lines().take_while(|l| !l.starts_with("##")).collect::<Vec<_>>().join(" ");
    (!line.trim().is_empty()).then(|| line.trim().to_string())
}

/// The docs of the construct at `offset` and its range.
fn construct(a: &Analysis, offset: usize) -> Option<(String, Range<usize>)> {
    let df = &a.dockerfile;
    let within = |r: &Range<usize>| r.start <= offset && offset <= r.end;

    if let Some(d) = df.directives.iter().find(|d| within(&d.range)) {
        return docs::directive_markdown(&d.name).map(|md| (md, d.range.clone()));
    }
    let ins = df.instruction_at(offset)?;
    // ONBUILD's trigger is an instruction of its own.
    let ins: &Instruction = match &ins.nested {
        Some(n) if n.range.start <= offset => n,
        _ => ins,
    };
    if within(&ins.keyword_range) {
        return Some((docs::instruction_markdown(ins.kind), ins.keyword_range.clone()));
    }
    // Variables first: `--platform=$BUILDPLATFORM` is about the variable, not the flag.
    if let Some(hit) = symbol(a, offset) {
        return Some(hit);
    }
    if let Some((name, r)) = a.semantics.predefined.iter().find(|(_, r)| within(r)) {
        return docs::predefined_arg_markdown(name).map(|md| (md, r.clone()));
    }
    if let Some(u) = a.semantics.unresolved.iter().find(|u| within(&u.range)) {
        return Some((unresolved_markdown(u), u.range.clone()));
    }
    for flag in ins.flags.iter().filter(|f| within(&f.range)) {
        for m in &flag.mount {
            if within(&m.key_range) {
                return docs::mount_key_markdown(&m.key).map(|md| (md, m.key_range.clone()));
            }
            if m.key == "type" {
                if let Some(v) = m.value.as_ref().filter(|v| within(&v.range)) {
                    return docs::mount_type_markdown(&v.value).map(|md| (md, v.range.clone()));
                }
            }
        }
        if let Some(md) = docs::flag_markdown(ins.kind, &flag.name) {
            return Some((md, flag.range.clone()));
        }
    }
    if let Args::HealthcheckNone = ins.args {
        return Some((docs::instruction_markdown(ins.kind), ins.range.clone()));
    }
    None
}

/// A variable use that nothing in the Dockerfile sets before it.
fn unresolved_markdown(u: &crate::semantics::Unresolved) -> String {
    use crate::semantics::Why;
    let why = match &u.why {
        Why::Undeclared if u.in_shell => "not set by an ARG or ENV before this point: its value comes from the base image's environment or the shell, if anything sets it",
        Why::Undeclared => "not set by an ARG or ENV before this point: it expands to its value in the base image's environment, or to nothing",
        Why::PredefinedNotDeclared => "a predefined platform argument, which this stage must declare with `ARG` before using it",
        Why::BuildArgAtRuntime(_) => "a build argument, which no longer exists when the container runs this command",
    };
    format!("**`{}`**: {why}.", u.name)
}

/// A variable or a stage name, defined or used at `offset`.
fn symbol(a: &Analysis, offset: usize) -> Option<(String, Range<usize>)> {
    let sem = &a.semantics;
    let text = a.text();
    let df = &a.dockerfile;
    let id = sem.symbol_at(offset)?;
    let sym = &sem.symbols[id];
    let range = if sym.range.start <= offset && offset <= sym.range.end {
        sym.range.clone()
    } else {
        sem.references_to(id).find(|r| r.range.start <= offset && offset <= r.range.end)?.range.clone()
    };
    let line = |at: usize| a.snapshot.lines.line_of(at) + 1;
    let definition = text[sym.instruction.clone()].lines().next().unwrap_or("").trim();
    match sym.kind {
        SymbolKind::Stage => {
            let stage = df.stages.get(sym.stage?)?;
            let mut md = format!("**stage `{}`** (stage {} of {}), line {}:\n```dockerfile\n{definition}\n```", sym.name, stage.index + 1, df.stages.len(), line(sym.instruction.start));
            let users = sem.references_to(id).count();
            md.push_str(&format!("\n\nUsed {users} time{} in this file.", if users == 1 { "" } else { "s" }));
            Some((md, range))
        }
        SymbolKind::Arg | SymbolKind::Env => {
            let kind = if sym.kind == SymbolKind::Arg { if sym.stage.is_none() { "global build argument" } else { "build argument" } } else { "environment variable" };
            // The value where the cursor is: at a use, what the build sees there; at the
            // definition, what it sets.
            let at_use = range != sym.range;
            let value = if at_use {
                let stage = df.instruction_at(range.start).and_then(|i| i.stage);
                let stage = if df.instruction_at(range.start).is_some_and(|i| i.kind == crate::syntax::Kind::From) { None } else { stage };
                sem.values_at(text, df, stage, range.start).get(&sym.name).cloned().flatten()
            } else {
                sym.value.as_ref().map(|w| sem.resolve_word(text, df, w, sym.stage))
            };
            let value = match value {
                Some(v) if v.is_empty() => "empty".to_string(),
                Some(v) => format!("`{}`", v.replace('`', "'")),
                None if sym.kind == SymbolKind::Arg => "no default: set it with `--build-arg`".into(),
                None => "unknown".into(),
            };
            let mut md = format!("**`{}`** ({kind}) = {value}\n\nSet at line {}:\n```dockerfile\n{definition}\n```", sym.name, line(sym.instruction.start));
            if sym.kind == SymbolKind::Arg && sym.stage.is_none() {
                md.push_str("\n\nVisible in FROM lines; declare `ARG ");
                md.push_str(&sym.name);
                md.push_str("` inside a stage to use it there.");
            }
            Some((md, range))
        }
    }
}

#[cfg(test)]
mod tests;
