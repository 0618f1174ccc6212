//! Completion: what may be typed at a byte offset, decided from the typed model and the text of
//! the word under the cursor. Instruction keywords (only FROM and ARG before the first FROM) as
//! snippets, parser directives at the top, flags per instruction and their values (`--mount`
//! types and keys, `--network`, `--security`, `--platform`, `--from` stages), stage names after
//! `FROM`, and the variables visible at the cursor after `$` / `${`, with their values.
//! `ONBUILD` triggers, `HEALTHCHECK NONE`, BuildKit check names after `# check=skip=`, and
//! the substitution operators after `${NAME`.

use std::ops::Range;

use crate::diagnostics::flags::{flags_for, FlagValue, MOUNT_KEYS, MOUNT_TYPES};
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

/// What can be typed at `offset`.
pub fn complete(text: &str, df: &Dockerfile, sem: &Semantics, offset: usize) -> Vec<Item> {
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
            return variables(text, df, sem, offset, start..offset);
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
                None => MOUNT_KEYS
                    .iter()
                    .filter(|k| k.starts_with(pair))
                    .map(|k| Item { label: (*k).into(), kind: ItemKind::Value, detail: None, insert: format!("{k}="), snippet: false, range: start..offset })
                    .collect(),
            }
        }
        (Kind::Run, "network") => values(&["default", "none", "host"], value, value_start),
        (Kind::Run, "security") => values(&["insecure", "sandbox"], value, value_start),
        (_, "platform") => values(PLATFORMS, value, value_start),
        (Kind::Copy, "from") => stages(df, stage, value, value_start..offset),
        _ => Vec::new(),
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
fn variables(text: &str, df: &Dockerfile, sem: &Semantics, offset: usize, range: Range<usize>) -> Vec<Item> {
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
        assert_eq!(labels("FROM golang:1.23 AS build\nFROM b|"), ["build"]);
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
