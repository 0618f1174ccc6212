//! Edge cases of the family's rules beyond the fixtures: which stage counts, where fixes go.

use crate::document::Snapshot;
use crate::lint::{Context, Finding, LintOptions, Rule};
use crate::semantics::Semantics;
use crate::syntax::Dockerfile;

fn run_with(rule: &Rule, text: &str, options: &LintOptions) -> Vec<Finding> {
    let snap = Snapshot::from_text(text);
    let df = Dockerfile::new(&snap.text, &snap.tree);
    let sem = Semantics::analyze(text, &df);
    let ctx = Context::new(text, &df, &sem, options);
    let mut out = Vec::new();
    (rule.check)(&ctx, &mut out);
    out
}

fn run(rule: &Rule, text: &str) -> Vec<Finding> {
    run_with(rule, text, &LintOptions::default())
}

/// The flagged source texts.
fn flagged(rule: &Rule, text: &str, options: &LintOptions) -> Vec<String> {
    run_with(rule, text, options).iter().map(|f| text[f.range.clone()].to_string()).collect()
}

fn fixed(text: &str, f: &Finding) -> String {
    let fix = f.fix.as_ref().expect("a fix");
    let mut out = text.to_string();
    let mut edits = fix.edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    for e in edits {
        out.replace_range(e.range, &e.text);
    }
    out
}

#[test]
fn last_user_root_follows_the_stage_chain() {
    let rule = &super::users::LAST_USER_ROOT;
    // Inherited from the stage the final one is built on.
    let text = "FROM debian:12 AS base\nUSER 0\nFROM base\nCMD [\"x\"]\n";
    assert_eq!(flagged(rule, text, &LintOptions::default()), ["0"]);
    // The final stage's own USER wins.
    assert!(run(rule, "FROM debian:12 AS base\nUSER root\nFROM base\nUSER 1000\n").is_empty());
    // A builder running as root is fine; so is a variable.
    assert!(run(rule, "FROM golang:1.23 AS b\nUSER root\nFROM alpine:3.20\nUSER 1000\n").is_empty());
    assert!(run(rule, "FROM alpine:3.20\nARG U=app\nUSER $U\n").is_empty());
    // No USER at all is `missing-user`'s business.
    assert!(run(rule, "FROM alpine:3.20\n").is_empty());
}

#[test]
fn missing_user_fix_follows_the_distro() {
    let rule = &super::users::MISSING_USER;
    let alpine = "FROM node:20-alpine\nCOPY . /app\nENTRYPOINT [\"node\"]\nCMD [\"/app/index.js\"]\n";
    let f = run(rule, alpine);
    assert_eq!(
        fixed(alpine, &f[0]),
        "FROM node:20-alpine\nCOPY . /app\nRUN addgroup -S -g 10001 app && adduser -S -u 10001 -G app app\nUSER 10001:10001\nENTRYPOINT [\"node\"]\nCMD [\"/app/index.js\"]\n"
    );
    // A build step after the CMD: at the end of the stage, after the last instruction.
    let scratch = "FROM golang:1.23 AS b\nRUN go build -o /app\nFROM scratch\nCMD [\"/app\"]\nCOPY --from=b /app /app";
    let f = run(rule, scratch);
    assert_eq!(text_at(scratch, &f[0]), "scratch");
    assert_eq!(fixed(scratch, &f[0]), format!("{scratch}\nUSER 65534:65534"));
    let distroless = "FROM gcr.io/distroless/base-debian12\nCOPY app /app\n";
    assert_eq!(fixed(distroless, &run(rule, distroless)[0]), "FROM gcr.io/distroless/base-debian12\nCOPY app /app\nUSER 65532:65532\n");
    // A CMD followed by a build step: the user goes at the end so the RUN keeps root.
    let late = "FROM ubuntu:24.04\nCMD [\"app\"]\nRUN apt-get update\n";
    assert_eq!(
        fixed(late, &run(rule, late)[0]),
        "FROM ubuntu:24.04\nCMD [\"app\"]\nRUN apt-get update\nRUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-create-home app\nUSER 10001:10001\n"
    );
    // In a lower-case CRLF file, lower-case lines ending in CRLF.
    let crlf = "from alpine:3.20\r\ncmd [\"app\"]\r\n";
    assert_eq!(
        fixed(crlf, &run(rule, crlf)[0]),
        "from alpine:3.20\r\nrun addgroup -S -g 10001 app && adduser -S -u 10001 -G app app\r\nuser 10001:10001\r\ncmd [\"app\"]\r\n"
    );
    // Known non-root bases, variables and Windows are skipped.
    assert!(run(rule, "FROM gcr.io/distroless/static-debian12:nonroot\n").is_empty());
    assert!(run(rule, "FROM nginxinc/nginx-unprivileged:1.27\n").is_empty());
    assert!(run(rule, "ARG BASE=alpine\nFROM $BASE\n").is_empty());
    assert!(run(rule, "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n").is_empty());
}

/// The exemptions the rule's docs list: non-root bases, official images that drop root in
/// their entrypoint (while it is kept), and export-only `scratch` stages.
#[test]
fn missing_user_exemptions() {
    let rule = &super::users::MISSING_USER;
    let quiet = [
        // distroless `-nonroot` tags, Chainguard, Bitnami.
        "FROM gcr.io/distroless/cc-debian12:debug-nonroot\n",
        "FROM cgr.dev/chainguard/static:latest\n",
        "FROM bitnami/redis:7.4\n",
        // Entrypoints that drop root, kept as they are, or given the server's own CMD.
        "FROM nginx:1.27\nCOPY site/ /usr/share/nginx/html/\n",
        "FROM nginx:1.27-alpine\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n",
        "FROM postgres:17\nCOPY init.sql /docker-entrypoint-initdb.d/\n",
        "FROM redis:7.4\nCMD redis-server /usr/local/etc/redis/redis.conf\n",
        "FROM mariadb:11\nFROM mysql:8.4\nFROM mongo:8\nFROM rabbitmq:4-management\nFROM httpd:2.4\n",
        // Export-only: `docker build --output` writes the files out; nothing runs.
        "FROM golang:1.23 AS build\nRUN go build -o /out/app\nFROM scratch\nCOPY --from=build /out/app /\n",
        "FROM scratch AS out-linux\nCOPY app /\nFROM out-${TARGETOS}\n",
    ];
    for text in quiet {
        assert!(run(rule, text).is_empty(), "{text}");
    }
    let flagged_texts = [
        // An ENTRYPOINT or a CMD of our own replaces the one that drops root.
        "FROM postgres:17\nENTRYPOINT [\"/usr/local/bin/my-entrypoint\"]\n",
        "FROM nginx:1.27\nCMD [\"/app/server\"]\n",
        // Chainguard's wolfi-base and `-dev` variants run as root; scratch with a CMD runs it as UID 0.
        "FROM cgr.dev/chainguard/wolfi-base:latest\n",
        "FROM cgr.dev/chainguard/python:latest-dev\n",
        "FROM scratch\nCOPY app /\nCMD [\"/app\"]\n",
    ];
    for text in flagged_texts {
        assert_eq!(run(rule, text).len(), 1, "{text}");
    }
}

fn text_at(text: &str, f: &Finding) -> String {
    text[f.range.clone()].to_string()
}

#[test]
fn non_numeric_user_ranges() {
    let rule = &super::users::NON_NUMERIC_USER;
    let o = LintOptions::default();
    assert_eq!(flagged(rule, "FROM alpine:3.20\nUSER app\n", &o), ["app"]);
    assert_eq!(flagged(rule, "FROM alpine:3.20\nUSER 1000:app\n", &o), ["app"]);
    assert_eq!(flagged(rule, "FROM alpine:3.20\nUSER app:app\n", &o), ["app:app"]);
    assert!(flagged(rule, "FROM alpine:3.20\nUSER 1000:0\n", &o).is_empty());
    assert!(flagged(rule, "FROM alpine:3.20\nUSER root\n", &o).is_empty());
    assert!(flagged(rule, "FROM alpine:3.20\nUSER 1000:root\n", &o).is_empty());
    // Only distroless/Chainguard `nonroot` has a known number.
    assert!(run(rule, "FROM alpine:3.20\nUSER app\n")[0].fix.is_none());
    let t = "FROM cgr.dev/chainguard/static\nUSER nonroot\n";
    assert_eq!(fixed(t, &run(rule, t)[0]), "FROM cgr.dev/chainguard/static\nUSER 65532\n");
}

#[test]
fn last_user_root_resolves_variables() {
    let rule = &super::users::LAST_USER_ROOT;
    let o = LintOptions::default();
    assert_eq!(flagged(rule, "FROM alpine:3.20\nARG U=root\nUSER $U\n", &o), ["$U"]);
    assert_eq!(flagged(rule, "FROM alpine:3.20\nENV U=0\nUSER ${U}:0\n", &o), ["${U}:0"]);
    let f = run(rule, "FROM alpine:3.20\nARG U=root\nUSER $U\n");
    assert!(f[0].message.contains("(`root` with the ARG/ENV values before it)"), "{}", f[0].message);
    // A build argument without default, or a non-root value: nothing.
    assert!(flagged(rule, "FROM alpine:3.20\nARG U\nUSER $U\n", &o).is_empty());
    assert!(flagged(rule, "FROM alpine:3.20\nARG U=app\nUSER $U\n", &o).is_empty());
}

#[test]
fn non_numeric_user_resolves_variables() {
    let rule = &super::users::NON_NUMERIC_USER;
    let o = LintOptions::default();
    // ARG default and ENV values before the USER are resolved; the finding is on the word.
    assert_eq!(flagged(rule, "FROM alpine:3.20\nARG APP_USER=app\nUSER $APP_USER\n", &o), ["$APP_USER"]);
    assert_eq!(flagged(rule, "FROM alpine:3.20\nENV APP_USER app\nUSER ${APP_USER}:1000\n", &o), ["${APP_USER}"]);
    assert_eq!(flagged(rule, "FROM alpine:3.20\nENV U=app G=app\nUSER $U:$G\n", &o), ["$U:$G"]);
    let f = run(rule, "FROM alpine:3.20\nARG U=app\nUSER $U:1000\n");
    assert!(f[0].message.starts_with("`USER $U:1000` (`app:1000` with the ARG/ENV values before it) names the user"), "{}", f[0].message);
    // ENV of the stage the final one is built on; a global ARG re-declared in the stage.
    assert_eq!(flagged(rule, "FROM alpine:3.20 AS base\nENV U=app\nFROM base\nUSER $U\n", &o), ["$U"]);
    assert_eq!(flagged(rule, "ARG U=app\nFROM alpine:3.20\nARG U\nUSER $U\n", &o), ["$U"]);
    // An ARG of the stage the final one is built on (child stages inherit build args too).
    assert_eq!(flagged(rule, "FROM alpine:3.20 AS base\nARG U=app\nFROM base\nUSER $U\n", &o), ["$U"]);
    // `${V:-default}` with V set to a name, and a default used because V is empty.
    assert_eq!(flagged(rule, "FROM alpine:3.20\nENV V=\"\"\nUSER ${V:-app}\n", &o), ["${V:-app}"]);
    // Numeric or root after resolution: nothing.
    assert!(flagged(rule, "FROM alpine:3.20\nARG UID=1000\nUSER $UID:$UID\n", &o).is_empty());
    assert!(flagged(rule, "FROM alpine:3.20\nENV U=root\nUSER $U\n", &o).is_empty());
    // Values dockls cannot see may be numeric: a build argument without default, an ENV of
    // the base image, a value set after the USER.
    assert!(flagged(rule, "FROM alpine:3.20\nARG U\nUSER $U\n", &o).is_empty());
    assert!(flagged(rule, "FROM alpine:3.20\nARG U\nUSER ${U:-app}\n", &o).is_empty());
    assert!(flagged(rule, "FROM alpine:3.20\nUSER $APP_UID\n", &o).is_empty());
    assert!(flagged(rule, "FROM alpine:3.20\nUSER $U\nENV U=app\n", &o).is_empty());
    // Only the resolvable part counts: a named group next to an unknown user.
    assert_eq!(flagged(rule, "FROM alpine:3.20\nARG UID\nARG G=staff\nUSER $UID:$G\n", &o), ["$G"]);
    // No fix that would replace a variable with its value.
    let t = "FROM gcr.io/distroless/static-debian12\nARG U=nonroot\nUSER $U\n";
    assert!(run(rule, t)[0].fix.is_none());
}

#[test]
fn platform_rules() {
    let o = LintOptions::default();
    let c = &super::platform::FROM_PLATFORM_CONST;
    assert_eq!(flagged(c, "FROM --platform=linux/amd64 alpine AS tools\n", &o), ["linux/amd64"]);
    assert!(flagged(c, "FROM --platform=linux/amd64 alpine AS linux-tools\n", &o).is_empty());
    assert!(flagged(c, "FROM --platform=linux/arm64 alpine AS Tools-ARM64\n", &o).is_empty());
    assert!(flagged(c, "FROM --platform=$BUILDPLATFORM alpine\n", &o).is_empty());
    let r = &super::platform::REDUNDANT_TARGET_PLATFORM;
    let t = "FROM --platform=\"$TARGETPLATFORM\"   alpine\n";
    assert_eq!(fixed(t, &run(r, t)[0]), "FROM alpine\n");
    let t = "FROM --platform=$TARGETPLATFORM \\\n  alpine\n";
    assert_eq!(fixed(t, &run(r, t)[0]), "FROM \\\n  alpine\n");
    assert!(run(r, "FROM --platform=$TARGETPLATFORM-x alpine\n").is_empty());
    assert!(run(r, "ARG TARGETPLATFORM=linux/arm64\nFROM --platform=$TARGETPLATFORM alpine\n").is_empty());
}

#[test]
fn copy_rules() {
    let o = LintOptions::default();
    let whole = &super::copy_from::COPY_WHOLE_STAGE_ROOT;
    assert_eq!(flagged(whole, "FROM alpine AS a\nFROM alpine\nCOPY --from=a [\"/\", \"/\"]\n", &o), ["/"]);
    assert!(flagged(whole, "FROM alpine AS a\nFROM alpine\nCOPY --from=a / /rootfs/\n", &o).is_empty());
    assert!(flagged(whole, "FROM alpine AS a\nFROM alpine\nCOPY --from=a /etc/ /etc/\n", &o).is_empty());
    assert!(flagged(whole, "FROM alpine\nCOPY / /x\n", &o).is_empty());
    let link = &super::copy_from::COPY_LINK;
    let t = "FROM alpine AS a\nFROM alpine\nCOPY \\\n  --from=a /x /x\n";
    assert_eq!(fixed(t, &run(link, t)[0]), "FROM alpine AS a\nFROM alpine\nCOPY \\\n  --link --from=a /x /x\n");
    assert!(run(link, "FROM alpine AS a\nFROM alpine\nCOPY --link=true --from=a /x /x\n").is_empty());
}

#[test]
fn context_rules_need_a_known_context() {
    let missing = &super::context::MISSING_DOCKERIGNORE;
    let text = "FROM alpine\nCOPY . /app\n";
    assert!(run(missing, text).is_empty());
    let no_ignore = LintOptions { context_known: true, ..Default::default() };
    assert_eq!(flagged(missing, text, &no_ignore), ["."]);
    assert_eq!(flagged(missing, "FROM alpine\nCOPY [\"./\", \"/app\"]\n", &no_ignore), ["./"]);
    let empty = LintOptions { context_known: true, dockerignore: Some(String::new()), ..Default::default() };
    assert!(run_with(missing, text, &empty).is_empty());

    let ignored = &super::context::COPY_IGNORED_FILE;
    let with = |ig: &str| LintOptions { context_known: true, dockerignore: Some(ig.to_string()), ..Default::default() };
    assert_eq!(flagged(ignored, "FROM alpine\nCOPY a.md b.md /x/\n", &with("*.md\n!b.md")), ["a.md"]);
    assert_eq!(flagged(ignored, "FROM alpine\nCOPY /build/out /x/\n", &with("build")), ["/build/out"]);
    assert!(flagged(ignored, "FROM alpine\nCOPY build/*.js /x/\n", &with("build")).is_empty());
    assert!(flagged(ignored, "FROM alpine\nCOPY ${SRC} /x/\n", &with("build")).is_empty());
    assert!(flagged(ignored, "FROM alpine\nCOPY . /x/\n", &with("*\n!src\n!package.json")).is_empty());
    assert_eq!(flagged(ignored, "FROM alpine\nCOPY . /x/\n", &with("**")), ["."]);
    // Without a known context nothing is checked.
    let unknown = LintOptions { dockerignore: Some("*.md".into()), ..Default::default() };
    assert!(run_with(ignored, "FROM alpine\nCOPY a.md /x/\n", &unknown).is_empty());
}

#[test]
fn trusted_registries_from_options() {
    let rule = &super::base_image::TRUSTED_REGISTRY;
    let text = "FROM python:3.12\nFROM ghcr.io/a/b:1\nFROM localhost:5000/x:1\n";
    assert!(run(rule, text).is_empty());
    let o = LintOptions { trusted_registries: vec!["ghcr.io".into()], ..Default::default() };
    assert_eq!(flagged(rule, text, &o), ["python", "localhost:5000"]);
    let o = LintOptions { trusted_registries: vec!["index.docker.io".into(), "localhost:5000".into()], ..Default::default() };
    assert_eq!(flagged(rule, text, &o), ["ghcr.io"]);
}

#[test]
fn slim_base_image_variants() {
    let rule = &super::base_image::SLIM_BASE_IMAGE;
    let o = LintOptions::default();
    assert_eq!(flagged(rule, "FROM node:20\n", &o), ["node:20"]);
    assert!(run(rule, "FROM node:20-bookworm\n")[0].fix.is_none());
    assert!(run(rule, "FROM golang:1.23\n")[0].fix.is_none());
    assert!(run(rule, "FROM python:3.12@sha256:aaaa\n").first().is_some_and(|f| f.fix.is_none()));
    for ok in ["FROM node:20-alpine\n", "FROM python:3.12-slim\n", "FROM ghcr.io/x/python:3.12\n", "FROM debian:bookworm-slim\n", "FROM python:3.12 AS b\nFROM alpine:3.20\n"] {
        assert!(run(rule, ok).is_empty(), "{ok}");
    }
}
