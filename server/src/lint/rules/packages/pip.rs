//! pip: `pip-pin`, `pip-no-cache-dir`.

use super::*;

/// pip options (global and `install`) whose value is the next word.
const PIP_VALUE_OPTIONS: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--src",
    "--upgrade-strategy",
    "--progress-bar",
    "--cache-dir",
    "--log",
    "--log-file",
    "--proxy",
    "--retries",
    "--timeout",
    "--exists-action",
    "--trusted-host",
    "--cert",
    "--client-cert",
    "--no-binary",
    "--only-binary",
    "--global-option",
    "-C",
    "--config-settings",
    "--report",
    "--root-user-action",
    "--python",
    "--keyring-provider",
    "--use-feature",
    "--use-deprecated",
    "--group",
    "--index-strategy",
    "--resolution",
    "--prerelease",
    "--link-mode",
    "--exclude-newer",
    "-p",
];

/// How pip was invoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PipKind {
    /// `pip`, `pip3`, `python -m pip`.
    Pip,
    /// `uv pip`.
    Uv,
}

/// A `pip install`: the arguments after `pip` split, and the `install` word.
pub(super) struct PipInstall<'a> {
    pub kind: PipKind,
    pub args: &'a [Arg],
    pub cli: Cli<'a>,
    pub install: &'a Arg,
}

pub(super) fn pip_install(cmd: &Command) -> Option<PipInstall<'_>> {
    let (kind, args): (PipKind, &[Arg]) = if program_is(cmd, "pip") {
        (PipKind::Pip, &cmd.args)
    } else if program_is(cmd, "python") {
        // `python -m pip …` (interpreter options like `-I` may come first).
        let m = cmd.args.iter().position(|a| a.value == "-m" || a.value == "-mpip")?;
        if cmd.args[m].value == "-mpip" {
            (PipKind::Pip, &cmd.args[m + 1..])
        } else {
            (cmd.args.get(m + 1).filter(|a| a.value == "pip").map(|_| PipKind::Pip)?, &cmd.args[m + 2..])
        }
    } else if cmd.program() == "uv" {
        let p = cmd.args.iter().position(|a| !a.value.starts_with('-'))?;
        (cmd.args[p].value == "pip").then_some(())?;
        (PipKind::Uv, &cmd.args[p + 1..])
    } else {
        return None;
    };
    let cli = Cli::parse(args, PIP_VALUE_OPTIONS);
    let install = cli.subcommand().filter(|s| s.value == "install")?;
    Some(PipInstall { kind, args, cli, install })
}

pub static PIP_PIN: Rule = Rule {
    id: "pip-pin",
    hadolint: &["DL3013"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Pinning,
    tags: &[],
    summary: "Pin versions in `pip install`",
    docs: r#"## What it does
Flags each package of `pip install` (also `pip3`, `python -m pip` and `uv pip install`) named
without a version (`flask` instead of `flask==3.1.0`).

## Why is this bad?
An unpinned package is the newest release on PyPI at build time: rebuilding the same
Dockerfile gives different code, and a new major release can break the image without any
change to the Dockerfile. Pin in the command or, better, install from a requirements or lock
file.

## Example
```dockerfile
RUN pip install --no-cache-dir flask gunicorn
```

## Use instead
```dockerfile
RUN pip install --no-cache-dir flask==3.1.0 gunicorn==23.0.0
```
or
```dockerfile
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
```

A word counts as pinned when it has a version specifier (`==`, `~=`, `>=`, `<=`, `<`, `>`,
`===`, but not `!=` alone) or is a direct reference (`name @ url`). Not flagged: a command with
`-r`/`--requirement`, `-c`/`--constraint` or a `PIP_CONSTRAINT` ENV/ARG in scope (versions come
from the file); local paths (`.`, `./pkg`, `/src`), `-e`, URLs, VCS references, wheel and sdist
files; words holding a variable.

## Differences from hadolint
`uv pip install` and `PIP_CONSTRAINT` are understood. `pip install --upgrade pip` is flagged
like any other package.
"#,
    opt_in: false,
    check: check_pin,
};

fn check_pin(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, ins, run) in runs(ctx) {
        for cmd in &run.commands {
            let Some(pip) = pip_install(cmd) else { continue };
            if pip.cli.has(&["-r", "--requirement", "-c", "--constraint"]) || var_at(ctx, ins, "PIP_CONSTRAINT").is_some() {
                continue;
            }
            for pkg in pip.cli.operands() {
                let v = pkg.value.as_str();
                if pinned(v) || is_dynamic(v) || is_path_like(v) || is_archive_or_vcs(v) || v.is_empty() {
                    continue;
                }
                // The project name: up to extras, a specifier or a marker.
                let end = v.find(|c: char| !(c.is_ascii_alphanumeric() || "._-".contains(c))).unwrap_or(v.len());
                let name = &v[..end];
                let extras = v[end..].strip_prefix('[').and_then(|r| r.split_once(']')).map(|(e, _)| format!("[{e}]")).unwrap_or_default();
                out.push(Finding::new(pkg.range.clone(), format!("Pin the version of `{name}`: `{name}{extras}==<version>`")));
            }
        }
    }
}

/// A requirement with a version specifier or a direct reference.
fn pinned(v: &str) -> bool {
    if v.contains('@') {
        return true;
    }
    let ops = ["===", "==", "~=", ">=", "<=", "<", ">"];
    // `!=` alone only excludes a version: it contains none of these.
    ops.iter().any(|op| v.contains(op))
}

fn is_archive_or_vcs(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    [".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar"].iter().any(|e| l.ends_with(e))
        || ["git+", "hg+", "svn+", "bzr+", "file:"].iter().any(|p| l.starts_with(p))
        || l.contains('/')
}

pub static NO_CACHE_DIR: Rule = Rule {
    id: "pip-no-cache-dir",
    hadolint: &["DL3042"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Size,
    tags: &[],
    summary: "Use `pip install --no-cache-dir`",
    docs: r#"## What it does
Flags `pip install` (also `pip3` and `python -m pip`) without `--no-cache-dir`.

## Why is this bad?
pip keeps every downloaded and built wheel in `~/.cache/pip`. In an image that cache is dead
weight (often as large as the installed packages): nothing reinstalls from it, and the layer
ships it.

## Example
```dockerfile
FROM python:3.13-slim
COPY requirements.txt .
RUN pip install -r requirements.txt
```

## Use instead
```dockerfile
FROM python:3.13-slim
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
```
or keep the cache outside the image, where it speeds up rebuilds:
```dockerfile
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```

Not flagged:
- `PIP_NO_CACHE_DIR` set by ENV or ARG in the stage (any value except `0`, `false`, `no`,
  `off`), or on the command line (`PIP_NO_CACHE_DIR=1 pip install …`);
- a `--mount=type=cache` (or `type=tmpfs`) covering pip's cache: `/root/.cache/pip` (or a
  parent like `/root/.cache`), any target containing `.cache/pip`, or the directory given by
  `--cache-dir` or a `PIP_CACHE_DIR` ENV;
- `uv pip install`: uv has its own cache (`--no-cache`, `UV_NO_CACHE`) and layout;
- stages that only serve as a source for `COPY --from` (builder stages: their files never ship).

## Fix safety
The fix inserts `--no-cache-dir` after `install`. It is safe: the same packages are installed;
only the cache is not written.

## Differences from hadolint
hadolint also reports builder stages, and only knows the `/root/.cache/pip` cache mount.
"#,
    opt_in: false,
    check: check_no_cache_dir,
};

fn check_no_cache_dir(ctx: &Context, out: &mut Vec<Finding>) {
    let shipped = shipped_stages(ctx);
    for (_, ins, run) in runs(ctx) {
        if !ships(&shipped, ins) || pip_cache_disabled(ctx, ins) {
            continue;
        }
        for cmd in &run.commands {
            let Some(pip) = pip_install(cmd) else { continue };
            if pip.kind == PipKind::Uv || pip.cli.has(&["--no-cache-dir"]) || pip_cache_mounted(ctx, ins, &pip) {
                continue;
            }
            out.push(maybe_fix(
                Finding::new(span(cmd, pip.install), "pip keeps its download cache in the image; add `--no-cache-dir`"),
                insert_after_word(ctx, pip.install, " --no-cache-dir").map(|e| Fix::safe("Add `--no-cache-dir`", vec![e])),
            ));
        }
    }
}

/// `PIP_NO_CACHE_DIR` in the RUN's environment (ENV/ARG in scope, or set in the RUN itself).
pub(super) fn pip_cache_disabled(ctx: &Context, ins: &Instruction) -> bool {
    let from_var = match var_at(ctx, ins, "PIP_NO_CACHE_DIR") {
        Some(VarValue::Unknown) => true,
        Some(VarValue::Value(v)) => !falsy(&v),
        None => false,
    };
    let text = ctx.src(&ins.range);
    let inline = text.match_indices("PIP_NO_CACHE_DIR=").any(|(i, m)| {
        let rest = &text[i + m.len()..];
        let value: String = rest.chars().take_while(|c| !c.is_whitespace() && *c != ';' && *c != '&').collect();
        !falsy(value.trim_matches(['"', '\'']))
    });
    from_var || inline
}

/// A cache (or tmpfs) mount holding pip's cache directory.
fn pip_cache_mounted(ctx: &Context, ins: &Instruction, pip: &PipInstall) -> bool {
    let mut dirs = vec!["/root/.cache/pip".to_string()];
    if let Some(d) = pip.cli.value_of(pip.args, &["--cache-dir"]) {
        dirs.push(d.to_string());
    }
    if let Some(VarValue::Value(d)) = var_at(ctx, ins, "PIP_CACHE_DIR") {
        dirs.push(d);
    }
    mounts(ins).iter().filter(|m| m.kind == "cache" || m.kind == "tmpfs").any(|m| m.target.contains(".cache/pip") || dirs.iter().any(|d| path_within(d, &m.target)))
}
