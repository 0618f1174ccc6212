//! apt: `apt-pin`, `apt-no-install-recommends`, `apt-lists-cleanup`, `apt-get-not-apt`.

use super::*;

/// apt-get options whose value is the next word.
pub(super) const APT_VALUE_OPTIONS: &[&str] = &[
    "-o",
    "--option",
    "-c",
    "--config-file",
    "-t",
    "--target-release",
    "--default-release",
    "-a",
    "--host-architecture",
    "-P",
    "--build-profiles",
    "--solver",
];

/// `apt-get …` or `apt …`, split, with its subcommand.
pub(super) fn apt_cli(cmd: &Command) -> Option<(Cli<'_>, &Arg)> {
    if !matches!(cmd.program(), "apt-get" | "apt") {
        return None;
    }
    let cli = Cli::parse(&cmd.args, APT_VALUE_OPTIONS);
    // A simulation (`apt-get install -s`) changes nothing.
    if cli.has(&["-s", "--simulate", "--just-print", "--dry-run", "--recon", "--no-act", "--print-uris"]) {
        return None;
    }
    let sub = cli.subcommand()?;
    Some((cli, sub))
}

pub static APT_PIN: Rule = Rule {
    id: "apt-pin",
    hadolint: &["DL3008"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Pinning,
    tags: &[],
    summary: "Pin versions in `apt-get install`",
    docs: r#"## What it does
Flags each package of `apt-get install` (or `apt install`) written without a version
(`curl` instead of `curl=7.88.1-10+deb12u8`).

## Why is this bad?
Without a version, the package is whatever the mirror has on the day of the build: two builds
of the same Dockerfile can differ, and an update can break the image without any change to
the Dockerfile. Pinning makes the build reproducible and upgrades deliberate.

## Example
```dockerfile
FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
```

## Use instead
```dockerfile
FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 \
    && rm -rf /var/lib/apt/lists/*
```

A word counts as pinned when it contains `=` (`curl=7.88.*` and `curl=$CURL_VERSION` too).
Not flagged: option values (`-t bookworm-backports`, `-o Dpkg::Options::=--force-confnew`),
words holding a variable (`$PACKAGES`: unknown here), `.deb` files and paths (`./pkg.deb`),
and the `pkg-` removal form.

## Differences from hadolint
`apt install` is checked like `apt-get install`. `curl/bookworm-backports` picks a release, not
a version, so it is flagged (hadolint accepts any word with `/`).
"#,
    opt_in: false,
    check: check_pin,
};

fn check_pin(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, _, run) in runs(ctx) {
        for cmd in &run.commands {
            let Some((cli, sub)) = apt_cli(cmd) else { continue };
            if sub.value != "install" {
                continue;
            }
            for pkg in cli.operands() {
                let v = pkg.value.as_str();
                if v.contains('=') || is_dynamic(v) || is_path_like(v) || v.ends_with(".deb") || v.ends_with('-') || v.is_empty() {
                    continue;
                }
                let name = v.split('/').next().unwrap_or(v).trim_end_matches('+');
                out.push(Finding::new(pkg.range.clone(), format!("Pin the version of `{name}`: `{name}=<version>`")));
            }
        }
    }
}

pub static NO_INSTALL_RECOMMENDS: Rule = Rule {
    id: "apt-no-install-recommends",
    hadolint: &["DL3015"],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Size,
    tags: &[],
    summary: "Add `--no-install-recommends` to `apt-get install`",
    docs: r#"## What it does
Flags `apt-get install` (or `apt install`) without `--no-install-recommends`.

## Why is this bad?
By default apt also installs every package the requested ones merely *recommend*: documentation
tools, extra libraries, sometimes whole language runtimes. They make the image larger, slower to
pull and give it more to patch, and the container rarely needs them.

## Example
```dockerfile
RUN apt-get update && apt-get install -y python3 \
    && rm -rf /var/lib/apt/lists/*
```

## Use instead
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends python3 \
    && rm -rf /var/lib/apt/lists/*
```

Not flagged: `-o APT::Install-Recommends=false`, an explicit `--install-recommends`, and a
Dockerfile that configures apt earlier in the stage (a RUN mentioning `APT::Install-Recommends`,
e.g. `echo 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/99norecommends`).

## Fix safety
The fix inserts `--no-install-recommends` after `install`. It is unsafe: the recommended
packages are no longer installed, and the software may have relied on one of them.

## Differences from hadolint
`apt install` is checked too, and apt configuration written by an earlier RUN is honoured.
"#,
    opt_in: false,
    check: check_recommends,
};

fn check_recommends(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, ins, run) in runs(ctx) {
        for cmd in &run.commands {
            let Some((cli, sub)) = apt_cli(cmd) else { continue };
            if sub.value != "install" || cli.has(&["--no-install-recommends", "--install-recommends"]) {
                continue;
            }
            let configured = cmd.args.iter().any(|a| a.value.contains("Install-Recommends")) || lineage_runs_mention(ctx, ins, "APT::Install-Recommends");
            if configured {
                continue;
            }
            out.push(maybe_fix(
                Finding::new(span(cmd, sub), format!("`{} install` also installs recommended packages; add `--no-install-recommends`", cmd.program())),
                insert_after_word(ctx, sub, " --no-install-recommends").map(|e| Fix::unsafe_("Add `--no-install-recommends` (unsafe: recommended packages are no longer installed)", vec![e])),
            ));
        }
    }
}

pub static LISTS_CLEANUP: Rule = Rule {
    id: "apt-lists-cleanup",
    hadolint: &["DL3009"],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Size,
    tags: &[],
    summary: "Delete `/var/lib/apt/lists` in the RUN that runs `apt-get update`",
    docs: r#"## What it does
Flags `apt-get update` (or `apt update`) in a RUN that does not also remove the package lists
with `rm -rf /var/lib/apt/lists/*`.

## Why is this bad?
`apt-get update` downloads the package indexes into `/var/lib/apt/lists`: tens of megabytes the
running container never needs. Each RUN is a layer, so they must be deleted in the same RUN: a
later `rm` hides them but the earlier layer still ships them. Stale lists also tempt a later
`apt-get install` without `update`, which then installs outdated versions or fails.

## Example
```dockerfile
FROM ubuntu:24.04
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
```

## Use instead
```dockerfile
FROM ubuntu:24.04
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
```
or keep the lists out of the image with a cache mount:
```dockerfile
RUN --mount=type=cache,target=/var/lib/apt,sharing=locked \
    --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && apt-get install -y --no-install-recommends ca-certificates
```

Not flagged: a RUN that runs `apt-get dist-clean` (apt 2.7.8 and later: it removes the lists
too), a RUN whose `--mount=type=cache` (or `type=tmpfs`) covers `/var/lib/apt/lists`
(a target of `/var/lib/apt/lists` or `/var/lib/apt`), and stages that only serve as a source
for `COPY --from` (builder stages: their files never ship).

## Fix safety
The fix appends `&& rm -rf /var/lib/apt/lists/*` to the RUN (a last line for a heredoc script).
It is safe, unless a later RUN runs `apt-get install` without its own `apt-get update`: that
install relied on the lists and would fail, so the fix is then marked unsafe.

## Differences from hadolint
hadolint only reports the last stage and stages used by name in a later `FROM`, which misses
other `--target` images in the same file; dockls reports every stage except those only copied
from. A cache mount on `/var/cache/apt` alone does not exempt the RUN: the lists live in
`/var/lib/apt/lists`.
"#,
    opt_in: false,
    check: check_lists,
};

fn check_lists(ctx: &Context, out: &mut Vec<Finding>) {
    let shipped = shipped_stages(ctx);
    for (idx, ins, run) in runs(ctx) {
        if !ships(&shipped, ins) {
            continue;
        }
        let update = run.commands.iter().find_map(|c| apt_cli(c).filter(|(_, sub)| sub.value == "update").map(|(_, sub)| (c, sub)));
        let Some((cmd, sub)) = update else { continue };
        // `apt-get dist-clean` (apt 2.7.8+) removes the lists too.
        let dist_clean = run.commands.iter().any(|c| apt_cli(c).is_some_and(|(_, s)| s.value == "dist-clean"));
        if dist_clean || removes(&run, "/var/lib/apt/lists") || mount_covers(ins, &["cache", "tmpfs"], "/var/lib/apt/lists") {
            continue;
        }
        let message = format!("The package lists of `{} update` stay in this layer; add `&& rm -rf /var/lib/apt/lists/*` to this RUN", cmd.program());
        let mut finding = Finding::new(span(cmd, sub), message);
        if let Some(edit) = append_command(ctx, ins, &cmd.range, "rm -rf /var/lib/apt/lists/*") {
            let title = "Remove /var/lib/apt/lists at the end of the RUN";
            finding = finding.with_fix(if later_install_without_update(ctx, idx, ins) { Fix::unsafe_(format!("{title} (unsafe: a later install in this stage needs the lists)"), vec![edit]) } else { Fix::safe(title, vec![edit]) });
        }
        out.push(finding);
    }
}

/// Whether a RUN after instruction `idx`, in its stage or a stage built FROM it, installs with
/// apt without updating the lists first.
fn later_install_without_update(ctx: &Context, idx: usize, ins: &Instruction) -> bool {
    let Some(stage) = ins.stage else { return false };
    runs(ctx).filter(|(i, later, _)| *i > idx && later.stage.is_some_and(|s| s == stage || descends(ctx, s, stage))).any(|(_, _, run)| {
        let subs: Vec<&str> = run.commands.iter().filter_map(|c| apt_cli(c).map(|(_, s)| s.value.as_str())).collect();
        subs.contains(&"install") && !subs.contains(&"update")
    })
}

fn descends(ctx: &Context, stage: usize, ancestor: usize) -> bool {
    let mut cur = ctx.df.stages.get(stage).and_then(|s| s.parent);
    let mut guard = 0;
    while let Some(p) = cur {
        if p == ancestor {
            return true;
        }
        guard += 1;
        if guard > ctx.df.stages.len() {
            return false;
        }
        cur = ctx.df.stages.get(p).and_then(|s| s.parent);
    }
    false
}

pub static APT_GET_NOT_APT: Rule = Rule {
    id: "apt-get-not-apt",
    hadolint: &["DL3027"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Maintainability,
    tags: &[],
    summary: "Use `apt-get` or `apt-cache` instead of `apt` in scripts",
    docs: r#"## What it does
Flags the `apt` command in RUN (`apt` without a subcommand, like `apt --version`, is left
alone).

## Why is this bad?
`apt` is the interactive front end: its output and options are not a stable interface (it
prints "WARNING: apt does not have a stable CLI interface. Use with caution in scripts.") and
its behaviour may change between releases. `apt-get` and `apt-cache` are the script-friendly
tools with the same features.

## Example
```dockerfile
RUN apt update && apt install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*
```

## Use instead
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*
```

## Fix safety
The fix renames `apt` to `apt-get` (`apt full-upgrade` becomes `apt-get dist-upgrade`) or to
`apt-cache` for `search`, `show`, `policy`, `depends`, `rdepends` and `showsrc`; there is no fix
for `apt list` and other commands without a direct counterpart. It is unsafe: the two CLIs
differ in details (defaults such as the progress bar and `--autoremove`, some messages), so a
script that parses the output or relies on an `apt` default may behave differently.
"#,
    opt_in: false,
    check: check_apt,
};

const APT_GET_SUBCOMMANDS: &[&str] = &[
    "install",
    "reinstall",
    "remove",
    "purge",
    "autoremove",
    "update",
    "upgrade",
    "dist-upgrade",
    "clean",
    "autoclean",
    "source",
    "build-dep",
    "download",
    "changelog",
    "check",
    "satisfy",
];
const APT_CACHE_SUBCOMMANDS: &[&str] = &["search", "show", "policy", "depends", "rdepends", "showsrc"];

fn check_apt(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, _, run) in runs(ctx) {
        for cmd in &run.commands {
            if cmd.program() != "apt" {
                continue;
            }
            let cli = Cli::parse(&cmd.args, APT_VALUE_OPTIONS);
            // `apt --version` and `apt --help` do nothing a script depends on.
            let Some(sub) = cli.subcommand() else { continue };
            // Rename the `apt` at the end of the name (`/usr/bin/apt` → `/usr/bin/apt-get`);
            // a quoted or escaped name gets no edit.
            let rename = |to: &str| {
                ctx.src(&cmd.name_range).ends_with("apt").then(|| Edit { range: cmd.name_range.end - 3..cmd.name_range.end, text: to.to_string() })
            };
            let s = sub.value.as_str();
            let (instead, fix) = if APT_GET_SUBCOMMANDS.contains(&s) {
                ("`apt-get`", rename("apt-get").map(|e| Fix::unsafe_("Use `apt-get` (unsafe: different defaults and output)", vec![e])))
            } else if s == "full-upgrade" {
                let fix = rename("apt-get").map(|e| {
                    Fix::unsafe_("Use `apt-get dist-upgrade` (unsafe: different defaults and output)", vec![e, Edit { range: sub.range.clone(), text: "dist-upgrade".into() }])
                });
                ("`apt-get dist-upgrade`", fix)
            } else if APT_CACHE_SUBCOMMANDS.contains(&s) {
                ("`apt-cache`", rename("apt-cache").map(|e| Fix::unsafe_("Use `apt-cache` (unsafe: different output)", vec![e])))
            } else {
                ("`apt-get`, `apt-cache` or `dpkg-query`", None)
            };
            let finding = Finding::new(cmd.name_range.clone(), format!("`apt` has no stable command-line interface for scripts; use {instead}"));
            out.push(maybe_fix(finding, fix));
        }
    }
}
