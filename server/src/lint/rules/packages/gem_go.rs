//! `gem-pin` and `go-install-pin`.

use super::*;

/// gem options whose value is the next word.
const GEM_VALUE_OPTIONS: &[&str] = &[
    "-v",
    "--version",
    "-i",
    "--install-dir",
    "-n",
    "--bindir",
    "-s",
    "--source",
    "-P",
    "--trust-policy",
    "--platform",
    "-g",
    "--file",
    "--build-root",
    "--document",
    "-p",
    "--http-proxy",
    "--config-file",
];

pub static GEM_PIN: Rule = Rule {
    id: "gem-pin",
    hadolint: &["DL3028"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Pinning,
    tags: &[],
    summary: "Pin versions in `gem install`",
    docs: r#"## What it does
Flags each gem of `gem install` named without a version (`bundler` instead of
`bundler:2.5.23` or `bundler -v 2.5.23`).

## Why is this bad?
An unpinned gem is the newest release at build time: rebuilding the same Dockerfile gives
different code, and a new major release can break the image without any change to it.
Application gems belong in `Gemfile.lock` (installed with `bundle install`); tools installed
with `gem install` should name their version.

## Example
```dockerfile
RUN gem install bundler
```

## Use instead
```dockerfile
RUN gem install bundler:2.5.23
```
or
```dockerfile
RUN gem install bundler -v 2.5.23
```

Not flagged: a command with `-v`/`--version`, `.gem` files and paths, words holding a variable,
and build options after `--`.
"#,
    opt_in: false,
    check: check_gem,
};

fn check_gem(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, _, run) in runs(ctx) {
        for cmd in &run.commands {
            if cmd.program() != "gem" {
                continue;
            }
            // After `--` come build options for the gem's native extension.
            let end = cmd.args.iter().position(|a| a.value == "--").unwrap_or(cmd.args.len());
            let cli = Cli::parse(&cmd.args[..end], GEM_VALUE_OPTIONS);
            if !cli.subcommand().is_some_and(|s| s.value == "install" || s.value == "i") || cli.has(&["-v", "--version"]) {
                continue;
            }
            for gem in cli.operands() {
                let v = gem.value.as_str();
                if v.is_empty() || v.contains(':') || is_dynamic(v) || is_path_like(v) || v.ends_with(".gem") {
                    continue;
                }
                out.push(Finding::new(gem.range.clone(), format!("Pin the version of `{v}`: `{v}:<version>` or `-v <version>`")));
            }
        }
    }
}

/// go command flags whose value is the next word.
const GO_VALUE_OPTIONS: &[&str] = &[
    "-ldflags",
    "-tags",
    "-gcflags",
    "-asmflags",
    "-gccgoflags",
    "-mod",
    "-modfile",
    "-p",
    "-pkgdir",
    "-buildmode",
    "-compiler",
    "-overlay",
    "-toolexec",
    "-pgo",
    "-C",
    "-o",
    "-installsuffix",
    "-coverpkg",
    "-covermode",
    "--ldflags",
    "--tags",
    "--gcflags",
    "--mod",
];

pub static GO_INSTALL_PIN: Rule = Rule {
    id: "go-install-pin",
    hadolint: &["DL3062"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Pinning,
    tags: &[],
    summary: "Pin versions in `go install`",
    docs: r#"## What it does
Flags the packages of `go install`, `go get` and `go run` given without a version
(`golang.org/x/tools/cmd/goimports`) or with a moving one (`@latest`, `@master`, `@main`,
`@HEAD`).

## Why is this bad?
`@latest` resolves to the newest release at build time: rebuilding the same Dockerfile gives a
different binary, and a new release can break the build without any change to it. A version
(`@v0.28.0`) or a commit makes the build reproducible.

## Example
```dockerfile
RUN go install golang.org/x/tools/cmd/goimports@latest
```

## Use instead
```dockerfile
RUN go install golang.org/x/tools/cmd/goimports@v0.28.0
```

Not flagged: local packages (`.`, `./cmd/server`, `./...`, absolute paths), `.go` files, words
holding a variable, `@none` (removal with `go get`), and the arguments of the program after
`go run`'s package.

Nor is `go install tool` (Go 1.24's meta-package for the tools `go.mod` lists), nor
`go install`/`go run` of a package without a version inside a module: after a COPY of `go.mod`
(or of the whole context, `COPY . .`) in the stage or a stage it is built on, or in a RUN with
a bind mount (`RUN --mount=type=bind,… go install example.com/tool`), the version comes from
`go.mod`, which pins it. `go get` without a version still upgrades to the newest release and
is flagged.
"#,
    opt_in: false,
    check: check_go,
};

const MOVING: &[&str] = &["latest", "master", "main", "head", "upgrade", "patch"];

/// For each stage, the offset of the first COPY/ADD that brings a Go module into it (`go.mod`,
/// or the whole context with `.`), in the stage or one it is built on (then 0).
fn module_copied(ctx: &Context) -> Vec<Option<usize>> {
    let mut at: Vec<Option<usize>> = vec![None; ctx.df.stages.len()];
    for (_, ins) in ctx.instructions() {
        let Some(stage) = ins.stage else { continue };
        if ins.kind == Kind::From {
            at[stage] = ctx.df.stages[stage].parent.and_then(|p| at.get(p).copied().flatten()).map(|_| 0);
            continue;
        }
        if at[stage].is_some() || !matches!(ins.kind, Kind::Copy | Kind::Add) {
            continue;
        }
        let words = ins.words();
        let sources = &words[..words.len().saturating_sub(1)];
        let module = sources.iter().any(|w| {
            let v = w.value.trim_end_matches('/');
            v.is_empty() || v == "." || v.rsplit('/').next() == Some("go.mod")
        });
        if module {
            at[stage] = Some(ins.range.start);
        }
    }
    at
}

/// Whether a RUN has a bind mount (the build context, or another stage's files).
fn has_bind_mount(ins: &Instruction) -> bool {
    ins.flags.iter().filter(|f| f.name == "mount").any(|f| {
        f.mount.iter().find(|o| o.key == "type").and_then(|o| o.value.as_ref()).is_none_or(|v| v.value.eq_ignore_ascii_case("bind"))
    })
}

fn check_go(ctx: &Context, out: &mut Vec<Finding>) {
    let mut modules: Option<Vec<Option<usize>>> = None;
    for (_, ins, run) in runs(ctx) {
        // Inside a module (copied in, or bind-mounted), `go install pkg` and `go run pkg`
        // without a version build the version go.mod requires: pinned.
        let mut in_module = || {
            has_bind_mount(ins)
                || ins.stage.is_some_and(|s| {
                    let copied = modules.get_or_insert_with(|| module_copied(ctx))[s];
                    copied.is_some_and(|at| at < ins.range.start)
                })
        };
        for cmd in &run.commands {
            if cmd.program() != "go" {
                continue;
            }
            let cli = Cli::parse(&cmd.args, GO_VALUE_OPTIONS);
            let Some(sub) = cli.subcommand() else { continue };
            let pkgs: &[&Arg] = match sub.value.as_str() {
                "install" | "get" => cli.operands(),
                // `go run pkg args…`: only the package.
                "run" => cli.operands().get(..1).unwrap_or(&[]),
                _ => continue,
            };
            for pkg in pkgs {
                let v = pkg.value.as_str();
                // `std`, `cmd`, `all` and Go 1.24's `tool` (the module's tools) are meta-packages.
                if v.is_empty() || is_dynamic(v) || is_path_like(v) || v.ends_with(".go") || ["std", "cmd", "all", "tool"].contains(&v) {
                    continue;
                }
                let (path, version) = match v.split_once('@') {
                    Some((p, ver)) => (p, Some(ver)),
                    None => (v, None),
                };
                match version {
                    None if sub.value != "get" && in_module() => {}
                    None => out.push(Finding::new(pkg.range.clone(), format!("Pin the version of `{path}`: `{path}@<version>`"))),
                    Some(ver) if MOVING.contains(&ver.to_ascii_lowercase().as_str()) || ver.is_empty() => out.push(Finding::new(
                        pkg.range.clone(),
                        format!("`@{ver}` moves with every release; pin a version: `{path}@<version>`"),
                    )),
                    Some(_) => {}
                }
            }
        }
    }
}
