//! The scripts most RUNs are, read without tree-sitter-bash: one line of simple commands of
//! plain words joined by `&&`, `||`, `|` and `;` (`apt-get update && apt-get install -y
//! curl`), with `for … in …; do …; done`, `while`/`until … do …; done`, `if … then … elif …
//! else … fi` and tests (`[ -d "$X" ]`, `[[ $A == b ]]`) among them.
//!
//! Parsing each RUN with tree-sitter-bash and walking its tree was half of opening a RUN-dense
//! file, and a loop or a condition cost ten times a plain line (~50 µs a script). This reader
//! takes a tenth of that, and declines anything it does not model exactly, which then goes to
//! tree-sitter-bash: line breaks, escapes, redirections, groups, subshells, `case`,
//! `function`, `!`, assignments, comments, `sh -c`, loops, conditions and tests inside a
//! pipeline, tests of more than three words or with `&&`/`||` inside, parameter expansions
//! other than `$NAME` / `${NAME}`, and command substitutions other than `$(…)` of one command
//! of plain words (`make -j$(nproc)`).
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

/// A word tree-sitter-bash reads as one of [`KEYWORDS`], even with quotes or an expansion
/// after it (`case'a b'`).
fn keyword(word: &str) -> bool {
    KEYWORDS.contains(&&word[..word.find(['\'', '"', '$']).unwrap_or(word.len())])
}

/// A test's bracket (`[`, `]`, `[[`, `]]`): the only words that start with one.
fn bracket(word: &str) -> bool {
    word.starts_with(['[', ']'])
}

/// The comparisons of a test (`[ a = b ]`).
const BINARY_TESTS: &[&str] = &["=", "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef"];

/// Nested loops and conditions read at most this deep (a line of thousands of `if`s would
/// otherwise overflow the analysis threads' stacks); deeper ones go to tree-sitter-bash,
/// which the walk visits with an explicit stack.
const MAX_DEPTH: usize = 16;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    And,
    Or,
    Bar,
    Semi,
}

struct Token {
    kind: Kind,
    range: Range<usize>,
}

/// A command of a pipeline.
enum Element {
    /// A simple command: its words.
    Simple(Vec<Range<usize>>),
    /// `[ … ]` or `[[ … ]]` (its whole range): it runs no command of its own, only the
    /// substitutions in its words.
    Test(Range<usize>),
    /// A `for`, `while`/`until` or `if` (its whole range) and what is in it, in source order:
    /// a loop's values (their range) and the bodies.
    Compound(Range<usize>, Vec<Part>),
}

enum Part {
    Words(Range<usize>),
    Body(Vec<Statement>),
}

impl Element {
    fn range(&self) -> Range<usize> {
        match self {
            Element::Simple(words) => words[0].start..words[words.len() - 1].end,
            Element::Test(range) | Element::Compound(range, _) => range.clone(),
        }
    }
}

/// A pipeline: its commands and the `|` between them.
struct Pipeline {
    elements: Vec<Element>,
    bars: Vec<Range<usize>>,
}

impl Pipeline {
    fn range(&self) -> Range<usize> {
        self.elements[0].range().start..self.elements[self.elements.len() - 1].range().end
    }
}

/// A statement: pipelines joined by `&&` / `||` (`true` for `||`).
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

/// The tokens of a one-line script (words, `&&`, `||`, `|`, `;`) and the command
/// substitutions in its words, or `None` when it has something this reader does not model.
fn tokens(text: &str) -> Option<(Vec<Token>, Vec<Substitution>)> {
    let b = text.as_bytes();
    let mut tokens = Vec::new();
    let mut substitutions = Vec::new();
    let mut i = 0;
    let mut push = |kind, range: Range<usize>| {
        let end = range.end;
        tokens.push(Token { kind, range });
        end
    };
    while i < b.len() {
        i = match b[i] {
            b' ' | b'\t' => i + 1,
            b'&' if b.get(i + 1) == Some(&b'&') => push(Kind::And, i..i + 2),
            b'|' if b.get(i + 1) == Some(&b'|') => push(Kind::Or, i..i + 2),
            b'|' if b.get(i + 1) == Some(&b'&') => return None,
            b'|' => push(Kind::Bar, i..i + 1),
            b';' if b.get(i + 1) == Some(&b';') => return None,
            b';' => push(Kind::Semi, i..i + 1),
            // A lone `&` (background).
            b'&' => return None,
            // `[`, `[[`, `]` and `]]` standing alone open and close tests; anywhere else a
            // bracket is declined (`word_end`).
            c @ (b'[' | b']') => {
                let n = if b.get(i + 1) == Some(&c) { 2 } else { 1 };
                if !b.get(i + n).is_none_or(|c| b" \t;&|".contains(c)) {
                    return None;
                }
                push(Kind::Word, i..i + n)
            }
            _ => push(Kind::Word, i..word_end(b, i, &mut substitutions)?),
        };
    }
    Some((tokens, substitutions))
}

/// Reads the tokens of a script into statements (recursive descent, at most [`MAX_DEPTH`]
/// loops and conditions deep).
struct Reader<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Reader<'_> {
    /// The current token's text when it is a word.
    fn word(&self) -> Option<&str> {
        let t = self.tokens.get(self.at).filter(|t| t.kind == Kind::Word)?;
        Some(&self.text[t.range.clone()])
    }

    fn at_keyword(&self, words: &[&str]) -> bool {
        self.word().is_some_and(|w| words.contains(&w))
    }

    /// Takes the current token if it is of `kind` (and, for a word, is `text`).
    fn take(&mut self, kind: Kind, text: Option<&str>) -> Option<Range<usize>> {
        let t = self.tokens.get(self.at).filter(|t| t.kind == kind && text.is_none_or(|w| self.text[t.range.clone()] == *w))?;
        self.at += 1;
        Some(t.range.clone())
    }

    /// The words from the current token on, up to the first operator or (when given) the
    /// word `until`.
    fn words(&mut self, until: Option<&str>) -> Vec<Range<usize>> {
        let mut words = Vec::new();
        while let Some(w) = self.word() {
            if until == Some(w) {
                break;
            }
            words.push(self.tokens[self.at].range.clone());
            self.at += 1;
        }
        words
    }

    /// The statements of the whole script and the `;` after them.
    fn script(&mut self) -> Option<(Vec<Statement>, Vec<Range<usize>>)> {
        let (mut statements, mut separators) = (Vec::new(), Vec::new());
        while self.at < self.tokens.len() {
            statements.push(self.statement()?);
            if self.at < self.tokens.len() {
                separators.push(self.take(Kind::Semi, None)?);
            }
        }
        Some((statements, separators))
    }

    /// The statements of a body, each ended by `;`, up to one of the keywords `ends`.
    fn body(&mut self, ends: &[&str]) -> Option<Vec<Statement>> {
        let mut statements = Vec::new();
        while !self.at_keyword(ends) {
            statements.push(self.statement()?);
            self.take(Kind::Semi, None)?;
        }
        (!statements.is_empty()).then_some(statements)
    }

    fn statement(&mut self) -> Option<Statement> {
        let mut statement = Statement { operands: vec![self.pipeline()?], ors: Vec::new() };
        while let Some(or) = self.tokens.get(self.at).and_then(|t| match t.kind {
            Kind::And => Some(false),
            Kind::Or => Some(true),
            _ => None,
        }) {
            self.at += 1;
            statement.ors.push(or);
            statement.operands.push(self.pipeline()?);
        }
        // tree-sitter-bash reads `a | b | c && d` as `a | (b | c && d)`.
        if statement.operands.len() > 1 && statement.operands[0].elements.len() > 2 {
            return None;
        }
        Some(statement)
    }

    fn pipeline(&mut self) -> Option<Pipeline> {
        let mut pipeline = Pipeline { elements: vec![self.element()?], bars: Vec::new() };
        while let Some(bar) = self.take(Kind::Bar, None) {
            pipeline.bars.push(bar);
            pipeline.elements.push(self.element()?);
        }
        if pipeline.elements.len() > 1 && pipeline.elements.iter().any(|e| !matches!(e, Element::Simple(_))) {
            return None;
        }
        Some(pipeline)
    }

    fn element(&mut self) -> Option<Element> {
        match self.word()? {
            opener @ ("for" | "while" | "until" | "if") => {
                if self.depth == MAX_DEPTH {
                    return None;
                }
                let read = match opener {
                    "for" => Reader::for_loop,
                    "if" => Reader::condition,
                    _ => Reader::while_loop,
                };
                self.depth += 1;
                let element = read(self);
                self.depth -= 1;
                element
            }
            "[" | "[[" => self.test(),
            _ => {
                let words = self.words(None);
                // A bracket that is no test's (`echo ]`).
                if words.iter().any(|w| bracket(&self.text[w.clone()])) {
                    return None;
                }
                Some(Element::Simple(words))
            }
        }
    }

    /// `for NAME in WORDS; do BODY; done`.
    fn for_loop(&mut self) -> Option<Element> {
        let start = self.take(Kind::Word, Some("for"))?.start;
        let name = self.word()?;
        let identifier = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
        if !identifier || keyword(name) {
            return None;
        }
        self.at += 1;
        self.take(Kind::Word, Some("in"))?;
        let values = self.words(None);
        let plain = |w: &Range<usize>| {
            let value = &self.text[w.clone()];
            !bracket(value) && !keyword(value)
        };
        if values.is_empty() || !values.iter().all(plain) {
            return None;
        }
        self.take(Kind::Semi, None)?;
        self.take(Kind::Word, Some("do"))?;
        let body = self.body(&["done"])?;
        let end = self.take(Kind::Word, Some("done"))?.end;
        Some(Element::Compound(start..end, vec![Part::Words(values[0].start..values[values.len() - 1].end), Part::Body(body)]))
    }

    /// `while BODY; do BODY; done` (or `until`).
    fn while_loop(&mut self) -> Option<Element> {
        let start = self.tokens[self.at].range.start;
        self.at += 1;
        let condition = self.body(&["do"])?;
        self.take(Kind::Word, Some("do"))?;
        let body = self.body(&["done"])?;
        let end = self.take(Kind::Word, Some("done"))?.end;
        Some(Element::Compound(start..end, vec![Part::Body(condition), Part::Body(body)]))
    }

    /// `if BODY; then BODY; [elif BODY; then BODY;]… [else BODY;] fi`.
    fn condition(&mut self) -> Option<Element> {
        let start = self.take(Kind::Word, Some("if"))?.start;
        let mut parts = Vec::new();
        loop {
            parts.push(Part::Body(self.body(&["then"])?));
            self.take(Kind::Word, Some("then"))?;
            parts.push(Part::Body(self.body(&["elif", "else", "fi"])?));
            if self.take(Kind::Word, Some("elif")).is_none() {
                break;
            }
        }
        if self.take(Kind::Word, Some("else")).is_some() {
            parts.push(Part::Body(self.body(&["fi"])?));
        }
        let end = self.take(Kind::Word, Some("fi"))?.end;
        Some(Element::Compound(start..end, parts))
    }

    /// `[ … ]` or `[[ … ]]` of one operand, a unary test (`-d x`) or a comparison
    /// (`a = b`, `$n -eq 0`).
    fn test(&mut self) -> Option<Element> {
        let open = self.tokens[self.at].range.clone();
        let close = if open.len() == 2 { "]]" } else { "]" };
        self.at += 1;
        let words = self.words(Some(close));
        let word = |i: usize| &self.text[words[i].clone()];
        // Not an operator, a bracket, a keyword or an `=`: tree-sitter-bash reads `[ =~ x ]`,
        // `[ if ]` and `[ A=1 ]` as commands.
        let operand = |w: &str| !w.starts_with('-') && !bracket(w) && !w.contains('=') && !keyword(w);
        let unary = |w: &str| w.len() == 2 && w.starts_with('-') && w.as_bytes()[1].is_ascii_alphabetic();
        let read = match words.len() {
            1 => operand(word(0)),
            2 => unary(word(0)) && operand(word(1)),
            3 => operand(word(0)) && BINARY_TESTS.contains(&word(1)) && operand(word(2)),
            _ => false,
        };
        if !read {
            return None;
        }
        let end = self.take(Kind::Word, Some(close))?.end;
        Some(Element::Test(open.start..end))
    }
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

/// The commands, pipes and substitutions of a script's statements, gathered in source order.
struct Gather<'a> {
    text: &'a str,
    script: &'a Script,
    substitutions: Vec<Substitution>,
    commands: Vec<Command>,
    pipes: Vec<Pipe>,
    subshells: Vec<Range<usize>>,
    /// A command outside substitutions changes the shell's state ([`STATEFUL`]).
    stateful: bool,
}

impl Gather<'_> {
    fn statement(&mut self, statement: &Statement) -> Option<()> {
        let text = self.text;
        for pipeline in &statement.operands {
            let in_pipeline = pipeline.elements.len() > 1;
            for element in &pipeline.elements {
                match element {
                    Element::Simple(words) => {
                        self.stateful |= STATEFUL.contains(&base(&text[words[0].clone()]));
                        self.commands.push(command(text, words, self.script, in_pipeline)?);
                        // The commands of its arguments' substitutions follow it (not in its
                        // name: the tree-sitter path does not look there).
                        let first = self.substitutions.partition_point(|s| s.range.start < words[0].start);
                        if self.substitutions.get(first).is_some_and(|s| s.range.start < words[0].end) {
                            return None;
                        }
                        self.substitutions_in(element.range())?;
                    }
                    Element::Test(range) => self.substitutions_in(range.clone())?,
                    Element::Compound(_, parts) => {
                        for part in parts {
                            match part {
                                Part::Words(range) => self.substitutions_in(range.clone())?,
                                Part::Body(statements) => {
                                    for statement in statements {
                                        self.statement(statement)?;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for (k, bar) in pipeline.bars.iter().enumerate() {
                let (Element::Simple(left), Element::Simple(right)) = (&pipeline.elements[k], &pipeline.elements[k + 1]) else {
                    return None;
                };
                let right_name = base(&text[right[0].clone()]);
                let right_args: Vec<String> = right[1..].iter().map(|w| text[w.clone()].to_string()).collect();
                let left_name = base(&text[left[0].clone()]);
                let left_end = left[left.len() - 1].end;
                self.pipes.push(Pipe {
                    range: self.script.map_range(bar.clone()),
                    left: Some(left_name.into()),
                    right: Some(right_name.into()),
                    left_only_writes_text: TEXT_WRITERS.contains(&left_name)
                        && self.substitutions.get(self.substitutions.partition_point(|s| s.range.start < left[0].start)).is_none_or(|s| s.range.start >= left_end),
                    right_stops_early: stops_early(right_name, &right_args),
                });
            }
        }
        Some(())
    }

    /// Adds the commands of the substitutions inside `range` (each lies inside one word; both
    /// are in source order).
    fn substitutions_in(&mut self, range: Range<usize>) -> Option<()> {
        let first = self.substitutions.partition_point(|s| s.range.start < range.start);
        for sub in self.substitutions[first..].iter().take_while(|s| s.range.start < range.end) {
            self.commands.push(command(self.text, &sub.words, self.script, false)?);
            self.subshells.push(self.script.map_range(sub.range.clone()));
        }
        Some(())
    }
}

/// Analyses `script` when it is a script this reader models.
pub(super) fn analyze(script: &Script) -> Option<Analysis> {
    let text = script.text.as_str();
    let (tokens, substitutions) = tokens(text)?;
    let (statements, separators) = Reader { text, tokens, at: 0, depth: 0 }.script()?;
    let mut gather = Gather { text, script, substitutions, commands: Vec::new(), pipes: Vec::new(), subshells: Vec::new(), stateful: false };
    let mut top = TopLevel { simple: true, ..Default::default() };
    for statement in &statements {
        gather.statement(statement)?;
        let first = statement.operands[0].range();
        let last = statement.operands[statement.operands.len() - 1].range();
        top.statements.push(first.start..last.end);
        top.has_or |= statement.ors.iter().any(|&or| or);
        top.has_and |= statement.ors.iter().any(|&or| !or);
        top.simple &= statement.operands.iter().flat_map(|p| &p.elements).all(|e| !matches!(e, Element::Compound(..)));
    }
    top.stateful = gather.stateful;
    top.separators = separators.into_iter().map(|r| (";".to_string(), r)).collect();
    if let [statement] = statements.as_slice() {
        if !statement.ors.contains(&true) {
            top.chain = statement.operands.iter().map(Pipeline::range).collect();
        }
    }
    Some(Analysis { commands: gather.commands, pipes: gather.pipes, subshells: gather.subshells, top })
}

/// The command of `words` (ranges in `script`), unless its name is one the tree-sitter path
/// reads otherwise or it runs a script of its own (`sh -c '…'`).
fn command(text: &str, words: &[Range<usize>], script: &Script, in_pipeline: bool) -> Option<Command> {
    let name = &text[words[0].clone()];
    if !plain_name(name) || keyword(name) {
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
