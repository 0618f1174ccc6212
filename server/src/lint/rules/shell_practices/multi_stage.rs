//! `multi-stage`: a single-stage build that compiles ships its toolchain.

use super::*;

pub static RULE: Rule = Rule {
    id: "multi-stage",
    hadolint: &[],
    buildkit: None,
    severity: Severity::Info,
    category: Category::Size,
    tags: &[],
    summary: "Build in a separate stage so the toolchain stays out of the final image",
    docs: r#"## What it does
In a Dockerfile with a single stage, flags in each RUN the first build toolchain it installs
(`build-essential`, `build-base`, `gcc`, `g++`, `make`, `cmake`, `golang`, `rustc`, `cargo`,
`maven`, … with apt, apk, yum, dnf, microdnf or zypper) or build command it runs
(`go build`, `cargo build`, `npm run build`, `yarn build`, `mvn package`, `gradle build`,
`dotnet publish`, …).

## Why is this bad?
Compilers, headers, SDKs and build caches are needed to build, not to run. In a single-stage
build they all end up in the image you ship: hundreds of megabytes more to pull, and more
software for scanners to report and attackers to use. A multi-stage build compiles in a
builder stage and copies only the result into a small runtime stage.

## Example
```dockerfile
FROM golang:1.22
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app ./cmd/app
CMD ["app"]
```

## Use instead
```dockerfile
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app
CMD ["/app"]
```

## Differences from hadolint
hadolint has no such rule. Packages the same stage removes again (`apk add --virtual
.build-deps gcc … && apk del .build-deps`, `apt-get purge gcc`) are not flagged.
"#,
    opt_in: false,
    check,
};

const TOOLCHAIN_PACKAGES: &[&str] = &[
    "build-essential", "build-base", "gcc", "g++", "gcc-c++", "clang", "make", "cmake", "autoconf", "automake", "libtool",
    "golang", "golang-go", "go", "rustc", "cargo", "maven", "gradle", "dotnet-sdk-8.0", "dotnet-sdk-9.0",
];

/// Options of package managers that take a value (so their value is not a package).
const PM_VALUE_OPTS: &[&str] = &["--virtual", "-t", "-o", "--repository", "-X", "--target-release", "--setopt", "--enablerepo", "--disablerepo"];

/// Build commands: program, goals that build.
const BUILD_COMMANDS: &[(&str, &[&str])] = &[
    ("go", &["build", "install"]),
    ("cargo", &["build", "install"]),
    ("mvn", &["package", "install", "verify"]),
    ("mvnw", &["package", "install", "verify"]),
    ("gradle", &["build", "assemble", "bootJar", "installDist", "shadowJar", "jar"]),
    ("gradlew", &["build", "assemble", "bootJar", "installDist", "shadowJar", "jar"]),
    ("dotnet", &["publish", "build"]),
    ("yarn", &["build"]),
    ("pnpm", &["build"]),
];

/// Packages a command removes (`apk del`, `apt-get purge/remove`, `yum/dnf remove`).
fn removed(cmd: &Command) -> Vec<&str> {
    let sub = cmd.subcommand().map(|a| a.value.as_str());
    let removes = match cmd.program() {
        "apk" => sub == Some("del"),
        "apt-get" | "apt" => matches!(sub, Some("purge" | "remove" | "autoremove")),
        "yum" | "dnf" | "microdnf" | "zypper" => matches!(sub, Some("remove" | "erase" | "rm")),
        _ => false,
    };
    if !removes {
        return Vec::new();
    }
    cmd.positionals(PM_VALUE_OPTS).skip(1).map(|a| package_name(&a.value)).collect()
}

/// The `--virtual`/`-t` group name of an `apk add`.
fn virtual_name(cmd: &Command) -> Option<&str> {
    let mut args = cmd.args.iter();
    while let Some(a) = args.next() {
        if a.value == "--virtual" || a.value == "-t" {
            return args.next().map(|n| n.value.as_str());
        }
        if let Some(v) = a.value.strip_prefix("--virtual=") {
            return Some(v);
        }
    }
    None
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let [stage] = ctx.df.stages.as_slice() else { return };
    let gone: Vec<&str> = stage_runs(ctx, stage).flat_map(|(_, _, r)| r.commands.iter().flat_map(removed)).collect();
    // One finding per RUN: its first toolchain package or build command.
    for (_, _, run) in stage_runs(ctx, stage) {
        if let Some(f) = run.commands.iter().find_map(|cmd| offending(ctx, cmd, &gone)) {
            out.push(f);
        }
    }
}

fn offending(ctx: &Context, cmd: &Command, gone: &[&str]) -> Option<Finding> {
    if is_package_install(cmd) {
        if virtual_name(cmd).is_some_and(|v| gone.contains(&v)) {
            return None;
        }
        let pkg = cmd.positionals(PM_VALUE_OPTS).skip(1).find(|a| {
            let name = package_name(&a.value);
            TOOLCHAIN_PACKAGES.contains(&name) && !gone.contains(&name)
        })?;
        return Some(Finding::new(
            pkg.range.clone(),
            format!(
                "`{}` stays in the image of this single-stage build; compile in a builder stage and copy only the result into a slim final stage",
                package_name(&pkg.value)
            ),
        ));
    }
    let program = cmd.program();
    let goals = BUILD_COMMANDS.iter().find(|(p, _)| *p == program).map(|(_, g)| *g);
    let goal = match (program, goals) {
        ("npm" | "yarn" | "pnpm", _) if cmd.subcommand().is_some_and(|s| s.value == "run" || s.value == "run-script") => {
            cmd.positionals(&[]).nth(1).filter(|a| a.value == "build")
        }
        ("go" | "cargo" | "dotnet" | "yarn" | "pnpm", Some(g)) => cmd.subcommand().filter(|s| g.contains(&s.value.as_str())),
        (_, Some(g)) => cmd.positionals(&["-f", "--file", "-p", "--project-dir", "-s", "--settings"]).find(|a| g.contains(&a.value.as_str())),
        _ => None,
    }?;
    let shown = ctx.text[cmd.name_range.start..goal.range.end].split_whitespace().collect::<Vec<_>>().join(" ");
    Some(Finding::new(
        cmd.name_range.start..goal.range.end,
        format!("`{shown}` runs in the only stage, so its toolchain ships with the image; build in a builder stage and `COPY --from` the result"),
    ))
}
