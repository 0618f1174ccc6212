//! RUN bodies laid out from their tree-sitter-bash tree: one command of an `&&`/`||`/`;` list
//! per line, operators at the start or the end of the lines, and a command too long for the
//! line width with its arguments one per line. Only the blanks and continuations between
//! tokens change; every token keeps its text. The result is parsed again and must give the
//! same tree (whitespace and continuations aside), else the body is left as it is.

use std::ops::Range;

use tree_sitter::Node;

use super::gap::{self, Gap};
use super::options::OperatorPlacement;
use super::{Edit, Layout};
use crate::shell::{parse_bash, Script};
use crate::syntax::ShellText;

/// Nodes whose text is compared and kept whole: a string's inside is not laid out.
const ATOMIC: &[&str] = &["string", "raw_string", "ansi_c_string", "translated_string", "word", "number", "comment"];

/// Commands that hold other commands.
const COMPOUND: &[&str] = &[
    "compound_statement", "subshell", "if_statement", "for_statement", "c_style_for_statement", "while_statement",
    "case_statement", "function_definition",
];

enum Item<'t> {
    Elem(Node<'t>),
    Op(Node<'t>),
}

/// How one element of the list is written.
enum Elem {
    /// A simple command whose words are each on one line: laid out freely.
    Words { words: Vec<Range<usize>>, assignments: usize },
    /// Anything else: its tokens stay, continuations between them are re-indented.
    /// `reindent`: continuations between its tokens are indented one level deeper than the
    /// element (pipelines, redirections); one holding a compound command keeps them.
    Verbatim { leaves: Vec<Range<usize>>, script_gaps_blank: Vec<bool>, reindent: bool },
}

/// The edits laying out the body `body` of a RUN that starts at column `start_col`, or `None`
/// when it is left as it is (heredocs are the caller's concern). A body with empty or comment
/// lines inside its continuations is left whole: those lines stay exactly where they are.
pub(crate) fn layout(src: &str, body: &ShellText, start_col: usize, l: &Layout) -> Option<Vec<Edit>> {
    if !l.posix_shell {
        return None;
    }
    let text = &src[body.range.clone()];
    if laid_out_already(text, start_col, l) {
        return Some(Vec::new());
    }
    // Seen before parsing: on the corpus these bodies (long package lists with lines
    // commented out) were 60 % of the shell text parsed, all for nothing.
    if drops_lines(text, l.escape) {
        return None;
    }
    layout_parsed(src, body, start_col, l)
}

/// [`layout`] past its check without parsing.
fn layout_parsed(src: &str, body: &ShellText, start_col: usize, l: &Layout) -> Option<Vec<Edit>> {
    let script = Script::from_shell_form(src, body, &[]);
    let tree = parse_bash(&script.text)?;
    let root = tree.root_node();
    if root.has_error() {
        return None;
    }
    let mut c = root.walk();
    let top: Vec<Node> = root.children(&mut c).collect();
    let mut e = Emitter { src, script: &script, l, toks: Vec::new(), pending: None, col: start_col };
    e.statements(&top, 1)?;
    let toks = e.toks;

    // The body's own start and end must be its first and last tokens'.
    if toks.first()?.0.start != body.range.start || toks.last()?.0.end != body.range.end {
        return None;
    }
    let mut edits = Vec::new();
    for k in 1..toks.len() {
        let (prev, (tok, new)) = (&toks[k - 1].0, &toks[k]);
        if prev.end > tok.start {
            return None;
        }
        let old = &src[prev.end..tok.start];
        // Comment and empty lines inside continuations stay exact: the body is left whole.
        match gap::parse(old, l.escape)? {
            Gap::Inline | Gap::Broken { kept: "", .. } => {}
            Gap::Broken { .. } => return None,
        }
        let Some(new) = new else { continue };
        if old != new {
            edits.push(Edit { range: prev.end..tok.start, text: new.clone() });
        }
    }
    if edits.is_empty() {
        return Some(edits);
    }
    // The new body must be the same script to the shell.
    let old_body = &src[body.range.clone()];
    if join_lines(old_body, l.escape) != script.text {
        return None;
    }
    let new_body = super::apply_offset(old_body, &edits, body.range.start);
    let new_script = join_lines(&new_body, l.escape);
    let new_tree = parse_bash(&new_script)?;
    if new_tree.root_node().has_error() || !same_tree(root, &script.text, new_tree.root_node(), &new_script) {
        return None;
    }
    Some(edits)
}

/// Whether a body is laid out already, seen without parsing it: one line, one command (no
/// operator, terminator, pipe, subshell or compound command can be written without one of
/// `;&|()`), one blank between words, and short enough that nothing is split. What the layout
/// would do to it is nothing, and parsing it would be most of the work on files with many
/// such RUNs.
fn laid_out_already(body: &str, start_col: usize, l: &Layout) -> bool {
    !body.bytes().any(|b| matches!(b, b'\n' | b'\r' | b'\t' | b';' | b'&' | b'|' | b'(' | b')'))
        && !body.contains("  ")
        && start_col + l.width(body) <= l.line_width
}

/// Tokens of a body and the gap each gets before it, worked out from the tree.
struct Emitter<'a> {
    src: &'a str,
    script: &'a Script,
    l: &'a Layout,
    /// (token range, new gap before it): `None` leaves the gap as it is.
    toks: Vec<(Range<usize>, Option<String>)>,
    /// The gap before the next token, chosen by what comes before it (an operator, an
    /// opening keyword).
    pending: Option<String>,
    /// The column after the last token.
    col: usize,
}

impl Emitter<'_> {
    /// A continuation to a line indented `depth` levels.
    fn br(&self, depth: usize) -> String {
        format!(" {}{}{}", self.l.escape, self.l.newline, self.l.indent1.repeat(depth))
    }

    /// Adds a token with the gap before it, and follows the column.
    fn push(&mut self, range: Range<usize>, gap: Option<String>) {
        let old;
        let g = match &gap {
            Some(g) => g.as_str(),
            None => {
                old = self.toks.last().map_or("", |(prev, _)| &self.src[prev.end.min(range.start)..range.start]);
                old
            }
        };
        self.col = match g.rfind(['\n', '\r']) {
            Some(i) => self.l.width(&g[i + 1..]),
            None if self.toks.is_empty() => self.col,
            None => self.col + self.l.width(g),
        };
        self.col = advance(self.col, &self.src[range.clone()], self.l);
        self.toks.push((range, gap));
    }

    /// A list of statements and their operators or terminators (the script's top level, or
    /// a compound command's body), each statement starting a line at `depth` levels (the
    /// first one where the caller puts it).
    fn statements(&mut self, nodes: &[Node], depth: usize) -> Option<()> {
        let items = flatten(nodes)?;
        let l = self.l;
        for (idx, item) in items.iter().enumerate() {
            match item {
                Item::Elem(n) => {
                    let next_op = match items.get(idx + 1) {
                        Some(Item::Op(n)) => Some(n.kind()),
                        _ => None,
                    };
                    let last = idx + 2 >= items.len();
                    let suffix = match next_op {
                        Some(";") if last => 1,
                        Some(";") => 3,
                        Some(op) if l.operators == OperatorPlacement::Trailing => op.len() + 3,
                        Some(_) => 2,
                        None => 0,
                    };
                    self.element(*n, depth, suffix)?;
                }
                Item::Op(n) => {
                    let range = self.script.map_range(n.byte_range());
                    let op = n.kind();
                    let (before, after) = if op == ";" {
                        (String::new(), self.br(depth))
                    } else if l.operators == OperatorPlacement::Trailing {
                        (" ".to_string(), self.br(depth))
                    } else {
                        (self.br(depth), " ".to_string())
                    };
                    self.push(range, Some(before));
                    // After the last terminator the caller chooses (a closing keyword's line).
                    self.pending = (idx + 1 < items.len()).then_some(after);
                }
            }
        }
        Some(())
    }

    /// One statement of a list, on a line indented `depth` levels; `suffix` is the width of
    /// the operator that follows it.
    fn element(&mut self, n: Node, depth: usize, suffix: usize) -> Option<()> {
        // A subshell or `{ …; }` group that fits on its line as written stays on it, as an
        // author writes `&& (cd /src && make)`.
        let group = |b: &Node| matches!(b.kind(), "subshell" | "compound_statement");
        let body = match n.kind() {
            "redirected_statement" => n.child_by_field_name("body").filter(|b| b.start_byte() == n.start_byte()),
            _ => Some(n),
        };
        let inline = body.is_some_and(|b| group(&b)) && {
            let text = &self.src[self.script.map_range(n.byte_range())];
            !is_line_break(text) && self.start_col(n) + self.l.width(text) + suffix <= self.l.line_width
        };
        if LAID_OUT.contains(&n.kind()) && !inline {
            return self.compound(n, depth);
        }
        // `{ …; } > log`, `while read x; do …; done < list`: the command laid out, its
        // redirections after it as written.
        if n.kind() == "redirected_statement" && !inline {
            let body = body.filter(|b| LAID_OUT.contains(&b.kind()));
            if let Some(body) = body {
                self.compound(body, depth)?;
                let mut c = n.walk();
                for child in n.children(&mut c).filter(|c| c.start_byte() >= body.end_byte()) {
                    self.verbatim(child)?;
                }
                return Some(());
            }
        }
        match elem(n, self.script, self.src)? {
            Elem::Words { words, assignments } => self.words(&words, assignments, depth, suffix),
            Elem::Verbatim { leaves, script_gaps_blank, reindent } => {
                for (k, leaf) in leaves.iter().enumerate() {
                    let g = if k == 0 {
                        self.pending.take()
                    } else {
                        match gap::parse(&self.src[leaves[k - 1].end..leaf.start], self.l.escape)? {
                            Gap::Broken { kept: "", .. } if reindent && script_gaps_blank[k - 1] => Some(self.br(depth + 1)),
                            Gap::Broken { kept: "", .. } | Gap::Inline => None,
                            Gap::Broken { .. } => return None,
                        }
                    };
                    self.push(leaf.clone(), g);
                }
                Some(())
            }
        }
    }

    /// The column `n` (the next token's node) starts at, after the pending gap or the one
    /// written before it.
    fn start_col(&self, n: Node) -> usize {
        let start = self.script.map_range(n.byte_range()).start;
        let written;
        let g = match &self.pending {
            Some(g) => g.as_str(),
            None => match self.toks.last() {
                Some((prev, _)) => {
                    written = &self.src[prev.end.min(start)..start];
                    written
                }
                None => return self.col,
            },
        };
        match g.rfind(['\n', '\r']) {
            Some(i) => self.l.width(&g[i + 1..]),
            None => self.col + self.l.width(g),
        }
    }

    /// A simple command's words: a package list one per line when it does not fit or was
    /// already split; other commands keep their author's line breaks.
    fn words(&mut self, words: &[Range<usize>], assignments: usize, depth: usize, suffix: usize) -> Option<()> {
        let (src, l) = (self.src, self.l);
        let text = |k: usize| &src[words[k].clone()];
        let broken = |k: usize| is_line_break(&src[words[k - 1].end..words[k].start]);
        let install = package_install(words, assignments, src);
        let one_line: usize = words.iter().map(|w| l.width(&src[w.clone()])).sum::<usize>() + words.len() - 1;
        let g = self.pending.take();
        self.push(words[0].clone(), g);
        let col = self.col - l.width(text(0));
        let split = install.is_some_and(|_| col + one_line + suffix > l.line_width || (1..words.len()).any(broken));
        let head = match install {
            Some(head) if split => head,
            _ => words.len(),
        };
        for (k, word) in words.iter().enumerate().skip(1) {
            let g = if split {
                // Past the head, an option and its value share a line (`-o x`).
                let value_of_option = k > head && is_option_pair(text(k - 1), text(k));
                if k < head || value_of_option { " ".to_string() } else { self.br(depth + 1) }
            } else if install.is_none() && broken(k) {
                self.br(depth + 1)
            } else {
                " ".to_string()
            };
            self.push(word.clone(), Some(g));
        }
        Some(())
    }

    /// The leaves of `n` with their gaps as written (the first one's as pending).
    fn verbatim(&mut self, n: Node) -> Option<()> {
        let Some(Elem::Verbatim { leaves, .. }) = elem_leaves(n, self.script) else { return None };
        for (k, leaf) in leaves.into_iter().enumerate() {
            let g = if k == 0 { self.pending.take() } else { None };
            self.push(leaf, g);
        }
        Some(())
    }

    /// A compound command at `depth`: its header (`if cond;`, `for x in a b;`, `while cond;`)
    /// as written on the line it starts, the opening keyword (`then`, `do`, `{`, `(`) ending
    /// that line, each command of its body on its own line one level deeper, and `elif`,
    /// `else` and the closing keyword (`fi`, `done`, `}`, `)`) on lines of their own at
    /// `depth`. A `case` has each item on its own line, one level deeper, as written.
    fn compound(&mut self, node: Node, depth: usize) -> Option<()> {
        let kind = node.kind();
        let mut c = node.walk();
        let children: Vec<Node> = node.children(&mut c).collect();
        // `(( … ))` is arithmetic, not a list of commands.
        if kind == "compound_statement" && children.first().is_some_and(|c| c.kind() != "{") {
            return self.verbatim(node);
        }
        // The keyword that opens the body and the one that closes the command; `for` and
        // `while` have theirs in their `do_group`.
        let (open, close) = match kind {
            "if_statement" => ("then", "fi"),
            "elif_clause" => ("then", ""),
            "else_clause" => ("else", ""),
            "do_group" => ("do", "done"),
            "compound_statement" => ("{", "}"),
            "subshell" => ("(", ")"),
            "case_statement" => ("in", "esac"),
            _ => ("", ""),
        };
        let mut body: Vec<Node> = Vec::new();
        let mut in_body = false;
        for (i, child) in children.iter().enumerate() {
            let keyword = |k: &str| !child.is_named() && !k.is_empty() && child.kind() == k;
            let clause = child.is_named() && matches!(child.kind(), "elif_clause" | "else_clause");
            let closing = keyword(close);
            if in_body && !closing && !clause {
                body.push(*child);
                continue;
            }
            if in_body {
                self.body(kind, &body, depth + 1)?;
                body.clear();
                in_body = false;
            }
            if closing || clause {
                self.pending = Some(self.br(depth));
                if clause {
                    self.compound(*child, depth)?;
                } else {
                    let g = self.pending.take();
                    self.push(self.script.map_range(child.byte_range()), g);
                }
            } else if i == 0 {
                // The first token's gap is the caller's.
                self.verbatim(*child)?;
            } else if child.is_named() && matches!(child.kind(), "do_group" | "compound_statement") && open.is_empty() {
                // The body of `for` and `while`: `do` ends the header's line.
                self.pending = Some(" ".to_string());
                self.compound(*child, depth)?;
            } else if keyword(open) && matches!(open, "then" | "do") {
                self.push(self.script.map_range(child.byte_range()), Some(" ".to_string()));
            } else {
                // The header, as written.
                self.verbatim(*child)?;
            }
            in_body |= keyword(open);
        }
        if in_body {
            // An `else` clause's body ends with the clause.
            self.body(kind, &body, depth + 1)?;
        }
        Some(())
    }

    /// A compound command's body at `depth`, starting on a line of its own.
    fn body(&mut self, kind: &str, nodes: &[Node], depth: usize) -> Option<()> {
        if nodes.is_empty() {
            return Some(());
        }
        self.pending = Some(self.br(depth));
        if kind == "case_statement" {
            self.case_items(nodes, depth)
        } else {
            self.statements(nodes, depth)
        }
    }

    /// The items of a `case`, each on its own line at `depth`, as written.
    fn case_items(&mut self, nodes: &[Node], depth: usize) -> Option<()> {
        for n in nodes {
            if n.kind() != "case_item" {
                return None;
            }
            self.pending = Some(self.br(depth));
            self.verbatim(*n)?;
        }
        Some(())
    }
}

/// Compound commands laid out (see [`Emitter::compound`]); `function_definition` is kept.
const LAID_OUT: &[&str] =
    &["if_statement", "for_statement", "c_style_for_statement", "while_statement", "case_statement", "compound_statement", "subshell"];

/// The list's elements and operators in order, or `None` for shapes not laid out (`&`,
/// comments).
fn flatten<'t>(nodes: &[Node<'t>]) -> Option<Vec<Item<'t>>> {
    let mut items = Vec::new();
    // An explicit stack: bash nests an `&&` chain one level per command.
    let mut stack: Vec<Node> = nodes.iter().rev().copied().collect();
    while let Some(n) = stack.pop() {
        match n.kind() {
            "list" => {
                let mut c = n.walk();
                let children: Vec<Node> = n.children(&mut c).collect();
                stack.extend(children.into_iter().rev());
            }
            "&&" | "||" | ";" if !n.is_named() => items.push(Item::Op(n)),
            "comment" => return None,
            _ if n.is_named() => items.push(Item::Elem(n)),
            _ => return None,
        }
    }
    // Element, operator, element, …, with at most a `;` after the last element.
    for (i, item) in items.iter().enumerate() {
        let ok = match item {
            Item::Elem(_) => i % 2 == 0,
            Item::Op(n) => i % 2 == 1 && (i + 1 < items.len() || n.kind() == ";"),
        };
        if !ok {
            return None;
        }
    }
    (!items.is_empty()).then_some(items)
}

fn advance(col: usize, text: &str, l: &Layout) -> usize {
    match text.rfind(['\n', '\r']) {
        Some(i) => l.width(&text[i + 1..]),
        None => col + l.width(text),
    }
}

fn is_line_break(s: &str) -> bool {
    s.contains(['\n', '\r'])
}

fn elem(node: Node, script: &Script, src: &str) -> Option<Elem> {
    if node.kind() == "command" && node.child_count() as usize == node.named_child_count() {
        let mut c = node.walk();
        let children: Vec<Node> = node.named_children(&mut c).collect();
        let simple = children.first().is_some_and(|f| f.start_byte() == node.start_byte())
            && children.last().is_some_and(|l| l.end_byte() == node.end_byte())
            && children.windows(2).all(|w| {
                let g = &script.text[w[0].end_byte()..w[1].start_byte()];
                !g.is_empty() && g.bytes().all(|b| b == b' ' || b == b'\t')
            });
        let words: Vec<Range<usize>> = children.iter().map(|n| script.map_range(n.byte_range())).collect();
        if simple && words.iter().all(|w| !is_line_break(&src[w.clone()])) {
            let assignments = children.iter().take_while(|n| n.kind() == "variable_assignment").count();
            return Some(Elem::Words { words, assignments });
        }
    }
    elem_leaves(node, script)
}

/// `node` as its leaves (strings and words whole), to be kept as written.
fn elem_leaves(node: Node, script: &Script) -> Option<Elem> {
    let mut leaves: Vec<Range<usize>> = Vec::new();
    let mut script_leaves: Vec<Range<usize>> = Vec::new();
    let mut stack = vec![node];
    let mut compound = false;
    while let Some(n) = stack.pop() {
        if n.kind() == "comment" {
            return None;
        }
        compound |= COMPOUND.contains(&n.kind());
        if n.child_count() == 0 || is_atomic(n) {
            if n.end_byte() > n.start_byte() {
                script_leaves.push(n.byte_range());
            }
            continue;
        }
        let mut c = n.walk();
        let children: Vec<Node> = n.children(&mut c).collect();
        stack.extend(children.into_iter().rev());
    }
    let script_gaps_blank = script_leaves
        .windows(2)
        .map(|w| w[0].end < w[1].start && script.text[w[0].end..w[1].start].bytes().all(|b| b == b' ' || b == b'\t'))
        .collect();
    leaves.extend(script_leaves.iter().map(|r| script.map_range(r.clone())));
    // Continuations inside a compound command (`if`, `for`, `{ …; }`) keep their author's
    // indentation: it shows the nesting.
    let reindent = !compound;
    Some(Elem::Verbatim { leaves, script_gaps_blank, reindent })
}

/// Package managers whose install commands take a list of packages.
const INSTALLERS: &[&str] = &[
    "apt-get", "apt", "aptitude", "yum", "dnf", "microdnf", "tdnf", "zypper", "apk", "pip", "pip3", "pipx", "npm", "pnpm",
    "yarn", "gem", "conda", "mamba", "micromamba", "opkg", "pacman", "emerge", "port", "brew", "choco",
];
const INSTALL: &[&str] = &["install", "add", "i", "-S", "-Sy", "-Syu"];
/// Options of those commands that take the next word as their value.
const TAKES_VALUE: &[&str] = &["-o", "-t", "--target-release", "--virtual", "-X", "--repository", "-r", "-c", "-i", "--index-url", "--extra-index-url", "-e", "--prefix", "--root", "-n", "--name", "-p"];

/// For a package install (`apt-get install -y curl git`), how many words stay on its first
/// line when it is split: assignments, the program, the subcommand and the options right after
/// it (with their values). `None` for other commands.
fn package_install(words: &[Range<usize>], assignments: usize, src: &str) -> Option<usize> {
    let text = |i: usize| words.get(i).map(|w| &src[w.clone()]);
    let program = text(assignments)?;
    if !INSTALLERS.contains(&program.rsplit('/').next().unwrap_or(program)) {
        return None;
    }
    let mut i = assignments + 1;
    // Options before the subcommand (`apt-get -y install`, `pip --no-cache-dir install`).
    while text(i).is_some_and(|t| t.starts_with('-') && !INSTALL.contains(&t)) {
        i += 1;
    }
    if !text(i).is_some_and(|t| INSTALL.contains(&t)) {
        return None;
    }
    i += 1;
    while let Some(t) = text(i).filter(|t| t.starts_with('-')) {
        i += 1;
        if TAKES_VALUE.contains(&t) && text(i).is_some() {
            i += 1;
        }
    }
    // Something must be left to list.
    (i < words.len()).then_some(i)
}

/// Whether `b` is the value of the option `a` (see the layout of split commands).
fn is_option_pair(a: &str, b: &str) -> bool {
    a.starts_with('-') && !a.contains('=') && !b.starts_with('-')
}

/// A shell-form body as BuildKit hands it to the shell: each line ending in the escape (and
/// blanks) is joined to the next without the escape, line break and trailing blanks, and the
/// empty and comment lines after a continuation are dropped.
pub(crate) fn join_lines(body: &str, escape: char) -> String {
    let mut out = String::with_capacity(body.len());
    join(body, escape, Some(&mut out));
    out
}

/// Whether [`join_lines`] drops lines of `body` (empty or comment lines after a continuation).
fn drops_lines(body: &str, escape: char) -> bool {
    join(body, escape, None)
}

/// [`join_lines`] into `out`, or with no `out` only until the first line it drops; whether it
/// dropped one.
fn join(body: &str, escape: char, mut out: Option<&mut String>) -> bool {
    let mut dropped = false;
    let mut continued = false;
    let mut rest = body;
    while !rest.is_empty() {
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let brk = if rest[end..].starts_with("\r\n") { 2 } else { usize::from(end < rest.len()) };
        let line = &rest[..end];
        rest = &rest[end + brk..];
        let t = line.trim_start_matches([' ', '\t']);
        if continued && (t.is_empty() || t.starts_with('#')) {
            dropped = true;
            if out.is_none() {
                break;
            }
            continue;
        }
        let trimmed = line.trim_end_matches([' ', '\t']);
        let kept = trimmed.strip_suffix(escape).filter(|_| brk > 0);
        continued = kept.is_some();
        if let Some(out) = out.as_deref_mut() {
            out.push_str(kept.unwrap_or(line));
            if kept.is_none() && brk > 0 {
                out.push('\n');
            }
        }
    }
    dropped
}

/// Whether two trees have the same nodes in the same shape and the same text in every atomic
/// node (strings, words, operators): true for two scripts that differ only in the blanks
/// between tokens. Both trees are walked side by side with cursors.
pub(crate) fn same_tree(a: Node, a_text: &str, b: Node, b_text: &str) -> bool {
    let (mut x, mut y) = (a.walk(), b.walk());
    loop {
        let (m, n) = (x.node(), y.node());
        if m.kind_id() != n.kind_id() || m.child_count() != n.child_count() {
            return false;
        }
        let leaf = m.child_count() == 0 || is_atomic(m);
        if leaf && a_text[m.byte_range()] != b_text[n.byte_range()] {
            return false;
        }
        if !leaf && x.goto_first_child() {
            y.goto_first_child();
            continue;
        }
        // The next sibling of this node or of the nearest ancestor that has one.
        loop {
            if x.goto_next_sibling() {
                y.goto_next_sibling();
                break;
            }
            if !x.goto_parent() {
                return true;
            }
            y.goto_parent();
        }
    }
}

/// Whether `n` is one of the [`ATOMIC`] kinds, by its kind id (a table built once: comparing
/// kind names was a tenth of the formatter's time on RUN-dense files).
fn is_atomic(n: Node) -> bool {
    static TABLE: std::sync::OnceLock<Vec<bool>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_bash::LANGUAGE.into();
        (0..language.node_kind_count() as u16).map(|id| language.node_kind_for_id(id).is_some_and(|k| ATOMIC.contains(&k))).collect()
    });
    table.get(n.kind_id() as usize).copied().unwrap_or_else(|| ATOMIC.contains(&n.kind()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Args, Dockerfile, Kind};

    #[test]
    fn dropped_lines_are_the_ones_join_lines_drops() {
        for (body, drops) in [
            ("a \\\n  b", false),
            ("a \\\r\n  b \\ \r\n  c", false),
            ("a # \\ x", false),
            ("a\n# c\nb", false),
            ("a \\\n\n  b", true),
            ("a \\  \r\n\r\n  b", true),
            ("a \\\n  # c\n  b", true),
        ] {
            assert_eq!(drops_lines(body, '\\'), drops, "{body:?}");
            let joined = join_lines(body, '\\');
            let kept_all = body.lines().count() == joined.lines().count() + body.lines().filter(|l| l.trim_end().ends_with('\\')).count();
            assert_eq!(!kept_all, drops, "{body:?} joins to {joined:?}");
        }
    }

    /// The bodies [`laid_out_already`] takes without parsing get no edit from the full layout
    /// either, in every Dockerfile fixture of the project and with two sets of options.
    #[test]
    fn the_check_without_parsing_agrees_with_the_layout() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
        let mut files = Vec::new();
        for dir in [root.join("server"), root.join("tests")] {
            super::super::tests::collect(&dir, &mut files);
        }
        let mut checked = 0;
        let short = super::super::Options { line_width: 30, tabs: true, ..Default::default() };
        let mut texts = vec![
            "FROM a\nRUN pip install --no-cache-dir -r requirements.txt\nRUN echo \"${X}\" > /etc/x\nRUN ./configure --prefix=/usr --enable-shared --disable-static\n".to_string(),
        ];
        texts.extend(files.iter().filter_map(|f| std::fs::read_to_string(f).ok()));
        for text in &texts {
            let tree = crate::document::parse(text);
            let df = Dockerfile::new(text, &tree);
            for o in [super::super::Options::default(), short.clone()] {
                let l = Layout::new(text, &df, &o);
                for ins in df.instructions.iter().filter(|i| i.kind == Kind::Run && i.heredocs.is_empty()) {
                    let Args::Shell(body) = &ins.args else { continue };
                    let line_start = text[..body.range.start].rfind('\n').map_or(0, |i| i + 1);
                    let col = l.width(&text[line_start..body.range.start]);
                    if laid_out_already(&text[body.range.clone()], col, &l) {
                        checked += 1;
                        let edits = layout_parsed(text, body, col, &l).unwrap_or_default();
                        assert!(edits.is_empty(), "{:?} gets {edits:?}", &text[body.range.clone()]);
                    }
                }
            }
        }
        assert!(checked > 100, "only {checked} bodies checked");
    }
}
