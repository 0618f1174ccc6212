//! The pipes of a RUN's scripts, read once while the shell analysis walks the tree: what
//! runs on each side, so that rules about pipelines (`shell-pipefail`) need not parse the
//! script again.

use std::ops::Range;

use compact_str::CompactString;
use tree_sitter::Node;

use super::Script;

/// A `|` / `|&` joining two commands of a pipeline (not `||`, not a `case` pattern).
#[derive(Debug, Clone)]
pub struct Pipe {
    /// The `|` in the Dockerfile.
    pub range: Range<usize>,
    /// The program (base name) on each side, when that side is a simple command (`None` for a
    /// subshell, a group, …); in a nested pipeline, the command next to the pipe.
    pub left: Option<CompactString>,
    pub right: Option<CompactString>,
    /// The left side only writes text it was given (`echo`, `printf`, or a group of them,
    /// without command substitutions): it cannot fail in a way that matters.
    pub left_only_writes_text: bool,
    /// The right side may stop before the end of its input (`head`, `grep -q`), killing the
    /// writer with SIGPIPE.
    pub right_stops_early: bool,
}

/// The pipes joining the elements of one `pipeline` node.
pub(super) fn of_pipeline(node: Node, script: &Script) -> Vec<Pipe> {
    let text = &script.text;
    let mut c = node.walk();
    let children: Vec<Node> = node.children(&mut c).filter(|ch| ch.kind() != "comment").collect();
    let mut out = Vec::new();
    for (i, bar) in children.iter().enumerate() {
        if !matches!(bar.kind(), "|" | "|&") || i == 0 || i + 1 >= children.len() {
            continue;
        }
        let left = simple_command(children[i - 1], text, false);
        let right = simple_command(children[i + 1], text, true);
        out.push(Pipe {
            range: script.map_range(bar.byte_range()),
            right_stops_early: right.as_ref().is_some_and(|(name, args)| stops_early(name, args)),
            left: left.map(|l| l.0.into()),
            right: right.map(|r| r.0.into()),
            left_only_writes_text: only_writes_text(children[i - 1], text),
        });
    }
    out
}

impl crate::syntax::shift::Shift for Pipe {
    fn shift(&mut self, delta: isize) {
        self.range.shift(delta);
    }
}

/// Programs that write text they were given and cannot fail in a way that matters.
pub(super) const TEXT_WRITERS: &[&str] = &["echo", "printf"];

/// Whether a pipeline element only writes text it was given: `echo …`, `printf …`, or a
/// group or subshell of those, without command substitutions.
fn only_writes_text(node: Node, text: &str) -> bool {
    match node.kind() {
        "command" => simple_command(node, text, true).is_some_and(|(name, _)| TEXT_WRITERS.contains(&name.as_str())) && !has_substitution(node),
        "redirected_statement" => node.child_by_field_name("body").is_some_and(|b| only_writes_text(b, text)),
        "compound_statement" | "subshell" => {
            let mut c = node.walk();
            let mut parts = node.named_children(&mut c).filter(|n| n.kind() != "comment").peekable();
            parts.peek().is_some() && parts.all(|n| only_writes_text(n, text))
        }
        "list" => {
            let mut c = node.walk();
            let all = node.named_children(&mut c).all(|n| only_writes_text(n, text));
            all
        }
        _ => false,
    }
}

fn has_substitution(node: Node) -> bool {
    if matches!(node.kind(), "command_substitution" | "process_substitution") {
        return true;
    }
    let mut c = node.walk();
    let found = node.named_children(&mut c).any(has_substitution);
    found
}

/// A pipeline element's program name (base name) and its words, for a simple command. In a
/// nested pipeline, the command next to the pipe: the first one (`first`) or the last.
fn simple_command(node: Node, text: &str, first: bool) -> Option<(String, Vec<String>)> {
    let node = match node.kind() {
        "redirected_statement" => node.child_by_field_name("body")?,
        "pipeline" => {
            let mut c = node.walk();
            let parts: Vec<Node> = node.named_children(&mut c).filter(|n| n.kind() != "comment").collect();
            return simple_command(*if first { parts.first()? } else { parts.last()? }, text, first);
        }
        _ => node,
    };
    if node.kind() != "command" {
        return None;
    }
    let name = node.child_by_field_name("name")?;
    let name = &text[name.byte_range()];
    let name = name.rsplit('/').next().unwrap_or(name).to_string();
    let mut c = node.walk();
    let args = node.children_by_field_name("argument", &mut c).map(|a| text[a.byte_range()].to_string()).collect();
    Some((name, args))
}

/// Whether a reader may stop before the end of its input (and so kill the writer with SIGPIPE).
pub(super) fn stops_early(name: &str, args: &[String]) -> bool {
    match name {
        "head" => true,
        "grep" | "egrep" | "fgrep" => args.iter().any(|a| {
            a == "--quiet" || a == "--silent" || a.starts_with("--max-count") || (a.starts_with('-') && !a.starts_with("--") && a.contains(['q', 'm']))
        }),
        _ => false,
    }
}
