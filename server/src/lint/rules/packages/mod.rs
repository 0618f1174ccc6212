//! Rule family `packages`: package managers in RUN (apt, apk, pip, npm/yarn, the rpm family,
//! gem, go) — version pinning, cache and list cleanup, non-interactive installs, and cache
//! mounts.
//!
//! The rules share the helpers below: the RUN instructions with their shell analysis, a small
//! command-line splitter (options, their values, positionals), the RUN's `--mount`s, the stages
//! whose layers end up in an image, the ENV/ARG values visible at a RUN, and the edits that
//! append a command to a RUN.

mod apk;
mod apk_update;
mod apt;
mod assume_yes;
mod cache_mount;
mod gem_go;
mod node;
mod pip;
mod rpm;

use std::borrow::Cow;
use std::ops::Range;

#[allow(unused_imports)]
use super::prelude::*;
use crate::semantics::SymbolKind;
use std::sync::Arc;

use crate::shell::{analyze_run, Arg, Command, RunAnalysis};

pub static RULES: &[&Rule] = &[
    &apt::APT_PIN,
    &apt::NO_INSTALL_RECOMMENDS,
    &apt::LISTS_CLEANUP,
    &apt::APT_GET_NOT_APT,
    &assume_yes::RULE,
    &apk::APK_PIN,
    &apk::NO_CACHE,
    &apk_update::RULE,
    &pip::PIP_PIN,
    &pip::NO_CACHE_DIR,
    &node::NPM_PIN,
    &node::YARN_CACHE_CLEAN,
    &rpm::YUM_CLEAN,
    &rpm::DNF_CLEAN,
    &rpm::ZYPPER_CLEAN,
    &rpm::YUM_PIN,
    &rpm::DNF_PIN,
    &rpm::ZYPPER_PIN,
    &rpm::ZYPPER_DIST_UPGRADE,
    &gem_go::GEM_PIN,
    &gem_go::GO_INSTALL_PIN,
    &cache_mount::RULE,
];

/// RUN instructions with their index and shell analysis, including `ONBUILD RUN` triggers
/// (which have no stage: they run in an image built FROM this one). An exec-form RUN that
/// runs a program directly (`RUN ["apt-get", "install", "-y", "curl"]`) is that one command;
/// its words' ranges include the JSON quotes, so edits next to them are never offered.
pub(super) fn runs<'a>(ctx: &'a Context) -> impl Iterator<Item = (usize, &'a Instruction, Cow<'a, RunAnalysis>)> + 'a {
    ctx.package_runs.get_or_init(|| collect_runs(ctx)).iter().map(move |(i, trigger, run)| {
        let ins = &*ctx.df.instructions[*i];
        let ins = if *trigger { ins.nested.as_deref().unwrap_or(ins) } else { ins };
        (*i, ins, Cow::Borrowed(&**run))
    })
}

/// What [`runs`] iterates, computed once per lint run.
fn collect_runs(ctx: &Context) -> Vec<(usize, bool, Arc<RunAnalysis>)> {
    ctx.instructions()
        .filter_map(|(i, ins)| {
            let (ins, trigger, analysis) = match ins.kind {
                Kind::Run => (ins, false, ctx.runs[i].clone()),
                Kind::Onbuild => {
                    let trigger = ins.nested.as_deref().filter(|t| t.kind == Kind::Run)?;
                    (trigger, true, Arc::new(analyze_run(ctx.text, trigger)))
                }
                _ => return None,
            };
            if analysis.commands.is_empty() && analysis.scripts.is_empty() {
                if let Args::Exec(words) = &ins.args {
                    if let Some((name, args)) = words.split_first() {
                        let cmd = Command {
                            name: name.value.as_str().into(),
                            name_range: name.range.clone(),
                            args: args.iter().map(|w| Arg { value: w.value.as_str().into(), range: w.range.clone() }).collect(),
                            range: name.range.start..words.last().map_or(name.range.end, |w| w.range.end),
                            in_pipeline: false,
                            wrapper: None,
                        };
                        return Some((i, trigger, Arc::new(RunAnalysis { commands: vec![cmd], ..Default::default() })));
                    }
                }
            }
            Some((i, trigger, analysis))
        })
        .collect()
}

/// The finding with `fix` when there is one.
pub(super) fn maybe_fix(finding: Finding, fix: Option<Fix>) -> Finding {
    match fix {
        Some(fix) => finding.with_fix(fix),
        None => finding,
    }
}

/// An edit inserting `text` after a subcommand word, when the word is written plainly (its
/// source is its value): inside `sh -c "…"` with escapes or JSON the offsets may be off.
pub(super) fn insert_after_word(ctx: &Context, word: &Arg, text: &str) -> Option<Edit> {
    (ctx.src(&word.range) == word.value).then(|| insert_after(&word.range, text))
}

/// A command line split into options and positional arguments.
pub(super) struct Cli<'a> {
    /// Every option as written (`-y`, `--no-cache`, `--index-url=…`).
    pub options: Vec<&'a Arg>,
    pub positionals: Vec<&'a Arg>,
}

impl<'a> Cli<'a> {
    /// Splits `args`: a word starting with `-` is an option, and the next word is its value
    /// when the option is listed in `takes_value` (written separately: `-t bookworm`); after
    /// `--` everything is positional.
    pub fn parse(args: &'a [Arg], takes_value: &[&str]) -> Cli<'a> {
        let mut options = Vec::new();
        let mut positionals = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if a.value == "--" {
                positionals.extend(it.by_ref());
                break;
            }
            if a.value.starts_with('-') && a.value.len() > 1 {
                options.push(a);
                if takes_value.contains(&a.value.as_str()) {
                    it.next();
                }
            } else {
                positionals.push(a);
            }
        }
        Cli { options, positionals }
    }

    /// The first positional argument (the subcommand of `apt-get install …`).
    pub fn subcommand(&self) -> Option<&'a Arg> {
        self.positionals.first().copied()
    }

    /// The positionals after the subcommand (the packages of `apt-get install …`).
    pub fn operands(&self) -> &[&'a Arg] {
        self.positionals.get(1..).unwrap_or(&[])
    }

    /// Whether an option is present: exact long or short names, `--name=value`, and short
    /// options bundled like `-qy`.
    pub fn has(&self, names: &[&str]) -> bool {
        self.options.iter().any(|o| {
            names.iter().any(|n| {
                o.value == *n
                    || (n.starts_with("--") && o.value.strip_prefix(n).is_some_and(|rest| rest.starts_with('=')))
                    || (n.len() == 2
                        && !n.starts_with("--")
                        && !o.value.starts_with("--")
                        && o.value[1..].chars().all(|c| c.is_ascii_alphabetic())
                        && o.value[1..].contains(&n[1..]))
            })
        })
    }

    /// The value of an option written `--name value` or `--name=value` (not `-nvalue`).
    pub fn value_of(&self, args: &'a [Arg], names: &[&str]) -> Option<&'a str> {
        for (i, a) in args.iter().enumerate() {
            for n in names {
                if a.value == *n {
                    return args.get(i + 1).map(|v| v.value.as_str());
                }
                if let Some(v) = a.value.strip_prefix(n).and_then(|r| r.strip_prefix('=')) {
                    return Some(v);
                }
            }
        }
        None
    }
}

/// The program's base name matched against a name, ignoring a version suffix made of digits
/// and dots (`pip3.12` is `pip`, `python3` is `python`).
pub(super) fn program_is(cmd: &Command, base: &str) -> bool {
    let p = cmd.program();
    p.strip_prefix(base).is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// From the command name to the end of `arg`: the `apt-get install` of a finding about the
/// install as a whole.
pub(super) fn span(cmd: &Command, arg: &Arg) -> Range<usize> {
    cmd.name_range.start..arg.range.end.max(cmd.name_range.end)
}

/// An edit inserting `text` right after `range`.
pub(super) fn insert_after(range: &Range<usize>, text: impl Into<String>) -> Edit {
    Edit { range: range.end..range.end, text: text.into() }
}

/// Whether a word cannot be judged: a variable or command substitution may hold anything.
pub(super) fn is_dynamic(word: &str) -> bool {
    word.contains('$') || word.contains('`')
}

/// A `--mount` of a RUN.
#[derive(Debug, Clone)]
pub(super) struct Mount {
    /// `cache`, `tmpfs`, `bind` (the default), `secret`, `ssh`.
    pub kind: String,
    /// The target without a trailing `/`.
    pub target: String,
    pub id: Option<String>,
}

pub(super) fn mounts(ins: &Instruction) -> Vec<Mount> {
    ins.flags
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("mount"))
        .map(|f| {
            let get = |keys: &[&str]| {
                f.mount.iter().find(|o| keys.iter().any(|k| o.key.eq_ignore_ascii_case(k))).and_then(|o| o.value.as_ref()).map(|w| w.value.to_string())
            };
            let mut target = get(&["target", "dst", "destination"]).unwrap_or_default();
            while target.len() > 1 && target.ends_with('/') {
                target.pop();
            }
            Mount { kind: get(&["type"]).unwrap_or_else(|| "bind".into()).to_ascii_lowercase(), target, id: get(&["id"]) }
        })
        .collect()
}

/// Whether the RUN has any `--mount=type=cache`.
pub(super) fn has_cache_mount(ins: &Instruction) -> bool {
    mounts(ins).iter().any(|m| m.kind == "cache")
}

/// Whether `dir` (or all of it) lies inside the target of a `--mount` whose type is in `kinds`:
/// a mount on `/var/lib/apt` covers `/var/lib/apt/lists`.
pub(super) fn mount_covers(ins: &Instruction, kinds: &[&str], dir: &str) -> bool {
    mounts(ins).iter().any(|m| kinds.contains(&m.kind.as_str()) && path_within(dir, &m.target))
}

/// `path` is `dir` or below it.
pub(super) fn path_within(path: &str, dir: &str) -> bool {
    let path = path.trim_end_matches('/');
    !dir.is_empty() && (path == dir || dir == "/" || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
}

/// Whether some command of the RUN is `rm` of a path within `dir` (`rm -rf /var/cache/apk/*`,
/// `rm -rf /var/lib/apt/lists`), or of `dir`'s parent as a whole.
pub(super) fn removes(run: &RunAnalysis, dir: &str) -> bool {
    run.commands.iter().any(|c| {
        c.program() == "rm"
            && c.args.iter().any(|a| {
                let p = a.value.trim_end_matches('*').trim_end_matches('/');
                !a.value.starts_with('-') && !p.is_empty() && (path_within(p, dir) || path_within(dir, p))
            })
    })
}

/// Indices of the stages whose filesystem ends up in an image someone uses: the last stage,
/// every stage no later stage refers to (a `--target` of its own), and the stages these are
/// built `FROM`. A stage only ever copied from (`COPY --from=builder`) is a builder: what it
/// leaves on disk never ships, so image-size rules leave it alone.
pub(super) fn shipped_stages(ctx: &Context) -> Vec<bool> {
    ctx.shipped_stages.get_or_init(|| compute_shipped(ctx)).clone()
}

fn compute_shipped(ctx: &Context) -> Vec<bool> {
    let stages = &ctx.df.stages;
    let n = stages.len();
    let mut referenced = vec![false; n];
    for s in stages {
        if let Some(p) = s.parent {
            referenced[p] = true;
        }
    }
    // COPY --from / RUN --mount from= naming a stage by name or index: the latest stage of that
    // name that starts before the reference (the model's index of stage names).
    let mut next_stage = 0;
    for ins in &ctx.df.instructions {
        let here = ins.range.start;
        while next_stage < n && stages[next_stage].range.start < here {
            next_stage += 1;
        }
        let mut refer = |name: &str| {
            let by_index = name.parse::<usize>().ok().filter(|i| *i < next_stage && i.to_string() == name);
            let by_name = ctx.df.stages_named(name).rev().find(|s| s.range.start < here).map(|s| s.index);
            if let Some(i) = by_name.max(by_index) {
                referenced[i] = true;
            }
        };
        for f in &ins.flags {
            if f.name.eq_ignore_ascii_case("from") {
                if let Some(v) = &f.value {
                    refer(&v.value);
                }
            }
            if f.name.eq_ignore_ascii_case("mount") {
                for o in &f.mount {
                    if o.key.eq_ignore_ascii_case("from") {
                        if let Some(v) = &o.value {
                            refer(&v.value);
                        }
                    }
                }
            }
        }
    }
    // A stage ships when it is the last, nobody refers to it, or a stage built FROM it ships.
    // Parents come before their children, so walking backwards settles every child first.
    let mut shipped = vec![false; n];
    let mut child_shipped = vec![false; n];
    for i in (0..n).rev() {
        shipped[i] = i + 1 == n || !referenced[i] || child_shipped[i];
        if let (true, Some(p)) = (shipped[i], stages[i].parent) {
            child_shipped[p] = true;
        }
    }
    shipped
}

/// Whether the instruction's stage ships (see [`shipped_stages`]). Instructions outside any
/// stage count as shipped.
pub(super) fn ships(shipped: &[bool], ins: &Instruction) -> bool {
    ins.stage.is_none_or(|s| shipped.get(s).copied().unwrap_or(true))
}

/// The stage and the stages it is built `FROM`, nearest first (lazily: callers often stop at
/// the first match, and chains can be long).
fn lineage<'a>(ctx: &'a Context<'a>, stage: usize) -> impl Iterator<Item = usize> + 'a {
    // Parents always come earlier in the file, so the chain cannot loop; the bound is a guard.
    let mut next = Some(stage);
    let mut steps = 0;
    std::iter::from_fn(move || {
        let cur = next?;
        steps += 1;
        next = ctx.df.stages.get(cur).and_then(|s| s.parent).filter(|p| *p < cur && steps <= ctx.df.stages.len());
        Some(cur)
    })
}

/// A variable visible in a RUN's environment.
pub(super) enum VarValue {
    /// `ARG NAME` without a default: set by `--build-arg`, unknown here.
    Unknown,
    Value(String),
}

/// The ENV or ARG `name` in effect for instruction `ins`: an ENV earlier in its stage or in the
/// stages it is built FROM, or an ARG earlier in its own stage; the latest one wins.
pub(super) fn var_at(ctx: &Context, ins: &Instruction, name: &str) -> Option<VarValue> {
    let stage = ins.stage?;
    let candidates = ctx.sem.symbols_named(name);
    if candidates.is_empty() {
        return None;
    }
    let chain: Vec<usize> = lineage(ctx, stage).collect();
    candidates
        .iter()
        .map(|&id| &ctx.sem.symbols[id])
        .filter(|s| s.instruction.start < ins.range.start)
        .filter(|s| match s.kind {
            SymbolKind::Env => s.stage.is_some_and(|st| chain.contains(&st)),
            SymbolKind::Arg => s.stage == Some(stage),
            SymbolKind::Stage => false,
        })
        .max_by_key(|s| s.instruction.start)
        .map(|s| match &s.value {
            Some(w) => VarValue::Value(w.value.to_string()),
            None => VarValue::Unknown,
        })
}

/// Whether a boolean-ish environment value is off (`0`, `false`, `no`, `off`, empty).
pub(super) fn falsy(v: &str) -> bool {
    matches!(v.trim().to_ascii_lowercase().as_str(), "" | "0" | "false" | "no" | "off")
}

/// The user the RUN executes as, when a USER earlier in its stage (or the stages it is built
/// FROM) sets one; `None` means the base image's user, usually root.
pub(super) fn user_at(ctx: &Context, ins: &Instruction) -> Option<String> {
    let stage = ins.stage?;
    let users = ctx.users_by_stage.get_or_init(|| {
        let mut by_stage = vec![Vec::new(); ctx.df.stages.len()];
        for (i, u) in ctx.df.instructions.iter().enumerate().filter(|(_, u)| u.kind == Kind::User) {
            if let Some(list) = u.stage.and_then(|s| by_stage.get_mut(s)) {
                list.push(i);
            }
        }
        by_stage
    });
    let user = |i: usize| match &ctx.df.instructions[i].args {
        Args::User { user, .. } => Some(user.value.to_string()),
        _ => None,
    };
    // The last USER before the RUN in its own stage, else the last one of the nearest
    // ancestor stage that has one (ancestors come earlier in the file).
    let own = &users[stage];
    let before = own.partition_point(|&i| ctx.df.instructions[i].range.start < ins.range.start);
    if before > 0 {
        return user(own[before - 1]);
    }
    lineage(ctx, stage).skip(1).find_map(|s| users[s].last().copied()).and_then(user)
}

/// Whether the RUN executes as root (no USER, or USER root/0).
pub(super) fn runs_as_root(ctx: &Context, ins: &Instruction) -> bool {
    user_at(ctx, ins).is_none_or(|u| u == "root" || u == "0")
}

/// An edit that appends `command` to the RUN so that it runs after everything else, or
/// `None` when there is no safe place: shell form gets ` && command` (or ` command` after a
/// trailing `;`), a heredoc script gets a last line. Exec form, scripts ending in a comment
/// or an operator, and heredocs fed to other programs get no edit.
pub(super) fn append_command(ctx: &Context, ins: &Instruction, inside: &Range<usize>, command: &str) -> Option<Edit> {
    let Args::Shell(shell) = &ins.args else { return None };
    // A heredoc script: the body that holds the finding.
    if let Some(h) = ins.heredocs.iter().find(|h| h.body_range.as_ref().is_some_and(|b| b.start <= inside.start && inside.end <= b.end)) {
        let body = h.body_range.as_ref()?;
        if !ctx.text[body.clone()].ends_with('\n') {
            return None;
        }
        let indent = if h.strip_tabs { "\t" } else { "" };
        return Some(Edit { range: body.end..body.end, text: format!("{indent}{command}\n") });
    }
    if !(shell.range.start <= inside.start && inside.end <= shell.range.end) {
        return None;
    }
    let text = &ctx.text[shell.range.clone()];
    let last_line = text.rsplit('\n').next().unwrap_or(text);
    // A comment on the last line would swallow the appended command.
    if last_line.contains(" #") || last_line.trim_start().starts_with('#') {
        return None;
    }
    let trimmed = text.trim_end();
    if trimmed.ends_with(['&', '|', '\\', '(', '{']) {
        return None;
    }
    let end = shell.range.start + trimmed.len();
    let text = if trimmed.ends_with(';') { format!(" {command}") } else { format!(" && {command}") };
    Some(Edit { range: end..end, text })
}

/// Every text [`lineage_runs_mention`] is asked about.
pub(crate) const RUN_MENTIONS: &[&str] = &["APT::Get::Assume-Yes", "assumeyes=", "APT::Install-Recommends", "docker-clean"];

/// Whether the text of a RUN in the instruction's stage lineage, up to and including the
/// instruction itself, contains `needle` (case-insensitive): configuration written by an
/// earlier step, like `APT::Install-Recommends "false"` in `/etc/apt/apt.conf.d/`.
///
/// `needle` is one of [`RUN_MENTIONS`]: the incremental lint keys these rules' findings by which
/// earlier RUNs mention them.
pub(super) fn lineage_runs_mention(ctx: &Context, ins: &Instruction, needle: &str) -> bool {
    debug_assert!(RUN_MENTIONS.contains(&needle), "{needle} is not in RUN_MENTIONS");
    let Some(stage) = ins.stage else { return false };
    let needle = needle.to_ascii_lowercase();
    let first = {
        let mut memo = ctx.first_run_mentioning.lock().unwrap_or_else(|e| e.into_inner());
        memo.entry(needle.clone())
            .or_insert_with(|| {
                let mut first = vec![None; ctx.df.stages.len()];
                for i in ctx.df.instructions.iter().filter(|i| i.kind == Kind::Run) {
                    let Some(slot) = i.stage.and_then(|s| first.get_mut(s)) else { continue };
                    if slot.is_none() && ctx.src(&i.range).to_ascii_lowercase().contains(&needle) {
                        *slot = Some(i.range.start);
                    }
                }
                std::sync::Arc::new(first)
            })
            .clone()
    };
    first[stage].is_some_and(|at| at <= ins.range.start) || lineage(ctx, stage).skip(1).any(|s| first[s].is_some())
}

/// The image the stage's lineage starts from (`golang` for `FROM golang:1.23 AS build` and
/// every stage built FROM it).
pub(super) fn base_repository<'a>(ctx: &'a Context, ins: &Instruction) -> Option<&'a str> {
    let stage = ins.stage?;
    let root = lineage(ctx, stage).last()?;
    Some(ctx.df.stages[root].image.repository.0.as_str())
}

/// Package words that name a file or directory rather than a package from a repository.
pub(super) fn is_path_like(word: &str) -> bool {
    word.starts_with('.') || word.starts_with('/') || word.starts_with('~') || word.contains("://")
}

#[cfg(test)]
mod tests;
