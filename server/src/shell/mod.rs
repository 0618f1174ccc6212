//! Shell analysis of RUN bodies with tree-sitter-bash: the commands a RUN executes, with their
//! arguments and exact ranges in the Dockerfile, across `&&`, `;`, `||`, pipes, subshells,
//! `if`/`for` bodies, line continuations, heredocs run by a shell and `sh -c '…'`.
//!
//! Docker removes comment lines inside a continuation before the shell sees the command; the
//! body is rebuilt the same way with a map back to Dockerfile offsets.

use std::ops::Range;
use std::sync::Arc;

use compact_str::CompactString;

use tree_sitter::{Node, Parser};

use crate::syntax::{Args, Instruction, Kind};

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

    /// The first positional argument, usually the subcommand (`install` in `apt-get install`).
    pub fn subcommand(&self) -> Option<&Arg> {
        self.args.iter().find(|a| !a.value.starts_with('-'))
    }
}

/// The shell script of a RUN, rebuilt as the shell sees it, with a map to Dockerfile offsets.
#[derive(Debug, Clone)]
pub struct Script {
    pub text: String,
    /// (offset in `text`, offset in the Dockerfile, length) for each copied segment.
    segments: Vec<(usize, usize, usize)>,
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
        let end = if r.end > r.start { self.map(r.end - 1) + 1 } else { start };
        start..end.max(start)
    }

    /// Shell-form text: comment lines inside continuations are dropped as Docker drops them.
    pub fn from_shell_form(src: &str, range: Range<usize>, comments: &[Range<usize>]) -> Script {
        let mut text = String::with_capacity(range.len());
        let mut segments = Vec::new();
        let mut pos = range.start;
        // Cut: comment lines (with their newline), and blanks between `\` and the newline
        // (Docker continues the line there; a shell would not).
        let mut cuts: Vec<Range<usize>> = comments
            .iter()
            .filter(|c| c.start >= range.start && c.end <= range.end)
            .map(|c| c.start..if src[c.end..].starts_with('\n') { c.end + 1 } else { c.end })
            .collect();
        let body = &src[range.clone()];
        let bytes = body.as_bytes();
        for (i, _) in body.match_indices('\\') {
            let mut j = i + 1;
            while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
                j += 1;
            }
            if j > i + 1 && (j == bytes.len() || bytes[j] == b'\n' || bytes[j] == b'\r') {
                cuts.push(range.start + i + 1..range.start + j);
            }
        }
        cuts.sort_by_key(|c| c.start);
        for c in cuts {
            if c.start < pos {
                continue;
            }
            if c.start > pos {
                segments.push((text.len(), pos, c.start - pos));
                text.push_str(&src[pos..c.start]);
            }
            pos = c.end;
        }
        if range.end > pos {
            segments.push((text.len(), pos, range.end - pos));
            text.push_str(&src[pos..range.end]);
        }
        Script { text, segments }
    }

    pub fn from_heredoc(src: &str, body: Range<usize>) -> Script {
        Script { text: src[body.clone()].to_string(), segments: vec![(0, body.start, body.len())] }
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
    pub pipes: Vec<Range<usize>>,
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
        for r in self.pipes.iter_mut().chain(&mut self.subshells) {
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
pub fn analyze_run_cached(src: &str, ins: &Instruction, comments: &[Range<usize>]) -> Arc<RunAnalysis> {
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
    let mut h = std::collections::hash_map::DefaultHasher::new();
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
    let r = Arc::new(analyze_run(src, ins, comments));
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= CAPACITY {
        map.clear();
    }
    map.insert(key, (range.start, r.clone()));
    r
}

/// Analyses every RUN of `df` into the cache [`analyze_run_cached`] reads, on all cores.
pub fn prefetch(src: &str, df: &crate::syntax::Dockerfile) {
    use rayon::prelude::*;
    df.instructions.par_iter().for_each(|ins| {
        analyze_run_cached(src, ins, &df.comments);
    });
}

/// Interpreters whose heredoc bodies are shell scripts.
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "/bin/sh", "/bin/bash", "/bin/ash", "/bin/dash", "/usr/bin/env"];

/// Analyses a RUN instruction. Exec form is not shell (except `["sh", "-c", "…"]`).
pub fn analyze_run(src: &str, ins: &Instruction, comments: &[Range<usize>]) -> RunAnalysis {
    let mut out = RunAnalysis::default();
    if ins.kind == Kind::Onbuild {
        // `ONBUILD RUN …`: the trigger's commands.
        return match &ins.nested {
            Some(n) if n.kind == Kind::Run => analyze_run(src, n, comments),
            _ => out,
        };
    }
    if ins.kind != Kind::Run {
        return out;
    }
    match &ins.args {
        Args::Shell(shell) => {
            // A heredoc body is the script when the marker is the whole command (`RUN <<EOF`)
            // or the command is a shell reading it (`RUN <<EOF bash -ex`). Otherwise the body
            // is stdin of some program (`RUN <<EOF python3`) and not shell.
            let words: Vec<&str> = shell.words(src).collect();
            let non_marker: Vec<&&str> = words.iter().filter(|w| !w.starts_with("<<")).collect();
            let marker_first = words.first().is_some_and(|w| w.starts_with("<<"));
            if marker_first && !ins.heredocs.is_empty() {
                let runs_shell = non_marker.first().is_none_or(|w| SHELLS.contains(w));
                if runs_shell {
                    for h in &ins.heredocs {
                        if let Some(body) = &h.body_range {
                            out.scripts.push(Script::from_heredoc(src, body.clone()));
                        }
                    }
                }
            } else {
                out.scripts.push(Script::from_shell_form(src, shell.range.clone(), comments));
            }
        }
        Args::Exec(words) => {
            // ["sh", "-c", "script"]: the script is shell, positions inside the JSON string
            // are approximate (escapes), so map to the string's range.
            if words.len() >= 3 && SHELLS.contains(&words[0].value.as_str()) && words[1].value == "-c" {
                let w = &words[2];
                out.scripts.push(Script { text: w.value.to_string(), segments: vec![(0, w.range.start + 1, w.value.len())] });
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
        for i in 0..out.scripts.len() {
            let script = out.scripts[i].clone();
            if let Some(tree) = parser.parse(&script.text, None) {
                walk(tree.root_node(), &script, &mut out, false, &mut parser, 0);
            }
        }
    });
    // Found in walking order; rules want them in source order.
    out.pipes.sort_by_key(|r| r.start);
    out.subshells.sort_by_key(|r| r.start);
    out
}

/// What is left to visit of one script's tree: a node to analyse, or a node to search only
/// for command substitutions (the arguments of a command).
enum Visit<'t> {
    Node(Node<'t>, bool),
    Substitutions(Node<'t>),
}

/// Collects the commands of a script's tree. With an explicit stack, not recursion: bash
/// nests a `&&` chain one level per command, and a RUN of a few thousand commands overflowed
/// the stack of the server's analysis threads.
fn walk(root: Node, script: &Script, out: &mut RunAnalysis, in_pipeline: bool, parser: &mut Parser, depth: usize) {
    let mut stack = vec![Visit::Node(root, in_pipeline)];
    // Children are pushed in reverse so that commands come out in source order.
    while let Some(visit) = stack.pop() {
        let (node, in_pipeline) = match visit {
            Visit::Substitutions(node) => {
                if node.kind() == "command_substitution" || node.kind() == "process_substitution" {
                    stack.push(Visit::Node(node, false));
                } else {
                    let mut c = node.walk();
                    let children: Vec<_> = node.named_children(&mut c).collect();
                    stack.extend(children.into_iter().rev().map(Visit::Substitutions));
                }
                continue;
            }
            Visit::Node(node, in_pipeline) => (node, in_pipeline),
        };
        // Read here once so that rules need not parse the script again.
        if depth == 0 && matches!(node.kind(), "subshell" | "command_substitution" | "process_substitution") {
            out.subshells.push(script.map_range(node.byte_range()));
        }
        match node.kind() {
            "pipeline" => {
                out.has_pipe = true;
                if depth == 0 {
                    let mut c = node.walk();
                    let pipes = node.children(&mut c).filter(|n| matches!(n.kind(), "|" | "|&"));
                    out.pipes.extend(pipes.map(|n| script.map_range(n.byte_range())));
                }
                let mut c = node.walk();
                let children: Vec<_> = node.named_children(&mut c).collect();
                stack.extend(children.into_iter().rev().map(|n| Visit::Node(n, true)));
                continue;
            }
            "declaration_command" => {
                // `export A=1`, `declare -x`, `local`, `readonly`: commands too.
                let text = &script.text;
                let mut c = node.walk();
                let mut parts = node.children(&mut c);
                if let Some(kw) = parts.next() {
                    let args = parts
                        .filter(|p| p.is_named())
                        .map(|p| Arg { value: unquote(&text[p.byte_range()]).into(), range: script.map_range(p.byte_range()) })
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
            "command" => {
                if let Some(cmd) = command(node, script, in_pipeline) {
                    // `sh -c '…'` and `bash -c "…"`: analyse the inner script too (its own
                    // tree, at most three levels deep).
                    let inner = (SHELLS.contains(&cmd.program()) || cmd.program() == "sh")
                        .then(|| cmd.args.iter().position(|a| a.value == "-c"))
                        .flatten()
                        .and_then(|i| cmd.args.get(i + 1))
                        .cloned();
                    out.commands.push(cmd);
                    if let (Some(arg), true) = (inner, depth < 3) {
                        let inner_script = Script { text: arg.value.to_string(), segments: vec![(0, arg.range.start + 1, arg.value.len())] };
                        if let Some(tree) = parser.parse(&inner_script.text, None) {
                            walk(tree.root_node(), &inner_script, out, false, parser, depth + 1);
                        }
                    }
                }
                // Command substitutions inside arguments run commands too.
                let mut c = node.walk();
                let children: Vec<_> = node.named_children(&mut c).filter(|n| n.kind() != "command_name").collect();
                stack.extend(children.into_iter().rev().map(Visit::Substitutions));
                continue;
            }
            _ => {}
        }
        let mut c = node.walk();
        let children: Vec<_> = node.named_children(&mut c).collect();
        stack.extend(children.into_iter().rev().map(|n| Visit::Node(n, in_pipeline)));
    }
}

const WRAPPERS: &[&str] = &["sudo", "env", "nice", "nohup", "time", "command", "exec", "xargs", "su-exec", "gosu", "chroot", "timeout"];

fn command(node: Node, script: &Script, in_pipeline: bool) -> Option<Command> {
    let text = &script.text;
    let name_node = node.child_by_field_name("name")?;
    let mut words: Vec<(String, Range<usize>)> = vec![(unquote(&text[name_node.byte_range()]), name_node.byte_range())];
    let mut c = node.walk();
    for arg in node.children_by_field_name("argument", &mut c) {
        words.push((unquote(&text[arg.byte_range()]), arg.byte_range()));
    }
    // Look through wrappers: `sudo apt-get install`, `env A=1 pip install`. `command -v x`
    // only looks a program up, so it stays `command`.
    let mut wrapper = None;
    let lookup = words[0].0 == "command" && words.get(1).is_some_and(|w| w.0 == "-v" || w.0 == "-V");
    let original = words.clone();
    while !lookup && words.len() > 1 && WRAPPERS.contains(&words[0].0.rsplit('/').next().unwrap_or("")) {
        let w = words.remove(0).0;
        // Skip the wrapper's own options and `VAR=value` assignments (`env`).
        while words.len() > 1 && (words[0].0.starts_with('-') || (w == "env" && words[0].0.contains('='))) {
            let opt = words.remove(0).0;
            if w == "sudo" && ["-u", "-g", "-C"].contains(&opt.as_str()) && words.len() > 1 {
                words.remove(0);
            }
            if w == "timeout" && words.len() > 1 && words[0].0.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                words.remove(0);
            }
        }
        if w == "timeout" && words.len() > 1 && words[0].0.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            words.remove(0);
        }
        wrapper.get_or_insert(w);
    }
    // `sudo -i`: only the wrapper's options were there; the wrapper is the command.
    if words.first().is_some_and(|w| w.0.starts_with('-')) {
        words = original;
        wrapper = None;
    }
    let (name, name_range) = words.remove(0);
    Some(Command {
        name: name.into(),
        name_range: script.map_range(name_range),
        args: words.into_iter().map(|(value, r)| Arg { value: value.into(), range: script.map_range(r) }).collect(),
        range: script.map_range(node.byte_range()),
        in_pipeline,
        wrapper,
    })
}

/// Shell word → its value: quotes removed, `\x` → `x`, continuations dropped.
fn unquote(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
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
