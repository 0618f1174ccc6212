//! Completion: what may be typed at a byte offset, decided from the typed model and the text of
//! the word under the cursor. Instruction keywords (only FROM and ARG before the first FROM) as
//! snippets, parser directives at the top, flags per instruction and their values (`--mount`
//! types and keys, `--network`, `--security`, `--platform`, `--from` stages), stage names after
//! `FROM`, and the variables visible at the cursor after `$` / `${`, with their values.
//! `ONBUILD` triggers, `HEALTHCHECK NONE`, BuildKit check names after `# check=skip=`, and
//! the substitution operators after `${NAME`.
//! After `FROM`: image names (earlier stages, images of the workspace, well-known ones), the
//! tags of the image being typed (most specific first, see [`crate::registry::tag_order`])
//! and, after `@`, its digest — from what an [`ImageSource`] has cached; what it lacks is
//! returned as [`Want`]s for the caller to fetch in the background.

use std::ops::Range;

use crate::diagnostics::flags::{flags_for, FlagValue, MOUNT_KEYS, MOUNT_TYPES};
use crate::registry::{tag_order, Cached, Reference, Tags};
use crate::semantics::{Semantics, PREDEFINED_ARGS};
use crate::syntax::{Dockerfile, Kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Keyword,
    Directive,
    Flag,
    Value,
    Variable,
    Stage,
    Image,
    Tag,
    Digest,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
    /// Replaces `range`; a snippet (`${1:image}` placeholders) when `snippet`.
    pub insert: String,
    pub snippet: bool,
    /// The part of the word already typed, which the item replaces.
    pub range: Range<usize>,
}

/// Keyword snippets: the instruction's usual form, placeholders in order.
const KEYWORDS: &[(&str, &str)] = &[
    ("FROM", "FROM ${1:image}:${2:tag} AS ${3:name}"),
    ("ARG", "ARG ${1:NAME}=${2:value}"),
    ("RUN", "RUN ${1:command}"),
    ("CMD", "CMD [\"${1:executable}\"]"),
    ("LABEL", "LABEL ${1:key}=\"${2:value}\""),
    ("EXPOSE", "EXPOSE ${1:8080}"),
    ("ENV", "ENV ${1:NAME}=${2:value}"),
    ("ADD", "ADD ${1:source} ${2:dest}"),
    ("COPY", "COPY ${1:source} ${2:dest}"),
    ("ENTRYPOINT", "ENTRYPOINT [\"${1:executable}\"]"),
    ("VOLUME", "VOLUME ${1:/data}"),
    ("USER", "USER ${1:10001}"),
    ("WORKDIR", "WORKDIR ${1:/app}"),
    ("ONBUILD", "ONBUILD ${1:instruction}"),
    ("STOPSIGNAL", "STOPSIGNAL ${1:SIGTERM}"),
    ("HEALTHCHECK", "HEALTHCHECK --interval=${1:30s} CMD ${2:command}"),
    ("SHELL", "SHELL [\"${1:/bin/bash}\", \"-${2:c}\"]"),
];

const DIRECTIVES: &[(&str, &str)] = &[
    ("syntax=docker/dockerfile:1", "the BuildKit frontend to build with (heredocs, --mount, --link…)"),
    ("escape=`", "the escape character: ` for Windows paths (default \\)"),
    ("check=skip=", "BuildKit checks to skip, comma-separated"),
    ("check=error=true", "BuildKit's checks fail the build"),
];

/// Common `--platform` values, then the predefined args that name one.
const PLATFORMS: &[&str] =
    &["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/386", "linux/ppc64le", "linux/s390x", "windows/amd64", "$BUILDPLATFORM", "$TARGETPLATFORM"];

/// What completion knows about registries: cached answers only (never the network).
pub trait ImageSource {
    /// The tags of `r`'s repository.
    fn tags(&self, r: &Reference) -> Option<Cached<Tags>>;
    /// The digest `r`'s tag points at.
    fn digest(&self, r: &Reference) -> Option<Cached<String>>;
}

/// A source that knows nothing (the command line, tests of the other completions).
pub struct NoImages;

impl ImageSource for NoImages {
    fn tags(&self, _: &Reference) -> Option<Cached<Tags>> {
        None
    }
    fn digest(&self, _: &Reference) -> Option<Cached<String>> {
        None
    }
}

/// What completion would like fetched: the answer it gave lacks it (or it is stale).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    Tags(Reference),
    Digest(Reference),
}

/// The registry side of completion: the cache, the images named in the workspace's
/// Dockerfiles, and the time (for ages).
pub struct Images<'a> {
    pub source: &'a dyn ImageSource,
    pub workspace: &'a [String],
    /// Seconds since the Unix epoch.
    pub now: u64,
    /// The ENV of the cursor's stage's base image (`NAME=value`), when its config is known:
    /// those variables are set in every instruction of the stage.
    pub base_env: &'a [String],
}

#[derive(Debug, Default)]
pub struct Completion {
    pub items: Vec<Item>,
    /// Fetches that would complete the answer.
    pub wanted: Vec<Want>,
    /// The list was cut at [`MAX_TAGS`]: typing more narrows it, so ask again.
    pub truncated: bool,
}

/// At most this many tags are offered at once (popular images have thousands).
pub const MAX_TAGS: usize = 200;

/// Well-known images: Docker Hub's most used official images, then distroless, Chainguard,
/// Microsoft and other registries' usual bases.
const WELL_KNOWN: &[&str] = &[
    "alpine", "debian", "ubuntu", "busybox", "python", "node", "golang", "rust", "openjdk", "eclipse-temurin", "amazoncorretto",
    "maven", "gradle", "ruby", "php", "perl", "nginx", "httpd", "postgres", "mysql", "mariadb", "redis", "mongo", "memcached",
    "rabbitmq", "elasticsearch", "traefik", "haproxy", "caddy", "fedora", "rockylinux", "almalinux", "amazonlinux", "oraclelinux",
    "archlinux", "centos", "buildpack-deps", "docker", "gcc", "bash", "erlang", "elixir", "haskell", "julia", "swift", "dart",
    "composer", "wordpress", "tomcat", "jetty", "sonarqube", "jenkins/jenkins", "bitnami/kubectl", "hashicorp/terraform",
    "gcr.io/distroless/static-debian12", "gcr.io/distroless/base-debian12", "gcr.io/distroless/cc-debian12",
    "gcr.io/distroless/python3-debian12", "gcr.io/distroless/nodejs22-debian12", "gcr.io/distroless/java21-debian12",
    "cgr.dev/chainguard/static", "cgr.dev/chainguard/wolfi-base", "cgr.dev/chainguard/go", "cgr.dev/chainguard/python",
    "cgr.dev/chainguard/node", "cgr.dev/chainguard/jdk", "mcr.microsoft.com/dotnet/sdk", "mcr.microsoft.com/dotnet/aspnet",
    "mcr.microsoft.com/dotnet/runtime", "mcr.microsoft.com/dotnet/runtime-deps", "mcr.microsoft.com/windows/servercore",
    "mcr.microsoft.com/windows/nanoserver", "mcr.microsoft.com/devcontainers/base", "mcr.microsoft.com/playwright",
    "ghcr.io/astral-sh/uv", "ghcr.io/graalvm/jdk-community", "quay.io/centos/centos", "quay.io/keycloak/keycloak",
    "public.ecr.aws/lambda/python", "public.ecr.aws/lambda/nodejs", "registry.access.redhat.com/ubi9/ubi",
    "registry.access.redhat.com/ubi9/ubi-minimal",
];

/// What can be typed at `offset`.
pub fn complete(text: &str, df: &Dockerfile, sem: &Semantics, offset: usize) -> Vec<Item> {
    complete_with(text, df, sem, offset, &Images { source: &NoImages, workspace: &[], now: 0, base_env: &[] }).items
}

/// [`complete`] with registry answers: image names, tags and digests after `FROM`.
pub fn complete_with(text: &str, df: &Dockerfile, sem: &Semantics, offset: usize, images: &Images<'_>) -> Completion {
    let offset = offset.min(text.len());
    let offset = (0..=offset).rev().find(|&o| text.is_char_boundary(o)).unwrap_or(0);
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let word_start = text[line_start..offset].rfind([' ', '\t']).map_or(line_start, |i| line_start + i + 1);
    if let Some(ins) = df.instruction_at(offset).filter(|i| i.range.start < offset && i.kind == Kind::From && i.nested.is_none()) {
        let args = text[ins.range.start..word_start].split_whitespace().skip(1).filter(|w| !w.starts_with("--")).count();
        let word = &text[word_start..offset];
        if args == 0 && text[line_start..word_start].split_whitespace().next().is_some() && !word.starts_with('-') && !word.contains('$') {
            let stage = ins.stage.unwrap_or(df.stages.len());
            let word_end = text[offset..].find([' ', '\t', '\n', '\r']).map_or(text.len(), |i| offset + i);
            return image_items(df, stage, text, word_start, offset, word_end, images);
        }
    }
    Completion { items: complete_plain(text, df, sem, offset, images.base_env), ..Default::default() }
}

fn complete_plain(text: &str, df: &Dockerfile, sem: &Semantics, offset: usize, base_env: &[String]) -> Vec<Item> {
    let offset = offset.min(text.len());
    let offset = (0..=offset).rev().find(|&o| text.is_char_boundary(o)).unwrap_or(0);
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let word_start = text[line_start..offset].rfind([' ', '\t']).map_or(line_start, |i| line_start + i + 1);
    let word = &text[word_start..offset];
    let ins = df.instruction_at(offset).filter(|i| i.range.start < offset || offset == i.range.start);

    // `$NAME` / `${NAME`: the variables visible here.
    if let Some(dollar) = word.rfind('$') {
        let after = &word[dollar + 1..];
        if let Some(items) = substitution_operators(after, offset) {
            return items;
        }
        let name = after.strip_prefix('{').unwrap_or(after);
        if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            let start = offset - name.len();
            return variables(text, df, sem, offset, start..offset, base_env);
        }
    }
    // Parser directives: `#` lines before anything else.
    if text[line_start..].starts_with('#') && df.instructions.first().is_none_or(|i| i.range.start >= line_start) {
        let typed = text[line_start + 1..offset].trim_start();
        let start = offset - typed.len();
        if let Some(items) = check_names(typed, offset) {
            return items;
        }
        return DIRECTIVES
            .iter()
            .filter(|(d, _)| d.starts_with(&typed.to_ascii_lowercase()))
            .map(|(d, doc)| Item { label: (*d).into(), kind: ItemKind::Directive, detail: Some((*doc).into()), insert: (*d).into(), snippet: false, range: start..offset })
            .collect();
    }
    // The first word of the line (only blanks before it).
    let at_keyword = text[line_start..word_start].trim().is_empty();
    let in_keyword = match ins {
        None => true,
        Some(i) => at_keyword && offset <= i.range.start + i.keyword.len() && word_start <= i.range.start,
    };
    // `ONBUILD |`: the trigger instruction.
    if text[line_start..word_start].trim().eq_ignore_ascii_case("ONBUILD") && !word.starts_with('-') {
        return onbuild_triggers(word, word_start..offset);
    }
    if in_keyword && !word.starts_with('-') {
        return keywords(df, offset, word, word_start..offset);
    }
    let Some(ins) = ins else { return Vec::new() };
    let kind = ins.nested.as_ref().filter(|n| n.range.start <= offset).map_or(ins.kind, |n| n.kind);
    // The stage the instruction is in (a FROM: the one it starts); earlier ones can be named.
    let stage = ins.stage.unwrap_or(df.stages.len());
    if let Some(flag) = word.strip_prefix("--") {
        return flag_items(df, kind, stage, flag, word_start, offset);
    }
    // The image of FROM: earlier stages' names.
    if kind == Kind::From {
        let args: Vec<&str> = text[ins.range.start..word_start].split_whitespace().skip(1).filter(|w| !w.starts_with("--")).collect();
        match args.len() {
            0 => return stages(df, stage, word, word_start..offset),
            1 if "as".starts_with(&word.to_ascii_lowercase()) => {
                return vec![Item { label: "AS".into(), kind: ItemKind::Keyword, detail: Some("name this stage".into()), insert: "AS ${1:name}".into(), snippet: true, range: word_start..offset }];
            }
            _ => {}
        }
    }
    Vec::new()
}

fn keywords(df: &Dockerfile, offset: usize, typed: &str, range: Range<usize>) -> Vec<Item> {
    // Before the first FROM only ARG and FROM are legal.
    let before_from = df.stages.first().is_none_or(|s| df.instructions[s.from].range.start >= offset);
    let mut out: Vec<Item> = KEYWORDS
        .iter()
        .filter(|(k, _)| !before_from || matches!(*k, "FROM" | "ARG"))
        .filter(|(k, _)| k.starts_with(&typed.to_ascii_uppercase()))
        .map(|(k, snippet)| keyword_item(k, snippet, range.clone()))
        .collect();
    if !before_from && "HEALTHCHECK".starts_with(&typed.to_ascii_uppercase()) {
        out.push(Item {
            label: "HEALTHCHECK NONE".into(),
            kind: ItemKind::Keyword,
            detail: Some("turn off the base image's health check".into()),
            insert: "HEALTHCHECK NONE".into(),
            snippet: false,
            range,
        });
    }
    out
}

fn keyword_item(keyword: &str, snippet: &str, range: Range<usize>) -> Item {
    let detail = crate::docs::instruction(Kind::from_keyword(keyword).expect("a keyword")).forms[0].join(" ");
    Item { label: keyword.into(), kind: ItemKind::Keyword, detail: Some(detail), insert: snippet.into(), snippet: true, range }
}

/// The instructions `ONBUILD` can register: all but FROM, ONBUILD and the deprecated MAINTAINER.
fn onbuild_triggers(typed: &str, range: Range<usize>) -> Vec<Item> {
    KEYWORDS
        .iter()
        .filter(|(k, _)| !matches!(*k, "FROM" | "ONBUILD" | "MAINTAINER"))
        .filter(|(k, _)| k.starts_with(&typed.to_ascii_uppercase()))
        .map(|(k, snippet)| keyword_item(k, snippet, range.clone()))
        .collect()
}

/// The BuildKit check names after `# check=skip=` (comma-separated, `all` too).
const BUILDKIT_CHECKS: &[&str] = &[
    "ConsistentInstructionCasing", "CopyIgnoredFile", "DuplicateStageName", "ExposeInvalidFormat", "ExposeProtoCasing",
    "FromAsCasing", "FromPlatformFlagConstDisallowed", "InvalidBaseImagePlatform", "InvalidDefaultArgInFrom",
    "InvalidDefinitionDescription", "JSONArgsRecommended", "LegacyKeyValueFormat", "MaintainerDeprecated",
    "MultipleInstructionsDisallowed", "NoEmptyContinuation", "RedundantTargetPlatform", "ReservedStageName",
    "SecretsUsedInArgOrEnv", "StageNameCasing", "UndefinedArgInFrom", "UndefinedVar", "WorkdirRelativePath", "all",
];

fn check_names(typed: &str, offset: usize) -> Option<Vec<Item>> {
    // `check=` then `;`-separated settings; the last one being typed must be `skip=`.
    let settings = typed.get(..6).filter(|p| p.eq_ignore_ascii_case("check=")).map(|_| &typed[6..])?;
    let last = settings.rsplit(';').next()?;
    let after_skip = last.get(..5).filter(|p| p.eq_ignore_ascii_case("skip=")).map(|_| &last[5..])?;
    let current = after_skip.rsplit(',').next().unwrap_or("");
    let done: Vec<&str> = after_skip.split(',').collect();
    let start = offset - current.len();
    Some(
        BUILDKIT_CHECKS
            .iter()
            .filter(|c| c.to_ascii_lowercase().starts_with(&current.to_ascii_lowercase()) && !done[..done.len() - 1].contains(c))
            .map(|c| {
                let rule = crate::lint::rules::all().iter().find(|r| r.buildkit == Some(*c));
                Item {
                    label: (*c).into(),
                    kind: ItemKind::Value,
                    detail: Some(match (c, rule) {
                        (&"all", _) => "skip every check".into(),
                        (_, Some(r)) => format!("{} (dockls: {})", r.summary, r.id),
                        (_, None) => "BuildKit check".into(),
                    }),
                    insert: (*c).into(),
                    snippet: false,
                    range: start..offset,
                }
            })
            .collect(),
    )
}

/// `${NAME:` / `${NAME` followed by an operator being typed: the operators BuildKit supports.
fn substitution_operators(after_dollar: &str, offset: usize) -> Option<Vec<Item>> {
    let body = after_dollar.strip_prefix('{')?;
    let name_len = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let typed = &body[name_len..];
    if name_len == 0 || typed.is_empty() || typed.contains('}') || !crate::semantics::SUBSTITUTION_OPERATORS.iter().any(|op| op.starts_with(typed) || typed.starts_with(op)) {
        return None;
    }
    // Only while the operator itself is typed (`${A:-` goes on to the word).
    if crate::semantics::SUBSTITUTION_OPERATORS.contains(&typed) && !crate::semantics::SUBSTITUTION_OPERATORS.iter().any(|op| op.len() > typed.len() && op.starts_with(typed)) {
        return Some(Vec::new());
    }
    let start = offset - typed.len();
    let doc = |op: &str| match op {
        ":-" => "default when unset or empty: ${V:-word}",
        "-" => "default when unset: ${V-word}",
        ":+" => "word when set and not empty, else empty: ${V:+word}",
        "+" => "word when set: ${V+word}",
        ":?" => "fail the build with the message when unset or empty: ${V:?message}",
        "?" => "fail the build with the message when unset: ${V?message}",
        "#" => "remove the shortest matching prefix: ${V#pattern}",
        "##" => "remove the longest matching prefix: ${V##pattern}",
        "%" => "remove the shortest matching suffix: ${V%pattern}",
        "%%" => "remove the longest matching suffix: ${V%%pattern}",
        "/" => "replace the first match: ${V/pattern/replacement}",
        "//" => "replace every match: ${V//pattern/replacement}",
        _ => "",
    };
    Some(
        crate::semantics::SUBSTITUTION_OPERATORS
            .iter()
            .filter(|op| op.starts_with(typed))
            .map(|op| Item { label: (*op).into(), kind: ItemKind::Value, detail: Some(doc(op).into()), insert: (*op).into(), snippet: false, range: start..offset })
            .collect(),
    )
}

fn flag_items(df: &Dockerfile, kind: Kind, stage: usize, flag: &str, word_start: usize, offset: usize) -> Vec<Item> {
    let Some((name, value)) = flag.split_once('=') else {
        // The flag's name.
        return flags_for(kind)
            .iter()
            .filter(|f| f.name.starts_with(flag))
            .map(|f| {
                let takes_value = !matches!(f.value, FlagValue::Bool);
                Item {
                    label: format!("--{}", f.name),
                    kind: ItemKind::Flag,
                    detail: Some(f.doc.into()),
                    insert: if takes_value { format!("--{}=", f.name) } else { format!("--{}", f.name) },
                    snippet: false,
                    range: word_start..offset,
                }
            })
            .collect();
    };
    let value_start = word_start + 2 + name.len() + 1;
    let values = |list: &[&str], typed: &str, start: usize| -> Vec<Item> {
        list.iter()
            .filter(|v| v.starts_with(typed))
            .map(|v| Item { label: (*v).into(), kind: ItemKind::Value, detail: None, insert: (*v).into(), snippet: false, range: start..offset })
            .collect()
    };
    match (kind, name) {
        (Kind::Run, "mount") => {
            // The `key=value` pair being typed, after the last comma.
            let pair_start = value.rfind(',').map_or(0, |i| i + 1);
            let pair = &value[pair_start..];
            let start = value_start + pair_start;
            match pair.split_once('=') {
                Some(("type", t)) => values(MOUNT_TYPES, t, offset - t.len()),
                Some(("sharing", t)) => values(&["shared", "private", "locked"], t, offset - t.len()),
                Some(("from", t)) => stages(df, stage, t, offset - t.len()..offset),
                Some(_) => Vec::new(),
                None => {
                    // The keys of this mount's type (bind when none is given, as BuildKit
                    // reads it) that it does not have yet; switches (`ro`, `required`) bare.
                    let given: Vec<&str> = value.split(',').map(|p| p.split_once('=').map_or(p, |(k, _)| k)).collect();
                    let mount_type = value.split(',').find_map(|p| p.strip_prefix("type=")).unwrap_or("bind");
                    MOUNT_KEYS
                        .iter()
                        .filter(|k| k.starts_with(pair) && mount_key_applies(mount_type, k) && !given[..given.len().saturating_sub(1)].contains(k))
                        .map(|k| {
                            let switch = matches!(*k, "readonly" | "ro" | "readwrite" | "rw" | "required");
                            Item {
                                label: (*k).into(),
                                kind: ItemKind::Value,
                                detail: crate::docs::flags::mount_key(k).map(Into::into),
                                insert: if switch { (*k).to_string() } else { format!("{k}=") },
                                snippet: false,
                                range: start..offset,
                            }
                        })
                        .collect()
                }
            }
        }
        (Kind::Run, "network") => values(&["default", "none", "host"], value, value_start),
        (Kind::Run, "security") => values(&["insecure", "sandbox"], value, value_start),
        (_, "platform") => values(PLATFORMS, value, value_start),
        (Kind::Copy, "from") => stages(df, stage, value, value_start..offset),
        _ => Vec::new(),
    }
}

/// Whether BuildKit accepts `key` on a `--mount` of `mount_type` (an unknown type: every key).
fn mount_key_applies(mount_type: &str, key: &str) -> bool {
    let keys: &[&str] = match mount_type {
        "bind" => &["type", "target", "dst", "destination", "source", "src", "from", "readwrite", "rw", "readonly", "ro"],
        "cache" => &["type", "id", "target", "dst", "destination", "readonly", "ro", "sharing", "from", "source", "src", "mode", "uid", "gid"],
        "tmpfs" => &["type", "target", "dst", "destination", "size"],
        "secret" => &["type", "id", "target", "dst", "destination", "env", "required", "mode", "uid", "gid"],
        "ssh" => &["type", "id", "target", "dst", "destination", "required", "mode", "uid", "gid"],
        _ => return true,
    };
    keys.contains(&key)
}

/// The image word of a FROM (`word_start..word_end`, cursor at `offset`): a digest after
/// `@`, a tag after the name's `:`, else a name.
fn image_items(df: &Dockerfile, stage: usize, text: &str, word_start: usize, offset: usize, word_end: usize, images: &Images<'_>) -> Completion {
    let word = &text[word_start..offset];
    let mut out = Completion::default();
    if let Some(at) = word.find('@') {
        let typed = &word[at + 1..];
        let Some(r) = Reference::parse(&word[..at]) else { return out };
        let range = word_start + at + 1..word_end;
        match images.source.digest(&r) {
            Some(d) => {
                if d.value.starts_with(typed) {
                    out.items.push(Item { label: d.value.clone(), kind: ItemKind::Digest, detail: Some(format!("the digest {} points at", r.tag.as_deref().unwrap_or("latest"))), insert: d.value, snippet: false, range });
                }
                if d.stale {
                    out.wanted.push(Want::Digest(r));
                }
            }
            None => out.wanted.push(Want::Digest(r)),
        }
        return out;
    }
    let name_end = word.rfind('/').map_or(0, |i| i + 1);
    if let Some(colon) = word[name_end..].find(':').map(|i| name_end + i) {
        let Some(r) = Reference::parse(&word[..colon]) else { return out };
        let typed = &word[colon + 1..];
        // The whole tag is replaced: the part after the cursor too (up to a digest).
        let tag_end = text[offset..word_end].find('@').map_or(word_end, |i| offset + i);
        let whole = &text[word_start + colon + 1..tag_end];
        let variant = Some(tag_order::parts(whole).variant).filter(|_| !tag_order::parts(whole).numbers.is_empty());
        let Some(tags) = images.source.tags(&r) else {
            out.wanted.push(Want::Tags(r));
            return out;
        };
        if tags.stale {
            out.wanted.push(Want::Tags(r.clone()));
        }
        let offered = tag_order::offer(&tags.value.names, typed, variant);
        out.truncated = offered.len() > MAX_TAGS;
        for tag in offered.into_iter().take(MAX_TAGS) {
            let tagged = Reference { tag: Some(tag.clone()), digest: None, ..r.clone() };
            let (known_digest, updated) = tags.value.known.get(tag).cloned().unwrap_or_default();
            let digest = known_digest.or_else(|| images.source.digest(&tagged).map(|d| d.value));
            let mut detail: Vec<String> = Vec::new();
            if let Some(d) = digest {
                detail.push(short_digest(&d));
            }
            if let Some(age) = updated.and_then(|u| crate::registry::image::age(&u, images.now)) {
                detail.push(format!("updated {age}"));
            }
            out.items.push(Item {
                label: tag.clone(),
                kind: ItemKind::Tag,
                detail: (!detail.is_empty()).then(|| detail.join(" · ")),
                insert: tag.clone(),
                snippet: false,
                range: word_start + colon + 1..tag_end,
            });
        }
        return out;
    }
    // A name: earlier stages, the workspace's images, then well-known ones. Only the name is
    // replaced: a tag or digest after the cursor stays.
    let whole = &text[word_start..word_end];
    let slash = whole.rfind('/').map_or(0, |i| i + 1).max(offset - word_start);
    let name_end = whole[slash..].find([':', '@']).map_or(word_end, |i| word_start + slash + i);
    let range = word_start..name_end;
    out.items = stages(df, stage, word, range.clone());
    let mut seen: Vec<String> = out.items.iter().map(|i| i.label.clone()).collect();
    let workspace = images.workspace.iter().map(|n| (n.as_str(), "used in the workspace"));
    let known = WELL_KNOWN.iter().map(|n| (*n, if n.contains('.') { "image" } else { "Docker Hub image" }));
    for (name, detail) in workspace.chain(known) {
        if name.starts_with(word) && !seen.iter().any(|s| s == name) {
            seen.push(name.to_string());
            out.items.push(Item { label: name.into(), kind: ItemKind::Image, detail: Some(detail.into()), insert: name.into(), snippet: false, range: range.clone() });
        }
    }
    out
}

/// `sha256:0123456789ab` (12 hex digits, as `docker images` shows).
pub fn short_digest(d: &str) -> String {
    match d.split_once(':') {
        Some((algo, hex)) => format!("{algo}:{}", &hex[..hex.len().min(12)]),
        None => d.to_string(),
    }
}

/// Names of the stages before stage `current` (a stage can only use earlier ones).
fn stages(df: &Dockerfile, current: usize, typed: &str, range: Range<usize>) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    for s in df.stages.iter().filter(|s| s.index < current).rev() {
        let Some(name) = &s.name else { continue };
        if !name.text.to_ascii_lowercase().starts_with(&typed.to_ascii_lowercase()) || out.iter().any(|i| i.label == name.text.as_str()) {
            continue;
        }
        out.push(Item {
            label: name.text.to_string(),
            kind: ItemKind::Stage,
            detail: Some(format!("stage {} (FROM {})", s.index, s.image.text)),
            insert: name.text.to_string(),
            snippet: false,
            range: range.clone(),
        });
    }
    out
}

/// The ARG/ENV variables visible at `offset` with their values, then the predefined args.
fn variables(text: &str, df: &Dockerfile, sem: &Semantics, offset: usize, range: Range<usize>, base_env: &[String]) -> Vec<Item> {
    let typed = &text[range.clone()];
    let stage = df.instruction_at(offset).and_then(|i| i.stage);
    let mut values: Vec<(String, Option<String>)> = sem.values_at(text, df, stage, offset).into_iter().collect();
    values.sort();
    let mut out: Vec<Item> = values
        .into_iter()
        .filter(|(n, _)| n.starts_with(typed))
        .map(|(name, value)| Item {
            detail: Some(match value {
                Some(v) => format!("= {v}"),
                None => "(no default)".into(),
            }),
            insert: name.clone(),
            label: name,
            kind: ItemKind::Variable,
            snippet: false,
            range: range.clone(),
        })
        .collect();
    // The base image's environment, under what the Dockerfile sets itself (before the first
    // FROM there is no image).
    if stage.is_some() {
        for (name, value) in base_env.iter().filter_map(|e| e.split_once('=')) {
            if name.starts_with(typed) && !out.iter().any(|i| i.label == name) {
                let detail = Some(format!("= {value} (the base image's ENV)"));
                out.push(Item { label: name.into(), kind: ItemKind::Variable, detail, insert: name.into(), snippet: false, range: range.clone() });
            }
        }
    }
    for (name, doc) in PREDEFINED_ARGS {
        if name.starts_with(typed) && !out.iter().any(|i| i.label == *name) {
            out.push(Item { label: (*name).into(), kind: ItemKind::Variable, detail: Some((*doc).into()), insert: (*name).into(), snippet: false, range: range.clone() });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;
    use crate::document::Snapshot;

    /// Labels offered where `|` is in `text`.
    fn labels(text: &str) -> Vec<String> {
        let offset = text.find('|').expect("a cursor");
        let text = text.replacen('|', "", 1);
        let a = Analysis::new(Snapshot::from_text(&text));
        complete(a.text(), &a.dockerfile, &a.semantics, offset).into_iter().map(|i| i.label).collect()
    }

    #[test]
    fn only_from_and_arg_before_the_first_from() {
        assert_eq!(labels("|"), ["FROM", "ARG"]);
        assert_eq!(labels("ARG V=1\nF|"), ["FROM"]);
        let after = labels("FROM alpine\nR|");
        assert_eq!(after, ["RUN"]);
        assert!(labels("FROM alpine\n|").len() >= 17);
    }

    #[test]
    fn directives_at_the_top() {
        assert_eq!(labels("# sy|"), ["syntax=docker/dockerfile:1"]);
        assert!(labels("FROM alpine\n# sy|").is_empty());
    }

    #[test]
    fn flags_and_their_values() {
        assert!(labels("FROM alpine\nCOPY --|").contains(&"--from".to_string()));
        assert!(labels("FROM alpine\nCOPY --l|").contains(&"--link".to_string()));
        assert_eq!(labels("FROM alpine\nRUN --mount=type=c|"), ["cache"]);
        assert_eq!(labels("FROM alpine\nRUN --mount=type=cache,sh|"), ["sharing"]);
        assert_eq!(labels("FROM alpine\nRUN --mount=type=cache,sharing=l|"), ["locked"]);
        assert_eq!(labels("FROM alpine\nRUN --network=n|"), ["none"]);
        assert!(labels("FROM --platform=$B|").is_empty() || labels("FROM --platform=$B|").contains(&"BUILDPLATFORM".to_string()));
        assert!(labels("FROM --platform=linux/a|").contains(&"linux/arm64".to_string()));
    }

    #[test]
    fn stage_names_after_from_and_copy_from() {
        let text = "FROM golang:1.23 AS build\nFROM alpine AS tools\nFROM alpine\nCOPY --from=|";
        assert_eq!(labels(text), ["tools", "build"]);
        let after_from = labels("FROM golang:1.23 AS build\nFROM b|");
        assert_eq!(after_from[0], "build", "earlier stages first, then images: {after_from:?}");
        assert!(after_from.contains(&"busybox".to_string()));
        assert_eq!(labels("FROM golang:1.23 AS build\nRUN --mount=from=|"), Vec::<String>::new(), "not its own stage");
        assert_eq!(labels("FROM golang:1.23 AS build\nFROM alpine\nRUN --mount=type=bind,from=b|"), ["build"]);
        assert_eq!(labels("FROM golang:1.23 a|"), ["AS"]);
    }

    #[test]
    fn variables_in_scope_with_their_values() {
        let text = "ARG BASE=alpine\nFROM ${BASE}\nARG VERSION=1.2\nENV HOME_DIR=/app\nRUN echo $V|";
        assert_eq!(labels(text), ["VERSION"]);
        let all = labels("ARG BASE=alpine\nFROM ${BASE}\nENV HOME_DIR=/app\nWORKDIR ${|");
        assert!(all.contains(&"HOME_DIR".to_string()) && all.contains(&"TARGETARCH".to_string()), "{all:?}");
        assert!(!all.contains(&"BASE".to_string()), "a global ARG not declared again in the stage is not visible: {all:?}");
    }

    /// Canned registry answers: `python` has tags (Docker Hub's ages for two of them) and
    /// digests for some; `team/app` is not cached.
    struct Canned;

    impl ImageSource for Canned {
        fn tags(&self, r: &Reference) -> Option<Cached<Tags>> {
            if r.repository != "library/python" {
                return None;
            }
            let names = ["latest", "3", "3-slim", "3-alpine", "3.12", "3.12-slim", "3.12.7", "3.12.7-slim", "3.12.7-slim-bookworm", "3.12.7-alpine3.20", "3.11", "3.10", "3.9", "3.13.0rc1", "slim"];
            let mut known = std::collections::BTreeMap::new();
            known.insert("3.12.7-slim".to_string(), (Some(format!("sha256:{}", "ab".repeat(32))), Some("2024-04-28T10:00:00Z".to_string())));
            known.insert("3.12-slim".to_string(), (None, Some("2023-01-01T00:00:00Z".to_string())));
            Some(Cached { value: Tags { names: names.iter().map(|s| s.to_string()).collect(), known }, stale: false })
        }
        fn digest(&self, r: &Reference) -> Option<Cached<String>> {
            (r.repository == "library/python" && r.tag.as_deref() == Some("3.12-slim")).then(|| Cached { value: format!("sha256:{}", "cd".repeat(32)), stale: true })
        }
    }

    /// What is offered at each `|` of `fixture` (the bars removed): the line with the cursor,
    /// then the first items (label, detail, the text each replaces) and the fetches wanted.
    fn render(fixture: &str, images: &Images<'_>) -> String {
        let mut out = String::new();
        let text = fixture.replace('|', "");
        let a = Analysis::new(Snapshot::from_text(&text));
        for (n, _) in fixture.match_indices('|') {
            let offset = n - fixture[..n].matches('|').count();
            let done = complete_with(a.text(), &a.dockerfile, &a.semantics, offset, images);
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
            out.push_str(&format!("{}|{}\n", &text[line_start..offset], &text[offset..line_end]));
            for item in done.items.iter().take(12) {
                let replaced = &text[item.range.clone()];
                out.push_str(&format!("    {:<36} {}  [replaces `{replaced}`]\n", item.label, item.detail.as_deref().unwrap_or("")));
            }
            if done.items.len() > 12 {
                out.push_str(&format!("    … {} more\n", done.items.len() - 12));
            }
            if done.items.is_empty() {
                out.push_str("    (nothing)\n");
            }
            for w in &done.wanted {
                out.push_str(&format!("    wants {w:?}\n"));
            }
            out.push('\n');
        }
        out
    }

    #[test]
    fn images_tags_and_digests_snapshot() {
        let fixture = include_str!("../../tests/fixtures/completion/images.Dockerfile");
        let workspace = ["ghcr.io/acme/builder".to_string(), "node".to_string()];
        let images = Images { source: &Canned, workspace: &workspace, now: 1_714_557_600, base_env: &[] };
        insta::assert_snapshot!(render(fixture, &images));
    }

    /// Every other completion context of a multi-stage file: directives, instructions, flags
    /// and their values, mount types and keys, variables and their operators, stage names.
    #[test]
    fn contexts_of_a_multi_stage_file_snapshot() {
        let fixture = include_str!("../../tests/fixtures/completion/contexts.Dockerfile");
        insta::assert_snapshot!(render(fixture, &Images { source: &NoImages, workspace: &[], now: 0, base_env: &[] }));
    }

    #[test]
    fn the_base_image_env_is_offered_under_the_dockerfile_own() {
        let text = "ARG V=1\nFROM python:3.12\nENV LANG=C.UTF-8\nRUN echo $\n";
        let offset = text.find("$\n").unwrap() + 1;
        let a = Analysis::new(Snapshot::from_text(text));
        let env = ["PATH=/usr/local/bin:/usr/bin".to_string(), "LANG=C".to_string(), "PYTHON_VERSION=3.12.7".to_string()];
        let images = Images { source: &NoImages, workspace: &[], now: 0, base_env: &env };
        let items = complete_with(a.text(), &a.dockerfile, &a.semantics, offset, &images).items;
        let detail = |name: &str| items.iter().find(|i| i.label == name).and_then(|i| i.detail.clone());
        assert_eq!(detail("LANG").as_deref(), Some("= C.UTF-8"), "the Dockerfile's own ENV wins");
        assert_eq!(detail("PYTHON_VERSION").as_deref(), Some("= 3.12.7 (the base image's ENV)"));
        assert_eq!(detail("PATH").as_deref(), Some("= /usr/local/bin:/usr/bin (the base image's ENV)"));
        // Before the first FROM no image's environment applies.
        let text = "ARG A=${\nFROM python:3.12\n";
        let a = Analysis::new(Snapshot::from_text(text));
        let items = complete_with(a.text(), &a.dockerfile, &a.semantics, text.find('\n').unwrap(), &images).items;
        assert!(!items.iter().any(|i| i.label == "PYTHON_VERSION"), "{:?}", items.iter().map(|i| &i.label).collect::<Vec<_>>());
    }

    #[test]
    fn onbuild_triggers_healthcheck_none_check_names_and_operators() {
        let on = labels("FROM alpine\nONBUILD |");
        assert!(on.contains(&"COPY".to_string()) && !on.contains(&"FROM".to_string()) && !on.contains(&"ONBUILD".to_string()), "{on:?}");
        assert_eq!(labels("FROM alpine\nHEALTH|"), ["HEALTHCHECK", "HEALTHCHECK NONE"]);
        assert_eq!(labels("# check=skip=JSON|"), ["JSONArgsRecommended"]);
        assert_eq!(labels("# check=skip=JSONArgsRecommended,Undef|"), ["UndefinedArgInFrom", "UndefinedVar"]);
        assert_eq!(labels("ARG V\nFROM alpine:${V:|"), [":-", ":+", ":?"]);
        assert_eq!(labels("ARG V\nFROM alpine:${V%|"), ["%", "%%"]);
        assert!(labels("ARG V\nFROM alpine:${V:-|").is_empty(), "typing the default word");
    }

    #[test]
    fn offsets_past_the_end_or_inside_a_character_are_safe() {
        let text = "FROM alpine\nRUN echo é";
        let a = Analysis::new(Snapshot::from_text(text));
        for offset in 0..text.len() + 3 {
            let _ = complete(a.text(), &a.dockerfile, &a.semantics, offset);
        }
    }
}
