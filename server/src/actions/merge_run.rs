//! Merge RUN layers: consecutive RUNs of a stage with the same flags become one RUN, joined
//! with ` && \` (or, in files that already use BuildKit syntax, one `RUN <<EOF` heredoc with
//! `set -e` and one command per line). The fix of `consecutive-run`.
//!
//! The merged script means what the separate RUNs meant: each RUN's commands run only after the
//! previous RUN succeeded, in order. A RUN that leaves shell state behind (`cd`, `export`,
//! variables) runs in a subshell so the state does not reach the next one; a RUN with `;` or
//! `||` at its top level is grouped in `{ …; }` so `&&` applies to the whole of it.

use std::ops::Range;
use std::sync::Arc;

use super::line_start;
use crate::lint::{Edit, Fix};
use crate::shell::structure::{top_level, TopLevel};
use crate::shell::RunAnalysis;
use crate::syntax::{Args, Dockerfile, Kind};

/// How the merged RUN is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `RUN a && \` + `    b`
    Chain,
    /// `RUN <<EOF` + `set -e` + one command per line + `EOF`
    Heredoc,
}

/// One RUN that can take part in a merge.
struct Part {
    /// Where its shell text starts, and where its last statement ends (a trailing `;` or
    /// blanks left out).
    body: Range<usize>,
    shape: TopLevel,
    /// The script as the shell sees it (continuations joined).
    script: String,
}

/// Shells whose syntax the merge writes.
fn posix_shell(program: &str) -> bool {
    matches!(program.rsplit('/').next().unwrap_or(program), "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "mksh")
}

/// Whether the stage of instruction `i` runs RUNs with a POSIX shell: not a Windows image
/// (`cmd /S /C`), and no `SHELL` to another program in the stage or the stages it builds on.
pub fn stage_shell_is_posix(df: &Dockerfile, i: usize) -> bool {
    let mut stage = df.instructions.get(i).and_then(|ins| ins.stage).and_then(|s| df.stages.get(s));
    let mut steps = 0;
    while let Some(s) = stage {
        let image = s.image.text.to_ascii_lowercase();
        if ["windows", "nanoserver", "servercore"].iter().any(|w| image.contains(w)) {
            return false;
        }
        let end = if steps == 0 { i } else { s.instructions.end };
        let shells_ok = df.instructions[s.instructions.start..end.min(df.instructions.len())].iter().filter(|x| x.kind == Kind::Shell).all(|x| match &x.args {
            Args::Exec(words) => words.first().is_some_and(|w| posix_shell(&w.value)),
            _ => false,
        });
        if !shells_ok {
            return false;
        }
        steps += 1;
        stage = s.parent.filter(|&p| p < s.index && steps <= df.stages.len()).and_then(|p| df.stages.get(p));
    }
    true
}

fn part(text: &str, df: &Dockerfile, runs: &[Arc<RunAnalysis>], i: usize) -> Option<Part> {
    let ins = df.instructions.get(i)?;
    if ins.kind != Kind::Run || !ins.heredocs.is_empty() || ins.nested.is_some() {
        return None;
    }
    let Args::Shell(shell) = &ins.args else { return None };
    let run = runs.get(i)?;
    let [script] = run.scripts.as_slice() else { return None };
    let shape = top_level(script)?;
    if shape.comments || shape.background() || shape.statements.is_empty() {
        return None;
    }
    let raw = &text[shell.range.clone()];
    let start = shell.range.start + (raw.len() - raw.trim_start().len());
    let end = shape.statements.last()?.end;
    (start < end && end <= shell.range.end).then(|| Part { body: start..end, shape, script: script.text.clone() })
}

fn flags_of(text: &str, df: &Dockerfile, i: usize) -> Vec<String> {
    df.instructions[i].flags.iter().map(|f| text[f.range.clone()].to_string()).collect()
}

/// RUN `b` directly follows RUN `a` in the same stage, with the same flags and only blank and
/// comment lines between (each must also be a [`part`]).
fn neighbours(text: &str, df: &Dockerfile, a: usize, b: usize) -> bool {
    let (x, y) = (&df.instructions[a], &df.instructions[b]);
    b == a + 1
        && x.stage.is_some()
        && x.stage == y.stage
        && text[x.range.end..y.range.start].lines().all(|l| {
            let l = l.trim();
            l.is_empty() || l.starts_with('#')
        })
        && flags_of(text, df, a) == flags_of(text, df, b)
}

/// The RUNs that merge with instruction `i` (instruction indices), at least two. Each RUN's
/// script is read once.
pub fn group_at(text: &str, df: &Dockerfile, runs: &[Arc<RunAnalysis>], i: usize) -> Option<Range<usize>> {
    part(text, df, runs, i)?;
    if !stage_shell_is_posix(df, i) {
        return None;
    }
    let mut start = i;
    while start > 0 && neighbours(text, df, start - 1, start) && part(text, df, runs, start - 1).is_some() {
        start -= 1;
    }
    let mut end = i + 1;
    while end < df.instructions.len() && neighbours(text, df, end - 1, end) && part(text, df, runs, end).is_some() {
        end += 1;
    }
    (end - start >= 2).then_some(start..end)
}

/// RUN `i` and the one before it, when they are neighbours that may merge (the fix of
/// `consecutive-run`: one pair per finding keeps a file of thousands of short RUNs linear;
/// fix-all and `check --fix` merge a longer run pair by pair; [`merge`] checks the scripts).
/// `posix`: [`stage_shell_is_posix`], asked once per stage.
pub fn pair_at(text: &str, df: &Dockerfile, i: usize, posix: bool) -> Option<Range<usize>> {
    (posix && i > 0 && neighbours(text, df, i - 1, i)).then(|| i - 1..i + 1)
}

/// The RUNs a selection covers, when they all merge (at least two).
pub fn group_in(text: &str, df: &Dockerfile, runs: &[Arc<RunAnalysis>], selection: Range<usize>) -> Option<Range<usize>> {
    let first = df.instructions.partition_point(|ins| ins.range.end <= selection.start);
    let mut last = first;
    while last + 1 < df.instructions.len() && df.instructions[last + 1].range.start < selection.end {
        last += 1;
    }
    if first >= df.instructions.len() || last == first || !stage_shell_is_posix(df, first) {
        return None;
    }
    let all = (first..=last).all(|i| part(text, df, runs, i).is_some()) && (first..last).all(|i| neighbours(text, df, i, i + 1));
    all.then_some(first..last + 1)
}

/// `true` when BuildKit's heredoc syntax is already in use (a `# syntax=` directive or a heredoc).
pub fn uses_buildkit_syntax(df: &Dockerfile) -> bool {
    df.directive("syntax").is_some() || df.instructions.iter().any(|i| !i.heredocs.is_empty())
}

/// The fix merging the RUNs `group` into one, in `form`.
pub fn merge(text: &str, df: &Dockerfile, runs: &[Arc<RunAnalysis>], group: Range<usize>, form: Form) -> Option<Fix> {
    merge_forms(text, df, runs, group, &[form]).pop().flatten()
}

/// [`merge`] in each of `forms`, reading each RUN's script once.
pub fn merge_forms(text: &str, df: &Dockerfile, runs: &[Arc<RunAnalysis>], group: Range<usize>, forms: &[Form]) -> Vec<Option<Fix>> {
    let Some(parts) = group.clone().map(|i| part(text, df, runs, i)).collect::<Option<Vec<Part>>>() else { return vec![None; forms.len()] };
    forms.iter().map(|&form| merge_parts(text, df, &parts, group.clone(), form)).collect()
}

fn merge_parts(text: &str, df: &Dockerfile, parts: &[Part], group: Range<usize>, form: Form) -> Option<Fix> {
    if parts.len() < 2 {
        return None;
    }
    let first = &df.instructions[group.start];
    let last = &df.instructions[group.end - 1];
    let start = line_start(text, first.range.start);
    let indent = &text[start..first.range.start];
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let newline = super::newline(text);
    // Comments between the RUNs go above the merged one, in order.
    let mut comments = String::new();
    for i in group.start..group.end - 1 {
        let between = &text[df.instructions[i].range.end..df.instructions[i + 1].range.start];
        for line in between.lines().map(str::trim).filter(|l| l.starts_with('#')) {
            comments.push_str(&format!("{indent}{line}{newline}"));
        }
    }
    let prefix = &text[first.range.start..parts[0].body.start];
    let n = parts.len();
    let body = match form {
        Form::Chain => {
            let esc = df.escape;
            let pieces: Vec<String> = parts
                .iter()
                .enumerate()
                .map(|(k, p)| {
                    let src = &text[p.body.clone()];
                    if p.shape.stateful && k + 1 < n {
                        format!("( {src} )")
                    } else if k > 0 && !p.shape.and_only() {
                        format!("{{ {src}; }}")
                    } else {
                        src.to_string()
                    }
                })
                .collect();
            pieces.join(&format!(" && {esc}{newline}{indent}    "))
        }
        Form::Heredoc => {
            let mut lines = Vec::new();
            for (k, p) in parts.iter().enumerate() {
                let s = &p.shape;
                let one_statement = s.statements.len() == 1;
                let piece = |r: &Range<usize>| p.script[r.clone()].trim().to_string();
                if one_statement && !s.chain.is_empty() && s.simple && !s.has_or {
                    // `set -e` stops at the first failing line, as `&&` did.
                    let commands: Vec<String> = s.chain.iter().map(piece).collect();
                    if s.stateful && k + 1 < n {
                        lines.push(format!("({})", commands.join(" && ")));
                    } else {
                        lines.extend(commands);
                    }
                } else if one_statement && s.has_or && !s.has_and && s.simple && !(s.stateful && k + 1 < n) {
                    // `a || b` fails only when its last command fails: `set -e` stops there.
                    lines.push(p.script.trim().trim_end_matches(';').trim_end().to_string());
                } else {
                    // `a; b`, mixed `&&`/`||`, compound commands: `set -e` would treat them
                    // differently from the RUN they were.
                    return None;
                }
            }
            // A line ending in `\` would continue onto the next one.
            if lines.iter().any(|l| l.contains('\n') || l.ends_with('\\')) {
                return None;
            }
            let delimiter = ["EOF", "EOT", "SCRIPT", "DOCKLS_EOF"].into_iter().find(|d| !lines.iter().any(|l| l.trim() == *d))?;
            let mut out = format!("<<{delimiter}{newline}set -e{newline}");
            for l in &lines {
                out.push_str(l);
                out.push_str(newline);
            }
            out.push_str(delimiter);
            out
        }
    };
    let first_line = text[..first.range.start].matches('\n').count() + 1;
    let title = match form {
        Form::Chain => format!("Merge the {n} RUN instructions from line {first_line} into one (`&&`)"),
        Form::Heredoc => format!("Merge the {n} RUN instructions from line {first_line} into one heredoc (`RUN <<EOF`, `set -e`)"),
    };
    let edit = Edit { range: start..last.range.end, text: format!("{comments}{indent}{prefix}{body}") };
    Some(Fix::safe(title, vec![edit]))
}

