//! Move cache-stable instructions up: ENV, ARG, LABEL, EXPOSE and system package installs that
//! follow a stage's first whole-context COPY (`COPY . .`) move above it, so a source change no
//! longer rebuilds them. Only when it is safe: no variable they use is set between, an ENV or
//! ARG moves past no RUN (whose environment it would change) and no name it sets is used by
//! what it moves past, and an install reads no file from the context and moves past no RUN,
//! USER or SHELL.

use std::ops::Range;
use std::sync::Arc;

use super::line_start;
use crate::lint::{Edit, Fix};
use crate::shell::RunAnalysis;
use crate::syntax::{Args, Dockerfile, Instruction, Kind};

/// How many instructions after the whole-context COPY are considered.
const WINDOW: usize = 64;

/// The names a text expands (`$NAME`, `${NAME…}`), conservatively.
fn referenced(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let start = i + 1 + usize::from(bytes.get(i + 1) == Some(&b'{'));
            let end = start + bytes[start.min(bytes.len())..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
            if end > start {
                out.push(&text[start..end]);
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// The names an ENV or ARG sets.
fn defined<'a>(text: &'a str, ins: &Instruction) -> Vec<&'a str> {
    match (&ins.kind, &ins.args) {
        (Kind::Env | Kind::Arg, Args::Pairs(pairs)) => pairs.iter().map(|p| &text[p.key.range.clone()]).collect(),
        _ => Vec::new(),
    }
}

/// COPY/ADD of the whole build context.
pub fn copies_whole_context(ins: &Instruction) -> bool {
    if !matches!(ins.kind, Kind::Copy | Kind::Add) || ins.flag("from").is_some() || ins.is_exec_form() || !ins.heredocs.is_empty() {
        return false;
    }
    let words = ins.words();
    words.len() >= 2 && words[..words.len() - 1].iter().any(|w| matches!(w.value.as_str(), "." | "./"))
}

/// A RUN that only installs system packages by name (apt-get/apt, apk, yum/dnf/microdnf,
/// zypper) and cleans up after them: it reads nothing from the build context.
fn system_install(run: &RunAnalysis) -> bool {
    !run.commands.is_empty()
        && run.commands.iter().all(|c| {
            let sub = c.subcommand().map(|a| a.value.as_str());
            let names_only = c.args.iter().all(|a| !a.value.contains('/') && !a.value.ends_with(".deb") && !a.value.ends_with(".rpm") && !a.value.starts_with('@'));
            let install = match c.program() {
                "apt-get" | "apt" => matches!(sub, Some("update" | "install" | "clean")),
                "apk" => matches!(sub, Some("add" | "update")),
                "yum" | "dnf" | "microdnf" => matches!(sub, Some("install" | "makecache" | "clean")),
                "zypper" => matches!(sub, Some("install" | "in" | "refresh" | "clean")),
                _ => false,
            };
            let cleanup = c.program() == "rm" && c.args.iter().filter(|a| !a.value.starts_with('-')).all(|a| a.value.starts_with("/var/lib/apt/lists") || a.value.starts_with("/var/cache/"));
            (install && names_only) || cleanup
        })
}

fn line_end(text: &str, offset: usize) -> usize {
    text[offset..].find('\n').map_or(text.len(), |i| offset + i + 1)
}

/// The lines of instruction `i` with the comment lines right above it.
pub(crate) fn lines_of(text: &str, df: &Dockerfile, i: usize) -> Range<usize> {
    let ins = &df.instructions[i];
    let mut start = line_start(text, ins.range.start);
    while start > 0 {
        let prev = line_start(text, start - 1);
        if !text[prev..start].trim_start().starts_with('#') || (i > 0 && prev < df.instructions[i - 1].range.end) {
            break;
        }
        start = prev;
    }
    start..line_end(text, ins.range.end)
}

/// The instructions after the stage's first whole-context COPY (`copy`) that can move above it.
fn movable(text: &str, df: &Dockerfile, runs: &[Arc<RunAnalysis>], copy: usize) -> Vec<usize> {
    let Some(stage) = df.instructions[copy].stage.and_then(|s| df.stages.get(s)) else { return Vec::new() };
    let mut moved: Vec<usize> = Vec::new();
    // The instructions soon after the COPY: each is checked against all between, so a bound
    // keeps a request on a stage of thousands of instructions quick.
    for i in copy + 1..stage.instructions.end.min(copy + 1 + WINDOW) {
        let ins = &df.instructions[i];
        if ins.nested.is_some() || !ins.heredocs.is_empty() || text[line_start(text, ins.range.start)..ins.range.start].trim() != "" {
            continue;
        }
        let kind_ok = match ins.kind {
            Kind::Env | Kind::Arg | Kind::Label | Kind::Expose => true,
            Kind::Run => ins.flags.is_empty() && runs.get(i).is_some_and(|r| system_install(r)),
            _ => false,
        };
        if !kind_ok {
            continue;
        }
        // What stays between the COPY and this instruction, which it would move past.
        let passed: Vec<&Instruction> = (copy..i).filter(|j| !moved.contains(j)).map(|j| &*df.instructions[j]).collect();
        let uses = referenced(&text[ins.range.clone()]);
        let sets = defined(text, ins);
        let safe = passed.iter().all(|p| {
            // Nothing it uses is set there, nothing it sets is used there.
            let set_there = defined(text, p);
            let used_there = referenced(&text[p.range.clone()]);
            !uses.iter().any(|u| set_there.contains(u))
                && !sets.iter().any(|s| used_there.contains(s))
                && match ins.kind {
                    Kind::Env | Kind::Arg => p.kind != Kind::Run && p.kind != Kind::Onbuild,
                    Kind::Run => !matches!(p.kind, Kind::Run | Kind::User | Kind::Shell | Kind::Onbuild),
                    _ => true,
                }
        });
        if safe {
            moved.push(i);
        }
    }
    moved
}

/// The move of every cache-stable instruction of the stage of instruction `at` (the
/// whole-context COPY, or one of the instructions to move) above the stage's first
/// whole-context COPY.
pub fn move_up(text: &str, df: &Dockerfile, runs: &[Arc<RunAnalysis>], at: usize) -> Option<Fix> {
    let stage = df.instructions.get(at)?.stage.and_then(|s| df.stages.get(s))?;
    let copy = stage.instructions.clone().find(|&i| copies_whole_context(&df.instructions[i]))?;
    let moved = movable(text, df, runs, copy);
    if moved.is_empty() || (at != copy && !moved.contains(&at)) {
        return None;
    }
    let target = lines_of(text, df, copy).start;
    let mut block = String::new();
    let mut edits = Vec::new();
    for &i in &moved {
        let r = lines_of(text, df, i);
        let mut piece = text[r.clone()].to_string();
        if !piece.ends_with('\n') {
            piece.push_str(super::newline(text));
        }
        block.push_str(&piece);
        edits.push(Edit { range: r, text: String::new() });
    }
    edits.insert(0, Edit { range: target..target, text: block });
    let copy_line = text[..df.instructions[copy].range.start].matches('\n').count() + 1;
    let what = if moved.len() == 1 {
        let ins = &df.instructions[moved[0]];
        let first_line = text[ins.range.clone()].lines().next().unwrap_or("").trim_end_matches(['\\', '`', ' ']);
        format!("`{first_line}`")
    } else {
        format!("{} cache-stable instructions", moved.len())
    };
    Some(Fix::safe(format!("Move {what} above the whole-context COPY on line {copy_line}"), edits))
}
