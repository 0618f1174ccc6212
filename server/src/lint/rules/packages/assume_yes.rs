//! `pm-assume-yes`: package managers must not wait for a confirmation.

use super::apt::APT_VALUE_OPTIONS;
use super::rpm::{DNF_VALUE_OPTIONS, ZYPPER_VALUE_OPTIONS};
use super::*;

pub static RULE: Rule = Rule {
    id: "pm-assume-yes",
    hadolint: &["DL3014", "DL3030", "DL3038", "DL3034"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Maintainability,
    tags: &[],
    summary: "Pass `-y` so the package manager does not ask for confirmation",
    docs: r#"## What it does
Flags package-manager commands that change packages without the option that answers "yes" to
their confirmation prompt:

| command | subcommands checked | accepted |
|---|---|---|
| `apt-get`, `apt` | `install`, `reinstall`, `upgrade`, `dist-upgrade`, `full-upgrade`, `remove`, `purge`, `autoremove`, `build-dep`, `satisfy` | `-y`, `--yes`, `--assume-yes`, `-qq`, `-o APT::Get::Assume-Yes=true` |
| `yum`, `dnf`, `microdnf` | `install`, `reinstall`, `localinstall`, `groupinstall`, `update`, `upgrade`, `downgrade`, `distro-sync`, `remove`, `erase`, `autoremove`, `group`, `module` | `-y`, `--assumeyes` |
| `zypper` | `install`/`in`, `remove`/`rm`, `update`/`up`, `patch`, `dist-upgrade`/`dup`, `source-install`/`si` | `-n`/`--non-interactive` before the subcommand, `-y`/`--no-confirm` after it |

## Why is this bad?
`docker build` has no terminal to answer the prompt: the package manager reads end-of-file and
aborts ("Do you want to continue? [Y/n] Abort."), and the build fails, usually only once the
package set changes so that a prompt appears.

## Example
```dockerfile
RUN apt-get update && apt-get install --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
RUN dnf install httpd && dnf clean all
```

## Use instead
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
RUN dnf install -y httpd && dnf clean all
```

Not flagged: a stage that turns prompts off in the package manager's configuration in an earlier
RUN (one mentioning `APT::Get::Assume-Yes` or `assumeyes=`).

## Fix safety
The fix inserts `-y` after the subcommand (`zypper install -y` means `--no-confirm`). It is
safe: the same packages are installed, only without the prompt that would have aborted the
build.

## Differences from hadolint
hadolint checks only `install`; dockls also checks the other subcommands that ask for
confirmation (`remove`, `upgrade`, …) and `apt install`.
"#,
    opt_in: false,
    check,
};

const APT_SUBS: &[&str] = &["install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade", "remove", "purge", "autoremove", "build-dep", "satisfy"];
const RPM_SUBS: &[&str] = &[
    "install",
    "reinstall",
    "localinstall",
    "groupinstall",
    "update",
    "upgrade",
    "downgrade",
    "distro-sync",
    "remove",
    "erase",
    "autoremove",
    "group",
    "module",
];
const ZYPPER_SUBS: &[&str] = &["install", "in", "remove", "rm", "update", "up", "patch", "dist-upgrade", "dup", "source-install", "si"];

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, ins, run) in runs(ctx) {
        for cmd in &run.commands {
            let (cli, subs, yes, config): (Cli, &[&str], &[&str], Option<&str>) = match cmd.program() {
                "apt-get" | "apt" => (Cli::parse(&cmd.args, APT_VALUE_OPTIONS), APT_SUBS, &["-y", "--yes", "--assume-yes"], Some("APT::Get::Assume-Yes")),
                "yum" | "dnf" | "microdnf" | "dnf5" => (Cli::parse(&cmd.args, DNF_VALUE_OPTIONS), RPM_SUBS, &["-y", "--assumeyes"], Some("assumeyes=")),
                "zypper" => (Cli::parse(&cmd.args, ZYPPER_VALUE_OPTIONS), ZYPPER_SUBS, &["-y", "--no-confirm", "-n", "--non-interactive"], None),
                _ => continue,
            };
            let Some(sub) = cli.subcommand() else { continue };
            if !subs.contains(&sub.value.as_str()) || cli.has(yes) {
                continue;
            }
            // `dnf group list` and `dnf module list` do not prompt; `group install` does, and
            // `-y` goes after its action.
            let mut last = sub;
            if matches!(sub.value.as_str(), "group" | "module") {
                match cli.positionals.get(1) {
                    Some(a) if matches!(a.value.as_str(), "install" | "remove" | "upgrade" | "update" | "enable" | "disable" | "reset" | "switch-to") => last = a,
                    _ => continue,
                }
            }
            // `-qq` (quiet level 2) implies `-y` for apt-get.
            let quiet2 = cmd.program().starts_with("apt") && cli.options.iter().any(|o| o.value == "-qq" || o.value == "-q=2" || o.value == "--quiet=2");
            // Configuration: `-o APT::Get::Assume-Yes=true`, `--setopt=assumeyes=1`, or an
            // earlier RUN writing it to a config file.
            let configured = config.is_some_and(|needle| {
                cmd.args.iter().any(|a| a.value.to_ascii_lowercase().contains(&needle.to_ascii_lowercase())) || lineage_runs_mention(ctx, ins, needle)
            });
            if quiet2 || configured {
                continue;
            }
            let tool = cmd.program();
            let words = if last.range == sub.range { sub.value.to_string() } else { format!("{} {}", sub.value, last.value) };
            out.push(maybe_fix(
                Finding::new(span(cmd, last), format!("`{tool} {words}` asks for confirmation and aborts the build; add `-y`")),
                insert_after_word(ctx, last, " -y").map(|e| Fix::safe("Add `-y`", vec![e])),
            ));
        }
    }
}
