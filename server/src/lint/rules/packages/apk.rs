//! apk: `apk-pin`, `apk-no-cache`.

use super::*;

/// apk options whose value is the next word.
const APK_VALUE_OPTIONS: &[&str] = &[
    "-X",
    "--repository",
    "-t",
    "--virtual",
    "-p",
    "--root",
    "--arch",
    "--keys-dir",
    "--repositories-file",
    "--cache-dir",
    "--cache-max-age",
    "--progress-fd",
    "--wait",
];

/// `apk add …`, split, with its `add`.
pub(super) fn apk_add(cmd: &Command) -> Option<(Cli<'_>, &Arg)> {
    if cmd.program() != "apk" {
        return None;
    }
    let cli = Cli::parse(&cmd.args, APK_VALUE_OPTIONS);
    let sub = cli.subcommand().filter(|s| s.value == "add")?;
    Some((cli, sub))
}

pub static APK_PIN: Rule = Rule {
    id: "apk-pin",
    hadolint: &["DL3018"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Pinning,
    tags: &[],
    summary: "Pin versions in `apk add`",
    docs: r#"## What it does
Flags each package of `apk add` written without a version constraint (`curl` instead of
`curl=8.11.1-r0` or `curl~8.11`).

## Why is this bad?
An unpinned package is whatever the Alpine mirror serves on the day of the build: rebuilding the
same Dockerfile gives a different image, and an update can break it without any change to the
Dockerfile.

## Example
```dockerfile
FROM alpine:3.21
RUN apk add --no-cache curl
```

## Use instead
```dockerfile
FROM alpine:3.21
RUN apk add --no-cache curl=8.11.1-r0
```

A word counts as pinned when it has a constraint: `=`, `~` (`curl~8.11` allows any 8.11.x
release), `<` or `>`. Not flagged: the name given to `--virtual`/`-t`, other option values,
words holding a variable, `.apk` files and paths.

## Differences from hadolint
`~`, `<` and `>` constraints count as pinned; hadolint only accepts `=`.
"#,
    opt_in: false,
    check: check_pin,
};

fn check_pin(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, _, run) in runs(ctx) {
        for cmd in &run.commands {
            let Some((cli, _)) = apk_add(cmd) else { continue };
            for pkg in cli.operands() {
                let v = pkg.value.as_str();
                if v.contains(['=', '~', '<', '>']) || is_dynamic(v) || is_path_like(v) || v.ends_with(".apk") || v.is_empty() {
                    continue;
                }
                let name = v.split('@').next().unwrap_or(v);
                out.push(Finding::new(pkg.range.clone(), format!("Pin the version of `{name}`: `{name}=<version>` or `{name}~<major.minor>`")));
            }
        }
    }
}

pub static NO_CACHE: Rule = Rule {
    id: "apk-no-cache",
    hadolint: &["DL3019"],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Size,
    tags: &[],
    summary: "Use `apk add --no-cache`",
    docs: r#"## What it does
Flags `apk add` without `--no-cache`.

## Why is this bad?
Without `--no-cache`, apk keeps the package index it downloaded (with `--update` or an earlier
`apk update`) in `/var/cache/apk`, and that layer ships it. `--no-cache` fetches the index into
a temporary place and leaves nothing behind, which also makes `apk update` and
`rm -rf /var/cache/apk/*` unnecessary.

## Example
```dockerfile
RUN apk add --update git openssh-client
```

## Use instead
```dockerfile
RUN apk add --no-cache git openssh-client
```

Not flagged: a RUN with a `--mount=type=cache` (or `type=tmpfs`) on `/var/cache/apk` or
`/etc/apk/cache`, a RUN that removes `/var/cache/apk/*` itself, and stages that only serve as a
source for `COPY --from` (builder stages: their files never ship).

## Fix safety
The fix inserts `--no-cache` after `add`. It is safe: the same packages from the same
repositories are installed; `--no-cache` also refreshes the index, as `--update` does.
With `--no-cache`, an `apk update` before the `apk add` only adds to the layer:
`apk-update-cache` then flags it.

## Differences from hadolint
hadolint also reports builder stages, and does not accept `rm -rf /var/cache/apk/*` in the same
RUN.
"#,
    opt_in: false,
    check: check_no_cache,
};

fn check_no_cache(ctx: &Context, out: &mut Vec<Finding>) {
    let shipped = shipped_stages(ctx);
    for (_, ins, run) in runs(ctx) {
        if !ships(&shipped, ins)
            || mount_covers(ins, &["cache", "tmpfs"], "/var/cache/apk")
            || mount_covers(ins, &["cache", "tmpfs"], "/etc/apk/cache")
            || removes(&run, "/var/cache/apk")
        {
            continue;
        }
        for cmd in &run.commands {
            let Some((cli, sub)) = apk_add(cmd) else { continue };
            // `--no-network` installs from what is already there: nothing is downloaded.
            if cli.has(&["--no-cache", "--no-network"]) {
                continue;
            }
            out.push(maybe_fix(
                Finding::new(span(cmd, sub), "`apk add` leaves the package index in /var/cache/apk; use `apk add --no-cache`"),
                insert_after_word(ctx, sub, " --no-cache").map(|e| Fix::safe("Add `--no-cache`", vec![e])),
            ));
        }
    }
}
