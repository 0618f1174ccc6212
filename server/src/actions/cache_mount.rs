//! Add a cache mount: `RUN --mount=type=cache,target=…` for package managers (the fix of
//! `cache-mount`, which finds the tool and its directories), and in the same edit the cleanup
//! that the mount makes pointless: `rm -rf /var/lib/apt/lists/*`, `apt-get clean`,
//! `npm cache clean`, `yarn cache clean`, `pip cache purge`, `go clean -cache`, an `rm` of the
//! mounted directory. For apt, Debian's `docker-clean` hook (which deletes every downloaded
//! package, leaving the cache empty) is removed first unless the file already does.

use crate::lint::Edit;
use crate::shell::structure::top_level;
use crate::shell::{Command, RunAnalysis};

/// Whether `cmd` only empties a cache the mount now keeps out of the image.
pub fn pointless_with_mount(cmd: &Command, dirs: &[String]) -> bool {
    let sub = cmd.subcommand().map(|a| a.value.as_str());
    let positional: Vec<&str> = cmd.args.iter().map(|a| a.value.as_str()).filter(|v| !v.starts_with('-')).collect();
    match cmd.program() {
        "apt-get" | "apt" => sub == Some("clean") && positional.len() == 1,
        "npm" => positional == ["cache", "clean"],
        "yarn" => positional == ["cache", "clean"],
        "pip" | "pip3" => positional == ["cache", "purge"],
        "go" => sub == Some("clean") && positional.len() == 1 && cmd.args.iter().all(|a| matches!(a.value.as_str(), "clean" | "-cache" | "-modcache")),
        "rm" => {
            let under = |p: &str| {
                let p = p.trim_end_matches('*').trim_end_matches('/');
                let p = p.replacen("~/", "/root/", 1);
                dirs.iter().any(|d| p == *d || p.starts_with(&format!("{d}/")))
            };
            !positional.is_empty() && positional.iter().all(|p| under(p))
        }
        _ => false,
    }
}

/// The edits removing the commands `remove` picks from the RUN's `&&` chain, each with the
/// `&&` and the continuation that joined it. Empty unless the script is one top-level chain and
/// some command stays.
pub fn remove_from_chain(run: &RunAnalysis, remove: impl Fn(&Command) -> bool) -> Vec<Edit> {
    let [script] = run.scripts.as_slice() else { return Vec::new() };
    let Some(shape) = top_level(script) else { return Vec::new() };
    if shape.statements.len() != 1 || shape.chain.len() < 2 || shape.comments {
        return Vec::new();
    }
    let operands: Vec<_> = shape.chain.iter().map(|r| script.map_range(r.clone())).collect();
    if operands.windows(2).any(|w| w[0].end > w[1].start) {
        return Vec::new();
    }
    // By range, not a scan of every command per operand, which made `dockls check` on one RUN
    // of 50,000 `&&`-joined installs take 9.3 s instead of 0.7 s.
    let at_operand: std::collections::HashSet<&std::ops::Range<usize>> = operands.iter().collect();
    let removable: std::collections::HashSet<&std::ops::Range<usize>> =
        run.commands.iter().filter(|c| at_operand.contains(&c.range) && remove(c)).map(|c| &c.range).collect();
    let removed: Vec<bool> = operands.iter().map(|r| removable.contains(r)).collect();
    let Some(first_kept) = removed.iter().position(|r| !r) else { return Vec::new() };
    let mut edits = Vec::new();
    if first_kept > 0 {
        edits.push(Edit { range: operands[0].start..operands[first_kept].start, text: String::new() });
    }
    for k in first_kept + 1..operands.len() {
        if removed[k] {
            edits.push(Edit { range: operands[k - 1].end..operands[k].end, text: String::new() });
        }
    }
    edits
}

/// On a RUN that keeps pip's cache out of the image with `--no-cache-dir` (and runs as root:
/// no USER before it in the file): a cache mount on `/root/.cache/pip` instead, the option
/// dropped in the same edit. The downloads then stay between builds.
pub fn instead_of_no_cache_dir(text: &str, df: &crate::syntax::Dockerfile, run: &RunAnalysis, index: usize) -> Option<crate::lint::Fix> {
    use crate::syntax::Kind;
    let ins = df.instructions.get(index)?;
    if ins.kind != Kind::Run || ins.flags.iter().any(|f| f.mount.iter().any(|m| m.key == "type" && m.value.as_ref().is_some_and(|v| v.value == "cache"))) {
        return None;
    }
    if df.instructions[..index].iter().any(|i| i.kind == Kind::User) {
        return None;
    }
    let mut edits = Vec::new();
    for cmd in run.commands.iter().filter(|c| c.program().starts_with("pip")) {
        for a in cmd.args.iter().filter(|a| a.value == "--no-cache-dir" && text[a.range.clone()] == *"--no-cache-dir") {
            // The option and the blank before it.
            let start = text[..a.range.start].trim_end_matches([' ', '\t']).len();
            edits.push(Edit { range: start..a.range.end, text: String::new() });
        }
    }
    if edits.is_empty() {
        return None;
    }
    let at = ins.keyword_range.end;
    edits.insert(0, Edit { range: at..at, text: " --mount=type=cache,target=/root/.cache/pip".into() });
    Some(crate::lint::Fix::unsafe_(
        "Keep pip's downloads in a cache mount instead of `--no-cache-dir` (unsafe: needs BuildKit; the cache is shared between builds)",
        edits,
    ))
}
