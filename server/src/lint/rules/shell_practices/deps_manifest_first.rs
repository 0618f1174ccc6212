//! `deps-manifest-first`: copy the dependency manifest and install before copying the sources.

use super::*;
use crate::actions::reorder_copy::{copy_lines, fix, manifests, Plan};

pub static RULE: Rule = Rule {
    id: "deps-manifest-first",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Cache,
    tags: &[],
    summary: "Copy the dependency manifest and install dependencies before copying the whole context",
    docs: r#"## What it does
Flags `COPY . .` (or `COPY . /app`, `COPY ./ /src/`, `ADD . .`) when a later RUN of the same
stage installs dependencies: `pip install -r`, `pip install .`, `poetry install`, `uv sync`,
`pipenv install`, `npm ci`/`npm install`, `yarn install`, `pnpm install`, `go mod download`,
`go build`, `cargo build`/`cargo fetch`, `bundle install`, `composer install`,
`mvn dependency:go-offline`/`mvn package`, `gradle build`. It is not flagged when the stage
already installed the same ecosystem's dependencies before the whole-context COPY.

## Why is this bad?
Docker reuses a cached layer only while everything before it is unchanged. After `COPY . .`,
any edit to any source file invalidates the cache, so every build downloads and installs all
dependencies again. Copying just the manifest (and lockfile) and installing first keeps that
slow step cached until the dependencies themselves change.

## Example
```dockerfile
FROM node:20-slim
WORKDIR /app
COPY . .
RUN npm ci --omit=dev
CMD ["node", "server.js"]
```

## Use instead
```dockerfile
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
CMD ["node", "server.js"]
```
The manifests per ecosystem: `requirements.txt` (pip), `pyproject.toml` + `poetry.lock`
(`poetry install --no-root`), `pyproject.toml` + `uv.lock` (`uv sync --no-install-project`), `Pipfile` + `Pipfile.lock`, `package.json` + the lockfile
(`package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`), `go.mod` + `go.sum` (`go mod download`),
`Cargo.toml` + `Cargo.lock` (`cargo fetch`), `Gemfile` + `Gemfile.lock`, `composer.json` +
`composer.lock`, `pom.xml` (`mvn dependency:go-offline`), `build.gradle` + `settings.gradle`
(`gradle dependencies`; with the wrapper also `gradlew` and `gradle/`).
The diagnostic message gives the exact lines for your Dockerfile.

## Fix safety
The fix inserts `COPY <manifests> <dest>` and a RUN with the install (or the download step
before a build: `go mod download`, `cargo fetch`, `poetry install --no-root`, …) before the
whole-context COPY, with that COPY's flags (`--chown`, `--chmod`, `--link`) and destination and
the RUN's flags, so the install sees the same paths under the same WORKDIR. When the build
context is on disk only the manifests that exist there are copied (and there is no fix when the
main one is missing); otherwise the ecosystem's usual pair. A RUN that is just the install moves
up; a longer one stays after the whole-context COPY. The fix is unsafe: the install no longer
sees the other sources (a `postinstall` script, a path dependency, a workspace member), and no
fix is offered for `pip install .`, which needs the whole project.
The inserted install RUN is one more place `cache-mount` suggests a cache mount.

## Differences from hadolint
hadolint has no such rule.
"#,
    opt_in: false,
    check,
};

/// A dependency install found in a RUN.
struct Install {
    /// Ecosystem family: installs of the same family before the COPY exempt it.
    family: &'static str,
    manifests: Vec<String>,
    /// The RUN to put before the whole-context COPY.
    prep: Option<String>,
}

/// The command as one line (continuations folded).
fn one_line(ctx: &Context, cmd: &Command) -> String {
    let esc = ctx.df.escape.to_string();
    ctx.text[cmd.range.clone()].split_whitespace().filter(|w| *w != esc).collect::<Vec<_>>().join(" ")
}

fn is_pip(p: &str) -> bool {
    p.strip_prefix("pip").is_some_and(|r| r.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The arguments after `install` of pip-like commands: `pip install`, `python -m pip install`,
/// `uv pip install`.
fn pip_install_args(cmd: &Command) -> Option<&[crate::shell::Arg]> {
    let p = cmd.program();
    let a = &cmd.args;
    let start = if is_pip(p) {
        0
    } else if p.starts_with("python") && a.len() >= 2 && a[0].value == "-m" && is_pip(&a[1].value) {
        2
    } else if p == "uv" && a.first().is_some_and(|x| x.value == "pip") {
        1
    } else {
        return None;
    };
    // Skip options before the subcommand (`pip --no-cache-dir install`).
    let rest = &a[start..];
    let sub = rest.iter().position(|x| !x.value.starts_with('-'))?;
    (rest[sub].value == "install").then(|| &rest[sub + 1..])
}

fn install_of(ctx: &Context, cmd: &Command) -> Option<Install> {
    let own = || Some(one_line(ctx, cmd));
    let m = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    if let Some(args) = pip_install_args(cmd) {
        let mut files = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let v = a.value.as_str();
            if v == "-r" || v == "--requirement" {
                files.extend(it.next().map(|n| n.value.to_string()));
            } else if let Some(f) = v.strip_prefix("--requirement=") {
                files.push(f.to_string());
            } else if let Some(f) = v.strip_prefix("-r").filter(|f| !f.is_empty() && !v.starts_with("--")) {
                files.push(f.to_string());
            }
        }
        if !files.is_empty() {
            return Some(Install { family: "python", manifests: files, prep: own() });
        }
        let project = args.iter().any(|a| matches!(a.value.as_str(), "." | "./" | ".[dev]") || a.value.starts_with(".["));
        return project.then(|| Install { family: "python", manifests: m(&["pyproject.toml"]), prep: None });
    }
    let sub = cmd.subcommand().map(|s| s.value.as_str());
    let no_packages = |value_opts: &[&str]| cmd.positionals(value_opts).nth(1).is_none();
    let (family, manifests, prep): (&str, Vec<String>, Option<String>) = match (cmd.program(), sub) {
        ("poetry", Some("install")) => ("poetry", m(&["pyproject.toml", "poetry.lock"]), Some(with_flag(ctx, cmd, "--no-root"))),
        ("uv", Some("sync")) => ("uv", m(&["pyproject.toml", "uv.lock"]), Some(with_flag(ctx, cmd, "--no-install-project"))),
        ("pipenv", Some("install" | "sync")) if no_packages(&[]) => ("pipenv", m(&["Pipfile", "Pipfile.lock"]), own()),
        ("npm", Some("ci" | "install" | "i" | "clean-install")) if no_packages(&["--prefix", "--cache", "--omit", "--loglevel", "--registry"]) && !cmd.has_flag(&["-g", "--global"]) => {
            ("node", m(&["package.json", "package-lock.json"]), own())
        }
        ("yarn", None | Some("install")) => ("node", m(&["package.json", "yarn.lock"]), own()),
        ("pnpm", Some("install" | "i")) if no_packages(&[]) => ("node", m(&["package.json", "pnpm-lock.yaml"]), own()),
        ("go", Some("mod")) if cmd.positionals(&[]).nth(1).is_some_and(|a| a.value == "download") => ("go", m(&["go.mod", "go.sum"]), own()),
        ("go", Some("build" | "install")) => ("go", m(&["go.mod", "go.sum"]), Some("go mod download".into())),
        ("cargo", Some("fetch")) => ("cargo", m(&["Cargo.toml", "Cargo.lock"]), own()),
        ("cargo", Some("build" | "install")) => ("cargo", m(&["Cargo.toml", "Cargo.lock"]), Some("cargo fetch".into())),
        ("bundle" | "bundler", Some("install")) => ("ruby", m(&["Gemfile", "Gemfile.lock"]), own()),
        ("composer", Some("install")) => ("php", m(&["composer.json", "composer.lock"]), Some(format!("{} --no-scripts --no-autoloader", one_line(ctx, cmd)))),
        ("mvn" | "mvnw", _) => {
            let goals: Vec<&str> = cmd.positionals(&["-f", "--file", "-s", "--settings", "-pl", "--projects"]).map(|a| a.value.as_str()).collect();
            if goals.iter().any(|g| g.starts_with("dependency:go-offline") || g.starts_with("dependency:resolve")) {
                ("maven", m(&["pom.xml"]), own())
            } else if goals.iter().any(|g| matches!(*g, "package" | "install" | "verify" | "compile")) {
                ("maven", m(&["pom.xml"]), Some(format!("{} dependency:go-offline", if cmd.program() == "mvnw" { "./mvnw" } else { "mvn" })))
            } else {
                return None;
            }
        }
        ("gradle" | "gradlew", _) => {
            let goals: Vec<&str> = cmd.positionals(&[]).map(|a| a.value.as_str()).collect();
            // The wrapper needs its script and `gradle/wrapper/` too.
            let files = if cmd.program() == "gradlew" {
                m(&["gradlew", "build.gradle", "settings.gradle", "gradle/"])
            } else {
                m(&["build.gradle", "settings.gradle"])
            };
            if goals.contains(&"dependencies") {
                ("gradle", files, own())
            } else if goals.iter().any(|g| matches!(*g, "build" | "assemble" | "bootJar" | "installDist" | "shadowJar" | "jar")) {
                ("gradle", files, Some(format!("{} dependencies", if cmd.program() == "gradlew" { "./gradlew" } else { "gradle" })))
            } else {
                return None;
            }
        }
        _ => return None,
    };
    Some(Install { family, manifests, prep })
}

/// The command with a flag added (unless it has it).
fn with_flag(ctx: &Context, cmd: &Command, flag: &str) -> String {
    let line = one_line(ctx, cmd);
    if cmd.has_flag(&[flag]) {
        line
    } else {
        format!("{line} {flag}")
    }
}

/// COPY/ADD of the whole build context (`.` or `./` as a source, not `--from`).
fn copies_whole_context(ins: &Instruction) -> bool {
    if !matches!(ins.kind, Kind::Copy | Kind::Add) || ins.flag("from").is_some() || ins.is_exec_form() || !ins.heredocs.is_empty() {
        return false;
    }
    let words = ins.words();
    words.len() >= 2 && words[..words.len() - 1].iter().any(|w| matches!(w.value.as_str(), "." | "./"))
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for stage in &ctx.df.stages {
        for ci in stage.instructions.clone() {
            let copy = &ctx.df.instructions[ci];
            if !copies_whole_context(copy) {
                continue;
            }
            let found = stage_runs(ctx, stage)
                .filter(|(i, _, _)| *i > ci)
                .find_map(|(ri, _, run)| run.commands.iter().find_map(|c| install_of(ctx, c).map(|inst| (ri, c, inst))));
            let Some((ri, cmd, install)) = found else { continue };
            // The same ecosystem's dependencies were installed before the whole-context COPY.
            let earlier = stage_runs(ctx, stage)
                .filter(|(i, _, _)| *i < ci)
                .any(|(_, _, run)| run.commands.iter().any(|c| install_of(ctx, c).is_some_and(|e| e.family == install.family)));
            if earlier {
                continue;
            }
            let words = copy.words();
            let dest = &words[words.len() - 1].value;
            let dest = match dest.as_str() {
                "." => "./".to_string(),
                d if d.ends_with('/') => d.to_string(),
                d => format!("{d}/"),
            };
            let flags: String = copy.flags.iter().map(|f| format!("{} ", ctx.src(&f.range))).collect();
            let kw = if copy.keyword.chars().any(|c| c.is_ascii_lowercase()) { "copy" } else { "COPY" };
            let run_kw = if copy.keyword.chars().any(|c| c.is_ascii_lowercase()) { "run" } else { "RUN" };
            let mut lines = copy_lines(&install.manifests, &dest).iter().map(|(src, to)| format!("`{kw} {flags}{src} {to}`")).collect::<Vec<_>>().join(", ");
            match &install.prep {
                Some(prep) => lines.push_str(&format!(" and `{run_kw} {prep}`")),
                None => lines.push_str(" and a RUN installing the dependencies it lists"),
            }
            let whole = ctx.src(&copy.range).split_whitespace().collect::<Vec<_>>().join(" ");
            let reorder = install.prep.as_deref().and_then(|prep| {
                let files = manifests(install.family, &install.manifests, ctx.options.context_manifests.as_deref())?;
                let plan = Plan { copy: ci, run: ri, lines: copy_lines(&files, &dest), prep, prep_is_command: *prep == one_line(ctx, cmd) };
                fix(ctx.text, ctx.df, &ctx.runs, &plan)
            });
            let finding = Finding::new(
                    copy.range.clone(),
                    format!(
                        "`{whole}` copies the whole build context before `{}` (line {}), so any source change fetches all dependencies again; put {lines} before it",
                        one_line(ctx, cmd),
                        ctx.line_number(cmd.name_range.start)
                    ),
                )
                .with_related(cmd.range.clone(), "dependencies are installed here");
            out.push(match reorder {
                Some(f) => finding.with_fix(f),
                None => finding,
            });
        }
    }
}
