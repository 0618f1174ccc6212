//! `npm-prod-deps`: the final image should get production dependencies only.

use super::*;

pub static RULE: Rule = Rule {
    id: "npm-prod-deps",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Size,
    tags: &[],
    summary: "Install only production dependencies in the final image (`npm ci --omit=dev`)",
    docs: r#"## What it does
In the final stage, flags `npm ci` and `npm install` (without package names) that install
dev dependencies: no `--omit=dev`, `--production` or `--only=prod`, no
`NODE_ENV=production` (ENV, ARG or inline), and no `npm prune --omit=dev` afterwards.

## Why is this bad?
Dev dependencies (test runners, bundlers, type checkers, linters) are often larger than the
app's runtime dependencies. Shipping them makes the image bigger and slower to pull, and every
extra package is one more to patch when a vulnerability is published.

## Example
```dockerfile
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
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
When the final stage builds the app (`npm run build`) and so needs dev dependencies, build in
an earlier stage, or run `npm prune --omit=dev` after the build.

## Fix safety
The fix appends `--omit=dev`. It is unsafe: a package the app needs at run time may be
declared in `devDependencies` by mistake. It is not offered when a later step of the stage runs
an npm script or `npx`, which likely need the dev dependencies.

## Differences from hadolint
hadolint has no such rule. Builder stages are never flagged: only the final image matters.
"#,
    opt_in: false,
    check,
};

const INSTALLS: &[&str] = &["ci", "install", "i", "clean-install", "install-clean", "add"];
const NPM_VALUE_OPTS: &[&str] = &["--prefix", "--cache", "--loglevel", "--registry", "-C", "--userconfig", "--workspace", "-w", "--omit", "--only", "--include", "--install-strategy"];

/// `--omit=dev`, `--omit dev`, `--production`, `--only=prod[uction]`.
fn omits_dev(cmd: &Command) -> bool {
    let mut prev = "";
    for a in &cmd.args {
        let v = a.value.as_str();
        let value_of = |name: &str| v.strip_prefix(name).and_then(|r| r.strip_prefix('=')).or((prev == name).then_some(v));
        if v == "--production" || v == "--production=true" || value_of("--omit") == Some("dev") {
            return true;
        }
        if matches!(value_of("--only"), Some("prod" | "production")) {
            return true;
        }
        prev = v;
    }
    false
}

fn production_env(ctx: &Context, idx: usize, cmd: &Command) -> bool {
    let env = |name: &str| env_value(ctx, idx, name);
    if env("NODE_ENV").as_deref() == Some("production") {
        return true;
    }
    for name in ["NPM_CONFIG_PRODUCTION", "npm_config_production"] {
        if env(name).as_deref() == Some("true") {
            return true;
        }
    }
    for name in ["NPM_CONFIG_OMIT", "npm_config_omit"] {
        if env(name).is_some_and(|v| v.split([' ', ',']).any(|p| p == "dev")) {
            return true;
        }
    }
    // `NODE_ENV=production npm ci`, `env NODE_ENV=production npm ci`, an earlier `export`.
    let run_start = ctx.df.instructions[idx].range.start;
    ctx.text[run_start..cmd.name_range.start].contains("NODE_ENV=production")
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(stage) = ctx.final_stage() else { return };
    let commands: Vec<(usize, &Command)> = stage_runs(ctx, stage).flat_map(|(i, _, r)| r.commands.iter().map(move |c| (i, c))).collect();
    for (pos, (idx, cmd)) in commands.iter().enumerate() {
        if cmd.program() != "npm" {
            continue;
        }
        let Some(sub) = cmd.positionals(NPM_VALUE_OPTS).next() else { continue };
        if !INSTALLS.contains(&sub.value.as_str()) || cmd.has_flag(&["-g", "--global"]) || omits_dev(cmd) {
            continue;
        }
        if cmd.positionals(NPM_VALUE_OPTS).nth(1).is_some() || production_env(ctx, *idx, cmd) {
            continue;
        }
        let later = &commands[pos + 1..];
        let pruned = later.iter().any(|(_, c)| c.program() == "npm" && c.subcommand().is_some_and(|s| s.value == "prune") && omits_dev(c));
        if pruned {
            continue;
        }
        let script = later.iter().find(|(_, c)| {
            c.program() == "npx"
                || (matches!(c.program(), "npm" | "yarn" | "pnpm")
                    && c.subcommand().is_some_and(|s| (s.value == "run" || s.value == "run-script") && c.positionals(&[]).nth(1).is_some_and(|n| n.value != "start")))
        });
        let range = cmd.name_range.start..sub.range.end;
        let shown = format!("npm {}", sub.value);
        match script {
            Some((_, s)) => out.push(Finding::new(
                range,
                format!(
                    "`{shown}` installs dev dependencies into the final image; they seem needed by `{}` (line {}): build in an earlier stage or run `npm prune --omit=dev` after it",
                    s.program(),
                    ctx.line_number(s.name_range.start)
                ),
            )),
            None => {
                let at = sub.range.end;
                out.push(
                    Finding::new(range, format!("`{shown}` installs dev dependencies into the final image; add `--omit=dev`"))
                        .with_fix(Fix::unsafe_("Add `--omit=dev` (unsafe: dev dependencies are no longer installed)", vec![Edit { range: at..at, text: " --omit=dev".into() }])),
                );
            }
        }
    }
}
