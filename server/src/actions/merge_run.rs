//! Merge RUN layers: consecutive RUNs of a stage with the same flags become one RUN, joined
//! with ` && \` (or, in files that already use BuildKit syntax, one `RUN <<EOF` heredoc with
//! `set -e` and one command per line). The fix of `consecutive-run`.
//!
//! The merged script means what the separate RUNs meant: each RUN's commands run only after the
//! previous RUN succeeded, in order. A RUN that leaves shell state behind (`cd`, `export`,
//! variables) runs in a subshell so the state does not reach the next one; a RUN with `;` or
//! `||` at its top level is grouped in `{ …; }` so `&&` applies to the whole of it.
//!
//! RUNs with heredocs join only the heredoc form, and only when what fails the build stays
//! the same (BuildKit runs them without `set -e`: a script fails when its last command does):
//! - `RUN <<EOF` alone (the body is the script the stage's shell runs): a body of one `&&`
//!   chain becomes one line per command, as a shell-form RUN does; any other body is kept line
//!   for line (tabs of `<<-` stripped, as BuildKit strips them) in a subshell that turns
//!   `set -e` off, `( set +e … )`, so it fails only when its last command fails and leaves no
//!   state behind. A body that turns `set -e` on first needs no `set +e`, and as the last
//!   RUN no subshell either. A body with a `#!` line runs as a file, not a shell script: never.
//! - any other RUN with heredocs (`cat > f <<EOF`, `python3 <<EOF`, `<<EOF bash`): BuildKit
//!   hands the command line and the bodies to the shell as one script; that script goes in
//!   byte for byte (the bodies exactly as written), one simple command as it is, else in the
//!   same `( set +e … )` subshell.
//!
//! Never when the stage's SHELL has options beyond `-c` and `-o pipefail` (`-e` would make
//! `set +e` wrong).

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
    /// The script as the shell sees it (continuations joined); `shape.chain` indexes it.
    script: String,
    /// `Some` for a RUN with heredocs (only the heredoc form takes it).
    heredoc: Option<HeredocPart>,
}

/// What a RUN with heredocs runs, as BuildKit hands it to the shell.
struct HeredocPart {
    /// The script, exactly: a lone `RUN <<EOF`'s body (tabs stripped for `<<-`), or the
    /// command line with the bodies and delimiters after it.
    text: String,
    /// A lone `RUN <<EOF` whose script starts by turning `set -e` on.
    errexit_first: bool,
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
    if ins.kind != Kind::Run || ins.nested.is_some() {
        return None;
    }
    let Args::Shell(shell) = &ins.args else { return None };
    if !ins.heredocs.is_empty() {
        return heredoc_part(text, df, i, shell);
    }
    let run = runs.get(i)?;
    let [script] = run.scripts.as_slice() else { return None };
    let shape = top_level(script)?;
    if shape.comments || shape.background() || shape.statements.is_empty() {
        return None;
    }
    let raw = &text[shell.range.clone()];
    let start = shell.range.start + (raw.len() - raw.trim_start().len());
    let end = shape.statements.last()?.end;
    (start < end && end <= shell.range.end).then(|| Part { body: start..end, shape, script: script.text.clone(), heredoc: None })
}

/// `set -e`, `set -eux`, `set -euo pipefail`, `set -o errexit`: a `set` of options only that
/// turns errexit on.
fn sets_errexit(statement: &str) -> bool {
    let mut words = statement.split_whitespace();
    if words.next() != Some("set") {
        return false;
    }
    let (mut on, mut prev) = (false, "");
    for w in words {
        let cluster = w.strip_prefix('-').filter(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_alphabetic()));
        let option_name = prev.ends_with('o') && prev.starts_with('-') && w.chars().all(|c| c.is_ascii_lowercase());
        if cluster.is_none() && !option_name {
            return false;
        }
        on |= cluster.is_some_and(|c| c.contains('e')) || (option_name && w == "errexit");
        prev = w;
    }
    on
}

/// A RUN with heredocs as a [`Part`] (see the module's docs), when its script parses and
/// every heredoc ends.
fn heredoc_part(text: &str, df: &Dockerfile, i: usize, shell: &crate::syntax::ShellText) -> Option<Part> {
    let ins = &df.instructions[i];
    if ins.heredocs.iter().any(|h| h.body_range.is_none() || h.end_range.is_none()) || !stage_shell_is_plain(df, i) {
        return None;
    }
    let raw = &text[shell.range.clone()];
    let start = shell.range.start + (raw.len() - raw.trim_start().len());
    let words: Vec<&str> = shell.words(text).collect();
    let lone = words.len() == 1 && ins.heredocs.len() == 1 && words[0].starts_with("<<");
    let (script, text_run) = if lone {
        let h = &ins.heredocs[0];
        let body = h.body_range.clone()?;
        if text[body.clone()].starts_with("#!") {
            // Run as a file by the program it names, not by the shell.
            return None;
        }
        let script = crate::shell::Script::from_heredoc(text, body);
        let mut run = script.text.clone();
        if h.strip_tabs {
            run = run.split_inclusive('\n').map(|l| l.trim_start_matches('\t')).collect();
        }
        (script, run)
    } else {
        let script = crate::shell::Script::from_shell_form(text, shell, &ins.heredocs);
        let run = script.text.clone();
        (script, run)
    };
    let shape = top_level(&script)?;
    if shape.background() || shape.statements.is_empty() {
        return None;
    }
    let errexit_first = lone && shape.statements.first().is_some_and(|r| sets_errexit(&text[r.clone()]));
    Some(Part { body: start..ins.range.end, shape, script: script.text.clone(), heredoc: Some(HeredocPart { text: text_run, errexit_first }) })
}

/// The stage of instruction `i` runs RUNs with its shell's plain options (no SHELL, or one
/// whose options are `-c` and `-o pipefail`): a `-e` there would change what `set +e` undoes.
fn stage_shell_is_plain(df: &Dockerfile, i: usize) -> bool {
    let mut stage = df.instructions.get(i).and_then(|ins| ins.stage).and_then(|s| df.stages.get(s));
    let mut steps = 0;
    while let Some(s) = stage {
        let end = if steps == 0 { i } else { s.instructions.end };
        let plain = df.instructions[s.instructions.start..end.min(df.instructions.len())].iter().filter(|x| x.kind == Kind::Shell).all(|x| {
            x.words().iter().skip(1).all(|w| matches!(w.value.as_str(), "-c" | "-o" | "pipefail"))
        });
        if !plain {
            return false;
        }
        steps += 1;
        stage = s.parent.filter(|&p| p < s.index && steps <= df.stages.len()).and_then(|p| df.stages.get(p));
    }
    true
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

/// The RUNs that merge with instruction `i` (instruction indices), at least two, RUNs with
/// heredocs included. Each RUN's script is read once.
pub fn group_at(text: &str, df: &Dockerfile, runs: &[Arc<RunAnalysis>], i: usize) -> Option<Range<usize>> {
    group_around(text, df, runs, i, true)
}

/// [`group_at`] without RUNs that have heredocs: the `&&` merge of the shell-form RUNs around
/// `i`, offered when a heredoc RUN in the group keeps the whole group from merging.
pub fn plain_group_at(text: &str, df: &Dockerfile, runs: &[Arc<RunAnalysis>], i: usize) -> Option<Range<usize>> {
    group_around(text, df, runs, i, false)
}

fn group_around(text: &str, df: &Dockerfile, runs: &[Arc<RunAnalysis>], i: usize, heredocs: bool) -> Option<Range<usize>> {
    let ok = |j: usize| (heredocs || df.instructions[j].heredocs.is_empty()) && part(text, df, runs, j).is_some();
    if !ok(i) || !stage_shell_is_posix(df, i) {
        return None;
    }
    let mut start = i;
    while start > 0 && neighbours(text, df, start - 1, start) && ok(start - 1) {
        start -= 1;
    }
    let mut end = i + 1;
    while end < df.instructions.len() && neighbours(text, df, end - 1, end) && ok(end) {
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
    let first_line = line_number(text, df, &group);
    merge_forms(text, df, runs, group, first_line, &[form]).pop().flatten()
}

/// The 1-based line of the first RUN of `group`, for a fix's title. Callers that make many
/// fixes (the lint, one per pair of RUNs) take it from their line index instead: counting
/// from the top for each made a file of 16,000 one-line RUNs take 2 s to check.
pub fn line_number(text: &str, df: &Dockerfile, group: &Range<usize>) -> usize {
    text[..df.instructions[group.start].range.start].matches('\n').count() + 1
}

/// [`merge`] in each of `forms`, reading each RUN's script once; `first_line` is
/// [`line_number`]'s.
pub fn merge_forms(text: &str, df: &Dockerfile, runs: &[Arc<RunAnalysis>], group: Range<usize>, first_line: usize, forms: &[Form]) -> Vec<Option<Fix>> {
    let Some(parts) = group.clone().map(|i| part(text, df, runs, i)).collect::<Option<Vec<Part>>>() else { return vec![None; forms.len()] };
    forms.iter().map(|&form| merge_parts(text, df, &parts, group.clone(), first_line, form)).collect()
}

fn merge_parts(text: &str, df: &Dockerfile, parts: &[Part], group: Range<usize>, first_line: usize, form: Form) -> Option<Fix> {
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
            if parts.iter().any(|p| p.heredoc.is_some()) {
                return None;
            }
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
            let mut lines: Vec<String> = Vec::new();
            for (k, p) in parts.iter().enumerate() {
                let last = k + 1 == n;
                match &p.heredoc {
                    // `a; b`, mixed `&&`/`||` and compound commands: `set -e` would treat them
                    // differently from the RUN they were.
                    None => lines.extend(one_statement_lines(p, last)?),
                    Some(h) => lines.extend(heredoc_lines(p, h, last)?),
                }
            }
            // A line ending in `\` would continue onto the next one.
            if lines.iter().any(|l| l.ends_with('\\')) {
                return None;
            }
            // No line of the script (a kept body's too) may end the heredoc early.
            let delimiter = ["EOF", "EOT", "SCRIPT", "DOCKLS_EOF"].into_iter().find(|d| !lines.iter().flat_map(|l| l.lines()).any(|l| l.trim() == *d))?;
            let mut out = format!("<<{delimiter}{newline}set -e{newline}");
            // A kept script's lines end with the file's line ending too (BuildKit reads a
            // CRLF body's lines without the CR).
            for l in lines.iter().flat_map(|l| l.split('\n')) {
                out.push_str(l);
                out.push_str(newline);
            }
            out.push_str(delimiter);
            out
        }
    };
    let title = match form {
        Form::Chain => format!("Merge the {n} RUN instructions from line {first_line} into one (`&&`)"),
        Form::Heredoc => format!("Merge the {n} RUN instructions from line {first_line} into one heredoc (`RUN <<EOF`, `set -e`)"),
    };
    let edit = Edit { range: start..last.range.end, text: format!("{comments}{indent}{prefix}{body}") };
    Some(Fix::safe(title, vec![edit]))
}

/// The lines of the heredoc form for a script of one statement (`shape`, over `p.script`),
/// with `set -e` stopping where the script would have: an `&&` chain of simple commands is one
/// command per line, `a || b` one line; `None` for anything else.
fn one_statement_lines(p: &Part, last: bool) -> Option<Vec<String>> {
    let s = &p.shape;
    let piece = |r: &Range<usize>| p.script[r.clone()].trim().to_string();
    let lines = if s.statements.len() != 1 || s.comments || !s.simple {
        return None;
    } else if !s.chain.is_empty() && !s.has_or {
        // `set -e` stops at the first failing line, as `&&` did.
        let commands: Vec<String> = s.chain.iter().map(piece).collect();
        if s.stateful && !last {
            vec![format!("({})", commands.join(" && "))]
        } else {
            commands
        }
    } else if s.has_or && !s.has_and && (last || !s.stateful) {
        // `a || b` fails only when its last command fails: `set -e` stops there.
        vec![p.script.trim().trim_end_matches(';').trim_end().to_string()]
    } else {
        return None;
    };
    // `! cmd` never stops `set -e`, though it fails a RUN; a line break inside a command (a
    // heredoc) is not one line.
    (!lines.iter().any(|l| l.starts_with('!') || l.contains('\n'))).then_some(lines)
}

/// A RUN with heredocs in the heredoc form (see the module's docs). Each returned item is one
/// line or a block of lines kept as the script had them.
fn heredoc_lines(p: &Part, h: &HeredocPart, last: bool) -> Option<Vec<String>> {
    if let Some(lines) = one_statement_lines(p, last) {
        return Some(lines);
    }
    let script = h.text.trim_end_matches('\n');
    if script.is_empty() || script.ends_with('\\') {
        return None;
    }
    // One simple command (`cat > /etc/x <<EOF`): it fails the script when it fails, with or
    // without `set -e`. Its command line must be that alone: tree-sitter-bash reads what
    // follows a heredoc's marker (`<<EOF && b`, `<<EOF | b`) inside the redirect, not as a list.
    let s = &p.shape;
    let command_line = script.lines().next().unwrap_or("");
    let alone = !command_line.contains(['&', '|', ';']) && !command_line.trim_start().starts_with('!');
    if s.statements.len() == 1 && s.simple && !s.has_and && !s.has_or && !s.comments && (last || !s.stateful) && alone {
        return Some(vec![script.to_string()]);
    }
    if h.errexit_first && last {
        return Some(vec![script.to_string()]);
    }
    let mut block = vec!["(".to_string()];
    if !h.errexit_first {
        block.push("set +e".to_string());
    }
    block.push(script.to_string());
    block.push(")".to_string());
    Some(block)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Snapshot;

    /// What `sh -c script` prints and whether it succeeds, run from `/` as a RUN is.
    fn run_sh(script: &str) -> (String, bool) {
        let out = std::process::Command::new("sh").arg("-c").arg(script).current_dir("/").env_clear().env("PATH", "/usr/bin:/bin").output().expect("sh runs");
        (String::from_utf8_lossy(&out.stdout).into_owned(), out.status.success())
    }

    /// Each RUN (as written in a Dockerfile) with the script BuildKit hands to the shell for it,
    /// written out by hand: a lone `RUN <<EOF` runs its body, anything else its whole text.
    const RUNS: &[(&str, &str)] = &[
        ("RUN echo p1 && false", "echo p1 && false"),
        ("RUN echo p2", "echo p2"),
        ("RUN false || echo p3", "false || echo p3"),
        ("RUN cd /tmp && X=1 && echo p4 $X", "cd /tmp && X=1 && echo p4 $X"),
        ("RUN echo v=$V pwd=$(pwd)", "echo v=$V pwd=$(pwd)"),
        ("RUN ! test -d /", "! test -d /"),
        ("RUN <<EOF\necho h1\nfalse\necho h1b\nEOF", "echo h1\nfalse\necho h1b\n"),
        ("RUN <<EOF\necho h2\nfalse\nEOF", "echo h2\nfalse\n"),
        ("RUN <<EOF\nset -e\necho h3\nfalse\necho never\nEOF", "set -e\necho h3\nfalse\necho never\n"),
        ("RUN <<EOF\necho h4 && false\nEOF", "echo h4 && false\n"),
        ("RUN cat <<'X'\nline $HOME\nX", "cat <<'X'\nline $HOME\nX"),
        ("RUN sh <<'EOF'\necho h6\nfalse\nEOF", "sh <<'EOF'\necho h6\nfalse\nEOF"),
        ("RUN <<-EOT\n\techo h7\n\tfalse\n\tEOT", "echo h7\nfalse\n"),
        ("RUN <<EOF\nV=leak\ncd /tmp\necho h8\nEOF", "V=leak\ncd /tmp\necho h8\n"),
        ("RUN <<EOF\nset -e\nV=leak2\necho h9\nEOF", "set -e\nV=leak2\necho h9\n"),
        ("RUN false <<'X' && echo never\nbody\nX", "false <<'X' && echo never\nbody\nX"),
        ("RUN cat <<'X' | grep -c line\nline 1\nline 2\nX", "cat <<'X' | grep -c line\nline 1\nline 2\nX"),
    ];

    /// Runs `picked` one after the other as the build does (stopping at the first failure) and
    /// as their heredoc merge, when it is offered: same output, same failure. Returns whether
    /// the merge was offered.
    fn same_as_separate_runs(picked: &[usize]) -> bool {
        let mut text = String::from("# syntax=docker/dockerfile:1\nFROM alpine:3.20\n");
        for &i in picked {
            text.push_str(RUNS[i].0);
            text.push('\n');
        }
        let snap = Snapshot::from_text(&text);
        let df = Dockerfile::new(&snap.text, &snap.tree);
        let runs: Vec<_> = df.instructions.iter().map(|i| crate::shell::analyze_run_cached(&text, i)).collect();
        let Some(fix) = merge(&text, &df, &runs, 1..picked.len() + 1, Form::Heredoc) else { return false };
        let merged = &fix.edits[0].text;
        let lines: Vec<&str> = merged.lines().collect();
        assert!(lines[0].starts_with("RUN <<") && lines.len() >= 3, "{merged}");
        let body: String = lines[1..lines.len() - 1].iter().map(|l| format!("{l}\n")).collect();
        let mut expected = (String::new(), true);
        for &i in picked {
            let (out, ok) = run_sh(RUNS[i].1);
            expected.0.push_str(&out);
            if !ok {
                expected.1 = false;
                break;
            }
        }
        assert_eq!(run_sh(&body), expected, "{text}\nmerged:\n{merged}");
        true
    }

    #[test]
    fn heredoc_merges_fail_where_the_separate_runs_failed_and_print_what_they_printed() {
        let n = RUNS.len();
        let mut offered = 0;
        for a in 0..n {
            for b in 0..n {
                offered += usize::from(same_as_separate_runs(&[a, b]));
                let c = (a * 7 + b * 3) % n;
                offered += usize::from(same_as_separate_runs(&[a, b, c]));
            }
        }
        // Only `! test` refuses (set -e would not stop at it): most pairs and triples merge.
        assert!(offered > n * n, "only {offered} merges offered");
    }
}
