//! The scripts most RUNs are, read without tree-sitter-bash: simple commands of plain words
//! joined by `&&`, `||`, `|` and `;` on one line (`apt-get update && apt-get install -y curl`).
//!
//! Parsing each RUN with tree-sitter-bash and walking its tree was half of opening a RUN-dense
//! file. This reader takes about a tenth of the instructions (~24,000 per script of the
//! RUN-dense benchmark file, against ~285,000 for a parse and walk), and declines anything it
//! does not model exactly, which then goes to tree-sitter-bash: line breaks, escapes,
//! redirections, groups, keywords, assignments, comments, `sh -c`, parameter expansions other
//! than `$NAME` / `${NAME}`, and command substitutions other than `$(…)` of one command of
//! plain words (`make -j$(nproc)`).
//!
//! Invariant: for a script this reader accepts, the commands, pipes and top level are exactly
//! what the tree-sitter path makes of it, including tree-sitter-bash's own readings (a
//! statement that starts with a pipeline of three commands followed by `&&` nests the rest of
//! the list inside the pipeline; such statements are declined). `tests::fast_path_*` compare
//! both paths on generated scripts and fixtures; `examples/shell_paths.rs` on the corpus.

use std::ops::Range;

use super::pipes::{stops_early, Pipe, TEXT_WRITERS};
use super::structure::{TopLevel, STATEFUL};
use super::{command_of_words, unquote, Command, RunAnalysis, Script};

/// Words tree-sitter-bash reads as part of its grammar (or as a declaration) when they name
/// the command.
const KEYWORDS: &[&str] = &[
    "if", "then", "elif", "else", "fi", "case", "esac", "for", "select", "while", "until", "do", "done", "in", "function", "time",
    "coproc", "declare", "typeset", "export", "readonly", "local", "unset", "unsetenv",
];

/// A pipeline: its commands (each a list of word ranges) and the `|` between them.
struct Pipeline {
    commands: Vec<Vec<Range<usize>>>,
    bars: Vec<Range<usize>>,
}

impl Pipeline {
    fn range(&self) -> Range<usize> {
        let first = &self.commands[0];
        let last = &self.commands[self.commands.len() - 1];
        first[0].start..last[last.len() - 1].end
    }
}

/// A top-level statement: pipelines joined by `&&` / `||` (`true` for `||`).
struct Statement {
    operands: Vec<Pipeline>,
    ors: Vec<bool>,
}

/// A command substitution of one command of plain words (`$(nproc)`): its range, `$(` to `)`,
/// and the words of its command.
struct Substitution {
    range: Range<usize>,
    words: Vec<Range<usize>>,
}

/// The statements of a one-line script, the `;` after them and the command substitutions in
/// its words, or `None` when the script is not one this reader models.
fn read(text: &str) -> Option<(Vec<Statement>, Vec<Range<usize>>, Vec<Substitution>)> {
    let b = text.as_bytes();
    let mut substitutions = Vec::new();
    let mut statements = Vec::new();
    let mut separators = Vec::new();
    let mut words: Vec<Range<usize>> = Vec::new();
    let mut pipeline = Pipeline { commands: Vec::new(), bars: Vec::new() };
    let mut statement = Statement { operands: Vec::new(), ors: Vec::new() };
    // An operator was read and the command after it not yet (`a &&` at the end is an error).
    let mut pending = false;
    let mut i = 0;
    // Ends the command being read; an operator with no command before it is an error.
    fn end_command(words: &mut Vec<Range<usize>>, pipeline: &mut Pipeline) -> Option<()> {
        if words.is_empty() {
            return None;
        }
        pipeline.commands.push(std::mem::take(words));
        Some(())
    }
    fn end_pipeline(pipeline: &mut Pipeline, statement: &mut Statement) {
        let done = std::mem::replace(pipeline, Pipeline { commands: Vec::new(), bars: Vec::new() });
        statement.operands.push(done);
    }
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' => i += 1,
            b'&' | b'|' if b.get(i + 1) == Some(&b[i]) => {
                end_command(&mut words, &mut pipeline)?;
                end_pipeline(&mut pipeline, &mut statement);
                statement.ors.push(b[i] == b'|');
                pending = true;
                i += 2;
            }
            b'|' => {
                if b.get(i + 1) == Some(&b'&') {
                    return None;
                }
                end_command(&mut words, &mut pipeline)?;
                pipeline.bars.push(i..i + 1);
                pending = true;
                i += 1;
            }
            b';' => {
                if b.get(i + 1) == Some(&b';') {
                    return None;
                }
                end_command(&mut words, &mut pipeline)?;
                end_pipeline(&mut pipeline, &mut statement);
                statements.push(std::mem::replace(&mut statement, Statement { operands: Vec::new(), ors: Vec::new() }));
                separators.push(i..i + 1);
                pending = false;
                i += 1;
            }
            // A lone `&` (background) and everything `word_end` declines.
            b'&' => return None,
            _ => {
                let end = word_end(b, i, &mut substitutions)?;
                words.push(i..end);
                pending = false;
                i = end;
            }
        }
    }
    if pending {
        return None;
    }
    if !words.is_empty() {
        end_command(&mut words, &mut pipeline)?;
        end_pipeline(&mut pipeline, &mut statement);
        statements.push(statement);
    }
    Some((statements, separators, substitutions))
}

/// The end of the word starting at `i`: plain characters, single-quoted text, double-quoted
/// text with `$NAME` / `${NAME}` and nothing else special, `$NAME` / `${NAME}`, and `$(…)` of
/// one command of plain words (added to `substitutions`). `None` for anything else (the
/// script then goes to tree-sitter-bash).
fn word_end(b: &[u8], mut i: usize, substitutions: &mut Vec<Substitution>) -> Option<usize> {
    let start = i;
    // One `$` per word, and no quotes before it: tree-sitter-bash splits some words that
    // have more (`${X}/y$Z-q` becomes the arguments `${X}/y$` and `Z-q`, `""a-b$C/d` becomes
    // `""a-b$` and `C/d`).
    let mut quoted = false;
    let mut expanded = false;
    let mut may_expand = |quoted: bool| !quoted && !std::mem::replace(&mut expanded, true);
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b';' | b'&' | b'|' => break,
            b'\'' => {
                let close = b[i + 1..].iter().position(|&c| c == b'\'')? + i + 1;
                if b[i + 1..close].iter().any(|&c| c < 0x20 && c != b'\t') {
                    return None;
                }
                i = close + 1;
                quoted = true;
            }
            b'"' => {
                i += 1;
                loop {
                    match *b.get(i)? {
                        b'"' => break,
                        b'$' if may_expand(quoted) => i = variable_end(b, i)?,
                        b'$' | b'\\' | b'`' => return None,
                        c if c < 0x20 && c != b'\t' => return None,
                        _ => i += 1,
                    }
                }
                i += 1;
                quoted = true;
            }
            b'$' if !may_expand(quoted) => return None,
            b'$' if b.get(i + 1) == Some(&b'(') => {
                let substitution = substitution(b, i)?;
                i = substitution.range.end;
                substitutions.push(substitution);
            }
            b'$' => i = variable_end(b, i)?,
            b'\\' | b'`' | b'(' | b')' | b'<' | b'>' | b'#' | b'{' | b'}' | b'[' | b']' | b'!' => return None,
            c if !(0x21..0x7f).contains(&c) => return None,
            _ => i += 1,
        }
    }
    (i > start).then_some(i)
}

/// `$(` at `i`, a command of plain words (letters, digits and `_./:=,+-`), `)`.
fn substitution(b: &[u8], i: usize) -> Option<Substitution> {
    let plain = |c: u8| c.is_ascii_alphanumeric() || b"_./:=,+-".contains(&c);
    let mut words = Vec::new();
    let mut j = i + 2;
    loop {
        match *b.get(j)? {
            b' ' | b'\t' => j += 1,
            b')' if !words.is_empty() => return Some(Substitution { range: i..j + 1, words }),
            c if plain(c) => {
                let start = j;
                while b.get(j).is_some_and(|&c| plain(c)) {
                    j += 1;
                }
                words.push(start..j);
            }
            _ => return None,
        }
    }
}

/// The end of `$NAME` or `${NAME}` at `i` (the `$`).
fn variable_end(b: &[u8], i: usize) -> Option<usize> {
    let name = |from: usize| {
        let first = *b.get(from)?;
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return None;
        }
        Some(from + 1 + b[from + 1..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count())
    };
    if b.get(i + 1) == Some(&b'{') {
        let end = name(i + 2)?;
        (b.get(end) == Some(&b'}')).then_some(end + 1)
    } else {
        name(i + 1)
    }
}

/// A command name tree-sitter-bash reads as one word: letters, digits and `_./-+:,~`, quoted
/// text and `$NAME`, not starting with `-`. (It reads `a?b`, `a@b`, `a%b` and `- x` there as
/// errors, `A=1` as an assignment.)
fn plain_name(name: &str) -> bool {
    if name.starts_with('-') {
        return false;
    }
    let mut quoted = None;
    name.bytes().all(|c| match (quoted, c) {
        (None, b'\'' | b'"') => {
            quoted = Some(c);
            true
        }
        (Some(q), _) if c == q => {
            quoted = None;
            true
        }
        (Some(_), _) => true,
        (None, _) => c.is_ascii_alphanumeric() || b"_./-+:,~${}".contains(&c),
    })
}

/// The base name of a program as written (`/usr/bin/pip3` → `pip3`).
fn base(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// What this reader made of a script: its commands and pipes (Dockerfile ranges) and its top
/// level (in the script's own offsets).
pub(super) struct Analysis {
    pub commands: Vec<Command>,
    pub pipes: Vec<Pipe>,
    /// The command substitutions (Dockerfile ranges).
    pub subshells: Vec<Range<usize>>,
    pub top: TopLevel,
}

impl Analysis {
    /// Adds this script's commands and pipes to its RUN's analysis.
    pub fn add_to(self, out: &mut RunAnalysis) -> TopLevel {
        out.has_pipe |= !self.pipes.is_empty();
        out.commands.extend(self.commands);
        out.pipes.extend(self.pipes);
        out.subshells.extend(self.subshells);
        self.top
    }
}

/// Analyses `script` when it is a script this reader models.
pub(super) fn analyze(script: &Script) -> Option<Analysis> {
    let text = script.text.as_str();
    let (statements, separators, substitutions) = read(text)?;
    let mut subshells = Vec::new();
    let mut commands: Vec<Command> = Vec::new();
    let mut pipes: Vec<Pipe> = Vec::new();
    let mut top = TopLevel { simple: true, ..Default::default() };
    for statement in &statements {
        // tree-sitter-bash reads `a | b | c && d` as `a | (b | c && d)`.
        if statement.operands.len() > 1 && statement.operands[0].commands.len() > 2 {
            return None;
        }
        for pipeline in &statement.operands {
            let in_pipeline = pipeline.commands.len() > 1;
            for words in &pipeline.commands {
                let name = &text[words[0].clone()];
                top.stateful |= STATEFUL.contains(&base(name));
                commands.push(command(text, words, script, in_pipeline)?);
                // The commands of its arguments' substitutions follow it (not in its name: the
                // tree-sitter path does not look there). Each substitution lies inside one word,
                // and both are in source order: found from where the command starts.
                let end = words[words.len() - 1].end;
                for sub in substitutions[substitutions.partition_point(|s| s.range.start < words[0].start)..].iter().take_while(|s| s.range.start < end) {
                    if sub.range.start < words[0].end {
                        return None;
                    }
                    commands.push(command(text, &sub.words, script, false)?);
                    subshells.push(script.map_range(sub.range.clone()));
                }
            }
            for (k, bar) in pipeline.bars.iter().enumerate() {
                let (left, right) = (&pipeline.commands[k], &pipeline.commands[k + 1]);
                let right_name = base(&text[right[0].clone()]);
                let right_args: Vec<String> = right[1..].iter().map(|w| text[w.clone()].to_string()).collect();
                let left_name = base(&text[left[0].clone()]);
                pipes.push(Pipe {
                    range: script.map_range(bar.clone()),
                    left: Some(left_name.into()),
                    right: Some(right_name.into()),
                    left_only_writes_text: TEXT_WRITERS.contains(&left_name)
                        && substitutions.get(substitutions.partition_point(|s| s.range.start < left[0].start)).is_none_or(|s| s.range.start >= left[left.len() - 1].end),
                    right_stops_early: stops_early(right_name, &right_args),
                });
            }
        }
        let first = statement.operands[0].range();
        let last = statement.operands[statement.operands.len() - 1].range();
        top.statements.push(first.start..last.end);
        top.has_or |= statement.ors.iter().any(|&or| or);
        top.has_and |= statement.ors.iter().any(|&or| !or);
    }
    top.separators = separators.into_iter().map(|r| (";".to_string(), r)).collect();
    if let [statement] = statements.as_slice() {
        if !statement.ors.contains(&true) {
            top.chain = statement.operands.iter().map(Pipeline::range).collect();
        }
    }
    Some(Analysis { commands, pipes, subshells, top })
}

/// The command of `words` (ranges in `script`), unless its name is one the tree-sitter path
/// reads otherwise or it runs a script of its own (`sh -c '…'`).
fn command(text: &str, words: &[Range<usize>], script: &Script, in_pipeline: bool) -> Option<Command> {
    let name = &text[words[0].clone()];
    // A keyword is one even with quotes after it (`case'a b'`).
    let lead = &name[..name.find(['\'', '"', '$']).unwrap_or(name.len())];
    if !plain_name(name) || KEYWORDS.contains(&lead) {
        return None;
    }
    let range = words[0].start..words[words.len() - 1].end;
    let cmd = command_of_words(words.iter().map(|w| (unquote(&text[w.clone()]), w.clone())).collect(), range, script, in_pipeline);
    // `sh -c '…'` has a script inside: tree-sitter-bash's path analyses it.
    if cmd.inline_script().is_some() {
        return None;
    }
    Some(cmd)
}
