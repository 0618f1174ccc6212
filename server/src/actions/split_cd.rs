//! Split a RUN at `cd`: `RUN mkdir -p /src && cd /src && make` becomes `RUN mkdir -p /src`,
//! `WORKDIR /src` and `RUN make`. The fix of `cd-in-run` when the `cd` is in the middle of an
//! `&&` chain (a `cd` that starts the RUN is the rule's own, smaller fix).

use super::line_start;
use crate::lint::{Edit, Fix};
use crate::shell::structure::top_level;
use crate::shell::{Command, RunAnalysis};
use crate::syntax::{Args, Dockerfile};

/// The split of RUN `index` at its top-level `cd` (an operand of the RUN's single `&&` chain),
/// with `target` the directory's absolute path. Unsafe: WORKDIR stays for every later
/// instruction; the title also says when the commands after the `cd` lose shell state (a
/// variable, `set`) that the commands before it set.
pub fn split(text: &str, df: &Dockerfile, run: &RunAnalysis, index: usize, cd: &Command, target: &str) -> Option<Fix> {
    let ins = df.instructions.get(index)?;
    let Args::Shell(shell) = &ins.args else { return None };
    if !ins.heredocs.is_empty() || cd.wrapper.is_some() {
        return None;
    }
    let [script] = run.scripts.as_slice() else { return None };
    let shape = top_level(script)?;
    if shape.comments || shape.statements.len() != 1 || shape.chain.len() < 2 {
        return None;
    }
    let operands: Vec<_> = shape.chain.iter().map(|r| script.map_range(r.clone())).collect();
    let k = operands.iter().position(|r| *r == cd.range)?;
    // Operands in order inside the RUN's text (a script mapped oddly gets no fix).
    if operands.windows(2).any(|w| w[0].end > w[1].start) || operands.first()?.start < shell.range.start || operands.last()?.end > shell.range.end {
        return None;
    }
    // A cleanup after the `cd` would land in a later layer than the files it removes.
    let cleanup = |c: &&Command| {
        let sub = c.subcommand().map(|a| a.value.as_str()).unwrap_or("");
        match c.program() {
            "rm" => true,
            "apt-get" | "apt" => matches!(sub, "clean" | "autoclean" | "autoremove" | "purge" | "remove"),
            "yum" | "dnf" | "microdnf" | "zypper" => matches!(sub, "clean" | "remove" | "erase"),
            "apk" => sub == "del",
            "npm" | "yarn" | "pip" | "pip3" => sub == "cache",
            _ => false,
        }
    };
    if run.commands.iter().filter(|c| c.range.start >= cd.range.end).any(|c| cleanup(&c)) {
        return None;
    }
    let start = line_start(text, ins.range.start);
    let indent = &text[start..ins.range.start];
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let newline = super::newline(text);
    let head = &text[ins.range.start..shell.range.start];
    let raw = &text[shell.range.clone()];
    let body_start = shell.range.start + (raw.len() - raw.trim_start().len());
    let lower = ins.keyword.chars().any(|c| c.is_ascii_lowercase());
    let workdir = if lower { "workdir" } else { "WORKDIR" };
    let mut out = String::new();
    if k > 0 {
        out.push_str(&format!("{indent}{head}{}{newline}", &text[body_start..operands[k - 1].end]));
    }
    out.push_str(&format!("{indent}{workdir} {target}"));
    if k + 1 < operands.len() {
        let rest = &text[operands[k + 1].start..operands.last()?.end];
        // Shell options (`set -o pipefail`, `set -eux`) set before the `cd` hold after it too.
        let options: String = operands[..k]
            .iter()
            .filter(|r| run.commands.iter().any(|c| c.range == **r && c.program() == "set" && c.args.iter().all(|a| a.value.starts_with(['-', '+']) || a.value == "pipefail" || a.value == "errexit" || a.value == "nounset" || a.value == "xtrace")))
            .map(|r| format!("{} && ", &text[r.clone()]))
            .collect();
        out.push_str(&format!("{newline}{indent}{head}{options}{rest}"));
    }
    // What the commands after the `cd` could have relied on from the ones before it.
    let before_sets_state = k > 0 && {
        let before = &script.text[shape.chain[0].start..shape.chain[k - 1].end];
        let stateful = crate::shell::structure::STATEFUL;
        run.commands.iter().filter(|c| c.range.end <= operands[k - 1].end && c.program() != "set").any(|c| stateful.contains(&c.program()))
            || before.split_whitespace().any(|w| w.contains('=') && !w.starts_with('-') && w.split('=').next().is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')))
    };
    let title = if before_sets_state {
        format!("Split the RUN at `cd`: `{workdir} {target}` (unsafe: WORKDIR stays for later instructions, and the commands after the `cd` lose the shell state set before it)")
    } else {
        format!("Split the RUN at `cd`: `{workdir} {target}` (unsafe: WORKDIR stays for later instructions)")
    };
    Some(Fix::unsafe_(title, vec![Edit { range: start..ins.range.end, text: out }]))
}
