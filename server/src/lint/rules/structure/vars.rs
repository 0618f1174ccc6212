//! Variables: `env-self-reference`, `undefined-var`, `undefined-arg-in-from`,
//! `invalid-default-arg-in-from`.

use std::collections::HashMap;
use std::ops::Range;

use super::super::prelude::*;
use crate::diagnostics::did_you_mean;
use crate::diagnostics::values::reference_problem;
use crate::semantics::{Why, PREDEFINED_ARGS};

pub static ENV_SELF_REFERENCE: Rule = Rule {
    id: "env-self-reference",
    hadolint: &["DL3044"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Syntax,
    tags: &[],
    summary: "An ENV cannot use a variable it sets itself",
    docs: r#"## What it does
Flags `$VAR` in an `ENV` value when `VAR` is set by an earlier pair of the same `ENV`
instruction, as in `ENV APP_HOME=/app APP_BIN=$APP_HOME/bin`.

## Why is this bad?
Docker expands every value of an `ENV` instruction with the variables as they were *before*
the instruction. `$APP_HOME` above is empty (or an older value), not `/app`, so `APP_BIN`
becomes `/bin`.

## Example
```dockerfile
ENV APP_HOME=/app APP_BIN=$APP_HOME/bin
```

## Use instead
```dockerfile
ENV APP_HOME=/app
ENV APP_BIN=$APP_HOME/bin
```

## Fix safety
The fix splits the instruction in two before the pair that uses the variable, so it sees the
new value. That changes the value (to what was almost certainly meant), so it is unsafe.

## Differences from hadolint
`ENV PATH=/opt/bin:$PATH` (a variable extending its own previous value) is not flagged.
"#,
    opt_in: false,
    check: check_self_reference,
};

pub static UNDEFINED_VAR: Rule = Rule {
    id: "undefined-var",
    hadolint: &[],
    buildkit: Some("UndefinedVar"),
    severity: Severity::Warning,
    category: Category::Syntax,
    tags: &[],
    summary: "A `$VAR` expanded by Docker is not declared with ARG or ENV",
    docs: r#"## What it does
Flags `$VAR` in instructions Docker expands itself (ENV, ARG, LABEL, COPY, ADD, WORKDIR,
USER, EXPOSE, VOLUME, STOPSIGNAL and flags) when no `ARG` or `ENV` before it in the stage
declares `VAR`, and suggests a close name. A global `ARG` (before the first `FROM`) counts
only once the stage declares it again with `ARG VAR`. The predefined proxy arguments
(`HTTP_PROXY`, `no_proxy`, …) reach RUN commands without a declaration, but not the words
Docker expands itself (`ENV http_proxy=$http_proxy` is empty without `ARG http_proxy`).

Shell-form `RUN`, `CMD` and `ENTRYPOINT` are checked for three mistakes only, since the shell
expands them from an environment the Dockerfile cannot fully see:
- a global `ARG` used in a `RUN` of a stage that did not declare it again (the shell sees it
  empty), unless the script assigns the variable itself;
- a predefined platform argument (`TARGETARCH`, `TARGETPLATFORM`, `BUILDPLATFORM`, …) used in
  a stage that did not declare it: BuildKit sets those in `FROM` lines only;
- a build argument used in shell-form `CMD`, `ENTRYPOINT` or `HEALTHCHECK`, which run when
  the container starts: ARG values are not in the image, only ENV values are.

## Why is this bad?
An undefined variable expands to an empty string without any error: `COPY $SRC_DIR /app`
silently copies the whole context, `WORKDIR $APP_HOME` goes to `/`. It is often a typo or a
global ARG that was not re-declared in the stage.

## Example
```dockerfile
ARG VERSION=1.4.2
FROM alpine:3.20
ENV APP_HOME=/opt/app
WORKDIR $APP_HOEM
LABEL org.opencontainers.image.version=$VERSION
```

## Use instead
```dockerfile
ARG VERSION=1.4.2
FROM alpine:3.20
ARG VERSION
ENV APP_HOME=/opt/app
WORKDIR $APP_HOME
LABEL org.opencontainers.image.version=$VERSION
```

```dockerfile
FROM golang:1.23
# Without this line $TARGETARCH below is empty.
ARG TARGETARCH
RUN GOARCH=$TARGETARCH go build -o /app .
```

## Fix safety
When a close name exists the fix replaces the variable with it; that changes the value, so it
is unsafe.

A shell use is not reported when the RUN sets the variable itself before it: `OUT=…; … $OUT`,
`export OUT`, `for OUT in …`, `read OUT`.

## Severity
A name declared nowhere in the Dockerfile, in a stage built on an image (not `scratch`), may
come from the base image's environment, which dockls does not see: it is reported as
information, not as a warning, unless it is close to a name the Dockerfile declares (a typo,
with a suggestion).

## Differences from BuildKit
BuildKit knows the base image's environment. The language server and `dockls check` (unless
offline) read it from the base image's config once its registry has answered: a name the
image's `Env` sets is defined, and any other undeclared name is a warning. Until then dockls does
not flag variables base images commonly set (`PATH`, `HOME`, `JAVA_HOME`, `GOPATH`,
`PYTHON_VERSION`, names ending in `_VERSION` or `_HOME`, …) unless the stage starts from
`scratch`. `${VAR:-default}`, `${VAR:+alt}` and `${VAR:?msg}` are not flagged: they handle an
unset variable on purpose.
"#,
    opt_in: false,
    check: check_undefined,
};

pub static UNDEFINED_ARG_IN_FROM: Rule = Rule {
    id: "undefined-arg-in-from",
    hadolint: &[],
    buildkit: Some("UndefinedArgInFrom"),
    severity: Severity::Warning,
    category: Category::Syntax,
    tags: &[],
    summary: "A variable in FROM must be declared by an ARG before the first FROM",
    docs: r#"## What it does
Flags `$VAR` in a `FROM` line (image or `--platform`) when no `ARG VAR` before the first
`FROM` declares it and it is not one of BuildKit's predefined arguments
(`BUILDPLATFORM`, `TARGETARCH`, …). A close name is suggested.

## Why is this bad?
FROM only sees global ARGs. An undeclared variable is empty, so `FROM node:22${VARIANT}`
quietly builds on `node:22`, and `--build-arg VARIANT=-alpine` has no effect.

## Example
```dockerfile
FROM node:22${VARIANT} AS build
FROM --platform=$BUILDPLATFROM golang:1.23 AS tools
```

## Use instead
```dockerfile
ARG VARIANT=-alpine3.20
FROM node:22${VARIANT} AS build
FROM --platform=$BUILDPLATFORM golang:1.23 AS tools
```

## Fix safety
Replacing a misspelt name with the suggestion is unsafe (the image changes). Declaring
`ARG VAR` without a default before the first FROM is safe: the build without `--build-arg`
is unchanged, and the argument starts to work.
The declared ARG has no default: `invalid-default-arg-in-from` then asks for one (or
pass it with `--build-arg`).

## Differences from BuildKit
`${VAR:-default}` and the other forms that handle an unset variable are not flagged.
"#,
    opt_in: false,
    check: check_undefined_in_from,
};

pub static INVALID_DEFAULT_ARG_IN_FROM: Rule = Rule {
    id: "invalid-default-arg-in-from",
    hadolint: &[],
    buildkit: Some("InvalidDefaultArgInFrom"),
    severity: Severity::Warning,
    category: Category::Syntax,
    tags: &[],
    summary: "With the default ARG values, the FROM image must be a valid reference",
    docs: r#"## What it does
Expands each `FROM` image that uses variables with the defaults of the global ARGs (and
typical values for the platform arguments), as a build without `--build-arg` does, and flags
the image when the result is empty or not a valid image reference.

## Why is this bad?
The Dockerfile does not build unless every caller passes the right `--build-arg`: `FROM
alpine:${ALPINE_VERSION}` with `ARG ALPINE_VERSION` and no default expands to `alpine:`.
Giving the argument a sensible default keeps `docker build .` working.

## Example
```dockerfile
ARG ALPINE_VERSION
FROM alpine:${ALPINE_VERSION}
```

## Use instead
```dockerfile
ARG ALPINE_VERSION=3.20
FROM alpine:${ALPINE_VERSION}
```
"#,
    opt_in: false,
    check: check_invalid_default,
};

// ---------------------------------------------------------------- env-self-reference

fn check_self_reference(ctx: &Context, out: &mut Vec<Finding>) {
    for ins in super::with_nested(ctx).filter(|i| i.kind == Kind::Env) {
        let pairs = ins.pairs();
        for (i, pair) in pairs.iter().enumerate() {
            let Some(value) = &pair.value else { continue };
            for e in &value.expansions {
                let Some(earlier) = pairs[..i].iter().rev().find(|p| p.key.value == e.name) else { continue };
                let kw = super::cased_like(&ins.keyword, "ENV");
                let prev_end = pairs[i - 1].range.end;
                let shown = earlier.value.as_ref().map_or(String::new(), |v| v.text.to_string());
                let mut f = Finding::new(
                    e.range.clone(),
                    format!(
                        "`{}` here is the value from before this ENV, not `{shown}` set earlier in the same instruction",
                        ctx.src(&e.range)
                    ),
                )
                .with_related(earlier.key.range.clone(), format!("`{}` is set here", e.name));
                // Split where the pairs meet, unless a comment line sits in between.
                if !ctx.text[prev_end..pair.range.start].contains('#') {
                    f = f.with_fix(Fix::unsafe_(
                        format!("Split into two {kw} instructions (unsafe: the later value now sees the earlier one)"),
                        vec![Edit { range: prev_end..pair.range.start, text: format!("\n{kw} ") }],
                    ));
                }
                out.push(f);
            }
        }
    }
}

// ---------------------------------------------------------------- undefined-var

/// Variables official base images commonly set; BuildKit would know them from the image.
const BASE_IMAGE_ENV: &[&str] = &[
    "PATH", "HOME", "HOSTNAME", "TERM", "LANG", "LANGUAGE", "LC_ALL", "TZ", "USER", "SHELL", "PWD",
    "LD_LIBRARY_PATH", "PKG_CONFIG_PATH", "JAVA_HOME", "JDK_HOME", "JRE_HOME", "MAVEN_CONFIG", "GOPATH",
    "GOROOT", "GOTOOLCHAIN", "CARGO_HOME", "RUSTUP_HOME", "GPG_KEY", "PYTHON_SHA256", "PYTHON_GET_PIP_URL",
    "PYTHON_GET_PIP_SHA256", "GEM_HOME", "BUNDLE_PATH", "BUNDLE_APP_CONFIG", "BUNDLE_SILENCE_ROOT_WARNING",
    "PHP_INI_DIR", "PHPIZE_DEPS", "PHP_CFLAGS", "PHP_CPPFLAGS", "PHP_LDFLAGS", "PKG_RELEASE", "HTTPD_PREFIX",
    "CATALINA_HOME", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_RUNNING_IN_CONTAINER", "APP_UID",
    "PGDATA", "PG_MAJOR", "MYSQL_MAJOR", "VIRTUAL_ENV", "CONDA_DIR", "NVIDIA_VISIBLE_DEVICES",
    "NVIDIA_DRIVER_CAPABILITIES", "NVIDIA_REQUIRE_CUDA", "CUDA_HOME", "DEBIAN_FRONTEND", "NODE_ENV",
    "YARN_CACHE_FOLDER", "NPM_CONFIG_PREFIX", "PIP_NO_CACHE_DIR",
];

fn maybe_from_base_image(name: &str) -> bool {
    BASE_IMAGE_ENV.contains(&name) || ["_VERSION", "_HOME", "_MAJOR"].iter().any(|s| name.ends_with(s) && name.len() > s.len())
}

/// `${NAME:-word}` and friends: the author handles the unset case.
fn handles_unset(text: &str, name: &Range<usize>) -> bool {
    text[..name.start].ends_with("${")
        && ["-", "+", "?", "=", ":-", ":+", ":?", ":="].iter().any(|op| text[name.end..].starts_with(op))
}

/// Whether the stage (following `FROM <stage>` parents) ultimately starts from scratch.
fn from_scratch(ctx: &Context, stage: usize) -> bool {
    let mut s = &ctx.df.stages[stage];
    for _ in 0..ctx.df.stages.len() {
        match s.parent {
            Some(p) => s = &ctx.df.stages[p],
            None => break,
        }
    }
    s.image.is_scratch()
}

/// Whether the RUN around a shell use sets the variable itself before the use: `V=…` (also
/// after `export`, `local`, `readonly`, `declare`), `export V`, `for V in`, `read … V`.
fn assigned_in(ctx: &Context, u: &crate::semantics::Unresolved) -> bool {
    let i = ctx.df.instructions.partition_point(|ins| ins.range.end < u.range.start);
    let Some(ins) = ctx.df.instructions.get(i).filter(|ins| ins.range.start <= u.range.start) else { return false };
    // The script up to the use (the `$` before the name excluded).
    let before = &ctx.text[ins.range.start..u.range.start.saturating_sub(1).max(ins.range.start)];
    let name = u.name.as_str();
    let boundary = |at: usize| before[..at].chars().next_back().is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '{'));
    let assigned = before.match_indices(name).any(|(at, _)| {
        let after = &before[at + name.len()..];
        if !boundary(at) {
            return false;
        }
        let words: Vec<&str> = before[..at].split_whitespace().rev().take(1).collect();
        let prev = words.first().copied().unwrap_or("");
        after.starts_with('=')
            || after.starts_with("+=")
            || (prev == "for" && after.starts_with(char::is_whitespace))
            || (prev == "export" && (after.is_empty() || after.starts_with(|c: char| c.is_whitespace() || c == ';' || c == '&')))
    });
    assigned
        || ctx.runs[i].commands.iter().any(|c| c.program() == "read" && c.range.start < u.range.start && c.args.iter().any(|a| a.value == name))
}

fn global_args<'a>(ctx: &'a Context) -> Vec<&'a crate::syntax::Pair> {
    ctx.df.global_instructions().iter().filter(|i| i.kind == Kind::Arg).flat_map(|i| i.pairs()).collect()
}

fn check_undefined(ctx: &Context, out: &mut Vec<Finding>) {
    let globals = global_args(ctx);
    for u in &ctx.sem.unresolved {
        if matches!(u.instruction_kind, Kind::From | Kind::Onbuild | Kind::Maintainer) || handles_unset(ctx.text, &u.range) {
            continue;
        }
        let Some(stage) = ctx.df.stage_at(u.range.start).map(|s| s.index) else { continue };
        let name = &u.name;
        match u.why {
            // `TARGETARCH=$(uname -m)` earlier in the RUN: the script's own variable.
            Why::PredefinedNotDeclared if u.in_shell && assigned_in(ctx, u) => continue,
            Why::PredefinedNotDeclared => {
                let kw = super::cased_like(&ctx.df.instructions[ctx.df.stages[stage].from].keyword, "ARG");
                out.push(
                    Finding::new(
                        u.range.clone(),
                        if crate::semantics::is_proxy_arg(name) {
                            format!("`{name}` is passed to RUN commands only; `{kw} {name}` makes it a variable of this stage")
                        } else {
                            format!("`{name}` is set automatically in FROM lines only; a stage sees it after declaring `{kw} {name}`")
                        },
                    )
                    .with_fix(Fix::unsafe_(format!("Declare `{kw} {name}` in this stage (unsafe: the variable now has a value here)"), vec![declare_in_stage(ctx, stage, &format!("{kw} {name}"))])),
                );
                continue;
            }
            Why::BuildArgAtRuntime(arg) => {
                let kind = ctx.df.instruction_at(u.range.start).map_or("CMD", |i| i.kind.keyword());
                out.push(
                    Finding::new(
                        u.range.clone(),
                        format!(
                            "`{name}` is a build argument: it is not set when the container runs this {kind} (only ENV values are); keep it with `ENV {name}=${{{name}}}`"
                        ),
                    )
                    .with_related(ctx.sem.symbols[arg].range.clone(), "declared with ARG here"),
                );
                continue;
            }
            // Shell text may use variables the base image or the script itself sets; only the
            // classic mistake is reported there: a RUN using a global ARG its stage did not
            // declare again (the shell sees it empty), unless the script assigns it itself.
            Why::Undeclared if u.in_shell && !(u.instruction_kind == Kind::Run && globals.iter().any(|p| p.key.value == *name) && !assigned_in(ctx, u)) => {
                continue
            }
            Why::Undeclared => {}
        }
        let scratch = from_scratch(ctx, stage);
        // The base image's ENV, when its registry's answer is known; else a guess from the name.
        let base_env = crate::lint::rules::base_config(ctx, stage).map(|c| c.env_value(name).is_some());
        if u.name == "PATH" || base_env == Some(true) || (base_env.is_none() && !scratch && maybe_from_base_image(&u.name)) {
            continue;
        }
        let f = if let Some(g) = globals.iter().find(|p| p.key.value == *name) {
            let kw = super::cased_like(&ctx.df.instructions[ctx.df.stages[stage].from].keyword, "ARG");
            Finding::new(
                u.range.clone(),
                format!("`{name}` is a global ARG, which a stage only sees after declaring it again: add `{kw} {name}` to this stage"),
            )
            .with_related(g.key.range.clone(), "declared before the first FROM here")
            .with_fix(Fix::unsafe_(format!("Declare `{kw} {name}` in this stage (unsafe: the variable now has a value here)"), vec![declare_in_stage(ctx, stage, &format!("{kw} {name}"))]))
        } else {
            let mut candidates: Vec<&str> = u.visible.iter().map(String::as_str).filter(|c| is_variable_name(c)).collect();
            if !scratch {
                candidates.extend(BASE_IMAGE_ENV.iter().copied());
            }
            // A name declared nowhere in the Dockerfile may come from the base image's
            // environment, which dockls does not see: information only, unless it looks like
            // a typo of a name the Dockerfile declares.
            // (`ENV PYTHONPATH=/app:$PYTHONPATH` extends the base image's value: its own
            // definition does not count.)
            let declared_anywhere = ctx.sem.symbols_named(name).iter().any(|&id| {
                let at = &ctx.sem.symbols[id].instruction;
                !(at.start <= u.range.start && u.range.start < at.end)
            });
            let typo_of_declared = did_you_mean(name, u.visible.iter().map(String::as_str).filter(|c| is_variable_name(c))).is_some();
            let base_image_may_set = !scratch && !declared_anywhere && !typo_of_declared && base_env.is_none();
            let f = match did_you_mean(name, candidates) {
                Some(s) => {
                    let s = s.to_string();
                    Finding::new(u.range.clone(), format!("`${name}` is not declared with ARG or ENV; did you mean `${s}`?"))
                        .with_fix(Fix::unsafe_(format!("Replace with `${s}` (unsafe: another variable's value)"), vec![Edit { range: u.range.clone(), text: s }]))
                }
                None if base_image_may_set => Finding::new(
                    u.range.clone(),
                    format!("`${name}` is not declared with ARG or ENV in this Dockerfile: it expands to nothing unless the base image sets it"),
                ),
                None => Finding::new(u.range.clone(), format!("`${name}` is not declared with ARG or ENV before this point, so it expands to nothing")),
            };
            if base_image_may_set {
                f.at_most(Severity::Info)
            } else {
                f
            }
        };
        out.push(f);
    }
}

/// An edit adding `line` right after the stage's FROM.
fn declare_in_stage(ctx: &Context, stage: usize, line: &str) -> Edit {
    let from = &ctx.df.instructions[ctx.df.stages[stage].from];
    match ctx.text[from.range.end..].find('\n') {
        Some(i) => {
            let at = from.range.end + i + 1;
            Edit { range: at..at, text: format!("{line}\n") }
        }
        None => Edit { range: ctx.text.len()..ctx.text.len(), text: format!("\n{line}") },
    }
}

// ---------------------------------------------------------------- undefined-arg-in-from

fn check_undefined_in_from(ctx: &Context, out: &mut Vec<Finding>) {
    let globals = global_args(ctx);
    let first_from = ctx.df.stages.first().map(|s| &ctx.df.instructions[s.from]);
    for u in &ctx.sem.unresolved {
        if u.in_shell || u.instruction_kind != Kind::From || handles_unset(ctx.text, &u.range) {
            continue;
        }
        let name = &u.name;
        let candidates = globals.iter().map(|p| p.key.value.as_str()).filter(|c| is_variable_name(c)).chain(PREDEFINED_ARGS.iter().map(|(n, _)| *n));
        let declare = first_from.map(|from| {
            let at = super::line_start(ctx.text, from.range.start);
            let kw = super::cased_like(&from.keyword, "ARG");
            Fix::safe(format!("Declare `{kw} {name}` before the first FROM"), vec![Edit { range: at..at, text: format!("{kw} {name}\n") }])
        });
        let in_stage = ctx.df.instructions[ctx.df.global_instructions().len()..]
            .iter()
            .filter(|i| i.kind == Kind::Arg)
            .flat_map(|i| i.pairs())
            .find(|p| p.key.value == *name);
        let f = match did_you_mean(name, candidates) {
            Some(s) => {
                let mut f = Finding::new(u.range.clone(), format!("FROM argument `{name}` is not declared; did you mean `{s}`?"))
                    .with_fix(Fix::unsafe_(format!("Replace with `{s}` (unsafe: another variable's value)"), vec![Edit { range: u.range.clone(), text: s.to_string() }]));
                if !PREDEFINED_ARGS.iter().any(|(p, _)| *p == s) {
                    f.alternatives.extend(declare);
                }
                f
            }
            None => {
                let mut f = match in_stage {
                    Some(p) => Finding::new(
                        u.range.clone(),
                        format!("`{name}` is declared inside a stage, but FROM only sees ARGs declared before the first FROM"),
                    )
                    .with_related(p.key.range.clone(), "declared in a stage here"),
                    None => Finding::new(
                        u.range.clone(),
                        format!("FROM argument `{name}` is not declared: add `ARG {name}` before the first FROM, or it is always empty"),
                    ),
                };
                f.fix = declare;
                f
            }
        };
        out.push(f);
    }
}

// ---------------------------------------------------------------- invalid-default-arg-in-from

/// Typical values of the platform arguments (a build on and for linux/amd64).
const PLATFORM_DEFAULTS: &[(&str, &str)] = &[
    ("TARGETPLATFORM", "linux/amd64"),
    ("TARGETOS", "linux"),
    ("TARGETARCH", "amd64"),
    ("TARGETVARIANT", ""),
    ("BUILDPLATFORM", "linux/amd64"),
    ("BUILDOS", "linux"),
    ("BUILDARCH", "amd64"),
    ("BUILDVARIANT", ""),
];

type Env = HashMap<String, String>;

/// Expands a Docker word (quotes, escapes, `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`,
/// `${VAR:+word}`, `${VAR+word}`) with `env`; unset names are empty. `None` when the word uses
/// something this evaluator does not model (pattern operators, `${VAR:?}` on an unset name).
/// A name `$NAME` can refer to. ENV and LABEL accept other keys (`my.key`, or `$K`, which
/// BuildKit expands), but a suggestion to write `$` before one would not name a variable.
fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub(super) fn expand(word: &str, env: &Env, escape: char) -> Option<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if c == escape && quote != Some('\'') {
            match chars.get(i + 1) {
                Some(&n) if quote.is_none() || n == '"' || n == '$' || n == escape => {
                    out.push(n);
                    i += 2;
                }
                Some(_) => {
                    out.push(c);
                    i += 1;
                }
                None => return None,
            }
            continue;
        }
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (Some('\''), _) => out.push(c),
            (_, '$') => {
                let (value, next) = dollar(&chars, i, env, escape)?;
                out.push_str(&value);
                i = next;
                continue;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    quote.is_none().then_some(out)
}

fn dollar(chars: &[char], i: usize, env: &Env, escape: char) -> Option<(String, usize)> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let Some(&next) = chars.get(i + 1) else { return Some(("$".into(), i + 1)) };
    if next != '{' {
        if !(next.is_ascii_alphabetic() || next == '_') {
            return Some(("$".into(), i + 1));
        }
        let end = (i + 1..chars.len()).find(|&j| !is_name(chars[j])).unwrap_or(chars.len());
        let name: String = chars[i + 1..end].iter().collect();
        return Some((env.get(&name).cloned().unwrap_or_default(), end));
    }
    // `${…}`: find the matching brace.
    let mut depth = 0;
    let mut close = None;
    for (j, &c) in chars.iter().enumerate().skip(i + 1) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(j);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    let inner: String = chars[i + 2..close].iter().collect();
    let name_len = inner.find(|c: char| !is_name(c)).unwrap_or(inner.len());
    let (name, rest) = inner.split_at(name_len);
    if name.is_empty() {
        return None;
    }
    let value = env.get(name);
    let set = value.is_some();
    let non_empty = value.is_some_and(|v| !v.is_empty());
    let result = match rest {
        "" => value.cloned().unwrap_or_default(),
        _ => {
            // The operator is one character, or two after `:` — split by characters, the text
            // after a name may be anything (`${A🐳}`).
            let mut ends = rest.char_indices().map(|(k, c)| k + c.len_utf8());
            let first = ends.next().unwrap_or(rest.len());
            let op_len = if rest.starts_with(':') { ends.next().unwrap_or(first) } else { first };
            let (op, word) = rest.split_at(op_len);
            let word = || expand(word, env, escape);
            match op {
                ":-" => if non_empty { value.cloned().unwrap_or_default() } else { word()? },
                "-" => if set { value.cloned().unwrap_or_default() } else { word()? },
                ":+" => if non_empty { word()? } else { String::new() },
                "+" => if set { word()? } else { String::new() },
                ":?" if non_empty => value.cloned().unwrap_or_default(),
                "?" if set => value.cloned().unwrap_or_default(),
                _ => return None,
            }
        }
    };
    Some((result, close + 1))
}

fn check_invalid_default(ctx: &Context, out: &mut Vec<Finding>) {
    let mut env: Env = PLATFORM_DEFAULTS.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let mut declared: HashMap<String, Range<usize>> = HashMap::new();
    for p in global_args(ctx) {
        declared.insert(p.key.value.to_string(), p.key.range.clone());
        match &p.value {
            Some(v) => match expand(&v.text, &env, ctx.df.escape) {
                Some(value) => {
                    env.insert(p.key.value.to_string(), value);
                }
                None => return, // A default dockls cannot evaluate: stay silent.
            },
            None => {
                env.remove(p.key.value.as_str());
            }
        }
    }
    // The verdict on each image text (expanded, its problem): many FROMs share one text.
    let mut verdicts: HashMap<&str, Option<(String, String)>> = HashMap::new();
    for stage in &ctx.df.stages {
        let img = &stage.image;
        if !img.has_expansions() || img.text.is_empty() {
            continue;
        }
        // Undeclared names are `undefined-arg-in-from`'s; the proxy args have no default.
        let names: Vec<&str> = img.expansions.iter().map(|e| e.name.as_str()).filter(|n| !n.is_empty()).collect();
        if names.iter().any(|n| !declared.contains_key(*n) && !PLATFORM_DEFAULTS.iter().any(|(p, _)| p == n)) {
            continue;
        }
        let verdict = verdicts.entry(img.text.as_str()).or_insert_with(|| {
            let result = expand(&img.text, &env, ctx.df.escape)?;
            reference_problem(&result).map(|problem| (result, problem))
        });
        let Some((result, problem)) = verdict else { continue };
        let msg = if result.is_empty() {
            format!("With the default ARG values `{}` expands to an empty image name", img.text)
        } else {
            format!("With the default ARG values `{}` expands to `{result}`, which is not a valid image reference ({problem})", img.text)
        };
        let mut f = Finding::new(img.range.clone(), msg);
        for n in &names {
            if let Some(r) = declared.get(*n) {
                let what = match env.get(*n) {
                    Some(v) => format!("default of `{n}`: `{v}`"),
                    None => format!("`{n}` has no default"),
                };
                f = f.with_related(r.clone(), what);
            }
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn expands_like_docker() {
        let e = env(&[("A", "3.20"), ("E", "")]);
        assert_eq!(expand("alpine:${A}", &e, '\\').as_deref(), Some("alpine:3.20"));
        assert_eq!(expand("alpine:$A-x", &e, '\\').as_deref(), Some("alpine:3.20-x"));
        assert_eq!(expand("alpine:${B:-3.19}", &e, '\\').as_deref(), Some("alpine:3.19"));
        assert_eq!(expand("alpine:${E:-3.19}", &e, '\\').as_deref(), Some("alpine:3.19"));
        assert_eq!(expand("alpine:${E-3.19}", &e, '\\').as_deref(), Some("alpine:"));
        assert_eq!(expand("x${A:+-$A}", &e, '\\').as_deref(), Some("x-3.20"));
        assert_eq!(expand("\"python:${A}\"", &e, '\\').as_deref(), Some("python:3.20"));
        assert_eq!(expand("'$A'", &e, '\\').as_deref(), Some("$A"));
        assert_eq!(expand("${A%.*}", &e, '\\'), None);
        // Any character may follow a name inside braces (found by the edit property test).
        assert_eq!(expand("${A🐳}", &e, '\\'), None);
        assert_eq!(expand("${A:🐳}", &e, '\\'), None);
        assert_eq!(expand("${A:-容器}", &e, '\\').as_deref(), Some("3.20"));
        assert_eq!(expand("${B:-容器}", &e, '\\').as_deref(), Some("容器"));
    }

    #[test]
    fn image_references() {
        assert!(reference_problem("alpine:3.20").is_none());
        assert!(reference_problem("localhost:5000/app:1").is_none());
        assert!(reference_problem("ghcr.io/acme/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef").is_none());
        assert!(reference_problem("alpine:").is_some());
        assert!(reference_problem("").is_some());
        assert!(reference_problem("/app").is_some());
        assert!(reference_problem("Alpine").is_some());
    }
}
