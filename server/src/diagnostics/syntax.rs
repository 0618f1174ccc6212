//! Syntax diagnostics: what Docker itself would reject or misread, with the exact token.

use super::flags::{flags_for, mount_key_types, FlagValue, MOUNT_KEYS, MOUNT_TYPES};
use super::values::*;
use super::{did_you_mean, Diagnostic, Severity};
use crate::syntax::{Args, Dockerfile, Flag, Instruction, Kind, SyntaxError};

pub fn check(src: &str, df: &Dockerfile, out: &mut Vec<Diagnostic>) {
    directives(src, df, out);
    super::mounts::check(df, out);
    // One list of words for every instruction: a fresh one each was most of the substitution
    // checks.
    let mut words = Vec::new();
    let first = out.len();
    for ins in &df.instructions {
        // A function of the instruction alone: kept on it for the next version (`lint::memo`).
        let found = ins.memo.syntax.get_or_init(|| {
            let mut found = Vec::new();
            unsupported_substitutions(ins, &mut words, &mut found);
            instruction(src, ins, false, &mut found);
            found
        });
        out.extend(found.iter().cloned());
        // An instruction the grammar took whole but that lacks arguments (the grammar lets a
        // line end after the flags, so that the next line stays its own instruction while
        // the user types). Not when the parser already reported an error inside it.
        if !df.errors.iter().any(|e| e.range.start >= ins.range.start && e.range.start <= ins.range.end) {
            missing_arguments(ins, out);
            // `ONBUILD COPY --link`: the trigger is held to the same rules.
            if let Some(trigger) = &ins.nested {
                missing_arguments(trigger, out);
            }
        }
    }
    // `${templateOption:imageVariant}`: one error on the whole expansion, and none for the
    // parser's error inside it.
    let substitutions: Vec<std::ops::Range<usize>> =
        if df.errors.is_empty() { Vec::new() } else { out[first..].iter().filter(|d| d.code == "invalid-substitution").map(|d| d.range.clone()).collect() };
    for err in &df.errors {
        let in_substitution = substitutions.iter().any(|r| r.start <= err.range.start && err.range.end <= r.end);
        if !in_substitution && !is_from_as_keyword_error(src, df, err) {
            syntax_error(src, err, out);
        }
    }
}

/// `${NAME…}` with a modifier BuildKit does not support, in the words Docker expands itself
/// (not in shell text, which the shell expands): the build fails ("unsupported modifier").
type WordParts<'a> = (&'a str, usize, &'a [crate::syntax::Expansion]);

fn unsupported_substitutions<'a>(ins: &'a Instruction, words: &mut Vec<WordParts<'a>>, out: &mut Vec<Diagnostic>) {
    use crate::semantics::{unsupported_modifier, SUBSTITUTION_OPERATORS};
    fn word(w: &crate::syntax::Word) -> WordParts<'_> {
        (w.text.as_str(), w.range.start, w.expansions.as_slice())
    }
    words.clear();
    for f in &ins.flags {
        words.extend(f.value.as_ref().map(word));
        words.extend(f.mount.iter().filter_map(|o| o.value.as_ref()).map(word));
    }
    if ins.kind.expands_variables() {
        match &ins.args {
            Args::Words(ws) => words.extend(ws.iter().map(word)),
            Args::Pairs(ps) => {
                for p in ps {
                    words.push(word(&p.key));
                    words.extend(p.value.as_ref().map(word));
                }
            }
            Args::From(f) => words.push((f.image.text.as_str(), f.image.range.start, f.image.expansions.as_slice())),
            Args::User { user, group } => {
                words.push(word(user));
                words.extend(group.as_deref().map(word));
            }
            _ => {}
        }
    }
    // `USER ${templateOption:user}`: the grammar splits the user and group at the `:` inside
    // the braces (BuildKit expands the whole word first), so it is read from the text.
    let mut user_text = None;
    if let Args::User { user, group: Some(group) } = &ins.args {
        if user.text.contains("${") && !user.text.contains('}') {
            let text = format!("{}:{}", user.text, group.text);
            user_text = Some((text, user.range.start));
        }
    }
    let user_expansions: Vec<crate::syntax::Expansion> = user_text.as_ref().map_or_else(Vec::new, |(text, offset)| {
        text.match_indices("${").filter_map(|(i, _)| {
            let end = i + text[i..].find('}')? + 1;
            Some(crate::syntax::Expansion { range: offset + i..offset + end, name: Default::default(), name_range: offset + i..offset + i, operator: None, word: None, braced: true })
        }).collect()
    });
    for &(text, offset, expansions) in words.iter().chain(user_text.as_ref().map(|(text, offset)| (text.as_str(), *offset, user_expansions.as_slice())).iter()) {
        for e in expansions.iter().filter(|e| e.braced) {
            let Some(written) = text.get(e.range.start.wrapping_sub(offset)..e.range.end.wrapping_sub(offset)) else { continue };
            let Some(modifier) = unsupported_modifier(written) else { continue };
            if out.iter().any(|d| d.code == "invalid-substitution" && d.range.start <= e.range.start && e.range.end <= d.range.end) {
                continue; // nested in one already reported
            }
            let supported = SUBSTITUTION_OPERATORS.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(" ");
            // `${name:word}` looks like a template's placeholder (cookiecutter, dev containers).
            let placeholder = modifier.len() == 2 && modifier.ends_with(|c: char| c.is_ascii_alphabetic());
            out.push(Diagnostic::error(
                "invalid-substitution",
                e.range.clone(),
                format!(
                    "`{written}` is not a substitution Docker supports (unsupported modifier `{modifier}`): after the name it takes {supported}{}",
                    if placeholder { "; a template placeholder must be filled in before the build" } else { "" }
                ),
            ));
        }
    }
    if let Some(nested) = &ins.nested {
        unsupported_substitutions(nested, words, out);
    }
}

/// COPY and ADD need a source and a destination; HEALTHCHECK needs `CMD …` or `NONE`.
fn missing_arguments(ins: &Instruction, out: &mut Vec<Diagnostic>) {
    let missing = match ins.kind {
        Kind::Copy | Kind::Add => ins.words().len() < 2,
        Kind::Healthcheck => ins.nested.is_none() && !matches!(ins.args, Args::HealthcheckNone),
        _ => false,
    };
    if !missing {
        return;
    }
    // The bare keyword, or the whole instruction when it has flags or an argument.
    let range = if ins.range.end > ins.keyword_range.end { ins.range.clone() } else { ins.keyword_range.clone() };
    let msg = match ins.kind {
        Kind::Copy | Kind::Add if !ins.words().is_empty() => format!(
            "{}; with one argument there is no destination",
            requirement(ins.kind)
        ),
        kind => requirement(kind).to_string(),
    };
    out.push(Diagnostic::error("missing-argument", range, msg));
}

fn directives(src: &str, df: &Dockerfile, out: &mut Vec<Diagnostic>) {
    for (i, d) in df.directives.iter().enumerate() {
        if df.directives[..i].iter().any(|p| p.name.eq_ignore_ascii_case(&d.name)) {
            out.push(Diagnostic::error(
                "duplicate-directive",
                d.range.clone(),
                format!("Parser directive `{}` is given more than once; only one is allowed", d.name.to_lowercase()),
            ));
        }
        if d.name.eq_ignore_ascii_case("check") {
            check_directive(src, d, out);
        }
        // `# syntax=` names the frontend image BuildKit pulls: an invalid reference fails the build.
        if d.name.eq_ignore_ascii_case("syntax") && !d.value.contains('$') {
            if let Some(problem) = reference_problem(&d.value) {
                out.push(Diagnostic::error(
                    "invalid-syntax-directive",
                    d.value_range.clone(),
                    format!("Invalid frontend image in the syntax directive: {problem}"),
                ));
            }
        }
        if d.name.eq_ignore_ascii_case("escape") && d.value != "\\" && d.value != "`" {
            out.push(Diagnostic::error(
                "invalid-escape-directive",
                if d.value.is_empty() { d.range.clone() } else { d.value_range.clone() },
                format!("Invalid escape character `{}`: the escape directive accepts only `\\` or `` ` ``", d.value),
            ));
        }
    }
}

/// `# check=skip=<checks>;error=<bool>` as BuildKit reads it: at most two options split at the
/// first `;`, each `key=value` with the key `skip` or `error`, `error` a Go boolean. Anything
/// else fails the build ("invalid check option"). Empty options are let pass.
fn check_directive(src: &str, d: &crate::syntax::Directive, out: &mut Vec<Diagnostic>) {
    let mut at = d.value_range.start;
    for part in d.value.splitn(2, ';') {
        let range = at..at + part.len();
        at += part.len() + 1;
        if part.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = part.split_once('=') else {
            out.push(Diagnostic::error(
                "invalid-check-directive",
                trim_range(src, range),
                format!("`{}` is not a check option: write `skip=<checks>` or `error=true`", part.trim()),
            ));
            continue;
        };
        match key.trim() {
            "skip" => {}
            "error" if is_go_bool(value.trim()) => {}
            "error" => out.push(Diagnostic::error(
                "invalid-check-directive",
                trim_range(src, range.start + key.len() + 1..range.end),
                format!("`error={}` is not a boolean: use `error=true` or `error=false`", value.trim()),
            )),
            other => {
                let msg = match did_you_mean(other, ["skip", "error"]) {
                    Some(s) => format!("Unknown check option `{other}`; did you mean `{s}`?"),
                    None => format!("Unknown check option `{other}`: the check directive takes `skip=` and `error=`"),
                };
                out.push(Diagnostic::error("invalid-check-directive", trim_range(src, range.start..range.start + key.len()), msg));
            }
        }
    }
}

fn requirement(kind: Kind) -> &'static str {
    match kind {
        Kind::From => "FROM requires a base image, e.g. `FROM alpine:3.20`",
        Kind::Run => "RUN requires a command",
        Kind::Cmd => "CMD requires a command, e.g. `CMD [\"app\", \"--serve\"]`",
        Kind::Entrypoint => "ENTRYPOINT requires a command, e.g. `ENTRYPOINT [\"app\"]`",
        Kind::Copy => "COPY requires at least one source and a destination",
        Kind::Add => "ADD requires at least one source and a destination",
        Kind::Env => "ENV requires a name and a value, e.g. `ENV NAME=value`",
        Kind::Label => "LABEL requires a key and a value, e.g. `LABEL key=value`",
        Kind::Arg => "ARG requires a name, e.g. `ARG VERSION=1.0`",
        Kind::Expose => "EXPOSE requires at least one port, e.g. `EXPOSE 8080/tcp`",
        Kind::Volume => "VOLUME requires at least one path",
        Kind::User => "USER requires a user name or UID, optionally with `:group`",
        Kind::Workdir => "WORKDIR requires a path",
        Kind::Onbuild => "ONBUILD requires an instruction to run later, e.g. `ONBUILD RUN make`",
        Kind::Stopsignal => "STOPSIGNAL requires a signal, e.g. `STOPSIGNAL SIGTERM`",
        Kind::Healthcheck => "HEALTHCHECK requires `CMD <command>` or `NONE`",
        Kind::Shell => "SHELL requires a JSON array, e.g. `SHELL [\"/bin/bash\", \"-c\"]`",
        Kind::Maintainer => "MAINTAINER requires a name",
    }
}

/// Stray words after a FROM image that the rule `from-as-keyword` reports precisely:
/// `FROM img AZ name` (a mistyped `AS`) or `FROM img name` (a missing one).
fn is_from_as_keyword_error(src: &str, df: &Dockerfile, err: &SyntaxError) -> bool {
    if err.missing.is_some() || err.instruction != Some(Kind::From) {
        return false;
    }
    let Some(from) = df.instruction_at(err.range.start).and_then(|i| i.from_args()) else { return false };
    if from.as_keyword.is_some() || err.range.start < from.image.range.end {
        return false;
    }
    let name_ok = |n: &str| {
        let mut c = n.chars();
        c.next().is_some_and(|c| c.is_ascii_alphabetic()) && c.all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    match src[err.range.clone()].split_whitespace().collect::<Vec<_>>().as_slice() {
        [kw, name] => !kw.eq_ignore_ascii_case("as") && name_ok(name),
        [name] => !name.eq_ignore_ascii_case("as") && name_ok(name),
        _ => false,
    }
}

fn syntax_error(src: &str, err: &SyntaxError, out: &mut Vec<Diagnostic>) {
    let text = &src[err.range.clone()];
    let first = text.split_whitespace().next().unwrap_or("");
    if let Some(expected) = &err.missing {
        let kind = err.instruction;
        let msg = match kind {
            Some(k) => format!("{} (expected {})", requirement(k), describe(expected)),
            None => format!("Expected {}", describe(expected)),
        };
        // A zero-width MISSING right after the keyword: underline the keyword.
        let mut range = err.range.clone();
        if range.is_empty() {
            let before = src[..range.start].trim_end_matches([' ', '\t']);
            let word_start = before.rfind(|c: char| c.is_whitespace()).map_or(0, |i| i + 1);
            if word_start < before.len() {
                range = word_start..before.len();
            }
        }
        out.push(Diagnostic::error("missing-argument", range, msg));
        return;
    }
    // A top-level ERROR starting with a word that is not an instruction.
    let starts_line = err.range.start == 0 || src[..err.range.start].ends_with('\n');
    let first_is_word = !first.is_empty() && first.chars().all(|c| c.is_ascii_alphabetic());
    if starts_line && first_is_word && Kind::from_keyword(first).is_none() {
        let start = err.range.start + text.find(first).unwrap_or(0);
        let range = start..start + first.len();
        let msg = match did_you_mean(first, crate::syntax::Kind::ALL.iter().map(|k| k.keyword())) {
            Some(s) => format!("Unknown instruction `{first}`; did you mean `{s}`?"),
            None => format!("Unknown instruction `{first}`"),
        };
        out.push(Diagnostic::error("unknown-instruction", range, msg));
        return;
    }
    if starts_line && first_is_word {
        if let Some(kind) = Kind::from_keyword(first) {
            let rest = text[first.len()..].trim();
            let msg = if rest.is_empty() || rest == "--" {
                requirement(kind).to_string()
            } else {
                format!("Invalid {} instruction: {}", kind.keyword(), requirement(kind))
            };
            let range = if rest.is_empty() {
                let s = err.range.start + text.find(first).unwrap_or(0);
                s..s + first.len()
            } else {
                trim_range(src, err.range.clone())
            };
            out.push(Diagnostic::error("missing-argument", range, msg));
            return;
        }
    }
    // `HEALTHCHECK CMD` with nothing after it, and `HEALTHCHECK --interval=5s NONE`: the grammar
    // ends the HEALTHCHECK at its flags and leaves the word as the error (also under ONBUILD).
    if after_healthcheck(src, err.range.start) {
        let word = text.trim();
        let msg = if word.eq_ignore_ascii_case("cmd") {
            Some("HEALTHCHECK CMD requires a command, e.g. `HEALTHCHECK CMD curl -f http://localhost/ || exit 1`")
        } else if word.eq_ignore_ascii_case("none") {
            Some("HEALTHCHECK NONE takes no flags: remove them, or give a `CMD`")
        } else {
            None
        };
        if let Some(msg) = msg {
            let code = if word.eq_ignore_ascii_case("cmd") { "missing-argument" } else { "extra-argument" };
            out.push(Diagnostic::error(code, trim_range(src, err.range.clone()), msg));
            return;
        }
    }
    let shown: String = text.trim().chars().take(40).collect();
    let msg = match err.instruction {
        Some(k) if !shown.is_empty() => format!("Unexpected `{shown}` in {}: {}", k.keyword(), requirement(k)),
        Some(k) => requirement(k).to_string(),
        None if shown.is_empty() => "Syntax error".to_string(),
        None => format!("Syntax error at `{shown}`"),
    };
    let code = if err.instruction.is_some() && !shown.is_empty() { "extra-argument" } else { "syntax-error" };
    out.push(Diagnostic::error(code, trim_range(src, err.range.clone()), msg));
}

/// Whether the line before `at` has a `HEALTHCHECK` keyword (`ONBUILD HEALTHCHECK …` too).
fn after_healthcheck(src: &str, at: usize) -> bool {
    let line_start = src[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    src[line_start..at].split_whitespace().take(2).any(|w| w.eq_ignore_ascii_case("healthcheck"))
}

fn describe(node_kind: &str) -> String {
    match node_kind {
        "heredoc_end" => "the heredoc's closing delimiter".into(),
        "]" => "`]`".into(),
        "\"" => "a closing `\"`".into(),
        "'" => "a closing `'`".into(),
        "}" => "a closing `}`".into(),
        "shell_fragment" | "shell_command" => "a command".into(),
        "unquoted_string" | "double_quoted_string" | "single_quoted_string" | "path" => "a value".into(),
        k if k.starts_with('_') || k.contains("_token") || k.ends_with("_name") || k == "image_spec" => "more input".into(),
        k => format!("`{}`", k.replace('_', " ")),
    }
}

fn trim_range(src: &str, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let t = &src[r.clone()];
    let start = r.start + (t.len() - t.trim_start().len());
    let end = r.end - (t.len() - t.trim_end().len());
    if start < end { start..end } else { r }
}

fn instruction(src: &str, ins: &Instruction, nested: bool, out: &mut Vec<Diagnostic>) {
    flags(ins, out);
    for h in &ins.heredocs {
        if h.end_range.is_none() {
            out.push(Diagnostic::error(
                "unterminated-heredoc",
                h.marker_range.clone(),
                format!("Heredoc `<<{}` is never closed: end it with a line containing only `{}`", h.delimiter, h.delimiter),
            ));
        }
    }
    // Instructions without flags parse `--x` as an ordinary word; Docker rejects it.
    // BuildKit takes the leading `--x` words of every instruction as flags (so `CMD --port=80`
    // fails the build), whatever the grammar made of them here: a word, shell text, a pair.
    if flags_for(ins.kind).is_empty() && ins.kind != Kind::Onbuild && !ins.is_exec_form() {
        let end = ins.range.end.max(ins.keyword_range.end);
        let rest = &src[ins.keyword_range.end..end];
        let start = ins.keyword_range.end + (rest.len() - rest.trim_start().len());
        let word = src[start..end].split(char::is_whitespace).next().unwrap_or("");
        let name = word.split('=').next().unwrap_or(word);
        if name.len() > 2 && name.starts_with("--") && name[2..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            out.push(Diagnostic::error(
                "unknown-flag",
                start..start + name.len(),
                format!("{} accepts no flags; `{name}` is unknown", ins.kind.keyword()),
            ));
        }
    }
    match (&ins.kind, &ins.args) {
        (Kind::Run | Kind::Cmd | Kind::Entrypoint | Kind::Shell, Args::Shell(shell)) => {
            let text = &src[shell.range.clone()];
            if let Some(d) = malformed_json(text, shell.range.start) {
                out.push(d);
            } else if ins.kind == Kind::Shell {
                out.push(Diagnostic::error(
                    "shell-json-form",
                    shell.range.clone(),
                    "SHELL requires the JSON form, e.g. `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]`",
                ));
            }
        }
        (Kind::Shell, Args::Exec(words)) if words.is_empty() => {
            out.push(Diagnostic::error("missing-argument", ins.range.clone(), "SHELL requires at least the shell program"));
        }
        (Kind::Volume | Kind::Copy | Kind::Add, Args::Shell(shell)) => {
            if let Some(d) = malformed_json(&src[shell.range.clone()], shell.range.start) {
                out.push(d);
            }
        }
        (Kind::From, Args::From(from)) => {
            let img = &from.image;
            if !img.has_expansions() && !img.text.is_empty() {
                if let Some(problem) = image_ref_problem(
                    &img.repository.0,
                    img.tag.as_ref().map(|t| t.0.as_str()),
                    img.digest.as_ref().map(|d| d.0.as_str()),
                    img.registry.as_ref().map(|r| r.0.as_str()),
                ) {
                    out.push(Diagnostic::error("invalid-image-ref", img.range.clone(), format!("Invalid image reference: {problem}")));
                }
            }
        }
        (Kind::Expose, Args::Words(ports)) => {
            // Out-of-range ports and host mappings are the rules `expose-port-range` and
            // `expose-invalid-format`.
            for p in ports {
                if p.has_expansions() || p.text.starts_with("--") {
                    continue; // `--x` is reported as an unknown flag
                }
                match port_problem(&p.value) {
                    Some(PortProblem::Protocol(proto)) => out.push(Diagnostic::error(
                        "invalid-protocol",
                        p.range.clone(),
                        format!("Unknown protocol `{proto}`: use `tcp`, `udp` or `sctp`"),
                    )),
                    Some(PortProblem::Malformed) => out.push(Diagnostic::error(
                        "invalid-port",
                        p.range.clone(),
                        format!("Invalid port `{}`: expected `port`, `port/protocol` or `from-to`", p.value),
                    )),
                    Some(PortProblem::ReversedRange) => out.push(Diagnostic::error(
                        "invalid-port",
                        p.range.clone(),
                        format!("Invalid port range `{}`: it ends before it starts", p.value),
                    )),
                    Some(PortProblem::Mapping | PortProblem::OutOfRange(_)) | None => {}
                }
            }
        }
        (Kind::Stopsignal, Args::Words(words)) => {
            if let Some(w) = words.first() {
                if !w.has_expansions() && !is_signal(&w.value) {
                    let names: Vec<String> = signal_names().collect();
                    let msg = match did_you_mean(&w.value, names.iter().map(|s| s.as_str())) {
                        Some(s) => format!("Unknown signal `{}`; did you mean `{s}`?", w.value),
                        None => format!("Unknown signal `{}`: use a name like `SIGTERM` or a number", w.value),
                    };
                    out.push(Diagnostic::error("invalid-signal", w.range.clone(), msg));
                }
            }
        }
        _ => {}
    }
    if ins.kind == Kind::Onbuild && ins.nested.is_none() {
        out.push(Diagnostic::error("missing-argument", ins.keyword_range.clone(), requirement(Kind::Onbuild)));
    }
    if let Some(inner) = &ins.nested {
        instruction(src, inner, true, out);
    }
    let _ = nested;
}

/// Shell-form text that starts like a JSON array but is not one: Docker silently runs it
/// through `/bin/sh -c`, which is almost never what was meant.
fn malformed_json(text: &str, offset: usize) -> Option<Diagnostic> {
    let trimmed = text.trim_start();
    let rest = trimmed.strip_prefix('[')?.trim_start();
    if !(rest.starts_with('"') || rest.starts_with('\'') || rest.starts_with(']')) {
        return None; // `[ -f x ]`: a shell test, not an attempt at JSON.
    }
    let range = offset..offset + text.trim_end().len();
    if rest.starts_with('\'') || (rest.contains('\'') && !rest.contains('"')) {
        return None; // The rule `json-single-quotes`.
    }
    if is_shell_test(trimmed) {
        return None; // `[ "$TARGETARCH" = "arm64" ] || exit 0`
    }
    let joined: String = text.replace("\\\n", " ");
    let reason = match serde_json::from_str::<Vec<String>>(&joined) {
        Err(e) => e.to_string().split(" at line").next().unwrap_or("invalid JSON").to_string(),
        Ok(_) => "unexpected text".to_string(),
    };
    Some(Diagnostic::new(
        "invalid-json",
        Severity::Warning,
        range,
        format!("Not valid JSON ({reason}), so this is shell form and runs through `/bin/sh -c`"),
    ))
}

/// Whether `[ … ]` is the shell's `test`: an operator word (`=`, `!=`, `-eq`, `-f`, …) between
/// the brackets, or a closing `]` followed by more shell text. JSON has neither outside strings.
fn is_shell_test(text: &str) -> bool {
    const OPERATORS: &[&str] = &[
        "=", "==", "!=", "!", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-z", "-n", "-a", "-o", "-e", "-f",
        "-d", "-h", "-L", "-r", "-s", "-w", "-x",
    ];
    // Words outside double quotes, the quotes kept in them.
    let mut words: Vec<&str> = Vec::new();
    let (mut start, mut quoted, mut escaped) = (None, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if let Some(s) = start.take() {
                    words.push(&text[s..i]);
                }
                continue;
            }
            _ => {}
        }
        start.get_or_insert(i);
    }
    words.extend(start.map(|s| &text[s..]));
    words.iter().any(|w| OPERATORS.contains(w)) || words.iter().position(|w| *w == "]").is_some_and(|i| i + 1 < words.len())
}

fn flags(ins: &Instruction, out: &mut Vec<Diagnostic>) {
    let specs = flags_for(ins.kind);
    for (i, flag) in ins.flags.iter().enumerate() {
        let Some(spec) = specs.iter().find(|s| s.name == flag.name) else {
            let msg = if specs.is_empty() {
                format!("{} accepts no flags; `--{}` is unknown", ins.kind.keyword(), flag.name)
            } else {
                match did_you_mean(&flag.name, specs.iter().map(|s| s.name)) {
                    Some(s) => format!("Unknown flag `--{}` for {}; did you mean `--{s}`?", flag.name, ins.kind.keyword()),
                    None => format!(
                        "Unknown flag `--{}` for {}; it accepts {}",
                        flag.name,
                        ins.kind.keyword(),
                        specs.iter().map(|s| format!("`--{}`", s.name)).collect::<Vec<_>>().join(", ")
                    ),
                }
            };
            out.push(Diagnostic::error("unknown-flag", flag.name_range.start - 2..flag.name_range.end, msg));
            continue;
        };
        if spec.value != FlagValue::Mount && ins.flags[..i].iter().any(|f| f.name == flag.name) && flag.name != "exclude" {
            out.push(Diagnostic::error(
                "duplicate-flag",
                flag.range.clone(),
                format!("`--{}` is given more than once", flag.name),
            ));
        }
        flag_value(ins, flag, spec.value, out);
    }
}

fn flag_value(ins: &Instruction, flag: &Flag, kind: FlagValue, out: &mut Vec<Diagnostic>) {
    let name = &flag.name;
    let value = flag.value.as_ref();
    if kind == FlagValue::Bool {
        // BuildKit compares the value case-insensitively; `--link=` is an error.
        if value.is_none() && flag.range.end > flag.name_range.end {
            out.push(Diagnostic::error(
                "invalid-flag-value",
                flag.range.clone(),
                format!("`--{name}=` has no value: write `--{name}`, `--{name}=true` or `--{name}=false`"),
            ));
        }
        if let Some(v) = value {
            if !v.has_expansions() && !v.value.eq_ignore_ascii_case("true") && !v.value.eq_ignore_ascii_case("false") {
                out.push(Diagnostic::error(
                    "invalid-flag-value",
                    if v.range.is_empty() { flag.range.clone() } else { v.range.clone() },
                    format!("`--{name}` takes no value, or `true`/`false`"),
                ));
            }
        }
        return;
    }
    let Some(v) = value else {
        out.push(Diagnostic::error(
            "invalid-flag-value",
            flag.range.clone(),
            format!("`--{name}` requires a value (`--{name}=…`)"),
        ));
        return;
    };
    if kind == FlagValue::Mount {
        mount(flag, out);
        return;
    }
    if v.has_expansions() {
        return;
    }
    let s = v.value.as_str();
    let problem = match kind {
        FlagValue::Duration if !is_duration(s) => {
            Some(format!("`--{name}` takes a duration with a unit, like `30s`, `1m30s` or `500ms`; got `{s}`"))
        }
        // BuildKit: 0 means the default; anything else must be at least a millisecond.
        FlagValue::Duration if duration_seconds(s).is_some_and(|d| d > 0.0 && d < 1e-3) => {
            Some(format!("`--{name}` cannot be less than 1ms; got `{s}`"))
        }
        FlagValue::Count if s.parse::<u32>().is_err() => Some(format!("`--{name}` takes a whole number; got `{s}`")),
        FlagValue::Mode if !is_mode(s) => {
            Some(format!("`--{name}` takes an octal mode like `755` or a symbolic one like `u=rwx,go=rx`; got `{s}`"))
        }
        FlagValue::Platform if !is_platform(s) => {
            Some(format!("`--{name}` takes `os/arch[/variant]`, e.g. `linux/amd64`; got `{s}`"))
        }
        FlagValue::Checksum if !(is_checksum(s) || is_commit_id(s) && adds_git_source(ins)) => Some(format!(
            "`--{name}` takes a digest, `sha256:` (or `sha384:`, `sha512:`) and the hex digest{}",
            if adds_git_source(ins) { ", or the commit id for a Git source" } else { "" }
        )),
        FlagValue::OneOf(options) if !options.contains(&s) => Some(format!(
            "`--{name}` must be one of {}; got `{s}`",
            options.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", ")
        )),
        FlagValue::Text if s.is_empty() => Some(format!("`--{name}` requires a value")),
        _ => None,
    };
    if let Some(msg) = problem {
        out.push(Diagnostic::error("invalid-flag-value", v.range.clone(), msg));
    }
    let _ = ins;
}

/// `--mount=…` as BuildKit's parser reads it: keys and the `type` and `sharing` values in any
/// case, every key known to every type except a few type-specific ones, a value required but
/// for the boolean keys, and typed values (booleans, octal mode, numeric ids, sizes).
fn mount(flag: &Flag, out: &mut Vec<Diagnostic>) {
    let err = |range: &std::ops::Range<usize>, msg: String| Diagnostic::error("invalid-flag-value", range.clone(), msg);
    let ty = flag.mount.iter().find(|o| o.key == "type");
    let ty_name = match ty.and_then(|t| t.value.as_ref()) {
        Some(v) if v.has_expansions() => return,
        Some(v) => v.value.to_ascii_lowercase(),
        None => "bind".into(), // Docker's default mount type
    };
    if !MOUNT_TYPES.contains(&ty_name.as_str()) {
        let v = ty.and_then(|t| t.value.as_ref()).expect("a type without a value defaults to bind");
        let msg = match did_you_mean(&ty_name, MOUNT_TYPES.iter().copied()) {
            Some(s) => format!("Unknown mount type `{ty_name}`; did you mean `{s}`?"),
            None => format!("Unknown mount type `{ty_name}`: use bind, cache, tmpfs, secret or ssh"),
        };
        out.push(err(&v.range, msg));
        return;
    }
    for opt in &flag.mount {
        let key = opt.key.as_str();
        if !MOUNT_KEYS.contains(&key) {
            let msg = match did_you_mean(key, MOUNT_KEYS.iter().copied()) {
                Some(s) => format!("Unknown option `{key}` for a mount; did you mean `{s}`?"),
                None => format!("Unknown option `{key}` for a mount"),
            };
            out.push(err(&opt.key_range, msg));
            continue;
        }
        if let Some(types) = mount_key_types(key).filter(|t| !t.contains(&ty_name.as_str())) {
            let only = types.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(" and ");
            out.push(err(&opt.key_range, format!("`{key}` is for {only} mounts only, not a {ty_name} mount")));
            continue;
        }
        let boolean = matches!(key, "readonly" | "ro" | "readwrite" | "rw" | "required");
        let Some(v) = &opt.value else {
            if !boolean {
                out.push(err(&opt.key_range, format!("`{key}` needs a value (`{key}=…`)")));
            }
            continue;
        };
        if v.has_expansions() {
            continue;
        }
        let s = v.value.as_str();
        let problem = match key {
            _ if boolean && !is_go_bool(s) => Some(format!("`{key}` takes `true` or `false`; got `{s}`")),
            "sharing" if !["shared", "private", "locked"].contains(&s.to_ascii_lowercase().as_str()) => {
                Some("`sharing` must be `shared`, `private` or `locked`".to_string())
            }
            "mode" if u32::from_str_radix(s, 8).is_err() => Some(format!("`mode` takes an octal number like `0755`; got `{s}`")),
            "uid" | "gid" if s.parse::<u32>().is_err() => Some(format!("`{key}` takes a numeric id; got `{s}`")),
            "size" if !is_size(s) => Some(format!("`size` takes a size like `64m` or `1g`; got `{s}`")),
            _ => None,
        };
        if let Some(msg) = problem {
            out.push(err(&v.range, msg));
        }
    }
    // Where a mount without `target=` lands depends on the WORKDIR: see `super::mounts`.
}

/// A Git commit id (SHA-1 or SHA-256), which `ADD --checksum` takes for a Git source.
fn is_commit_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// Whether ADD's first source is a Git repository (as BuildKit recognises one by its URL).
fn adds_git_source(ins: &Instruction) -> bool {
    let Args::Words(words) = &ins.args else { return false };
    words.first().is_some_and(|w| {
        let u = w.value.as_str();
        let path = u.split('#').next().unwrap_or(u);
        u.starts_with("git@") || u.starts_with("git://") || path.ends_with(".git")
    })
}

/// What Go's `strconv.ParseBool` accepts.
fn is_go_bool(s: &str) -> bool {
    matches!(s, "1" | "t" | "T" | "TRUE" | "true" | "True" | "0" | "f" | "F" | "FALSE" | "false" | "False")
}

/// A size as docker's `units.RAMInBytes` reads it: a number and an optional unit (`k`, `mb`, `GiB`…).
fn is_size(s: &str) -> bool {
    let digits = s.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    let (number, unit) = s.split_at(digits);
    let unit = unit.strip_prefix(' ').unwrap_or(unit).to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let unit = unit.strip_suffix('i').unwrap_or(unit);
    number.parse::<f64>().is_ok() && (unit.is_empty() || (unit.len() == 1 && "kmgtp".contains(unit)))
}
