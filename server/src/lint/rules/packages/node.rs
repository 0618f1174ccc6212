//! npm and yarn: `npm-pin`, `yarn-cache-clean`.

use super::*;

/// npm options whose value is the next word.
pub(super) const NPM_VALUE_OPTIONS: &[&str] = &[
    "--prefix",
    "--registry",
    "--omit",
    "--include",
    "--install-strategy",
    "--cache",
    "--userconfig",
    "--globalconfig",
    "--loglevel",
    "-w",
    "--workspace",
    "--tag",
    "--before",
    "--save-prefix",
    "--os",
    "--cpu",
    "--libc",
    "--fetch-retries",
    "--fetch-timeout",
];

/// yarn options whose value is the next word.
pub(super) const YARN_VALUE_OPTIONS: &[&str] = &["--cwd", "--modules-folder", "--cache-folder", "--network-timeout", "--mutex", "--registry", "--network-concurrency", "--link-folder", "--global-folder", "--mode"];

pub(super) const NPM_INSTALL: &[&str] = &["install", "i", "add", "in", "isntall"];

pub static NPM_PIN: Rule = Rule {
    id: "npm-pin",
    hadolint: &["DL3016"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Pinning,
    tags: &[],
    summary: "Pin versions in `npm install <package>`",
    docs: r#"## What it does
Flags each package named in `npm install` (`npm i`, `npm add`) without a version
(`typescript` instead of `typescript@5.7.2`) or with the floating `@latest` tag, and Git
dependencies without a `#<commit>`, `#<tag>` or `#semver:<range>`.

## Why is this bad?
An unpinned package is the newest release at build time: rebuilding the same Dockerfile gives
different code, and a new major release can break the image without any change to the
Dockerfile. Project dependencies belong in `package.json` and its lock file (installed with
`npm ci`); global tools should name their version.

## Example
```dockerfile
RUN npm install -g pnpm
```

## Use instead
```dockerfile
RUN npm install -g pnpm@9.15.0
```

Not flagged: `npm install` and `npm ci` without package names (they follow `package.json` and
the lock file), local paths (`.`, `./pkg`), tarballs and URLs, Git references with a `#…`
(`github:user/repo#v1.0.0`), and words holding a variable. Any version, range or tag other than
`latest` counts as pinned.

## Differences from hadolint
`@latest` is flagged (hadolint accepts any `@…`), `npm i` and `npm add` are checked too, and
hosted-Git shorthands (`github:user/repo`, `user/repo`) are held to the same `#<ref>` rule as
`git+https://` URLs.
"#,
    opt_in: false,
    check: check_npm_pin,
};

fn check_npm_pin(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, _, run) in runs(ctx) {
        for cmd in &run.commands {
            if cmd.program() != "npm" {
                continue;
            }
            let cli = Cli::parse(&cmd.args, NPM_VALUE_OPTIONS);
            if !cli.subcommand().is_some_and(|s| NPM_INSTALL.contains(&s.value.as_str())) {
                continue;
            }
            for pkg in cli.operands() {
                let v = pkg.value.as_str();
                if v.is_empty() || is_dynamic(v) || is_path_like(v) && !is_git(v) || is_tarball_or_url(v) {
                    continue;
                }
                if is_git(v) {
                    // A Git dependency is pinned by `#<commit>`, `#<tag>` or `#semver:<range>`.
                    if !v.contains('#') {
                        out.push(Finding::new(pkg.range.clone(), format!("`{v}` follows the default branch; pin a commit or tag: `{v}#<ref>`")));
                    }
                    continue;
                }
                // The version follows an `@` that is not the scope's.
                let (name, version) = match v.char_indices().skip(1).find(|&(_, c)| c == '@') {
                    Some((i, _)) => (&v[..i], Some(&v[i + 1..])),
                    None => (v, None),
                };
                match version {
                    None => out.push(Finding::new(pkg.range.clone(), format!("Pin the version of `{name}`: `{name}@<version>`"))),
                    Some("latest" | "" | "*" | "x") => {
                        out.push(Finding::new(pkg.range.clone(), format!("`{v}` moves with every release; pin a version: `{name}@<version>`")))
                    }
                    Some(_) => {}
                }
            }
        }
    }
}

/// Tarballs, URLs (other than Git), `file:` and `link:` specs.
fn is_tarball_or_url(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    [".tgz", ".tar.gz", ".tar"].iter().any(|e| l.ends_with(e)) || ["file:", "link:", "http:", "https:"].iter().any(|p| l.starts_with(p))
}

/// Git and hosted-Git references: `git+https://…`, `github:user/repo`, `user/repo`.
fn is_git(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    ["git+", "git:", "github:", "gitlab:", "bitbucket:", "gist:"].iter().any(|p| l.starts_with(p))
        || {
            // `user/repo[#ref]`: a slash in the name part, no scope, path or scheme.
            let base = l.split('#').next().unwrap_or(&l);
            !base.starts_with(['@', '.', '/', '~']) && !base.contains(':') && base.contains('/')
        }
}

pub static YARN_CACHE_CLEAN: Rule = Rule {
    id: "yarn-cache-clean",
    hadolint: &["DL3060"],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Size,
    tags: &[],
    summary: "Run `yarn cache clean` after `yarn install`",
    docs: r#"## What it does
Flags `yarn install` (or a bare `yarn`) in a RUN that does not also run `yarn cache clean`.

## Why is this bad?
Yarn keeps a copy of every package it downloads in its cache (`/usr/local/share/.cache/yarn`
for root with Yarn 1). In an image that copy is dead weight, often as large as `node_modules`,
and the layer ships it unless the same RUN cleans it.

## Example
```dockerfile
COPY package.json yarn.lock ./
RUN yarn install --frozen-lockfile --production
```

## Use instead
```dockerfile
COPY package.json yarn.lock ./
RUN yarn install --frozen-lockfile --production && yarn cache clean
```
or keep the cache outside the image:
```dockerfile
RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install --frozen-lockfile
```

Not flagged: a RUN that runs `yarn cache clean` or removes the cache directory, a RUN with a
`--mount=type=cache` whose target or id mentions yarn (or whose target is `YARN_CACHE_FOLDER`),
and stages that only serve as a source for `COPY --from` (builder stages: their files never
ship).

## Fix safety
The fix appends `&& yarn cache clean` to the RUN (a last line for a heredoc script). It is
unsafe: with Yarn 2+ Plug'n'Play the project's `.yarn/cache` is where the installed packages
live, and cleaning it breaks the app.

## Differences from hadolint
hadolint reports only the last stage, which misses other `--target` images in the same file;
dockls reports every stage except those only copied from.
"#,
    opt_in: false,
    check: check_yarn,
};

fn check_yarn(ctx: &Context, out: &mut Vec<Finding>) {
    let shipped = shipped_stages(ctx);
    for (_, ins, run) in runs(ctx) {
        if !ships(&shipped, ins) {
            continue;
        }
        let install = run.commands.iter().find_map(|c| {
            if c.program() != "yarn" {
                return None;
            }
            let cli = Cli::parse(&c.args, YARN_VALUE_OPTIONS);
            match cli.subcommand() {
                // A bare `yarn` installs, unless it only prints something.
                None if !cli.has(&["--version", "-v", "--help", "-h"]) => Some((c, c.name_range.clone())),
                Some(s) if s.value == "install" => Some((c, span(c, s))),
                _ => None,
            }
        });
        let Some((cmd, range)) = install else { continue };
        let cleaned = run.commands.iter().any(|c| {
            c.program() == "yarn" && {
                let cli = Cli::parse(&c.args, YARN_VALUE_OPTIONS);
                cli.positionals.len() >= 2 && cli.positionals[0].value == "cache" && cli.positionals[1].value == "clean"
            }
        }) || removes(&run, "/usr/local/share/.cache/yarn")
            || run.commands.iter().any(|c| c.program() == "rm" && c.args.iter().any(|a| a.value.contains(".cache/yarn")));
        if cleaned || yarn_cache_mounted(ctx, ins) {
            continue;
        }
        let mut finding = Finding::new(range, "Yarn's download cache stays in this layer; add `&& yarn cache clean` to this RUN");
        if let Some(edit) = append_command(ctx, ins, &cmd.range, "yarn cache clean") {
            finding = finding.with_fix(Fix::unsafe_("Run `yarn cache clean` at the end of the RUN (unsafe: later RUNs no longer find the cache)", vec![edit]));
        }
        out.push(finding);
    }
}

fn yarn_cache_mounted(ctx: &Context, ins: &Instruction) -> bool {
    let folder = match var_at(ctx, ins, "YARN_CACHE_FOLDER") {
        Some(VarValue::Value(v)) => Some(v),
        _ => None,
    };
    mounts(ins).iter().filter(|m| m.kind == "cache" || m.kind == "tmpfs").any(|m| {
        m.target.to_ascii_lowercase().contains("yarn")
            || m.id.as_ref().is_some_and(|id| id.to_ascii_lowercase().contains("yarn"))
            || folder.as_ref().is_some_and(|f| path_within(f, &m.target))
    })
}
