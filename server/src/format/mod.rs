//! The formatter: keywords in upper case, one blank between tokens, continuation lines
//! indented one level, JSON arrays spaced `["a", "b"]`, and RUN bodies laid out one command
//! of a list per line ([`shell`]). It only ever changes the blanks and line continuations
//! between tokens and the case of keywords; comments, heredoc bodies, quoted text, and the
//! arguments of legacy `ENV k v` (whose whitespace is the value) stay as they are, and an
//! instruction with a syntax error is left whole. Pure: text and model in, edits out.

mod gap;
mod instruction;
pub mod meaning;
mod options;
mod shell;

use std::ops::Range;

pub use crate::lint::Edit;
pub use options::{FormatConfig, OperatorPlacement, Options};

use crate::syntax::Dockerfile;

/// What the layout needs, worked out once per run from the options and the file.
pub(crate) struct Layout {
    pub escape: char,
    /// The file's line break, for lines the formatter adds.
    pub newline: &'static str,
    pub indent1: String,
    pub indent1_width: usize,
    pub tab_width: usize,
    pub line_width: usize,
    pub operators: OperatorPlacement,
    /// RUN bodies are POSIX shell scripts: no `SHELL` names another program and nothing says
    /// Windows (the backtick escape, a Windows base image), where cmd or PowerShell runs them.
    pub posix_shell: bool,
}

impl Layout {
    fn new(text: &str, df: &Dockerfile, o: &Options) -> Layout {
        let indent1 = o.indent_by(1);
        // CRLF when the first line break is one.
        let newline = match text.find('\n') {
            Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        };
        Layout {
            escape: df.escape,
            newline,
            indent1_width: if o.tabs { o.indent_size } else { indent1.len() },
            indent1,
            tab_width: o.indent_size,
            line_width: o.line_width,
            operators: o.operators,
            posix_shell: df.escape != '`' && df.instructions.iter().all(|i| posix(i)),
        }
    }

    /// Columns `s` takes (a tab counts as one indentation level).
    pub fn width(&self, s: &str) -> usize {
        s.chars().map(|c| if c == '\t' { self.tab_width } else { 1 }).sum()
    }
}

/// Whether `ins` keeps RUN bodies POSIX shell (see [`Layout::posix_shell`]).
fn posix(ins: &crate::syntax::Instruction) -> bool {
    use crate::syntax::{Args, Kind};
    const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"];
    match (ins.kind, &ins.args) {
        (Kind::Shell, Args::Exec(words)) => {
            words.first().is_some_and(|w| SHELLS.contains(&w.value.rsplit('/').next().unwrap_or("")))
        }
        (Kind::Shell, _) => false,
        (Kind::From, Args::From(f)) => {
            let image = f.image.text.to_ascii_lowercase();
            !["windows", "nanoserver", "servercore"].iter().any(|w| image.contains(w))
        }
        _ => true,
    }
}

/// The edits that format `text` (whose model is `df`), in order, none overlapping; empty when
/// it is formatted already.
pub fn format(text: &str, df: &Dockerfile, options: &Options) -> Vec<Edit> {
    format_where(text, df, options, |_| true)
}

/// [`format`] for the instructions that touch `range` only.
pub fn format_range(text: &str, df: &Dockerfile, options: &Options, range: Range<usize>) -> Vec<Edit> {
    format_where(text, df, options, |r| r.start <= range.end && range.start <= r.end)
}

fn format_where(text: &str, df: &Dockerfile, options: &Options, wanted: impl Fn(&Range<usize>) -> bool + Sync) -> Vec<Edit> {
    use rayon::prelude::*;
    let layout = Layout::new(text, df, options);
    let mut errors: Vec<Range<usize>> = df.errors.iter().map(|e| e.range.clone()).collect();
    errors.sort_by_key(|r| r.start);
    // Instructions are independent: formatted on all cores (most of the time is parsing RUN
    // bodies with tree-sitter-bash, twice for those that change), in order.
    let per_instruction: Vec<Vec<Edit>> = df
        .instructions
        .par_iter()
        .with_min_len(64)
        .map(|ins| {
            let mut edits = Vec::new();
            // A broken instruction is left whole (an error can end where the instruction starts).
            let i = errors.partition_point(|e| e.end < ins.range.start);
            let broken = errors.get(i).is_some_and(|e| e.start <= ins.range.end);
            if wanted(&ins.range) && !broken {
                instruction::format(text, ins, &layout, &mut edits);
            }
            edits
        })
        .collect();
    per_instruction.into_iter().flatten().collect()
}

/// `text` with `edits` (sorted, not overlapping) applied.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    apply_offset(text, edits, 0)
}

/// [`apply`] to a piece of a text that starts at `base` in the text the edits are for.
pub(crate) fn apply_offset(text: &str, edits: &[Edit], base: usize) -> String {
    let mut out = String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut pos = 0;
    for e in edits {
        out.push_str(&text[pos..e.range.start - base]);
        out.push_str(&e.text);
        pos = e.range.end - base;
    }
    out.push_str(&text[pos..]);
    out
}

/// Parses and formats `text`.
pub fn format_text(text: &str, options: &Options) -> String {
    let tree = crate::document::parse(text);
    let df = Dockerfile::new(text, &tree);
    apply(text, &format(text, &df, options))
}

#[cfg(test)]
mod tests;
