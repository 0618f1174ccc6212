//! Documentation texts in our own words, rendered as Markdown for hovers, and the instruction
//! forms signature help shows. The one source for these texts: completion details and hovers
//! read them here. Rule documentation lives with each rule (`lint::docs`).

pub mod flags;
pub mod instructions;

use crate::diagnostics::flags::{flags_for, FlagValue};
use crate::semantics::PREDEFINED_ARGS;
use crate::syntax::Kind;

pub use instructions::{instruction, InstructionDoc};

pub const REFERENCE: &str = "https://docs.docker.com/reference/dockerfile/";

fn link(anchor: &str) -> String {
    format!("[Dockerfile reference]({REFERENCE}#{anchor})")
}

fn example(line: &str) -> String {
    format!("```dockerfile\n{line}\n```")
}

/// One form's label: the keyword and its parameters.
pub fn form_label(kind: Kind, form: &[&str]) -> String {
    let mut label = kind.keyword().to_string();
    for p in form {
        label.push(' ');
        label.push_str(p);
    }
    label
}

/// The hover of an instruction keyword.
pub fn instruction_markdown(kind: Kind) -> String {
    let d = instruction(kind);
    let forms: Vec<String> = d.forms.iter().map(|f| form_label(kind, f)).collect();
    format!("**{}**: {}\n\n```\n{}\n```\n\nExample:\n{}\n\n{}", kind.keyword(), d.summary, forms.join("\n"), example(d.example), link(d.anchor))
}

fn values_line(value: FlagValue) -> Option<String> {
    Some(match value {
        FlagValue::OneOf(values) => format!("Values: {}", values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")),
        FlagValue::Bool => "No value, or `true` / `false`.".into(),
        FlagValue::Duration => "A duration: `30s`, `1m30s`, `500ms`.".into(),
        FlagValue::Count => "A whole number.".into(),
        FlagValue::Mode => "Octal (`755`) or symbolic (`u=rwx,go=rx`).".into(),
        FlagValue::Platform => "`os/arch[/variant]`, e.g. `linux/amd64`, or `$BUILDPLATFORM` / `$TARGETPLATFORM`.".into(),
        FlagValue::Checksum => "`sha256:<64 hex digits>`.".into(),
        FlagValue::Mount => format!(
            "`type=` one of {}, then `key=value` pairs separated by commas.",
            flags::MOUNT_TYPES.iter().map(|t| format!("`{}`", t.name)).collect::<Vec<_>>().join(", ")
        ),
        FlagValue::Text => return None,
    })
}

/// The hover of a flag of an instruction; `None` for a flag it does not take.
pub fn flag_markdown(kind: Kind, name: &str) -> Option<String> {
    let spec = flags_for(kind).iter().find(|f| f.name == name)?;
    let mut parts = vec![format!("**`--{name}`** ({}): {}", kind.keyword(), spec.doc)];
    parts.extend(values_line(spec.value));
    if let Some(line) = flags::flag_example(kind, name) {
        parts.push(example(line));
    }
    parts.push(link(instruction(kind).anchor));
    Some(parts.join("\n\n"))
}

/// The hover of a `--mount` type.
pub fn mount_type_markdown(name: &str) -> Option<String> {
    let t = flags::mount_type(name)?;
    let keys = t.keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
    Some(format!("**`--mount=type={}`**: {}\n\nKeys: {keys}\n\n{}\n\n{}", t.name, t.summary, example(t.example), link(&format!("run---mounttype{}", t.name))))
}

/// The hover of a `--mount` key.
pub fn mount_key_markdown(key: &str) -> Option<String> {
    let text = flags::mount_key(key)?;
    Some(format!("**`{key}`** (`RUN --mount`): {text}\n\n{}", link("run---mount")))
}

/// The hover of a parser directive.
pub fn directive_markdown(name: &str) -> Option<String> {
    let (text, line) = flags::directive(name)?;
    Some(format!("**`# {}=`** (parser directive): {text}\n\n{}\n\n{}", name.to_ascii_lowercase(), example(line), link("parser-directives")))
}

/// The hover of a predefined build argument.
pub fn predefined_arg_markdown(name: &str) -> Option<String> {
    let (_, doc) = PREDEFINED_ARGS.iter().find(|(n, _)| *n == name)?;
    let scope = if crate::semantics::is_proxy_arg(name) {
        "Passed to every RUN without being declared, and left out of the image history."
    } else {
        "Set by BuildKit in the global scope (usable in FROM lines); inside a stage, declare it with `ARG` first."
    };
    let anchor = if crate::semantics::is_proxy_arg(name) { "predefined-args" } else { "automatic-platform-args-in-the-global-scope" };
    Some(format!("**`{name}`** (predefined build argument): {doc}.\n\n{scope}\n\n{}", link(anchor)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::flags::MOUNT_KEYS;

    #[test]
    fn every_instruction_flag_mount_type_and_key_has_docs() {
        for kind in Kind::ALL {
            let md = instruction_markdown(kind);
            assert!(md.contains(kind.keyword()) && md.contains("```dockerfile"), "{md}");
            for f in flags_for(kind) {
                let md = flag_markdown(kind, f.name).unwrap();
                assert!(md.contains("```dockerfile"), "--{} of {kind:?} has no example", f.name);
            }
        }
        for t in crate::diagnostics::flags::MOUNT_TYPES {
            assert!(mount_type_markdown(t).is_some(), "{t}");
        }
        for k in MOUNT_KEYS {
            assert!(mount_key_markdown(k).is_some(), "{k}");
        }
        for d in ["syntax", "escape", "check"] {
            assert!(directive_markdown(d).is_some());
        }
        for (name, _) in PREDEFINED_ARGS {
            assert!(predefined_arg_markdown(name).is_some());
        }
    }

    #[test]
    fn examples_parse_without_errors() {
        // Every example is a valid instruction of its kind.
        let mut lines: Vec<(Option<Kind>, &str)> = instructions::INSTRUCTIONS.iter().map(|d| (Some(d.kind), d.example)).collect();
        for kind in Kind::ALL {
            for f in flags_for(kind) {
                lines.push((None, flags::flag_example(kind, f.name).unwrap()));
            }
        }
        for t in &flags::MOUNT_TYPES {
            lines.push((Some(Kind::Run), t.example));
        }
        for (kind, line) in lines {
            let text = if line.starts_with("FROM") || line.starts_with("ARG") { format!("{line}\n") } else { format!("FROM alpine\n{line}\n") };
            let a = crate::analysis::Analysis::new(crate::document::Snapshot::from_text(&text));
            assert!(a.dockerfile.errors.is_empty(), "{line}: {:?}", a.dockerfile.errors);
            let last = a.dockerfile.instructions.last().unwrap();
            if let Some(kind) = kind {
                // LABEL is the example of MAINTAINER (what to write instead).
                assert!(last.kind == kind || kind == Kind::Maintainer, "{line}");
            }
        }
    }
}
