//! `cache-mount`: suggest `RUN --mount=type=cache` for package managers and build tools.

use super::apk::apk_add;
use super::apt::apt_cli;
use super::node::{NPM_INSTALL, NPM_VALUE_OPTIONS, YARN_VALUE_OPTIONS};
use super::pip::{pip_cache_disabled, pip_install, PipKind};
use super::*;

pub static RULE: Rule = Rule {
    id: "cache-mount",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Cache,
    tags: &[],
    summary: "Use a cache mount for package downloads",
    docs: r#"## What it does
Flags package-manager and build-tool commands in a RUN that has no `--mount=type=cache`:

| command | cache directory suggested |
|---|---|
| `apt-get install`, `apt install` | `/var/cache/apt` and `/var/lib/apt` (`sharing=locked`) |
| `apk add` (without `--no-cache`) | `/var/cache/apk` |
| `pip install` (without `--no-cache-dir`), `python -m pip install` | `/root/.cache/pip` |
| `uv pip install`, `uv sync` | `/root/.cache/uv` |
| `npm ci`, `npm install` | `/root/.npm` |
| `yarn install`, `yarn` | `/usr/local/share/.cache/yarn` |
| `pnpm install` | `$PNPM_HOME/store` or `/root/.local/share/pnpm/store` |
| `go mod download`, `go build`, `go install` | the module cache (`GOMODCACHE`, `/go/pkg/mod` in the golang image) and, to build, `GOCACHE` (`/root/.cache/go-build`) |
| `cargo build`, `cargo fetch`, `cargo install` | `$CARGO_HOME/registry` and `$CARGO_HOME/git` (`/usr/local/cargo/…` in the rust image) |
| `mvn` | `/root/.m2` |
| `bundle install`, `composer install`, `gradle`/`./gradlew` | (no fix: the directory depends on the image) |

## Why is this bad?
Without a cache mount every change to the dependency list, or any earlier layer, downloads all
packages again. A cache mount keeps the downloads between builds, outside the image: builds get
faster and the image does not carry the cache.

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
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```

For apt in Debian and Ubuntu images, also stop the image's `docker-clean` hook from emptying the
cache: `RUN rm -f /etc/apt/apt.conf.d/docker-clean`.

Not flagged: a RUN that already has any cache mount, and commands that opt out of caching
(`apk add --no-cache`, `pip install --no-cache-dir`, `PIP_NO_CACHE_DIR`): those are the other
way to keep caches out of the image (see `apk-no-cache`, `pip-no-cache-dir`).

## Fix safety
The fix adds the `--mount=type=cache,…` flags after `RUN` and, in the same edit, drops the
cleanup the mount makes pointless from the RUN's `&&` chain (`rm -rf /var/lib/apt/lists/*`,
`apt-get clean`, `npm cache clean --force`, `yarn cache clean`, `pip cache purge`,
`go clean -cache`, an `rm` of a mounted directory); for apt it also removes Debian's
`docker-clean` hook (`rm -f /etc/apt/apt.conf.d/docker-clean && ` first), which would delete
every downloaded package and leave the cache empty, unless the file already mentions it. It is unsafe: the mounted directory
hides what the image had there during the RUN and its content is not in the image, so cleanup
steps such as `rm -rf /var/lib/apt/lists/*` now clear the cache instead, and a later RUN that
relied on files left there (the apt lists) no longer finds them. There is no fix when the RUN
executes as a non-root user (the cache belongs in that user's home) or for tools whose cache
directory depends on the image.
"#,
    opt_in: false,
    check,
};

/// A tool that a cache mount helps, and the directories to mount for it (empty: no fix).
struct Use<'a> {
    tool: &'static str,
    cmd: &'a Command,
    dirs: Vec<String>,
    locked: bool,
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, ins, run) in runs(ctx) {
        if has_cache_mount(ins) {
            continue;
        }
        let root = runs_as_root(ctx, ins);
        let mut uses: Vec<Use> = Vec::new();
        for cmd in &run.commands {
            let Some(u) = classify(ctx, ins, cmd, root) else { continue };
            if !uses.iter().any(|x| x.tool == u.tool) {
                uses.push(u);
            }
        }
        for u in uses {
            let message = format!("Use `RUN --mount=type=cache` to keep {}'s downloads between builds", u.tool);
            let mut finding = Finding::new(u.cmd.name_range.clone(), message);
            let dirs: Vec<&String> = u.dirs.iter().filter(|d| !is_dynamic(d) && d.starts_with('/')).collect();
            if !dirs.is_empty() && dirs.len() == u.dirs.len() {
                let sharing = if u.locked { ",sharing=locked" } else { "" };
                let flags: String = dirs.iter().map(|d| format!(" --mount=type=cache,target={d}{sharing}")).collect();
                let mounted: Vec<String> = dirs.iter().map(|d| d.to_string()).collect();
                let mut edits = vec![insert_after(&ins.keyword_range, flags)];
                // The cleanup the mount makes pointless goes in the same edit.
                let cleanup = crate::actions::cache_mount::remove_from_chain(&run, |c| crate::actions::cache_mount::pointless_with_mount(c, &mounted));
                let cleaned = !cleanup.is_empty();
                edits.extend(cleanup);
                // Debian's `docker-clean` hook deletes every downloaded package: the cache would
                // stay empty, unless this RUN or one before it in the stage's lineage deals with it.
                let mut hook = false;
                if u.tool == "apt" && ins.heredocs.is_empty() && !super::lineage_runs_mention(ctx, ins, "docker-clean") {
                    if let Args::Shell(shell) = &ins.args {
                        let raw = ctx.src(&shell.range);
                        let at = shell.range.start + (raw.len() - raw.trim_start().len());
                        edits.push(Edit { range: at..at, text: "rm -f /etc/apt/apt.conf.d/docker-clean && ".into() });
                        hook = true;
                    }
                }
                let mut also = Vec::new();
                if cleaned {
                    also.push("drops the cleanup it makes pointless");
                }
                if hook {
                    also.push("removes the docker-clean hook");
                }
                let also = if also.is_empty() { String::new() } else { format!("; {}", also.join(", ")) };
                finding = finding.with_fix(Fix::unsafe_(
                    format!(
                        "Add a cache mount on {}{also} (unsafe: the directory's content is no longer in the image)",
                        dirs.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(" and ")
                    ),
                    edits,
                ));
            }
            out.push(finding);
        }
    }
}

fn env(ctx: &Context, ins: &Instruction, name: &str) -> Option<String> {
    match var_at(ctx, ins, name) {
        Some(VarValue::Value(v)) if !v.is_empty() => Some(v.trim_end_matches('/').to_string()),
        _ => None,
    }
}

/// Directories under root's home need the RUN to execute as root.
fn home(root: bool, dirs: &[&str]) -> Vec<String> {
    if root {
        dirs.iter().map(|d| d.to_string()).collect()
    } else {
        Vec::new()
    }
}

fn classify<'a>(ctx: &Context, ins: &Instruction, cmd: &'a Command, root: bool) -> Option<Use<'a>> {
    let u = |tool: &'static str, dirs: Vec<String>| Some(Use { tool, cmd, dirs, locked: false });
    if let Some((_, sub)) = apt_cli(cmd) {
        return (sub.value == "install").then(|| Use { tool: "apt", cmd, dirs: vec!["/var/cache/apt".into(), "/var/lib/apt".into()], locked: true });
    }
    if let Some((cli, _)) = apk_add(cmd) {
        return if cli.has(&["--no-cache", "--no-network"]) { None } else { u("apk", vec!["/var/cache/apk".into()]) };
    }
    if let Some(pip) = pip_install(cmd) {
        return match pip.kind {
            PipKind::Uv if pip.cli.has(&["--no-cache", "-n"]) || var_at(ctx, ins, "UV_NO_CACHE").is_some() => None,
            PipKind::Uv => u("uv", env(ctx, ins, "UV_CACHE_DIR").map(|d| vec![d]).unwrap_or_else(|| home(root, &["/root/.cache/uv"]))),
            PipKind::Pip if pip.cli.has(&["--no-cache-dir"]) || pip_cache_disabled(ctx, ins) => None,
            PipKind::Pip => u("pip", env(ctx, ins, "PIP_CACHE_DIR").map(|d| vec![d]).unwrap_or_else(|| home(root, &["/root/.cache/pip"]))),
        };
    }
    let value_options: &[&str] = match cmd.program() {
        "npm" | "pnpm" => NPM_VALUE_OPTIONS,
        "yarn" => YARN_VALUE_OPTIONS,
        "go" => &["-C"],
        _ => &[],
    };
    let cli = Cli::parse(&cmd.args, value_options);
    let first = cli.subcommand().map(|a| a.value.as_str());
    match cmd.program() {
        "uv" if matches!(first, Some("sync")) => u("uv", env(ctx, ins, "UV_CACHE_DIR").map(|d| vec![d]).unwrap_or_else(|| home(root, &["/root/.cache/uv"]))),
        "npm" if first.is_some_and(|s| s == "ci" || NPM_INSTALL.contains(&s)) => {
            u("npm", env(ctx, ins, "npm_config_cache").map(|d| vec![d]).unwrap_or_else(|| home(root, &["/root/.npm"])))
        }
        "yarn" if (first.is_none() && !cli.has(&["--version", "-v", "--help", "-h"])) || first == Some("install") => u(
            "yarn",
            env(ctx, ins, "YARN_CACHE_FOLDER").map(|d| vec![d]).unwrap_or_else(|| home(root, &["/usr/local/share/.cache/yarn"])),
        ),
        "pnpm" if matches!(first, Some("install" | "i" | "add")) => u(
            "pnpm",
            env(ctx, ins, "PNPM_HOME").map(|d| vec![format!("{d}/store")]).unwrap_or_else(|| home(root, &["/root/.local/share/pnpm/store"])),
        ),
        "go" => {
            let sub = first?;
            let download = sub == "mod" && cli.positionals.get(1).is_some_and(|a| a.value == "download");
            let build = matches!(sub, "build" | "install");
            if !download && !build {
                return None;
            }
            let golang_image = base_repository(ctx, ins).is_some_and(|r| r.contains("golang"));
            let modcache = env(ctx, ins, "GOMODCACHE")
                .or_else(|| env(ctx, ins, "GOPATH").map(|p| format!("{p}/pkg/mod")))
                .or_else(|| if golang_image { Some("/go/pkg/mod".into()) } else { root.then(|| "/root/go/pkg/mod".into()) });
            let gocache = env(ctx, ins, "GOCACHE").or_else(|| root.then(|| "/root/.cache/go-build".into()));
            let dirs = if build { vec![modcache, gocache] } else { vec![modcache] };
            u("go", dirs.into_iter().collect::<Option<Vec<_>>>().unwrap_or_default())
        }
        "cargo" if matches!(first, Some("build" | "fetch" | "install")) => {
            let rust_image = base_repository(ctx, ins).is_some_and(|r| r.contains("rust"));
            let home = env(ctx, ins, "CARGO_HOME").or_else(|| if rust_image { Some("/usr/local/cargo".into()) } else { root.then(|| "/root/.cargo".into()) });
            u("cargo", home.map(|h| vec![format!("{h}/registry"), format!("{h}/git")]).unwrap_or_default())
        }
        "mvn" | "mvnw" if first.is_some() => u("Maven", home(root, &["/root/.m2"])),
        "gradle" | "gradlew" if first.is_some() => u("Gradle", Vec::new()),
        "bundle" if first == Some("install") => u("Bundler", Vec::new()),
        "composer" if first == Some("install") => u("Composer", Vec::new()),
        _ => None,
    }
}
