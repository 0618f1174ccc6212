//! Rule family `shell_practices`: what RUN bodies do (cd, sudo, pipes, wget/curl, useradd…)
//! and how the build is laid out around them (consecutive RUNs, dependency installs, stages).
//! Each rule is registered in `RULES`; the helpers below are shared by the family.

#[allow(unused_imports)]
use super::prelude::*;

mod add_for_archives;
mod cd_in_run;
mod consecutive_run;
mod deps_manifest_first;
mod multi_stage;
mod no_sudo;
mod npm_prod_deps;
mod pointless_commands;
mod shell_pipefail;
mod use_shell_instruction;
mod useradd_no_log_init;
mod wget;

use std::ops::Range;

use crate::shell::{Command, RunAnalysis};
use crate::syntax::Stage;

pub static RULES: &[&Rule] = &[
    &cd_in_run::RULE,
    &no_sudo::RULE,
    &shell_pipefail::RULE,
    &use_shell_instruction::RULE,
    &wget::AND_CURL,
    &wget::PROGRESS,
    &pointless_commands::RULE,
    &useradd_no_log_init::RULE,
    &add_for_archives::RULE,
    &consecutive_run::RULE,
    &multi_stage::RULE,
    &npm_prod_deps::RULE,
    &deps_manifest_first::RULE,
];

/// The RUN instructions of a stage with their index and shell analysis.
fn stage_runs<'a>(ctx: &'a Context, stage: &'a Stage) -> impl Iterator<Item = (usize, &'a Instruction, &'a RunAnalysis)> + 'a {
    stage
        .instructions
        .clone()
        .map(move |i| (i, &*ctx.df.instructions[i], &*ctx.runs[i]))
        .filter(|(_, ins, _)| ins.kind == Kind::Run)
}

/// Every command of every RUN, with the RUN's index.
fn all_commands<'a>(ctx: &'a Context) -> impl Iterator<Item = (usize, &'a Instruction, &'a Command)> + 'a {
    ctx.instructions()
        .filter(|(_, ins)| ins.kind == Kind::Run)
        .flat_map(move |(i, ins)| ctx.runs[i].commands.iter().map(move |c| (i, ins, c)))
}

/// `command -v curl` and friends only look a program up; the shell analysis sees through
/// `command` as a wrapper, so the looked-up name shows up as the command.
fn is_lookup(ctx: &Context, cmd: &Command) -> bool {
    cmd.wrapper.as_deref() == Some("command")
        && ctx.text[cmd.range.start..cmd.name_range.start].split_whitespace().any(|w| w == "-v" || w == "-V")
}

/// 1-based line number of a byte offset (for messages).
/// Start of the line containing `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The blanks before `offset` on its line (empty when something else precedes it).
fn indentation(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let before = &text[start..offset];
    if before.chars().all(|c| c == ' ' || c == '\t') {
        before
    } else {
        ""
    }
}

/// The stage and its ancestors (`FROM builder AS test` builds on `builder`), nearest first.
fn stage_chain<'a>(ctx: &'a Context, stage: &'a Stage) -> impl Iterator<Item = &'a Stage> + 'a {
    let mut next = Some(stage);
    let mut steps = 0;
    std::iter::from_fn(move || {
        let s = next?;
        steps += 1;
        next = s.parent.and_then(|p| ctx.df.stages.get(p)).filter(|p| p.index < s.index && steps <= ctx.df.stages.len());
        Some(s)
    })
}

/// The base image a stage ultimately builds on (through earlier stages).
fn root_image<'a>(ctx: &'a Context, stage: &'a Stage) -> &'a crate::syntax::ImageRef {
    &stage_chain(ctx, stage).last().unwrap_or(stage).image
}

/// Alpine and BusyBox images: `/bin/sh` is BusyBox ash, `wget` is BusyBox wget.
fn is_busybox_based(ctx: &Context, stage: &Stage) -> bool {
    let img = root_image(ctx, stage);
    let repo = img.repository.0.to_ascii_lowercase();
    let tag = img.tag.as_ref().map(|t| t.0.to_ascii_lowercase()).unwrap_or_default();
    let last = repo.rsplit('/').next().unwrap_or(&repo);
    last == "alpine" || last == "busybox" || tag.contains("alpine") || last.ends_with("-alpine")
}

/// The value of an environment variable a RUN at instruction `idx` sees, as set in the
/// Dockerfile: ENV and ARG earlier in its stage, ENV of the stages it builds on.
fn env_value(ctx: &Context, idx: usize, name: &str) -> Option<String> {
    let stage = ctx.df.instructions.get(idx)?.stage.and_then(|s| ctx.df.stages.get(s))?;
    for (depth, s) in stage_chain(ctx, stage).enumerate() {
        let end = if depth == 0 { idx } else { s.instructions.end };
        for ins in ctx.df.instructions[s.instructions.start..end].iter().rev() {
            let inherited = ins.kind == Kind::Env || (depth == 0 && ins.kind == Kind::Arg);
            if !inherited {
                continue;
            }
            if let Some(p) = ins.pairs().iter().rev().find(|p| p.key.value == name) {
                return Some(p.value.as_ref().map(|v| v.value.to_string()).unwrap_or_default());
            }
        }
    }
    None
}

/// Whether `r` lies inside one of `outer`.
fn inside(r: &Range<usize>, outer: &[Range<usize>]) -> bool {
    outer.iter().any(|o| o.start <= r.start && r.end <= o.end)
}

/// A package word without its version (`gcc=12.2.0-14` → `gcc`, `make~=4` → `make`).
fn package_name(word: &str) -> &str {
    let end = word.find(['=', '<', '>', '~']).unwrap_or(word.len());
    &word[..end]
}

/// The package manager subcommand a command installs with: apt-get/apt install, apk add,
/// yum/dnf/microdnf/zypper install.
fn is_package_install(cmd: &Command) -> bool {
    let sub = cmd.subcommand().map(|a| a.value.as_str());
    match cmd.program() {
        "apt-get" | "apt" | "yum" | "dnf" | "microdnf" | "zypper" | "tdnf" => matches!(sub, Some("install" | "in")),
        "apk" => sub == Some("add"),
        _ => false,
    }
}
