//! The rpm family: `yum-clean`, `dnf-clean`, `zypper-clean`, `yum-pin`, `dnf-pin`,
//! `zypper-pin`, `zypper-dist-upgrade`.

use super::*;

/// yum/dnf/microdnf options whose value is the next word.
pub(super) const DNF_VALUE_OPTIONS: &[&str] = &[
    "-c",
    "--config",
    "-d",
    "--debuglevel",
    "-e",
    "--errorlevel",
    "-x",
    "--exclude",
    "--enablerepo",
    "--disablerepo",
    "--repo",
    "--repoid",
    "--installroot",
    "--releasever",
    "--setopt",
    "--forcearch",
    "--repofrompath",
    "--color",
    "--destdir",
    "--downloaddir",
    "--comment",
    "--advisory",
    "--bz",
    "--cve",
    "--sec-severity",
    "--platform-module",
];

/// zypper options (global and per command) whose value is the next word.
pub(super) const ZYPPER_VALUE_OPTIONS: &[&str] = &[
    "-R",
    "--root",
    "-c",
    "--config",
    "-D",
    "--reposd-dir",
    "-C",
    "--cache-dir",
    "--raw-cache-dir",
    "--solv-cache-dir",
    "--pkg-cache-dir",
    "-t",
    "--type",
    "-r",
    "--repo",
    "--from",
    "-p",
    "--plus-repo",
    "--plus-content",
];

/// A package manager of the rpm family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Yum,
    Dnf,
    Zypper,
}

fn tool_of(cmd: &Command) -> Option<Tool> {
    match cmd.program() {
        "yum" => Some(Tool::Yum),
        "dnf" | "microdnf" | "dnf5" | "dnf-3" => Some(Tool::Dnf),
        "zypper" => Some(Tool::Zypper),
        _ => None,
    }
}

fn cli_of(tool: Tool, cmd: &Command) -> Cli<'_> {
    Cli::parse(&cmd.args, if tool == Tool::Zypper { ZYPPER_VALUE_OPTIONS } else { DNF_VALUE_OPTIONS })
}

/// Subcommands that download metadata or packages into the cache.
fn fills_cache(tool: Tool, cli: &Cli) -> bool {
    let Some(sub) = cli.subcommand() else { return false };
    let next = cli.positionals.get(1).map(|a| a.value.as_str());
    match tool {
        Tool::Yum | Tool::Dnf => match sub.value.as_str() {
            "install" | "groupinstall" | "localinstall" | "reinstall" | "update" | "upgrade" | "downgrade" | "distro-sync" | "makecache" | "builddep" => true,
            "group" | "module" => matches!(next, Some("install" | "update" | "upgrade")),
            _ => false,
        },
        Tool::Zypper => matches!(
            sub.value.as_str(),
            "install" | "in" | "update" | "up" | "dist-upgrade" | "dup" | "patch" | "source-install" | "si" | "refresh" | "ref"
        ),
    }
}

struct CleanRule {
    tool: Tool,
    names: &'static [&'static str],
    cache_dir: &'static str,
}

const YUM: CleanRule = CleanRule { tool: Tool::Yum, names: &["yum"], cache_dir: "/var/cache/yum" };
const DNF: CleanRule = CleanRule { tool: Tool::Dnf, names: &["dnf", "microdnf", "dnf5", "dnf-3"], cache_dir: "/var/cache/dnf" };
const ZYPPER: CleanRule = CleanRule { tool: Tool::Zypper, names: &["zypper"], cache_dir: "/var/cache/zypp" };

pub static YUM_CLEAN: Rule = Rule {
    id: "yum-clean",
    hadolint: &["DL3032"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Size,
    tags: &[],
    summary: "Run `yum clean all` in the RUN that installs with yum",
    docs: r#"## What it does
Flags a RUN that installs or updates packages with `yum` without running `yum clean all` (or
removing `/var/cache/yum`) in the same RUN.

## Why is this bad?
yum keeps the repository metadata and the downloaded packages in `/var/cache/yum`: often more
than a hundred megabytes the running container never needs. Each RUN is a layer, so the cache
must be cleaned in the same RUN; a later `yum clean all` hides it but the earlier layer still
ships it.

## Example
```dockerfile
FROM centos:7
RUN yum install -y httpd-2.4.6
```

## Use instead
```dockerfile
FROM centos:7
RUN yum install -y httpd-2.4.6 && yum clean all
```

Not flagged: a RUN with a `--mount=type=cache` (or `type=tmpfs`) on `/var/cache/yum`, and
stages that only serve as a source for `COPY --from` (builder stages: their files never ship).

## Fix safety
The fix appends `&& yum clean all` to the RUN (a last line for a heredoc script). It is safe:
only caches are removed, and yum downloads metadata again when it next needs it.
In a heredoc the added command can make a script of several commands: `heredoc-set-e`
then asks for `set -e`.

## Differences from hadolint
hadolint reports builder stages too (hadolint#929).
"#,
    opt_in: false,
    check: |ctx, out| check_clean(ctx, out, &YUM),
};

pub static DNF_CLEAN: Rule = Rule {
    id: "dnf-clean",
    hadolint: &["DL3040"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Size,
    tags: &[],
    summary: "Run `dnf clean all` in the RUN that installs with dnf",
    docs: r#"## What it does
Flags a RUN that installs or updates packages with `dnf` or `microdnf` without running
`dnf clean all` / `microdnf clean all` (or removing `/var/cache/dnf`) in the same RUN.

## Why is this bad?
dnf keeps the repository metadata (and, if configured, the packages) in `/var/cache/dnf`: often
more than a hundred megabytes the running container never needs. Each RUN is a layer, so the
cache must be cleaned in the same RUN; a later `dnf clean all` hides it but the earlier layer
still ships it.

## Example
```dockerfile
FROM fedora:41
RUN dnf install -y nginx-1.26.2
```

## Use instead
```dockerfile
FROM fedora:41
RUN dnf install -y nginx-1.26.2 && dnf clean all
```

Not flagged: a RUN with a `--mount=type=cache` (or `type=tmpfs`) on `/var/cache/dnf` (or
`/var/cache/yum`, which dnf also uses on some releases), and stages that only serve as a source
for `COPY --from` (builder stages: their files never ship).

## Fix safety
The fix appends `&& dnf clean all` (`microdnf clean all` for microdnf) to the RUN (a last line
for a heredoc script). It is safe: only caches are removed.
In a heredoc the added command can make a script of several commands: `heredoc-set-e`
then asks for `set -e`.

## Differences from hadolint
hadolint reports builder stages too.
"#,
    opt_in: false,
    check: |ctx, out| check_clean(ctx, out, &DNF),
};

pub static ZYPPER_CLEAN: Rule = Rule {
    id: "zypper-clean",
    hadolint: &["DL3036"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Size,
    tags: &[],
    summary: "Run `zypper clean` in the RUN that installs with zypper",
    docs: r#"## What it does
Flags a RUN that installs or updates packages with `zypper` without running `zypper clean`
(`zypper cc`, or removing `/var/cache/zypp`) in the same RUN.

## Why is this bad?
zypper keeps repository metadata and downloaded packages in `/var/cache/zypp`, which the
running container never needs. Each RUN is a layer, so the cache must be cleaned in the same
RUN.

## Example
```dockerfile
FROM opensuse/leap:15.6
RUN zypper install -y curl=8.6.0
```

## Use instead
```dockerfile
FROM opensuse/leap:15.6
RUN zypper install -y curl=8.6.0 && zypper clean
```

Not flagged: a RUN with a `--mount=type=cache` (or `type=tmpfs`) on `/var/cache/zypp`, and
stages that only serve as a source for `COPY --from` (builder stages: their files never ship).

## Fix safety
The fix appends `&& zypper clean` to the RUN (a last line for a heredoc script). It is safe:
only caches are removed.
In a heredoc the added command can make a script of several commands: `heredoc-set-e`
then asks for `set -e`.

## Differences from hadolint
hadolint reports builder stages too.
"#,
    opt_in: false,
    check: |ctx, out| check_clean(ctx, out, &ZYPPER),
};

fn check_clean(ctx: &Context, out: &mut Vec<Finding>, rule: &CleanRule) {
    let shipped = shipped_stages(ctx);
    for (_, ins, run) in runs(ctx) {
        if !ships(&shipped, ins) {
            continue;
        }
        let install = run.commands.iter().find_map(|c| {
            let tool = tool_of(c).filter(|t| *t == rule.tool && rule.names.contains(&c.program()))?;
            let cli = cli_of(tool, c);
            if !fills_cache(tool, &cli) {
                return None;
            }
            // `dnf group install`: the action belongs to the subcommand.
            let sub = cli.subcommand()?;
            let last = if matches!(sub.value.as_str(), "group" | "module") { cli.positionals.get(1).copied().unwrap_or(sub) } else { sub };
            Some((c, sub, last))
        });
        let Some((cmd, sub, last)) = install else { continue };
        let mut cache_dirs = vec![rule.cache_dir];
        if rule.tool == Tool::Dnf {
            cache_dirs.push("/var/cache/yum");
        }
        let cleaned = run.commands.iter().any(is_clean) || cache_dirs.iter().any(|d| removes(&run, d));
        if cleaned || cache_dirs.iter().any(|d| mount_covers(ins, &["cache", "tmpfs"], d)) {
            continue;
        }
        let clean = if rule.tool == Tool::Zypper { "zypper clean".to_string() } else { format!("{} clean all", cmd.program()) };
        let words = if last.range == sub.range { sub.value.to_string() } else { format!("{} {}", sub.value, last.value) };
        let mut finding = Finding::new(span(cmd, last), format!("`{} {words}` leaves its cache in this layer; add `&& {clean}` to this RUN", cmd.program()));
        if let Some(edit) = append_command(ctx, ins, &cmd.range, &clean) {
            finding = finding.with_fix(Fix::safe(format!("Run `{clean}` at the end of the RUN"), vec![edit]));
        }
        out.push(finding);
    }
}

/// `yum clean all`, `dnf clean all`, `microdnf clean all`, `zypper clean`/`zypper cc`.
fn is_clean(c: &Command) -> bool {
    let Some(tool) = tool_of(c) else { return false };
    let cli = cli_of(tool, c);
    match (tool, cli.subcommand().map(|s| s.value.as_str())) {
        (Tool::Zypper, Some("clean" | "cc")) => true,
        (Tool::Yum | Tool::Dnf, Some("clean")) => cli.positionals.iter().skip(1).any(|a| a.value == "all"),
        _ => false,
    }
}

/// Whether an rpm package word carries a version: a trailing run of `-`-separated parts that
/// each start with a digit (`httpd-2.4.6`, `nss-3.67.0-7.el8_5`, `curl-7.*`), or an epoch
/// (`-2:1.0`). `java-11-openjdk` is not pinned: a part after the digits starts with a letter.
pub(super) fn rpm_versioned(word: &str) -> bool {
    let parts: Vec<&str> = word.split('-').collect();
    (1..parts.len()).any(|i| parts[i..].iter().all(|p| p.chars().next().is_some_and(|c| c.is_ascii_digit())))
}

pub static YUM_PIN: Rule = Rule {
    id: "yum-pin",
    hadolint: &["DL3033"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Pinning,
    tags: &[],
    summary: "Pin versions in `yum install`",
    docs: r#"## What it does
Flags each package of `yum install` written without a version (`httpd` instead of
`httpd-2.4.6`).

## Why is this bad?
An unpinned package is whatever the repository serves on the day of the build: two builds of
the same Dockerfile can differ, and an update can break the image without any change to it.

## Example
```dockerfile
RUN yum install -y httpd && yum clean all
```

## Use instead
```dockerfile
RUN yum install -y httpd-2.4.6 && yum clean all
```

A word counts as pinned when it ends in a version: `-` followed by parts that all start with a
digit (`httpd-2.4.6`, `httpd-2.4.6-99.el7`, `httpd-2.4.*`). `java-11-openjdk` is a name, not a
version, and is flagged. Not flagged: groups and modules (`@development`), `.rpm` files, paths
and URLs, capabilities like `'perl(JSON)'`, words holding a variable.

## Differences from hadolint
hadolint accepts any word containing `-`, so `python3-devel` counts as pinned there; dockls
requires the version part.
"#,
    opt_in: false,
    check: |ctx, out| check_rpm_pin(ctx, out, Tool::Yum),
};

pub static DNF_PIN: Rule = Rule {
    id: "dnf-pin",
    hadolint: &["DL3041"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Pinning,
    tags: &[],
    summary: "Pin versions in `dnf install`",
    docs: r#"## What it does
Flags each package of `dnf install` or `microdnf install` written without a version (`nginx`
instead of `nginx-1.26.2`).

## Why is this bad?
An unpinned package is whatever the repository serves on the day of the build: two builds of
the same Dockerfile can differ, and an update can break the image without any change to it.

## Example
```dockerfile
RUN dnf install -y nginx && dnf clean all
```

## Use instead
```dockerfile
RUN dnf install -y nginx-1.26.2 && dnf clean all
```

A word counts as pinned when it ends in a version: `-` followed by parts that all start with a
digit (`nginx-1.26.2`, `nginx-1:1.26.2-1.fc41`, `nginx-1.26.*`), or when it has a comparison
(`'nginx >= 1.26'`). Not flagged: groups and modules (`@nginx:1.26`), `.rpm` files, paths and
URLs, capabilities like `'perl(JSON)'`, words holding a variable.

## Differences from hadolint
hadolint accepts any word containing `-`; dockls requires the version part.
"#,
    opt_in: false,
    check: |ctx, out| check_rpm_pin(ctx, out, Tool::Dnf),
};

pub static ZYPPER_PIN: Rule = Rule {
    id: "zypper-pin",
    hadolint: &["DL3037"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Pinning,
    tags: &[],
    summary: "Pin versions in `zypper install`",
    docs: r#"## What it does
Flags each package of `zypper install` (`zypper in`) written without a version (`curl` instead
of `curl=8.6.0` or `'curl>=8.6'`).

## Why is this bad?
An unpinned package is whatever the repository serves on the day of the build: two builds of
the same Dockerfile can differ, and an update can break the image without any change to it.

## Example
```dockerfile
RUN zypper install -y curl && zypper clean
```

## Use instead
```dockerfile
RUN zypper install -y curl=8.6.0 && zypper clean
```

A word counts as pinned when it has a comparison (`=`, `<`, `>`) or ends in a version
(`curl-8.6.0`). Not flagged: patterns, patches and products (`-t pattern`), `.rpm` files, paths,
capabilities like `'perl(JSON)'`, words holding a variable.
"#,
    opt_in: false,
    check: |ctx, out| check_rpm_pin(ctx, out, Tool::Zypper),
};

fn check_rpm_pin(ctx: &Context, out: &mut Vec<Finding>, tool: Tool) {
    for (_, _, run) in runs(ctx) {
        for cmd in &run.commands {
            if tool_of(cmd) != Some(tool) {
                continue;
            }
            let cli = cli_of(tool, cmd);
            let installs = match tool {
                Tool::Zypper => matches!(cli.subcommand().map(|s| s.value.as_str()), Some("install" | "in")),
                _ => matches!(cli.subcommand().map(|s| s.value.as_str()), Some("install")),
            };
            if !installs {
                continue;
            }
            // zypper `-t pattern|patch|product`: not package names.
            if tool == Tool::Zypper && cli.value_of(&cmd.args, &["-t", "--type"]).is_some_and(|t| t != "package") {
                continue;
            }
            for pkg in cli.operands() {
                let v = pkg.value.as_str();
                // Capabilities (`perl(JSON)`), file provides (`*/bin/ls`), groups, files.
                let not_a_name = v.is_empty() || is_dynamic(v) || is_path_like(v) || v.starts_with('@') || v.ends_with(".rpm") || v.contains(['(', '/']);
                let skip = not_a_name || v.contains(['=', '<', '>']) || rpm_versioned(v);
                if skip {
                    continue;
                }
                let hint = if tool == Tool::Zypper { format!("`{v}=<version>`") } else { format!("`{v}-<version>`") };
                out.push(Finding::new(pkg.range.clone(), format!("Pin the version of `{v}`: {hint}")));
            }
        }
    }
}

pub static ZYPPER_DIST_UPGRADE: Rule = Rule {
    id: "zypper-dist-upgrade",
    hadolint: &["DL3035"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Pinning,
    tags: &[],
    summary: "Do not use `zypper dist-upgrade` in a Dockerfile",
    docs: r#"## What it does
Flags `zypper dist-upgrade` (`zypper dup`) in RUN.

## Why is this bad?
A distribution upgrade moves every package of the base image to whatever the repositories
offer today, possibly across a release: the result depends on the day of the build and may
differ widely from the tested base image. Use a newer base image instead, and install or update
the few packages you need with pinned versions.

## Example
```dockerfile
FROM opensuse/leap:15.5
RUN zypper --non-interactive dist-upgrade && zypper clean
```

## Use instead
```dockerfile
FROM opensuse/leap:15.6
RUN zypper --non-interactive install curl=8.6.0 && zypper clean
```
"#,
    opt_in: false,
    check: check_dist_upgrade,
};

fn check_dist_upgrade(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, _, run) in runs(ctx) {
        for cmd in &run.commands {
            if tool_of(cmd) != Some(Tool::Zypper) {
                continue;
            }
            let cli = cli_of(Tool::Zypper, cmd);
            if let Some(sub) = cli.subcommand().filter(|s| s.value == "dist-upgrade" || s.value == "dup") {
                out.push(Finding::new(sub.range.clone(), "`zypper dist-upgrade` upgrades the whole base image to whatever the repositories offer today; use a newer base image"));
            }
        }
    }
}
