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
    /// `reindent`: continuations between its tokens are indented two levels (pipelines,
    /// redirections); a compound command's (`if`, `for`, `{ …; }`) keep their indentation.
    Verbatim { leaves: Vec<Range<usize>>, script_gaps_blank: Vec<bool>, reindent: bool },
}

/// The edits laying out the body `body` of a RUN that starts at column `start_col`, or `None`
/// when it is left as it is (heredocs are the caller's concern).
pub(crate) fn layout(src: &str, body: &ShellText, start_col: usize, l: &Layout) -> Option<Vec<Edit>> {
    if !l.posix_shell {
        return None;
    }
    let script = Script::from_shell_form(src, body, &[]);
    let tree = parse_bash(&script.text)?;
    let root = tree.root_node();
    if root.has_error() {
        return None;
    }
    let items = flatten(root)?;
    let elems: Vec<Elem> = items
        .iter()
        .filter_map(|i| match i {
            Item::Elem(n) => Some(*n),
            Item::Op(_) => None,
        })
        .map(|n| elem(n, &script, src))
        .collect::<Option<_>>()?;

    // (token range, new gap before it): `None` leaves the gap as it is.
    let mut toks: Vec<(Range<usize>, Option<String>)> = Vec::new();
    let br = |indent: &str| format!(" {}{}{}", l.escape, l.newline, indent);
    let mut col = start_col;
    let mut e = 0;
    // The gap before the next element, chosen by the operator before it.
    let mut gap_before_elem: Option<String> = None;
    for (idx, item) in items.iter().enumerate() {
        match item {
            Item::Elem(_) => {
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
                match &elems[e] {
                    Elem::Words { words, assignments } => {
                        let text = |k: usize| &src[words[k].clone()];
                        let broken = |k: usize| is_line_break(&src[words[k - 1].end..words[k].start]);
                        let install = package_install(words, *assignments, src);
                        let one_line: usize = words.iter().map(|w| l.width(&src[w.clone()])).sum::<usize>() + words.len() - 1;
                        // A package list goes one per line when it does not fit or was
                        // already split; other commands keep their author's line breaks.
                        let split = install.is_some_and(|_| col + one_line + suffix > l.line_width || (1..words.len()).any(broken));
                        let head = match install {
                            Some(head) if split => head,
                            _ => words.len(),
                        };
                        for k in 0..words.len() {
                            let g = if k == 0 {
                                gap_before_elem.take()
                            } else if split {
                                // Past the head, an option and its value share a line (`-o x`).
                                let value_of_option = k > head && is_option_pair(text(k - 1), text(k));
                                Some(if k < head || value_of_option { " ".to_string() } else { br(&l.indent2) })
                            } else if install.is_none() && broken(k) {
                                Some(br(&l.indent2))
                            } else {
                                Some(" ".to_string())
                            };
                            toks.push((words[k].clone(), g));
                        }
                    }
                    Elem::Verbatim { leaves, script_gaps_blank, reindent } => {
                        for (k, leaf) in leaves.iter().enumerate() {
                            let g = if k == 0 {
                                gap_before_elem.take()
                            } else {
                                let between = &src[leaves[k - 1].end..leaf.start];
                                match gap::parse(between, l.escape)? {
                                    Gap::Broken { kept: "", .. } if *reindent && script_gaps_blank[k - 1] => Some(br(&l.indent2)),
                                    Gap::Broken { kept: "", .. } | Gap::Inline => None,
                                    Gap::Broken { .. } => return None,
                                }
                            };
                            toks.push((leaf.clone(), g));
                        }
                    }
                }
                e += 1;
            }
            Item::Op(n) => {
                let range = script.map_range(n.byte_range());
                let op = n.kind();
                let (before, after, next_col) = if op == ";" {
                    (String::new(), br(&l.indent1), l.indent1_width)
                } else if l.operators == OperatorPlacement::Trailing {
                    (" ".to_string(), br(&l.indent1), l.indent1_width)
                } else {
                    (br(&l.indent1), " ".to_string(), l.indent1_width + op.len() + 1)
                };
                toks.push((range, Some(before)));
                gap_before_elem = Some(after);
                col = next_col;
            }
        }
    }
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
        let Some(new) = new else { continue };
        match gap::parse(old, l.escape)? {
            Gap::Inline | Gap::Broken { kept: "", .. } => {}
            Gap::Broken { .. } => return None,
        }
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

/// The list's elements and operators in order, or `None` for shapes not laid out (`&`,
/// comments).
fn flatten<'t>(root: Node<'t>) -> Option<Vec<Item<'t>>> {
    let mut items = Vec::new();
    // An explicit stack: bash nests an `&&` chain one level per command.
    let mut stack: Vec<Node> = Vec::new();
    let mut c = root.walk();
    let top: Vec<Node> = root.children(&mut c).collect();
    stack.extend(top.into_iter().rev());
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
    let mut leaves: Vec<Range<usize>> = Vec::new();
    let mut script_leaves: Vec<Range<usize>> = Vec::new();
    let mut stack = vec![node];
    let mut compound = false;
    while let Some(n) = stack.pop() {
        if n.kind() == "comment" {
            return None;
        }
        compound |= COMPOUND.contains(&n.kind());
        if n.child_count() == 0 || ATOMIC.contains(&n.kind()) {
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
    let mut continued = false;
    let mut rest = body;
    while !rest.is_empty() {
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let brk = if rest[end..].starts_with("\r\n") { 2 } else { usize::from(end < rest.len()) };
        let line = &rest[..end];
        rest = &rest[end + brk..];
        let t = line.trim_start_matches([' ', '\t']);
        if continued && (t.is_empty() || t.starts_with('#')) {
            continue;
        }
        let trimmed = line.trim_end_matches([' ', '\t']);
        if let Some(kept) = trimmed.strip_suffix(escape).filter(|_| brk > 0) {
            out.push_str(kept);
            continued = true;
        } else {
            out.push_str(line);
            if brk > 0 {
                out.push('\n');
            }
            continued = false;
        }
    }
    out
}

/// Whether two trees have the same nodes in the same shape and the same text in every atomic
/// node (strings, words, operators): true for two scripts that differ only in the blanks
/// between tokens.
pub(crate) fn same_tree(a: Node, a_text: &str, b: Node, b_text: &str) -> bool {
    let mut stack = vec![(a, b)];
    while let Some((x, y)) = stack.pop() {
        if x.kind_id() != y.kind_id() || x.child_count() != y.child_count() {
            return false;
        }
        if x.child_count() == 0 || ATOMIC.contains(&x.kind()) {
            if a_text[x.byte_range()] != b_text[y.byte_range()] {
                return false;
            }
            continue;
        }
        let (mut cx, mut cy) = (x.walk(), y.walk());
        stack.extend(x.children(&mut cx).zip(y.children(&mut cy)));
    }
    true
}
