//! The top-level shape of a RUN's script, for the refactors that join, split or rewrite RUNs:
//! its statements, the operators between them and what the script leaves behind (shell state).

use std::ops::Range;

use super::{parse_bash, Script};

/// Commands that change the shell's state for the commands after them.
pub const STATEFUL: &[&str] = &[
    "cd", "pushd", "popd", "export", "set", "unset", "source", ".", "umask", "shopt", "alias", "trap", "exit", "ulimit", "declare",
    "typeset", "readonly", "local", "eval", "exec", "enable", "hash", "builtin",
];

/// The top level of one script, with Dockerfile ranges.
#[derive(Debug, Clone, Default)]
pub struct TopLevel {
    /// Each top-level statement (a command, pipeline, `&&`/`||` list, compound command).
    pub statements: Vec<Range<usize>>,
    /// The operators between and after statements (`;`, `&`, a line break) in script order.
    pub separators: Vec<(String, Range<usize>)>,
    /// With one statement that is an `&&` chain (or one command): its operands in order, as
    /// ranges of the script's text (else empty).
    pub chain: Vec<Range<usize>>,
    /// Every top-level operand is a simple command (possibly redirected) or a pipeline of
    /// simple commands: nothing that `set -e` treats differently from a plain command.
    pub simple: bool,
    /// Some statement uses `||`.
    pub has_or: bool,
    /// Some statement uses `&&`.
    pub has_and: bool,
    /// A shell comment (`# …`) inside the script.
    pub comments: bool,
    /// Sets a shell variable or runs a command in [`STATEFUL`] outside a subshell.
    pub stateful: bool,
}

impl TopLevel {
    /// One statement, joined by `&&` only (or a single command): `prev && this` means
    /// "run this only after prev succeeded" with nothing else changed.
    pub fn and_only(&self) -> bool {
        self.statements.len() == 1 && !self.has_or && self.separators.iter().all(|(s, _)| s == ";" || s == "\n")
    }

    /// Ends with `&` (runs in the background): joining after it is a syntax error.
    pub fn background(&self) -> bool {
        self.separators.iter().any(|(s, _)| s == "&")
    }
}

fn simple_command(n: tree_sitter::Node) -> bool {
    match n.kind() {
        "command" | "declaration_command" | "unset_command" | "test_command" | "negated_command" => true,
        "redirected_statement" => n.child_by_field_name("body").is_none_or(simple_command),
        "pipeline" => {
            let mut c = n.walk();
            let ok = n.named_children(&mut c).all(simple_command);
            ok
        }
        _ => false,
    }
}

/// The top level of `script` (worked out once per script); `None` when the script has a
/// syntax error.
pub fn top_level(script: &Script) -> Option<TopLevel> {
    // Kept in the script's own offsets: a script is moved with its instruction (and shared
    // between RUNs of the same text), so Dockerfile ranges are mapped on every call.
    let mut top = script.top_level.get_or_init(|| read_top_level(script)).clone()?;
    for r in &mut top.statements {
        *r = script.map_range(r.clone());
    }
    for (_, r) in &mut top.separators {
        *r = script.map_range(r.clone());
    }
    Some(top)
}

fn read_top_level(script: &Script) -> Option<TopLevel> {
    let tree = parse_bash(&script.text)?;
    of_tree(tree.root_node(), script)
}

/// The top level of `script` from its tree (`root`), in the script's own offsets. The shell
/// analysis calls it with the tree it already has: the merge, cache-mount and split-at-cd
/// fixes read the top level of most RUNs of a RUN-dense file, and a second tree-sitter-bash
/// parse of each was a seventh of a cold open.
pub(super) fn of_tree(root: tree_sitter::Node, script: &Script) -> Option<TopLevel> {
    of_tree_seen(root, script, None)
}

/// What the shell analysis's walk saw of a script's own level (outside subshells and
/// substitutions): a comment, shell state set for the commands after it. The same as the
/// traversal in [`of_tree_seen`] when it is not given (a unit test compares them).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Seen {
    pub comments: bool,
    pub stateful: bool,
}

impl Seen {
    /// Notes one named node the walk visits outside subshells, of kind `kind` (a
    /// `variable_assignment` the walk reaches this way is never a command's prefix: those are
    /// searched only for substitutions).
    pub(super) fn note(&mut self, k: &super::Kinds, kind: u16, node: tree_sitter::Node, script: &Script) {
        if kind == k.comment {
            self.comments = true;
        } else if kind == k.declaration_command
            || kind == k.unset_command
            || kind == k.function_definition
            || kind == k.variable_assignment
            || kind == k.variable_assignments
        {
            self.stateful = true;
        } else if kind == k.command {
            if let Some(name) = node.child_by_field_id(k.name.get()) {
                let word = &script.text[name.byte_range()];
                if STATEFUL.contains(&word.rsplit('/').next().unwrap_or(word)) {
                    self.stateful = true;
                }
            }
        }
    }
}

/// [`of_tree`] with what the walk already saw (`seen`), or walking the tree for it.
pub(super) fn of_tree_seen(root: tree_sitter::Node, script: &Script, seen: Option<Seen>) -> Option<TopLevel> {
    if root.has_error() {
        return None;
    }
    let mut out = TopLevel { simple: true, ..Default::default() };
    let mut c = root.walk();
    for child in root.children(&mut c) {
        if child.kind() == "comment" {
            out.comments = true;
        } else if child.is_named() {
            out.statements.push(child.byte_range());
        } else {
            out.separators.push((child.kind().to_string(), child.byte_range()));
        }
    }
    // Operands of the top-level lists.
    let mut c = root.walk();
    for statement in root.named_children(&mut c).filter(|n| n.kind() != "comment") {
        let mut operands = Vec::new();
        let mut lists = vec![statement];
        let mut and_chain = true;
        while let Some(n) = lists.pop() {
            if n.kind() != "list" {
                operands.push(n);
                continue;
            }
            let mut c = n.walk();
            let children: Vec<_> = n.children(&mut c).collect();
            for child in children.iter().rev() {
                if child.kind() == "&&" {
                    out.has_and = true;
                }
                if child.kind() == "||" {
                    out.has_or = true;
                    and_chain = false;
                } else if child.is_named() {
                    lists.push(*child);
                }
            }
        }
        out.simple &= operands.iter().all(|n| simple_command(*n));
        if and_chain && root.named_child_count() == 1 {
            out.chain = operands.iter().map(|n| n.byte_range()).collect();
        }
    }
    if let Some(seen) = seen {
        out.comments |= seen.comments;
        out.stateful = seen.stateful;
        return Some(out);
    }
    // Comments and state anywhere outside a subshell: one cursor over the tree (a cursor per
    // node and `Node::parent`, which searches down from the root, made this walk cost as much
    // as the shell analysis itself).
    let mut cursor = root.walk();
    // Per ancestor: whether it is a `command` (an assignment there is `A=1 cmd`, no state).
    let mut parents: Vec<bool> = Vec::new();
    'nodes: loop {
        let n = cursor.node();
        let descend = match n.kind() {
            "comment" => {
                out.comments = true;
                false
            }
            "subshell" | "command_substitution" | "process_substitution" => false,
            "declaration_command" | "unset_command" | "function_definition" => {
                out.stateful = true;
                true
            }
            "variable_assignment" => {
                if parents.last().is_some_and(|in_command| !in_command) {
                    out.stateful = true;
                }
                true
            }
            "command" => {
                if let Some(name) = n.child_by_field_name("name") {
                    let word = &script.text[name.byte_range()];
                    if STATEFUL.contains(&word.rsplit('/').next().unwrap_or(word)) {
                        out.stateful = true;
                    }
                }
                true
            }
            _ => true,
        };
        if out.comments && out.stateful {
            break;
        }
        if descend && cursor.goto_first_child() {
            parents.push(n.kind() == "command");
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'nodes;
            }
            if !cursor.goto_parent() {
                break 'nodes;
            }
            parents.pop();
        }
    }
    Some(out)
}
