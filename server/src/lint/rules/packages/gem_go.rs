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

Inside a module (after `COPY go.mod go.sum ./`), `go install example.com/tool` without a
version uses the version in `go.mod`, which is pinned; write it as a local package path or add
the version to silence the finding.
"#,
    opt_in: false,
    check: check_go,
};

const MOVING: &[&str] = &["latest", "master", "main", "head", "upgrade", "patch"];

fn check_go(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, _, run) in runs(ctx) {
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
                if v.is_empty() || is_dynamic(v) || is_path_like(v) || v.ends_with(".go") || v == "std" || v == "cmd" || v == "all" {
                    continue;
                }
                let (path, version) = match v.split_once('@') {
                    Some((p, ver)) => (p, Some(ver)),
                    None => (v, None),
                };
                match version {
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
