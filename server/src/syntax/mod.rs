//! The typed view of a Dockerfile over its tree-sitter tree: parser directives, instructions
//! with their flags, arguments, exec/shell form and heredocs, and stages. Building it never
//! fails: ERROR and MISSING nodes are collected as [`SyntaxError`]s and the rest is still typed.
//! No LSP types here; every range is a byte range into the text.

mod build;
mod image;
pub(crate) mod shift;
mod words;

pub use image::ImageRef;
pub use words::{unquote, Expansion, Word};

use std::ops::Range;

/// Instruction kinds, in the Dockerfile reference's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    From,
    Run,
    Cmd,
    Label,
    Maintainer,
    Expose,
    Env,
    Add,
    Copy,
    Entrypoint,
    Volume,
    User,
    Workdir,
    Arg,
    Onbuild,
    Stopsignal,
    Healthcheck,
    Shell,
}

impl Kind {
    pub const ALL: [Kind; 18] = [
        Kind::From,
        Kind::Run,
        Kind::Cmd,
        Kind::Label,
        Kind::Maintainer,
        Kind::Expose,
        Kind::Env,
        Kind::Add,
        Kind::Copy,
        Kind::Entrypoint,
        Kind::Volume,
        Kind::User,
        Kind::Workdir,
        Kind::Arg,
        Kind::Onbuild,
        Kind::Stopsignal,
        Kind::Healthcheck,
        Kind::Shell,
    ];

    /// The keyword in upper case, as the reference writes it.
    pub fn keyword(self) -> &'static str {
        match self {
            Kind::From => "FROM",
            Kind::Run => "RUN",
            Kind::Cmd => "CMD",
            Kind::Label => "LABEL",
            Kind::Maintainer => "MAINTAINER",
            Kind::Expose => "EXPOSE",
            Kind::Env => "ENV",
            Kind::Add => "ADD",
            Kind::Copy => "COPY",
            Kind::Entrypoint => "ENTRYPOINT",
            Kind::Volume => "VOLUME",
            Kind::User => "USER",
            Kind::Workdir => "WORKDIR",
            Kind::Arg => "ARG",
            Kind::Onbuild => "ONBUILD",
            Kind::Stopsignal => "STOPSIGNAL",
            Kind::Healthcheck => "HEALTHCHECK",
            Kind::Shell => "SHELL",
        }
    }

    pub fn from_keyword(word: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.keyword().eq_ignore_ascii_case(word))
    }

    fn from_node_kind(kind: &str) -> Option<Kind> {
        let kw = kind.strip_suffix("_instruction")?;
        Kind::from_keyword(kw)
    }

    /// Instructions whose arguments Docker expands `$VAR` in (RUN/CMD/ENTRYPOINT leave that
    /// to the shell).
    pub fn expands_variables(self) -> bool {
        !matches!(self, Kind::Run | Kind::Cmd | Kind::Entrypoint | Kind::Shell | Kind::Maintainer | Kind::Healthcheck)
    }
}

/// A parser directive at the top of the file (`# syntax=…`, `# escape=…`, `# check=…`).
#[derive(Debug, Clone)]
pub struct Directive {
    pub range: Range<usize>,
    pub name: String,
    pub name_range: Range<usize>,
    pub value: String,
    pub value_range: Range<usize>,
}

/// A `--name[=value]` flag, or `--mount=k=v,…` with its options.
#[derive(Debug, Clone)]
pub struct Flag {
    pub range: Range<usize>,
    pub name: compact_str::CompactString,
    pub name_range: Range<usize>,
    pub value: Option<Word>,
    /// For `--mount`: each `key[=value]` option.
    pub mount: Vec<MountOption>,
}

#[derive(Debug, Clone)]
pub struct MountOption {
    pub range: Range<usize>,
    /// Lower case, as BuildKit compares it.
    pub key: compact_str::CompactString,
    pub key_range: Range<usize>,
    pub value: Option<Word>,
}

/// A `<<EOF` heredoc: its marker on the instruction line and its body below.
#[derive(Debug, Clone)]
pub struct Heredoc {
    pub marker_range: Range<usize>,
    pub delimiter: String,
    /// `<<-`: leading tabs are stripped from the body and terminator.
    pub strip_tabs: bool,
    /// Quoted delimiter: no expansion in the body.
    pub quoted: bool,
    pub body_range: Option<Range<usize>>,
    /// The terminator line, or `None` when the heredoc never ends.
    pub end_range: Option<Range<usize>>,
}

/// `KEY=value` of ENV, LABEL and ARG (for ARG the value is the default and may be absent).
#[derive(Debug, Clone)]
pub struct Pair {
    pub range: Range<usize>,
    pub key: Word,
    pub value: Option<Word>,
    /// Written with `=` (as opposed to the legacy `ENV key value` form).
    pub has_equals: bool,
}

/// Shell-form text: the raw source range (continuations and comment lines included).
#[derive(Debug, Clone)]
pub struct ShellText {
    pub range: Range<usize>,
    /// The fragments' ranges in order: the shell text of each physical line, and each heredoc
    /// marker on its own (a fragment ends before a word that starts with `<<`).
    pub fragments: Vec<Range<usize>>,
}

impl ShellText {
    /// The blank-separated words of the command line, in order, as the shell would split them
    /// before expansion: quotes closed on the same line and escaped characters keep a word
    /// together. Continuations and comment lines are not in any fragment, so never in a word.
    pub fn words<'a>(&'a self, src: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fragments.iter().flat_map(move |r| split_words(&src[r.clone()]))
    }
}

/// Splits one fragment's text at blanks outside quotes (the grammar's own word rule).
fn split_words(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t') {
            match bytes[i] {
                q @ (b'"' | b'\'') => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != q {
                        i += if q == b'"' && bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i = (i + 1).min(bytes.len());
                }
                b'\\' | b'`' => i = (i + 2).min(bytes.len()),
                _ => i += 1,
            }
        }
        // Only ASCII bytes end a word, so `start..i` are char boundaries.
        Some(&text[start..i])
    })
}

/// The arguments of an instruction, by shape.
#[derive(Debug, Clone)]
pub enum Args {
    /// Nothing parsed (the instruction is incomplete; see the syntax errors).
    None,
    /// JSON exec form: the decoded strings with their ranges.
    Exec(Vec<Word>),
    /// Shell form (RUN, CMD, ENTRYPOINT, SHELL when not valid JSON).
    Shell(ShellText),
    /// Whitespace-separated words: COPY/ADD sources and destination, EXPOSE ports, VOLUME paths,
    /// WORKDIR, STOPSIGNAL, MAINTAINER.
    Words(Vec<Word>),
    /// ENV, LABEL and ARG pairs.
    Pairs(Vec<Pair>),
    // Boxed: the big variants would otherwise make every instruction as large as a FROM.
    From(Box<FromArgs>),
    User { user: Box<Word>, group: Option<Box<Word>> },
    /// HEALTHCHECK NONE, or HEALTHCHECK [flags] CMD … (the CMD is the trigger instruction).
    HealthcheckNone,
}

#[derive(Debug, Clone)]
pub struct FromArgs {
    pub image: ImageRef,
    pub as_keyword: Option<Range<usize>>,
    pub alias: Option<Word>,
}

/// One instruction.
#[derive(Debug, Clone)]
pub struct Instruction {
    pub kind: Kind,
    /// From the keyword to the end of the last argument or heredoc (no trailing newline).
    pub range: Range<usize>,
    pub keyword_range: Range<usize>,
    pub keyword: compact_str::CompactString,
    pub flags: Vec<Flag>,
    pub args: Args,
    pub heredocs: Vec<Heredoc>,
    /// ONBUILD's trigger, or HEALTHCHECK's CMD.
    pub nested: Option<Box<Instruction>>,
    /// Index into [`Dockerfile::stages`]; `None` for global instructions before the first FROM.
    pub stage: Option<usize>,
    /// What the lint run keeps on this instruction for the next version (moved with it).
    pub memo: crate::lint::memo::Memo,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    pub fn is_exec_form(&self) -> bool {
        matches!(self.args, Args::Exec(_))
    }

    pub fn words(&self) -> &[Word] {
        match &self.args {
            Args::Words(w) | Args::Exec(w) => w,
            _ => &[],
        }
    }

    pub fn pairs(&self) -> &[Pair] {
        match &self.args {
            Args::Pairs(p) => p,
            _ => &[],
        }
    }

    pub fn from_args(&self) -> Option<&FromArgs> {
        match &self.args {
            Args::From(f) => Some(f),
            _ => None,
        }
    }
}

/// A build stage: a FROM and the instructions up to the next FROM.
#[derive(Debug, Clone)]
pub struct Stage {
    pub index: usize,
    /// Index of its FROM in [`Dockerfile::instructions`].
    pub from: usize,
    /// Indices of the instructions in the stage, FROM included.
    pub instructions: Range<usize>,
    pub name: Option<Word>,
    pub image: ImageRef,
    /// The earlier stage this one builds on (`FROM build AS test`).
    pub parent: Option<usize>,
    /// Byte range from the FROM to the end of the stage's last instruction.
    pub range: Range<usize>,
}

/// An ERROR or MISSING node in the tree.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub range: Range<usize>,
    /// For MISSING: the kind of node the parser expected.
    pub missing: Option<String>,
    /// The instruction keyword of the line the error is on, when it has a known one.
    pub instruction: Option<Kind>,
}

/// The typed Dockerfile.
#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    pub directives: Vec<Directive>,
    pub instructions: Vec<Box<Instruction>>,
    pub stages: Vec<Stage>,
    pub comments: Vec<Range<usize>>,
    pub errors: Vec<SyntaxError>,
    /// The escape character (`\` unless `# escape=\``).
    pub escape: char,
    /// Comments and errors found inside each instruction (by index; only instructions that
    /// have any), so a later model of the same document can reuse the instruction whole.
    pub(crate) extras: std::collections::HashMap<usize, InstructionExtras>,
    /// How many instructions were reused from the previous model (for tests).
    pub(crate) reused: usize,
    /// Every top-level node of the tree (instructions, comments, directives, errors), in order:
    /// what a later model of the same document keeps outside the part an edit changed, and
    /// (the instructions' nodes, which end after the line break unlike `Instruction::range`)
    /// the texts it looks unchanged instructions up by.
    pub(crate) tops: Vec<TopNode>,
    /// Whether only the edited part of the tree was walked (for tests).
    pub(crate) spliced: bool,
    /// Stage indices by the [`crate::keys::name_key`] of their name, built on the first
    /// [`Dockerfile::stages_named`] (rules ask it for every `COPY --from` and FROM) and emptied
    /// whenever the stages are assigned.
    pub(crate) stage_index: std::sync::OnceLock<crate::keys::Map<u64, Vec<usize>>>,
}

/// A top-level node of the tree the model was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopNode {
    pub range: Range<usize>,
    pub kind: TopKind,
}

/// What a top-level node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TopKind {
    Directive,
    Comment,
    Error,
    Instruction(Kind),
    /// Anything else the grammar puts at the top (line breaks).
    Other,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct InstructionExtras {
    pub comments: Vec<Range<usize>>,
    pub errors: Vec<SyntaxError>,
}

impl Dockerfile {
    pub fn new(text: &str, tree: &tree_sitter::Tree) -> Dockerfile {
        build::build(text, tree, None, None)
    }

    /// The model of a text opened in two halves ([`crate::document::split`]), which is the
    /// model [`Dockerfile::new`] builds from the whole tree.
    pub fn from_parts(text: &str, halves: &[tree_sitter::Tree; 2]) -> Dockerfile {
        build::build_from_halves(text, halves)
    }

    /// The model of a snapshot: from its halves when it was opened in two and its whole tree
    /// is not parsed yet (the model is the same either way).
    pub fn of_snapshot(snapshot: &crate::document::Snapshot) -> Dockerfile {
        match snapshot.tree.halves() {
            Some(halves) => Dockerfile::from_parts(&snapshot.text, &halves),
            None => Dockerfile::new(&snapshot.text, snapshot.tree.get()),
        }
    }

    /// [`Dockerfile::new`], reusing the unchanged instructions of `previous`, the model of an
    /// earlier text (`previous_text`) of the same document. It is consumed: its instructions
    /// are moved, not copied.
    pub fn new_reusing(text: &str, tree: &tree_sitter::Tree, previous_text: &str, previous: Dockerfile) -> Dockerfile {
        build::build(text, tree, Some((previous_text, previous)), None)
    }

    /// [`Dockerfile::new_reusing`] after an edit whose changed part of the tree is known
    /// ([`crate::document::Changed::range`], relative to `previous_text`): only that part of the
    /// tree is walked.
    pub fn new_after_edit(text: &str, tree: &tree_sitter::Tree, previous_text: &str, previous: Dockerfile, changed: Range<usize>) -> Dockerfile {
        build::build(text, tree, Some((previous_text, previous)), Some(changed))
    }

    /// How many instructions [`Dockerfile::new_reusing`] took over from the previous model.
    pub fn reused_instructions(&self) -> usize {
        self.reused
    }

    /// Whether [`Dockerfile::new_after_edit`] read only the top-level nodes around the edit.
    pub fn walked_only_the_edit(&self) -> bool {
        self.spliced
    }

    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name.eq_ignore_ascii_case(name))
    }

    /// Instructions before the first FROM (only ARG is allowed there).
    pub fn global_instructions(&self) -> &[Box<Instruction>] {
        let end = self.stages.first().map_or(self.instructions.len(), |s| s.from);
        &self.instructions[..end]
    }

    pub fn stage_instructions(&self, stage: &Stage) -> &[Box<Instruction>] {
        &self.instructions[stage.instructions.clone()]
    }

    /// The stage whose name is `name` (case-insensitive, as Docker compares them) defined
    /// before instruction index `before`. A number is a stage's index (`COPY --from=0`); stage
    /// names start with a letter, so the two never meet.
    pub fn stage_named<'a>(&'a self, name: &str, before: usize) -> Option<&'a Stage> {
        if let Ok(index) = name.parse::<usize>() {
            return self.stages.get(index).filter(|s| s.from < before);
        }
        // Not a stage name (`debian:12`, `ghcr.io/x`): no need to look (a FROM asks this of
        // every earlier stage's name).
        if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
            return None;
        }
        self.stages_named(name).rev().find(|s| s.from < before)
    }

    /// Every stage named `name` (case-insensitive), in file order.
    pub fn stages_named<'a, 'n>(&'a self, name: &'n str) -> impl DoubleEndedIterator<Item = &'a Stage> + 'n
    where
        'a: 'n,
    {
        let index = self.stage_index.get_or_init(|| {
            let mut index: crate::keys::Map<u64, Vec<usize>> = Default::default();
            for s in &self.stages {
                if let Some(n) = &s.name {
                    index.entry(crate::keys::name_key(&n.text)).or_default().push(s.index);
                }
            }
            index
        });
        let found = index.get(&crate::keys::name_key(name)).map_or(&[][..], Vec::as_slice);
        // The key is a hash: the names are compared too.
        found.iter().map(|&i| &self.stages[i]).filter(move |s| s.name.as_ref().is_some_and(|n| n.text.eq_ignore_ascii_case(name)))
    }

    /// The instruction whose range contains `offset` (nested ones are not descended into).
    pub fn instruction_at(&self, offset: usize) -> Option<&Instruction> {
        let i = self.instructions.partition_point(|ins| ins.range.end < offset);
        self.instructions.get(i).map(|b| &**b).filter(|ins| ins.range.start <= offset)
    }

    pub fn stage_at(&self, offset: usize) -> Option<&Stage> {
        self.stages.iter().rev().find(|s| s.range.start <= offset)
    }
}

#[cfg(test)]
mod tests;
