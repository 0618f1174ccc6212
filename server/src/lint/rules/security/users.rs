//! `last-user-root`, `missing-user` and `non-numeric-user`: the image should run as an
//! unprivileged user that Kubernetes can verify.

use super::common::{effective_user, final_chain, line_start, user_words};
use super::prelude::*;
use crate::syntax::{ImageRef, Word};

pub static LAST_USER_ROOT: Rule = Rule {
    id: "last-user-root",
    hadolint: &["DL3002"],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Security,
    tags: &[],
    summary: "Do not switch the final image back to root",
    docs: r#"## What it does
Flags the `USER` that is in effect at the end of the final stage when it is `root` (or `0`,
`root:root`, `0:0`), also through a variable whose ARG default or ENV value before the `USER`
is `root` (`ARG U=root` … `USER $U`). A build argument without default is not flagged.

## Why is this bad?
A process running as root inside a container is root on the kernel it shares with the host:
a container escape or a writable host mount becomes a host compromise. Switching to root for
an installation step is fine, but the image should end on an unprivileged user.

## Example
```dockerfile
FROM node:20-slim
USER node
RUN npm ci --omit=dev
USER root
CMD ["node", "server.js"]
```

## Use instead
```dockerfile
FROM node:20-slim
USER root
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
USER node
CMD ["node", "server.js"]
```

## Differences from hadolint
hadolint's DL3002 looks at the last USER of every stage, so a builder stage that runs as root
(which never ships) is flagged too. dockls only looks at the image `docker build` produces: the
final stage, following `FROM <stage>` to the stage it is built on when the final stage has no
USER of its own.
"#,
    opt_in: false,
    check: check_last_user_root,
};

pub static MISSING_USER: Rule = Rule {
    id: "missing-user",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Warning,
    category: Category::Security,
    tags: &[],
    summary: "Set a non-root USER in the final stage",
    docs: r#"## What it does
Flags a final stage that never sets `USER` (neither it nor the stages it is built `FROM`)
when its base image is not known to run as a non-root user. The finding is on the final
stage's base image.

When the base image's config is known from its registry (the language server, and
`dockls check` unless offline, ask for it), an image whose
config sets a non-root `User` is exempt. Otherwise the exemptions are decided from the image
reference alone:
* images whose name or tag contains `nonroot`, `non-root`, `unprivileged` or `rootless`
  (`gcr.io/distroless/static-debian12:nonroot`, `…-nonroot`, `nginxinc/nginx-unprivileged`),
  Chainguard images (`cgr.dev/chainguard/…`, except `wolfi-base` and the `-dev` tags, which
  run as root) and Bitnami images (`bitnami/…`, UID 1001) already run as a non-root user;
* official images whose entrypoint drops root itself: `nginx` and `httpd` (the workers run
  as `nginx`/`www-data`), `postgres`, `mysql`, `mariadb`, `redis`, `valkey`, `mongo`,
  `rabbitmq`, `cassandra`, `couchdb`, `memcached` and `zookeeper` (the server runs as its own
  user), as long as the Dockerfile keeps that entrypoint: no ENTRYPOINT of its own, and a
  CMD, if any, that starts the image's server (`CMD ["nginx", "-g", "daemon off;"]`);
* a final `FROM scratch` stage without CMD or ENTRYPOINT is an export stage
  (`docker build --output`): nothing runs in it. With a CMD, `scratch` runs as root (UID 0)
  and is flagged;
* images given entirely by a variable (`FROM $BASE`) and Windows images are skipped.

## Why is this bad?
Most base images default to root. Without a `USER`, the application runs as root, which turns
any code execution bug into root in the container and, with a kernel or runtime bug or a
host mount, on the host.

## Example
```dockerfile
FROM python:3.12-slim
COPY . /app
CMD ["python", "/app/main.py"]
```

## Use instead
```dockerfile
FROM python:3.12-slim
COPY . /app
RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-create-home app
USER 10001:10001
CMD ["python", "/app/main.py"]
```

## Fix safety
The fix inserts, before the final `CMD`/`ENTRYPOINT` (or at the end of the stage), the lines
that create and switch to a user the way the base image's distribution does:
* Alpine and BusyBox: `RUN addgroup -S -g 10001 app && adduser -S -u 10001 -G app app` and
  `USER 10001:10001`;
* Debian, Ubuntu and the official language images (the default): `RUN groupadd --system
  --gid 10001 app && useradd --system --uid 10001 --gid app --no-create-home app` and
  `USER 10001:10001`;
* distroless: `USER 65532:65532` (the image's `nonroot` user);
* `scratch`: `USER 65534:65534` (nobody; there is no `/etc/passwd` to add a user to).

The user is written by its numeric UID and GID, so `non-numeric-user` has nothing to add
and Kubernetes' `runAsNonRoot` can verify it. The added RUN may follow another short RUN;
`consecutive-run` then offers to merge them. It is unsafe: the application loses write access to files owned by root (caches, PID files,
ports below 1024), and the distribution guess may be wrong for custom base images.
"#,
    opt_in: false,
    check: check_missing_user,
};

pub static NON_NUMERIC_USER: Rule = Rule {
    id: "non-numeric-user",
    hadolint: &["DL3066"],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Security,
    tags: &[],
    summary: "Use a numeric UID (and GID) in the final USER",
    docs: r#"## What it does
Flags the `USER` in effect in the final image when it names the user or group instead of
giving numeric IDs (`USER app`, `USER 1000:app`).

Variables are resolved with the ARG defaults and ENV values set before the `USER` (ENV of the
stages it is built on included): `ARG APP_USER=app` then `USER $APP_USER` is flagged. A
variable whose value dockls cannot see (an ARG without default, given at build time, or an
ENV of the base image) is not flagged.

## Why is this bad?
A name is resolved through the image's `/etc/passwd` when the container starts. Kubernetes'
`runAsNonRoot: true` cannot verify a name and refuses to start the pod ("image has non-numeric
user"); a numeric UID can be checked without looking inside the image, and keeps working when a
later layer changes `/etc/passwd`.

## Example
```dockerfile
FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app
USER nonroot:nonroot
```

## Use instead
```dockerfile
FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app
USER 65532:65532
```

## Fix safety
For distroless and Chainguard base images, `nonroot` is UID/GID 65532 and the fix writes the
number. It is unsafe only in the sense that the image configuration changes text; the process
runs as the same user.

## Differences from hadolint
hadolint flags every USER in every stage, including `USER root` and builder stages. dockls only
checks the USER the final image runs as, and leaves `root` to `last-user-root`. hadolint
does not resolve variables.
"#,
    opt_in: false,
    check: check_non_numeric,
};

fn is_root(word: &Word) -> bool {
    word.value == "root" || word.value == "0"
}

fn spec_range(user: &Word, group: Option<&Word>) -> std::ops::Range<usize> {
    user.range.start..group.map_or(user.range.end, |g| g.range.end)
}

fn check_last_user_root(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(ins) = effective_user(ctx) else { return };
    let Some((user, group)) = user_words(ins) else { return };
    // `USER $U` with `U=root` (an ARG default or ENV before it) runs as root too; a value
    // dockls cannot see (a build argument) is given the benefit of the doubt.
    let Some(value) = user_value(ctx, ins.stage, user) else { return };
    if value != "root" && value != "0" {
        return;
    }
    let spec = ctx.src(&spec_range(user, group));
    let resolved = if user.has_expansions() { format!(" (`{value}` with the ARG/ENV values before it)") } else { String::new() };
    out.push(Finding::new(
        spec_range(user, group),
        format!("The final image runs as `{spec}`{resolved}; end the stage with `USER` set to an unprivileged user"),
    ));
}

/// How the final image's distribution creates users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Distro {
    Scratch,
    Distroless,
    Alpine,
    Debian,
}

fn distro(img: &ImageRef) -> Distro {
    let name = img.text.to_ascii_lowercase();
    if img.is_scratch() {
        Distro::Scratch
    } else if name.contains("distroless") {
        Distro::Distroless
    } else if name.contains("alpine") || name.contains("busybox") {
        Distro::Alpine
    } else {
        Distro::Debian
    }
}

/// Base images that run as a non-root user without a USER of ours: the name or tag says so
/// (distroless `:nonroot`, `-nonroot`, `nginx-unprivileged`), Chainguard images (but for
/// `wolfi-base` and the `-dev` variants, which run as root), and Bitnami images (UID 1001).
fn known_non_root(img: &ImageRef) -> bool {
    let name = img.text.to_ascii_lowercase();
    if ["nonroot", "non-root", "unprivileged", "rootless"].iter().any(|n| name.contains(n)) {
        return true;
    }
    let registry = img.registry.as_ref().map(|(r, _)| r.to_ascii_lowercase());
    let repo = img.repository.0.to_ascii_lowercase();
    let tag = img.tag.as_ref().map(|(t, _)| t.to_ascii_lowercase()).unwrap_or_default();
    let chainguard = registry.as_deref() == Some("cgr.dev") && repo.starts_with("chainguard/");
    if chainguard && repo != "chainguard/wolfi-base" && !tag.ends_with("-dev") && tag != "dev" {
        return true;
    }
    img.is_docker_hub() && repo.starts_with("bitnami/")
}

/// Official images whose entrypoint starts the server as root and drops to its own user (the
/// worker processes, or the whole server through `gosu`), with the programs their CMD runs.
const DROPS_ROOT: &[(&str, &[&str])] = &[
    ("nginx", &["nginx"]),
    ("httpd", &["httpd-foreground", "httpd"]),
    ("postgres", &["postgres"]),
    ("mysql", &["mysqld"]),
    ("mariadb", &["mariadbd", "mysqld"]),
    ("redis", &["redis-server"]),
    ("valkey", &["valkey-server"]),
    ("mongo", &["mongod"]),
    ("rabbitmq", &["rabbitmq-server"]),
    ("cassandra", &["cassandra"]),
    ("couchdb", &["couchdb", "/opt/couchdb/bin/couchdb"]),
    ("memcached", &["memcached"]),
    ("zookeeper", &["zkServer.sh"]),
];

/// Whether the final image keeps the entrypoint of an official image that drops root itself:
/// no ENTRYPOINT of ours, and a CMD (if any) that runs the image's own server.
fn drops_root_itself(ctx: &Context, chain: &[&crate::syntax::Stage], img: &ImageRef) -> bool {
    let Some(programs) = super::common::official_name(img).and_then(|n| DROPS_ROOT.iter().find(|(i, _)| *i == n)).map(|(_, p)| *p) else {
        return false;
    };
    let mut cmd = None;
    for stage in chain {
        for ins in ctx.df.stage_instructions(stage).iter().rev() {
            match ins.kind {
                Kind::Entrypoint => return false,
                Kind::Cmd if cmd.is_none() => cmd = Some(&**ins),
                _ => {}
            }
        }
    }
    let Some(cmd) = cmd else { return true };
    let first = match &cmd.args {
        Args::Exec(words) => words.first().map(|w| w.value.to_string()),
        Args::Shell(shell) => shell.words(ctx.text).next().map(str::to_string),
        _ => None,
    };
    first.is_some_and(|f| programs.iter().any(|p| f == *p || f.rsplit('/').next() == Some(*p)))
}

fn is_windows(img: &ImageRef) -> bool {
    let name = img.text.to_ascii_lowercase();
    ["windows", "nanoserver", "servercore"].iter().any(|n| name.contains(n))
}

fn check_missing_user(ctx: &Context, out: &mut Vec<Finding>) {
    let chain = final_chain(ctx);
    let (Some(final_stage), Some(root)) = (chain.first(), chain.last()) else { return };
    if chain.iter().any(|s| ctx.df.stage_instructions(s).iter().any(|i| i.kind == Kind::User)) {
        return;
    }
    let img = &root.image;
    if root.parent.is_some() || !super::common::is_literal_image(img) || known_non_root(img) || is_windows(img) {
        return;
    }
    // The base image's config, when its registry's answer is known, says who it runs as.
    if crate::lint::rules::base_config(ctx, root.index).is_some_and(|c| c.non_root_user()) {
        return;
    }
    // `FROM scratch` with nothing to run is an export stage (`docker build --output`): its
    // files are written out, never run as a container.
    let runs_something = chain.iter().any(|s| ctx.df.stage_instructions(s).iter().any(|i| matches!(i.kind, Kind::Cmd | Kind::Entrypoint)));
    if img.is_scratch() && !runs_something {
        return;
    }
    if drops_root_itself(ctx, &chain, img) {
        return;
    }
    // In the file's case and line ending, so `instruction-casing` has nothing to add either.
    let case_of = |upper: bool| ctx.df.instructions.iter().filter(|i| i.keyword.chars().all(|c| if upper { !c.is_ascii_lowercase() } else { !c.is_ascii_uppercase() })).count();
    let lower = case_of(false) > case_of(true);
    let (run, user) = if lower { ("run", "user") } else { ("RUN", "USER") };
    let nl = crate::actions::newline(ctx.text);
    let lines = match distro(img) {
        Distro::Scratch => format!("{user} 65534:65534{nl}"),
        // Numeric, so that `non-numeric-user` does not flag the fix's own line.
        Distro::Distroless => format!("{user} 65532:65532{nl}"),
        Distro::Alpine => format!("{run} addgroup -S -g 10001 app && adduser -S -u 10001 -G app app{nl}{user} 10001:10001{nl}"),
        Distro::Debian => {
            format!("{run} groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-create-home app{nl}{user} 10001:10001{nl}")
        }
    };
    let instructions = ctx.df.stage_instructions(final_stage);
    let base = final_stage.instructions.start;
    // Before the first CMD/ENTRYPOINT that no build step (RUN/COPY/ADD/WORKDIR) follows, so
    // the build steps keep running as root.
    let target = instructions.iter().enumerate().position(|(i, ins)| {
        matches!(ins.kind, Kind::Cmd | Kind::Entrypoint)
            && !instructions[i + 1..].iter().any(|l| matches!(l.kind, Kind::Run | Kind::Copy | Kind::Add | Kind::Workdir | Kind::Onbuild))
    });
    let edit = match target {
        Some(i) => {
            let at = line_start(ctx.text, ctx.df.instructions[base + i].range.start);
            Edit { range: at..at, text: lines }
        }
        None => {
            let end = final_stage.range.end;
            Edit { range: end..end, text: format!("{nl}{}", lines.trim_end_matches(['\r', '\n'])) }
        }
    };
    let who = match distro(img) {
        Distro::Scratch => "`scratch` runs as UID 0".to_string(),
        _ => format!("`{}` runs as root by default", img.text),
    };
    out.push(
        Finding::new(
            final_stage.image.range.clone(),
            format!("The final stage never sets USER and {who}; add a non-root USER"),
        )
        .with_fix(Fix::unsafe_("Create and switch to a non-root user (unsafe: the process loses write access to root's files)", vec![edit])),
    );
}

fn numeric(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

/// Marks a variable whose value dockls does not know; never part of a real user name.
const UNKNOWN: &str = "\u{0}";

/// The value of a USER word: variables resolved with the ARG defaults and ENV values set before
/// it (in its stage and, for ENV, the stages it is built on). `None` when a variable has no
/// value dockls can see: an ARG without default (given at build time), an ENV of the base
/// image, a predefined platform arg.
fn user_value(ctx: &Context, stage: Option<usize>, word: &Word) -> Option<String> {
    if !word.has_expansions() {
        return Some(word.value.to_string());
    }
    let mut values = ctx.sem.values_at(ctx.text, ctx.df, stage, word.range.start);
    for e in word.expansions.iter().filter(|e| !e.name.is_empty()) {
        if !matches!(values.get(e.name.as_str()), Some(Some(_))) {
            values.insert(e.name.to_string(), Some(UNKNOWN.to_string()));
        }
    }
    let value = crate::syntax::unquote(&crate::semantics::resolve::expand(ctx.src(&word.range), &values, ctx.df.escape), ctx.df.escape);
    (!value.contains(UNKNOWN)).then_some(value)
}

fn check_non_numeric(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(ins) = effective_user(ctx) else { return };
    let Some((user, group)) = user_words(ins) else { return };
    // Windows accounts (`ContainerUser`) have no numeric form.
    if super::common::root_image(ctx).is_some_and(is_windows) {
        return;
    }
    let user_v = user_value(ctx, ins.stage, user);
    let group_v = group.map(|g| user_value(ctx, ins.stage, g));
    // An unknown value (a build argument) may well be numeric: no finding.
    let named = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty() && !numeric(v) && v != "root" && v != "0");
    let bad_user = named(&user_v);
    let bad_group = group_v.as_ref().is_some_and(named);
    let range = match (bad_user, bad_group) {
        (true, true) => spec_range(user, group),
        (true, false) => user.range.clone(),
        (false, true) => group.map(|g| g.range.clone()).unwrap_or_default(),
        (false, false) => return,
    };
    let spec = ctx.src(&spec_range(user, group));
    let variables = user.has_expansions() || group.is_some_and(Word::has_expansions);
    // With variables, say what they resolve to (an unknown part as written).
    let resolved = if variables {
        let part = |w: &Word, v: &Option<String>| v.clone().unwrap_or_else(|| ctx.src(&w.range).to_string());
        let group_part = group.zip(group_v.as_ref()).map(|(g, v)| format!(":{}", part(g, v))).unwrap_or_default();
        format!(" (`{}{group_part}` with the ARG/ENV values before it)", part(user, &user_v))
    } else {
        String::new()
    };
    let mut finding = Finding::new(
        range.clone(),
        format!("`USER {spec}`{resolved} names the user; use a numeric UID[:GID] so `runAsNonRoot` can verify it"),
    );
    // distroless and Chainguard images define `nonroot` as 65532:65532.
    let base = super::common::root_image(ctx).map(|i| i.text.to_ascii_lowercase()).unwrap_or_default();
    let known_nonroot = base.contains("distroless") || base.contains("chainguard");
    let numeric_for = |w: &Word| if numeric(&w.value) || is_root(w) { Some(w.value.to_string()) } else if w.value == "nonroot" { Some("65532".to_string()) } else { None };
    // Variables are left to the author: writing their value would drop the build argument.
    if known_nonroot && !variables {
        let u = numeric_for(user);
        let g = group.map(numeric_for);
        if let (Some(u), Some(g)) = (u, g.unwrap_or(Some(String::new()))) {
            let text = if group.is_some() { format!("{u}:{g}") } else { u };
            let whole = spec_range(user, group);
            finding = finding.with_fix(Fix::unsafe_(format!("Use `USER {text}` (unsafe: assumes the image's `nonroot` user is 65532)"), vec![Edit { range: whole, text }]));
        }
    }
    out.push(finding);
}
