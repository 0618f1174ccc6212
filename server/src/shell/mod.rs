//! Shell analysis of RUN bodies: the commands a RUN executes, with their arguments and exact
//! ranges in the Dockerfile, across `&&`, `;`, `||`, pipes, subshells, `if`/`for` bodies, line
//! continuations, heredocs run by a shell and `sh -c '…'`. One-line scripts of plain commands,
//! loops, conditions and tests are read without a tree ([`simple`]); the others with
//! tree-sitter-bash.
//!
//! BuildKit joins a continued command line before the shell sees it (escape and line break
//! removed, comment and empty lines dropped); the script is rebuilt the same way, with a map
//! back to Dockerfile offsets.

use std::ops::Range;
use std::sync::Arc;

use compact_str::CompactString;

use tree_sitter::{Node, Parser};

use crate::syntax::{Args, Heredoc, Instruction, Kind, ShellText};

mod pipes;
mod simple;
pub mod structure;
pub use pipes::Pipe;

/// One simple command.
#[derive(Debug, Clone)]
pub struct Command {
    /// The program name as written (`apt-get`, `/usr/bin/pip3`). Inline strings (up to 24
    /// bytes): a moved analysis is copied on most keystrokes, and most names and arguments fit.
    pub name: CompactString,
    pub name_range: Range<usize>,
    pub args: Vec<Arg>,
    /// The whole command in the Dockerfile.
    pub range: Range<usize>,
    /// Part of a pipeline (`a | b`).
    pub in_pipeline: bool,
    /// Run through `sudo`, `env`, `nice`, …: the wrapper's name.
    pub wrapper: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Arg {
    /// The text with quotes removed (expansions kept as written).
    pub value: CompactString,
    pub range: Range<usize>,
}

impl Command {
    /// The program's base name (`/usr/bin/pip3` → `pip3`).
    pub fn program(&self) -> &str {
        // A plain byte loop: names are short and this runs for every command in every rule.
        match self.name.bytes().rposition(|b| b == b'/') {
            Some(i) => &self.name[i + 1..],
            None => &self.name,
        }
    }

    pub fn has_flag(&self, names: &[&str]) -> bool {
        self.args.iter().any(|a| names.iter().any(|n| a.value == *n || (n.starts_with("--") && a.value.starts_with(&format!("{n}=")))))
            || self.has_short_flag(names)
    }

    /// Short options bundled like `-qy` contain `-y`.
    fn has_short_flag(&self, names: &[&str]) -> bool {
        let shorts: Vec<char> = names
            .iter()
            .filter(|n| n.len() == 2 && n.starts_with('-') && !n.starts_with("--"))
            .filter_map(|n| n.chars().nth(1))
            .collect();
        if shorts.is_empty() {
            return false;
        }
        self.args.iter().any(|a| {
            a.value.starts_with('-') && !a.value.starts_with("--") && a.value[1..].chars().any(|c| shorts.contains(&c))
        })
    }

    /// Positional arguments (not starting with `-`), skipping the values of options listed in
    /// `takes_value`.
    pub fn positionals<'a>(&'a self, takes_value: &'a [&'a str]) -> impl Iterator<Item = &'a Arg> + 'a {
        let mut skip_next = false;
        self.args.iter().filter(move |a| {
            if skip_next {
                skip_next = false;
                return false;
            }
            if a.value.starts_with('-') {
                if takes_value.contains(&a.value.as_str()) {
                    skip_next = true;
                }
                return false;
            }
            true
        })
    }

    /// The script a shell runs from its arguments (`sh -c '…'`, `bash -c "…"`).
    pub fn inline_script(&self) -> Option<&Arg> {
        if !SHELLS.contains(&self.program()) && self.program() != "sh" {
            return None;
        }
        let c = self.args.iter().position(|a| a.value == "-c")?;
        self.args.get(c + 1)
    }

    /// The first positional argument, usually the subcommand (`install` in `apt-get install`).
    pub fn subcommand(&self) -> Option<&Arg> {
        self.args.iter().find(|a| !a.value.starts_with('-'))
    }
}

/// The shell script of a RUN, rebuilt as the shell sees it, with a map to Dockerfile offsets.
#[derive(Debug, Clone)]
pub struct Script {
    pub text: String,
    /// (offset in `text`, offset in the Dockerfile, length) for each copied segment. Text
    /// added without a source (the line break before a heredoc body) maps to the end of the
    /// segment before it.
    segments: Vec<(usize, usize, usize)>,
    /// The program that runs the script when it is not the stage's shell: a heredoc's
    /// interpreter (`RUN <<EOF bash`), a body's `#!` line, or the shell of `["bash", "-c", …]`.
    pub interpreter: Option<CompactString>,
    /// The script's top level (`structure::top_level`), worked out once: the fixes that read
    /// it run on every lint of a changed RUN, and parsing the script again each time made
    /// cache-mount and cd-in-run the slowest rules of RUN-dense files.
    pub(crate) top_level: std::sync::OnceLock<Option<structure::TopLevel>>,
}

impl Script {
    /// The Dockerfile offset of a script offset.
    pub fn map(&self, offset: usize) -> usize {
        let i = self.segments.partition_point(|(s, _, _)| *s <= offset).saturating_sub(1);
        match self.segments.get(i) {
            Some((s, o, len)) => o + (offset - s).min(*len),
            None => offset,
        }
    }

    pub fn map_range(&self, r: Range<usize>) -> Range<usize> {
        let start = self.map(r.start);
        // The end after the range's last byte; a last byte in added text (a heredoc's
        // delimiter written for a body that never ends) ends where that text is mapped.
        let end = match r.end.checked_sub(1).filter(|_| r.end > r.start) {
            Some(last) => {
                let i = self.segments.partition_point(|(s, _, _)| *s <= last).saturating_sub(1);
                match self.segments.get(i) {
                    Some((s, o, len)) if last - s < *len => o + (last - s) + 1,
                    Some((_, o, len)) => o + len,
                    None => last + 1,
                }
            }
            None => start,
        };
        start..end.max(start)
    }

    /// Appends `src[range]` as it is.
    fn copy(&mut self, src: &str, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        self.segments.push((self.text.len(), range.start, range.len()));
        self.text.push_str(&src[range]);
    }

    /// Appends `src[range]` with the `\r` of each CRLF left out, as BuildKit reads lines.
    fn copy_lines(&mut self, src: &str, range: Range<usize>) {
        let mut pos = range.start;
        for (i, _) in src[range.clone()].match_indices("\r\n") {
            let cr = range.start + i;
            self.copy(src, pos..cr);
            pos = cr + 1;
        }
        self.copy(src, pos..range.end);
    }

    /// Shell-form text as BuildKit hands it to the shell: the physical lines joined, each
    /// continuation (escape, trailing blanks, line break) removed and the comment and empty
    /// lines inside it dropped; the blanks before the escape and the next line's indentation
    /// stay. Heredoc bodies follow on their own lines, each ended by its delimiter, as
    /// BuildKit writes them for the shell (`cat <<EOF > /x`).
    pub fn from_shell_form(src: &str, shell: &ShellText, heredocs: &[Heredoc]) -> Script {
        let mut script = Script { text: String::with_capacity(shell.range.len()), segments: Vec::new(), interpreter: None, top_level: Default::default() };
        let mut previous: Option<usize> = None;
        for fragment in &shell.fragments {
            if let Some(end) = previous {
                // Between two fragments: blanks, or (across lines) blanks, the escape, blanks,
                // the line break, empty and comment lines, then the next line's indentation.
                // Only a continuation's escape can be there: any other text is a fragment.
                let gap = &src[end..fragment.start];
                match (gap.find(['\\', '`']), gap.rfind('\n')) {
                    (Some(escape), Some(newline)) if escape < newline => {
                        script.copy(src, end..end + escape);
                        script.copy(src, end + newline + 1..fragment.start);
                    }
                    _ => script.copy(src, end..fragment.start),
                }
            }
            script.copy(src, fragment.clone());
            previous = Some(fragment.end);
        }
        for h in heredocs {
            script.text.push('\n');
            if let Some(body) = &h.body_range {
                script.copy_lines(src, body.clone());
            }
            match &h.end_range {
                Some(end) => script.copy(src, end.clone()),
                None => script.text.push_str(&h.delimiter),
            }
        }
        script
    }

    /// The part `range` of this script, mapped as this script maps it.
    fn sub(&self, range: Range<usize>) -> Script {
        let mut segments = Vec::new();
        for &(s, o, len) in &self.segments {
            let (start, end) = (s.max(range.start), (s + len).min(range.end));
            if start < end {
                segments.push((start - range.start, o + (start - s), end - start));
            }
        }
        Script { text: self.text[range].to_string(), segments, interpreter: None, top_level: Default::default() }
    }

    pub fn from_heredoc(src: &str, body: Range<usize>) -> Script {
        let mut script = Script { text: String::with_capacity(body.len()), segments: Vec::new(), interpreter: None, top_level: Default::default() };
        script.copy_lines(src, body);
        script
    }

    /// A script given as one argument (`sh -c '…'`, `["sh", "-c", "…"]`): its value, mapped
    /// from the first character after the opening quote at `start`.
    fn from_argument(value: &str, start: usize) -> Script {
        Script { text: value.to_string(), segments: vec![(0, start, value.len())], interpreter: None, top_level: Default::default() }
    }
}

/// What a RUN executes: its scripts (shell form, or heredocs a shell runs) and the commands.
#[derive(Debug, Clone, Default)]
pub struct RunAnalysis {
    pub commands: Vec<Command>,
    pub scripts: Vec<Script>,
    /// A pipe appears somewhere (for the pipefail rule).
    pub has_pipe: bool,
    /// The `|` and `|&` joining pipelines in the RUN's own scripts (not in `sh -c '…'`
    /// inside them), in source order.
    pub pipes: Vec<Pipe>,
    /// Subshells, command and process substitutions of the RUN's own scripts, by start.
    pub subshells: Vec<Range<usize>>,
}

impl crate::syntax::shift::Shift for Command {
    fn shift(&mut self, delta: isize) {
        self.name_range.shift(delta);
        self.range.shift(delta);
        for a in &mut self.args {
            a.range.shift(delta);
        }
    }
}

impl crate::syntax::shift::Shift for RunAnalysis {
    fn shift(&mut self, delta: isize) {
        self.commands.shift(delta);
        self.pipes.shift(delta);
        for r in &mut self.subshells {
            r.shift(delta);
        }
        for s in &mut self.scripts {
            for seg in &mut s.segments {
                seg.1 = (seg.1 as isize + delta) as usize;
            }
        }
    }
}

/// [`analyze_run`] with reuse: an unchanged RUN analysed before (same text, same escape) is
/// shared if it did not move and moved to its new offset (a copy) if it did. Every other
/// instruction shares one empty analysis. A keystroke's lint run asks this for every
/// instruction: sharing instead of copying saves most of the allocations a copy makes (tens
/// of thousands of strings and vectors at 5,000 lines).
pub fn analyze_run_cached(src: &str, ins: &Instruction) -> Arc<RunAnalysis> {
    use std::collections::HashMap;
    use std::hash::{Hash, Hasher};
    use std::sync::{Mutex, OnceLock};

    use crate::syntax::shift::Shift;

    static EMPTY: OnceLock<Arc<RunAnalysis>> = OnceLock::new();
    if ins.kind != Kind::Run && !(ins.kind == Kind::Onbuild && ins.nested.as_ref().is_some_and(|n| n.kind == Kind::Run)) {
        return EMPTY.get_or_init(Default::default).clone();
    }
    /// Text hash → (last use, analysis).
    type Cache = Mutex<HashMap<u64, (usize, Arc<RunAnalysis>)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    const CAPACITY: usize = 50_000;
    let range = ins.range.clone();
    let mut h = crate::keys::hasher();
    (range.len(), &src[range.clone()]).hash(&mut h);
    let key = h.finish();
    let cache = CACHE.get_or_init(Default::default);
    let hit = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
    if let Some((start, hit)) = hit {
        let delta = range.start as isize - start as isize;
        if delta == 0 {
            return hit;
        }
        // Copied and moved outside the lock (the other lint threads look up meanwhile).
        let mut moved = RunAnalysis::clone(&hit);
        moved.shift(delta);
        return Arc::new(moved);
    }
    let r = Arc::new(analyze_run(src, ins));
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= CAPACITY {
        map.clear();
    }
    map.insert(key, (range.start, r.clone()));
    r
}

/// Parses shell text with tree-sitter-bash (one parser per thread, reused), for the few
/// places that need a tree the shell analysis does not keep (fixes, heredoc statements).
pub fn parse_bash(text: &str) -> Option<tree_sitter::Tree> {
    thread_local! {
        static PARSER: std::cell::RefCell<Option<Parser>> = std::cell::RefCell::new({
            let mut p = Parser::new();
            p.set_language(&tree_sitter_bash::LANGUAGE.into()).ok().map(|_| p)
        });
    }
    PARSER.with(|cell| cell.borrow_mut().as_mut()?.parse(text, None))
}

/// Analyses every RUN of `df` on all cores (kept on each instruction, see [`run_analysis`]).
pub fn prefetch(src: &str, df: &crate::syntax::Dockerfile) {
    use rayon::prelude::*;
    df.instructions.par_iter().for_each(|ins| {
        run_analysis(src, ins);
    });
}

/// The shell analysis of `ins`, kept on the instruction (`lint::memo`): an instruction moved
/// over from the previous version's model has it already, without a look-up by the hash of
/// its text in [`analyze_run_cached`].
pub fn run_analysis(src: &str, ins: &Instruction) -> Arc<RunAnalysis> {
    ins.memo.shell.get_or_init(|| analyze_run_cached(src, ins)).clone()
}

/// Interpreters whose heredoc bodies are shell scripts.
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "/bin/sh", "/bin/bash", "/bin/ash", "/bin/dash", "/usr/bin/env"];

/// Shell programs by base name (`/bin/bash` → `bash`), for `#!` lines and heredoc interpreters.
const SHELL_NAMES: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"];

/// The program a `#!` line names: its base name, looking through `env` (and its options)
/// to the program it starts (`#!/usr/bin/env -S bash -e` → `bash`).
pub fn shebang_program(line: &str) -> Option<&str> {
    let mut words = line.strip_prefix("#!")?.split_whitespace().map(|w| w.rsplit('/').next().unwrap_or(w));
    let first = words.next()?;
    if first != "env" {
        return Some(first);
    }
    words.find(|w| !w.starts_with('-') && !w.contains('='))
}

/// The interpreter of `RUN <<EOF word …`: the first word after the markers, through
/// `/usr/bin/env`; `None` when the marker stands alone.
fn heredoc_interpreter<'a>(words: &[&'a str]) -> Option<&'a str> {
    let mut rest = words.iter().filter(|w| !w.starts_with("<<")).map(|w| w.rsplit('/').next().unwrap_or(w));
    let first = rest.next()?;
    if first != "env" {
        return Some(first);
    }
    rest.find(|w| !w.starts_with('-') && !w.contains('='))
}

/// Analyses a RUN instruction. Exec form is not shell (except `["sh", "-c", "…"]`).
///
/// `comments` is not needed by the shell form any more (its comment lines lie between the
/// fragments of the command line, which is all the script is built from); it is kept so the
/// callers stay as they are.
pub fn analyze_run(src: &str, ins: &Instruction) -> RunAnalysis {
    let mut out = RunAnalysis::default();
    if ins.kind == Kind::Onbuild {
        // `ONBUILD RUN …`: the trigger's commands.
        return match &ins.nested {
            Some(n) if n.kind == Kind::Run => analyze_run(src, n),
            _ => out,
        };
    }
    if ins.kind != Kind::Run {
        return out;
    }
    match &ins.args {
        Args::Shell(shell) => {
            // A heredoc body is the script when the marker is the whole command (`RUN <<EOF`,
            // run by the stage's shell unless a `#!` line names another program) or the
            // command is a shell reading it (`RUN <<EOF bash -ex`). Otherwise the body is
            // stdin of some program (`RUN <<EOF python3`) and not shell.
            let words: Vec<&str> = shell.words(src).collect();
            let marker_first = words.first().is_some_and(|w| w.starts_with("<<"));
            if marker_first && !ins.heredocs.is_empty() {
                let interpreter = heredoc_interpreter(&words);
                for h in &ins.heredocs {
                    let Some(body) = &h.body_range else { continue };
                    let program = match interpreter {
                        Some(program) => Some(program),
                        None => shebang_program(src[body.clone()].lines().next().unwrap_or("")),
                    };
                    if program.is_some_and(|p| !SHELL_NAMES.contains(&p)) {
                        continue;
                    }
                    let mut script = Script::from_heredoc(src, body.clone());
                    script.interpreter = program.map(Into::into);
                    out.scripts.push(script);
                }
            } else {
                out.scripts.push(Script::from_shell_form(src, shell, &ins.heredocs));
            }
        }
        Args::Exec(words) => {
            // ["sh", "-c", "script"]: the script is shell, positions inside the JSON string
            // are approximate (escapes), so map to the string's range.
            if words.len() >= 3 && SHELLS.contains(&words[0].value.as_str()) && words[1].value == "-c" {
                let w = &words[2];
                let mut script = Script::from_argument(&w.value, w.range.start + 1);
                let program = words[0].value.rsplit('/').next().unwrap_or(&words[0].value);
                script.interpreter = Some(program.into());
                out.scripts.push(script);
            } else if let Some(first) = words.first() {
                // `["apt-get", "install", "curl"]`: one command, no shell.
                out.commands.push(Command {
                    name: first.value.as_str().into(),
                    name_range: first.range.clone(),
                    args: words[1..].iter().map(|w| Arg { value: w.value.as_str().into(), range: w.range.clone() }).collect(),
                    range: first.range.start..words.last().map_or(first.range.end, |w| w.range.end),
                    in_pipeline: false,
                    wrapper: None,
                });
            }
        }
        _ => {}
    }
    if out.scripts.is_empty() {
        return out;
    }
    let scripts = std::mem::take(&mut out.scripts);
    for script in &scripts {
        // The top level is kept: the merge, cache-mount and split-at-cd fixes read it for most
        // RUNs of a RUN-dense file.
        let _ = script.top_level.set(analyze_script(script, &mut out));
    }
    out.scripts = scripts;
    // Found in walking order; rules want them in source order.
    out.pipes.sort_by_key(|p| p.range.start);
    out.subshells.sort_by_key(|r| r.start);
    out
}

/// Adds the commands, pipes and substitutions of one script to `out`; its top level (`None`
/// for a syntax error). Most scripts are a line of plain commands, read without a tree
/// ([`simple`]); the others are parsed with tree-sitter-bash.
fn analyze_script(script: &Script, out: &mut RunAnalysis) -> Option<structure::TopLevel> {
    if !script.text.contains('\n') {
        if let Some(read) = simple::analyze(script) {
            return Some(read.add_to(out));
        }
    }
    analyze_script_with_tree(script, out)
}

/// [`analyze_script`] with tree-sitter-bash, whatever the script.
fn analyze_script_with_tree(script: &Script, out: &mut RunAnalysis) -> Option<structure::TopLevel> {
    // One bash parser per thread, reused for every RUN.
    thread_local! {
        static PARSER: std::cell::RefCell<Parser> = std::cell::RefCell::new({
            let mut p = Parser::new();
            p.set_language(&tree_sitter_bash::LANGUAGE.into()).expect("tree-sitter-bash matches the tree-sitter runtime");
            p
        });
    }
    PARSER.with(|cell| {
        let mut parser = cell.borrow_mut();
        let tree = parser.parse(&script.text, None)?;
        let mut seen = structure::Seen::default();
        walk(tree.root_node(), script, out, false, &mut parser, 0, &mut seen);
        // The top level from this tree and what the walk saw: parsing each script again for
        // it (or walking its tree a second time) was a seventh of a cold open.
        structure::of_tree_seen(tree.root_node(), script, Some(seen))
    })
}

/// Both ways of analysing the one-line script `text`, compared: `None` when the tree-free
/// reader declines it, else `Err` with both results when they differ. For the tests and the
/// corpus check (`examples/shell_paths.rs`) that hold [`simple`] to its invariant.
#[doc(hidden)]
pub fn compare_paths(text: &str) -> Option<Result<(), String>> {
    let script = Script::from_argument(text, 0);
    let fast = simple::analyze(&script)?;
    let mut a = RunAnalysis::default();
    let top_a = fast.add_to(&mut a);
    let mut b = RunAnalysis::default();
    let top_b = analyze_script_with_tree(&script, &mut b);
    b.pipes.sort_by_key(|p| p.range.start);
    let show = |r: &RunAnalysis, top: Option<&structure::TopLevel>| {
        format!("{:#?}\n{:#?}\nhas_pipe {}\n{:#?}\n{:#?}", r.commands, r.pipes, r.has_pipe, r.subshells, top)
    };
    let (x, y) = (show(&a, Some(&top_a)), show(&b, top_b.as_ref()));
    Some(if x == y { Ok(()) } else { Err(format!("script {text:?}\n--- without a tree:\n{x}\n--- tree-sitter-bash:\n{y}")) })
}

/// What is left to visit of one script's tree: a node to analyse, or a node to search only
/// for command substitutions (the arguments of a command).
/// The flag after the node says whether it is inside a subshell or a substitution (its shell
/// state does not reach the commands after it).
enum Visit<'t> {
    Node(Node<'t>, bool, bool),
    Substitutions(Node<'t>, bool),
}

/// Collects the commands of a script's tree. With an explicit stack, not recursion: bash
/// nests a `&&` chain one level per command, and a RUN of a few thousand commands overflowed
/// the stack of the server's analysis threads.
/// `seen` collects, for the script's own level (`depth` 0), the comments and the shell state
/// set outside subshells ([`structure::TopLevel`]).
fn walk(root: Node, script: &Script, out: &mut RunAnalysis, in_pipeline: bool, parser: &mut Parser, depth: usize, seen: &mut structure::Seen) {
    let k = kinds();
    let mut stack = vec![Visit::Node(root, in_pipeline, false)];
    // One cursor and one list of children for the whole walk: a fresh one per node was a
    // third of the walk.
    let mut cursor = root.walk();
    let mut children: Vec<Node> = Vec::new();
    // Children are pushed in reverse so that commands come out in source order.
    while let Some(visit) = stack.pop() {
        let (node, in_pipeline, in_sub) = match visit {
            Visit::Substitutions(node, in_sub) => {
                let kind = node.kind_id();
                if kind == k.command_substitution || kind == k.process_substitution {
                    stack.push(Visit::Node(node, false, in_sub));
                } else {
                    if kind == k.comment && depth == 0 && !in_sub {
                        seen.comments = true;
                    }
                    children.extend(node.named_children(&mut cursor));
                    stack.extend(children.drain(..).rev().map(|n| Visit::Substitutions(n, in_sub)));
                }
                continue;
            }
            Visit::Node(node, in_pipeline, in_sub) => (node, in_pipeline, in_sub),
        };
        let kind = node.kind_id();
        if depth == 0 && !in_sub {
            seen.note(k, kind, node, script);
        }
        // Everything below a subshell or substitution runs apart from the script's state.
        let substitution = kind == k.subshell || kind == k.command_substitution || kind == k.process_substitution;
        let in_sub = in_sub || substitution;
        // Read here once so that rules need not parse the script again.
        if depth == 0 && substitution {
            out.subshells.push(script.map_range(node.byte_range()));
        }
        if kind == k.pipeline {
            out.has_pipe = true;
            if depth == 0 {
                out.pipes.extend(pipes::of_pipeline(node, script));
            }
            children.extend(node.named_children(&mut cursor));
            stack.extend(children.drain(..).rev().map(|n| Visit::Node(n, true, in_sub)));
            continue;
        }
        if kind == k.declaration_command {
            // `export A=1`, `declare -x`, `local`, `readonly`: commands too.
            let text = &script.text;
            let mut parts = node.children(&mut cursor);
            if let Some(kw) = parts.next() {
                let args = parts
                    .filter(|p| p.is_named())
                    .map(|p| Arg { value: unquote(&text[p.byte_range()]), range: script.map_range(p.byte_range()) })
                    .collect();
                out.commands.push(Command {
                    name: text[kw.byte_range()].into(),
                    name_range: script.map_range(kw.byte_range()),
                    args,
                    range: script.map_range(node.byte_range()),
                    in_pipeline,
                    wrapper: None,
                });
            }
            continue;
        }
        if kind == k.command {
            if let Some(cmd) = command(node, script, in_pipeline, &mut cursor) {
                // `sh -c '…'` and `bash -c "…"`: analyse the inner script too (its own
                // tree, at most three levels deep).
                let inner = cmd.inline_script().cloned();
                out.commands.push(cmd);
                if let (Some(arg), true) = (inner, depth < 3) {
                    let inner_script = inner_script(node, script, &arg);
                    if let Some(tree) = parser.parse(&inner_script.text, None) {
                        walk(tree.root_node(), &inner_script, out, false, parser, depth + 1, seen);
                    }
                }
            }
            // Command substitutions inside arguments run commands too.
            children.extend(node.named_children(&mut cursor).filter(|n| n.kind_id() != k.command_name));
            stack.extend(children.drain(..).rev().map(|n| Visit::Substitutions(n, in_sub)));
            continue;
        }
        children.extend(node.named_children(&mut cursor));
        stack.extend(children.drain(..).rev().map(|n| Visit::Node(n, in_pipeline, in_sub)));
    }
}

/// The tree-sitter-bash node kinds and fields the walk tells apart, by id: a node's kind as a
/// name is a C string turned into a `&str` on every call.
pub(crate) struct Kinds {
    pub comment: u16,
    pub pipeline: u16,
    pub declaration_command: u16,
    pub unset_command: u16,
    pub function_definition: u16,
    pub variable_assignment: u16,
    pub variable_assignments: u16,
    pub command: u16,
    pub command_name: u16,
    pub subshell: u16,
    pub command_substitution: u16,
    pub process_substitution: u16,
    pub name: std::num::NonZeroU16,
    pub argument: std::num::NonZeroU16,
}

pub(crate) fn kinds() -> &'static Kinds {
    static KINDS: std::sync::OnceLock<Kinds> = std::sync::OnceLock::new();
    KINDS.get_or_init(|| {
        let bash: tree_sitter::Language = tree_sitter_bash::LANGUAGE.into();
        let kind = |name: &str| {
            let id = bash.id_for_node_kind(name, true);
            assert_ne!(id, 0, "tree-sitter-bash has no node kind {name}");
            id
        };
        let field = |name: &str| bash.field_id_for_name(name).unwrap_or_else(|| panic!("tree-sitter-bash has no field {name}"));
        Kinds {
            comment: kind("comment"),
            pipeline: kind("pipeline"),
            declaration_command: kind("declaration_command"),
            unset_command: kind("unset_command"),
            function_definition: kind("function_definition"),
            variable_assignment: kind("variable_assignment"),
            variable_assignments: kind("variable_assignments"),
            command: kind("command"),
            command_name: kind("command_name"),
            subshell: kind("subshell"),
            command_substitution: kind("command_substitution"),
            process_substitution: kind("process_substitution"),
            name: field("name"),
            argument: field("argument"),
        }
    })
}

/// The script of `sh -c ARG` (`arg`, an argument of the command `node` in `script`): when the
/// argument is one quoted string whose value is its text (no escapes), every offset maps
/// through `script` exactly, across the continuations it spans; otherwise from the argument's
/// first character on.
fn inner_script(node: Node, script: &Script, arg: &Arg) -> Script {
    let mut c = node.walk();
    let local = node
        .children_by_field_name("argument", &mut c)
        .map(|a| a.byte_range())
        .find(|r| script.map_range(r.clone()) == arg.range);
    if let Some(r) = local.filter(|r| r.len() >= 2) {
        let raw = &script.text[r.clone()];
        let quoted = (raw.starts_with('"') && raw.ends_with('"')) || (raw.starts_with('\'') && raw.ends_with('\''));
        if quoted && raw[1..raw.len() - 1] == *arg.value {
            return script.sub(r.start + 1..r.end - 1);
        }
    }
    Script::from_argument(&arg.value, arg.range.start + 1)
}

const WRAPPERS: &[&str] = &["sudo", "env", "nice", "nohup", "time", "command", "exec", "xargs", "su-exec", "gosu", "chroot", "timeout"];

fn command<'t>(node: Node<'t>, script: &Script, in_pipeline: bool, cursor: &mut tree_sitter::TreeCursor<'t>) -> Option<Command> {
    let text = &script.text;
    let k = kinds();
    let name_node = node.child_by_field_id(k.name.get())?;
    let mut words: Vec<(CompactString, Range<usize>)> = vec![(unquote(&text[name_node.byte_range()]), name_node.byte_range())];
    for arg in node.children_by_field_id(k.argument, cursor) {
        words.push((unquote(&text[arg.byte_range()]), arg.byte_range()));
    }
    Some(command_of_words(words, node.byte_range(), script, in_pipeline))
}

/// The command of `words` (each its value and its range in `script`, the name first; at
/// least one), spanning `range` of `script`.
fn command_of_words(words: Vec<(CompactString, Range<usize>)>, range: Range<usize>, script: &Script, in_pipeline: bool) -> Command {
    // Look through wrappers: `sudo apt-get install`, `env A=1 pip install`. `command -v x`
    // only looks a program up, so it stays `command`. `k` is where the program is.
    let lookup = words[0].0 == "command" && words.get(1).is_some_and(|w| w.0 == "-v" || w.0 == "-V");
    let digit = |w: &(CompactString, Range<usize>)| w.0.starts_with(|c: char| c.is_ascii_digit());
    let mut k = 0;
    let mut wrapper = None;
    while !lookup && words.len() - k > 1 && WRAPPERS.contains(&words[k].0.rsplit('/').next().unwrap_or("")) {
        let w = words[k].0.as_str();
        wrapper.get_or_insert(k);
        k += 1;
        // Skip the wrapper's own options and `VAR=value` assignments (`env`).
        while words.len() - k > 1 && (words[k].0.starts_with('-') || (w == "env" && words[k].0.contains('='))) {
            let opt = words[k].0.as_str();
            k += 1;
            if w == "sudo" && ["-u", "-g", "-C"].contains(&opt) && words.len() - k > 1 {
                k += 1;
            }
            if w == "timeout" && words.len() - k > 1 && digit(&words[k]) {
                k += 1;
            }
        }
        if w == "timeout" && words.len() - k > 1 && digit(&words[k]) {
            k += 1;
        }
    }
    // `sudo -i`: only the wrapper's options were there; the wrapper is the command.
    if words[k].0.starts_with('-') {
        k = 0;
        wrapper = None;
    }
    let wrapper = wrapper.map(|w| words[w].0.to_string());
    let mut words = words.into_iter().skip(k);
    let (name, name_range) = words.next().expect("the program's word");
    Command {
        name,
        name_range: script.map_range(name_range),
        args: words.map(|(value, r)| Arg { value, range: script.map_range(r) }).collect(),
        range: script.map_range(range),
        in_pipeline,
        wrapper,
    }
}

/// Shell word → its value: quotes removed, `\x` → `x`, continuations dropped.
fn unquote(word: &str) -> CompactString {
    // Most words have nothing to remove (and fit inline).
    if !word.bytes().any(|b| matches!(b, b'\\' | b'"' | b'\'')) {
        return word.into();
    }
    let mut out = CompactString::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\\') => match chars.next() {
                Some('\n') | None => {}
                Some(n) => out.push(n),
            },
            (Some('"'), '\\') => match chars.peek() {
                Some(&n) if "\"\\$`\n".contains(n) => {
                    chars.next();
                    if n != '\n' {
                        out.push(n);
                    }
                }
                _ => out.push('\\'),
            },
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
