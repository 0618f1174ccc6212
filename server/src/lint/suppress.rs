//! Inline suppressions users already write:
//! * `# hadolint ignore=DL3008,DL3015` or `# dockls ignore=apt-pin` on the comment lines right
//!   above an instruction: those rules are silent for that instruction;
//! * `# hadolint global ignore=DL3003` / `# dockls global ignore=…` anywhere: for the file;
//! * the BuildKit directive `# check=skip=Rule1,Rule2` (or `skip=all`) and `# check=error=true`.

use std::ops::Range;

use super::{Rule, RuleSelection};
use crate::syntax::Dockerfile;

#[derive(Debug, Default)]
pub struct Suppressions {
    /// (instruction range, rule names) for comments above an instruction.
    local: Vec<(Range<usize>, Vec<String>)>,
    global: Vec<String>,
    skip: Vec<String>,
    skip_all: bool,
    error: bool,
}

/// Parses `hadolint ignore=a,b` / `dockls ignore=a,b` (and `global ignore=`) from a comment.
/// Returns (global, names).
pub fn parse_ignore_comment(comment: &str) -> Option<(bool, Vec<String>)> {
    let body = comment.trim_start_matches('#').trim();
    let rest = body.strip_prefix("hadolint").or_else(|| body.strip_prefix("dockls"))?.trim_start();
    let (global, rest) = match rest.strip_prefix("global") {
        Some(r) => (true, r.trim_start()),
        None => (false, rest),
    };
    let list = rest.strip_prefix("ignore")?.trim_start().strip_prefix('=')?;
    let names: Vec<String> = list
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .take_while(|s| !s.starts_with('#'))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    Some((global, names))
}

impl Suppressions {
    pub fn read(text: &str, df: &Dockerfile) -> Suppressions {
        let mut s = Suppressions::default();
        for d in &df.directives {
            if !d.name.eq_ignore_ascii_case("check") {
                continue;
            }
            for part in d.value.split(';') {
                let (k, v) = part.split_once('=').unwrap_or((part, ""));
                match k.trim() {
                    "skip" => {
                        for name in v.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                            if name.eq_ignore_ascii_case("all") {
                                s.skip_all = true;
                            } else {
                                s.skip.push(name.to_string());
                            }
                        }
                    }
                    "error" => s.error = v.trim().eq_ignore_ascii_case("true"),
                    _ => {}
                }
            }
        }
        let mut comments: Vec<&Range<usize>> = df.comments.iter().collect();
        comments.sort_by_key(|c| c.start);
        for c in &comments {
            if let Some((true, names)) = parse_ignore_comment(&text[(*c).clone()]) {
                s.global.extend(names);
            }
        }
        // Comments directly above each instruction (only blank-free comment lines between).
        // Every such comment says `ignore`: without one, no instruction needs looking at.
        if !text.contains("ignore") {
            return s;
        }
        for ins in &df.instructions {
            let mut names = Vec::new();
            let mut line_start = line_start_of(text, ins.range.start);
            while line_start > 0 {
                let prev_start = line_start_of(text, line_start - 1);
                let prev = text[prev_start..line_start].trim();
                if !prev.starts_with('#') {
                    break;
                }
                if let Some((false, n)) = parse_ignore_comment(prev) {
                    names.extend(n);
                }
                line_start = prev_start;
            }
            if !names.is_empty() {
                s.local.push((ins.range.clone(), names));
            }
        }
        s
    }

    /// `# check=skip=` names this rule's BuildKit check (or `all`, which covers BuildKit's
    /// checks only), or a global ignore names it.
    pub fn file_skips(&self, rule: &Rule) -> bool {
        (rule.buildkit.is_some() && (self.skip_all || self.skip.iter().any(|n| RuleSelection::matches(rule, n))))
            || self.global.iter().any(|n| RuleSelection::matches(rule, n))
    }

    pub fn error_all(&self) -> bool {
        self.error
    }

    /// Whether a finding with this plain code (e.g. ShellCheck's `SC2086`) is suppressed at
    /// `offset`, locally or for the whole file.
    pub fn code_suppressed_at(&self, code: &str, offset: usize) -> bool {
        self.global.iter().any(|n| n.eq_ignore_ascii_case(code))
            || self.local.iter().any(|(r, names)| r.start <= offset && offset <= r.end && names.iter().any(|n| n.eq_ignore_ascii_case(code)))
    }

    pub fn suppressed_at(&self, rule: &Rule, offset: usize) -> bool {
        self.local
            .iter()
            .any(|(r, names)| r.start <= offset && offset <= r.end && names.iter().any(|n| RuleSelection::matches(rule, n)))
    }
}

fn line_start_of(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::parse_ignore_comment;

    #[test]
    fn parses_ignore_comments() {
        assert_eq!(parse_ignore_comment("# hadolint ignore=DL3008,DL3015"), Some((false, vec!["DL3008".into(), "DL3015".into()])));
        assert_eq!(parse_ignore_comment("# dockls ignore=apt-pin"), Some((false, vec!["apt-pin".into()])));
        assert_eq!(parse_ignore_comment("#hadolint global ignore=DL3003"), Some((true, vec!["DL3003".into()])));
        assert_eq!(parse_ignore_comment("# just a comment"), None);
    }
}
