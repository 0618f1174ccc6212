//! Code actions that are not a single rule's fix: suppressing a rule here or in the file, and
//! applying every safe fix at once.

use std::ops::Range;

use crate::diagnostics::Diagnostic;
use crate::lint::{Edit, Fix, Safety};
use crate::syntax::Dockerfile;

pub mod pin;

/// `# dockls ignore=<id>` on its own line above the instruction containing `at`, indented like
/// it; an existing `# dockls ignore=` comment right above is extended instead.
pub fn ignore_here(text: &str, df: &Dockerfile, at: usize, rule_id: &str) -> Option<Fix> {
    let ins = df.instruction_at(at)?;
    let line_start = text[..ins.range.start].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = text[line_start..ins.range.start].chars().take_while(|c| c.is_whitespace()).collect();
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    // Extend `# dockls ignore=a` on the line above.
    if line_start > 0 {
        let prev_start = text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
        let prev = text[prev_start..line_start].trim_end();
        if let Some(pos) = prev.find("dockls ignore=") {
            if prev.trim_start().starts_with('#') {
                let end = prev_start + prev.len();
                let _ = pos;
                return Some(Fix::safe(
                    format!("Ignore `{rule_id}` for this instruction"),
                    vec![Edit { range: end..end, text: format!(",{rule_id}") }],
                ));
            }
        }
    }
    Some(Fix::safe(
        format!("Ignore `{rule_id}` for this instruction"),
        vec![Edit { range: line_start..line_start, text: format!("{indent}# dockls ignore={rule_id}{newline}") }],
    ))
}

/// Adds `buildkit_name` to the `# check=skip=` directive (creating it at the top of the file,
/// after other directives, when there is none).
pub fn ignore_in_file(text: &str, df: &Dockerfile, buildkit_name: &str) -> Fix {
    let title = format!("Ignore `{buildkit_name}` in this file (# check=skip)");
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    if let Some(d) = df.directive("check") {
        let value = &d.value;
        let edit = match value.find("skip=") {
            Some(i) => {
                let list_end = value[i..].find(';').map_or(value.len(), |j| i + j);
                let at = d.value_range.start + list_end;
                Edit { range: at..at, text: format!(",{buildkit_name}") }
            }
            None => {
                let at = d.value_range.end;
                Edit { range: at..at, text: format!(";skip={buildkit_name}") }
            }
        };
        return Fix::safe(title, vec![edit]);
    }
    let at = df.directives.last().map_or(0, |d| {
        let end = d.range.end;
        text[end..].find('\n').map_or(text.len(), |i| end + i + 1)
    });
    let at = if text.starts_with('\u{feff}') && at == 0 { 3 } else { at };
    Fix::safe(title, vec![Edit { range: at..at, text: format!("# check=skip={buildkit_name}{newline}") }])
}

/// The safe fixes of `diagnostics`, without overlapping edits (first come, first kept).
pub fn fix_all(diagnostics: &[Diagnostic]) -> Vec<Edit> {
    fixes_to_apply(diagnostics, false)
}

/// Like [`fix_all`]; with `include_unsafe`, unsafe fixes too.
pub fn fixes_to_apply(diagnostics: &[Diagnostic], include_unsafe: bool) -> Vec<Edit> {
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut out = Vec::new();
    for d in diagnostics {
        let Some(fix) = d.fixes.first() else { continue };
        if fix.safety != Safety::Safe && !include_unsafe {
            continue;
        }
        let overlaps = fix.edits.iter().any(|e| {
            taken.iter().any(|t| e.range.start < t.end && t.start < e.range.end || (e.range.is_empty() && e.range.start == t.start))
        });
        if overlaps {
            continue;
        }
        for e in &fix.edits {
            taken.push(e.range.clone());
            out.push(e.clone());
        }
    }
    out.sort_by_key(|e| e.range.start);
    out
}

/// Applies edits (non-overlapping) to `text`, as an LSP client applies a `TextEdit[]`: at one
/// offset the inserted texts come in the order given, before whatever replaces the text there.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut order: Vec<usize> = (0..edits.len()).collect();
    // From the end, so that the offsets still to apply stay valid; at one offset the
    // replacement first, then the insertions from the last to the first.
    order.sort_by_key(|&i| (std::cmp::Reverse(edits[i].range.start), edits[i].range.is_empty(), std::cmp::Reverse(i)));
    let mut out = text.to_string();
    for i in order {
        out.replace_range(edits[i].range.clone(), &edits[i].text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Snapshot;

    fn df(text: &str) -> Dockerfile {
        let s = Snapshot::from_text(text);
        Dockerfile::new(&s.text, &s.tree)
    }

    #[test]
    fn insertions_at_a_replaced_offset_come_first_in_their_order() {
        // `yum-clean` appends to the first RUN where `consecutive-run` joins the next one.
        let text = "RUN yum install -y httpd\nRUN echo b\n";
        let end = text.find('\n').unwrap();
        let edits = [
            Edit { range: end..end, text: " && yum clean all".into() },
            Edit { range: end..end + 5, text: " && \\\n    ".into() },
            Edit { range: end..end, text: " && true".into() },
        ];
        assert_eq!(apply(text, &edits), "RUN yum install -y httpd && yum clean all && true && \\\n    echo b\n");
    }

    #[test]
    fn ignore_here_inserts_or_extends_a_comment() {
        let text = "FROM a\n  ADD x /y\n";
        let fix = ignore_here(text, &df(text), 10, "add-instead-of-copy").unwrap();
        let out = apply(text, &fix.edits);
        assert_eq!(out, "FROM a\n  # dockls ignore=add-instead-of-copy\n  ADD x /y\n");
        let fix = ignore_here(&out, &df(&out), out.find("ADD").unwrap(), "other").unwrap();
        assert_eq!(apply(&out, &fix.edits), "FROM a\n  # dockls ignore=add-instead-of-copy,other\n  ADD x /y\n");
    }

    #[test]
    fn ignore_in_file_uses_the_check_directive() {
        let text = "# syntax=docker/dockerfile:1\nFROM a\n";
        let out = apply(text, &ignore_in_file(text, &df(text), "MaintainerDeprecated").edits);
        assert_eq!(out, "# syntax=docker/dockerfile:1\n# check=skip=MaintainerDeprecated\nFROM a\n");
        let out2 = apply(&out, &ignore_in_file(&out, &df(&out), "JSONArgsRecommended").edits);
        assert_eq!(out2, "# syntax=docker/dockerfile:1\n# check=skip=MaintainerDeprecated,JSONArgsRecommended\nFROM a\n");
    }
}
