//! Builds the typed [`Dockerfile`] from the tree. Total: every node shape the grammar can
//! produce, including ERROR/MISSING, maps to something.

use std::ops::Range;

use rayon::prelude::*;
use tree_sitter::{Node, Tree};

use super::shift::Shift;

use super::*;

/// Builds the model of `src`. With `previous` (the model of `previous_text`, an earlier text of
/// the same document) its unchanged instructions are moved over; with `changed` too (the bytes
/// the one edit since then wrote, see [`crate::document::Changed`]) only the tree around them
/// is walked.
pub(super) fn build(src: &str, tree: &Tree, previous: Option<(&str, Dockerfile)>, changed: Option<Range<usize>>) -> Dockerfile {
    let root = tree.root_node();
    let mut df = Dockerfile { escape: '\\', ..Default::default() };
    let spliced = match (&previous, changed) {
        (Some((previous_text, previous)), Some(changed)) => spliced_tops(root, src.len(), previous_text.len(), previous, changed),
        _ => None,
    };
    df.spliced = spliced.is_some();
    let nodes = match spliced {
        Some(nodes) => {
            // Directives come first and the changed part is after them: the same as before.
            let (_, previous) = previous.as_ref().expect("spliced from a previous model");
            df.directives = previous.directives.clone();
            df.escape = previous.escape;
            nodes
        }
        None => {
            let nodes = all_tops(root);
            read_directives(src, &nodes, &mut df);
            nodes
        }
    };
    assemble(src, df, nodes, root, previous)
}

/// The model of a text opened in two halves ([`crate::document::split`]): the top-level nodes of
/// both trees, in order, are the whole tree's.
pub(super) fn build_from_halves(src: &str, halves: &[Tree; 2]) -> Dockerfile {
    let mut df = Dockerfile { escape: '\\', ..Default::default() };
    let nodes: Vec<Top<'_>> = halves.iter().flat_map(|t| all_tops(t.root_node())).collect();
    read_directives(src, &nodes, &mut df);
    // Every node was read from a tree, so the root is never needed to look one up.
    assemble(src, df, nodes, halves[0].root_node(), None)
}

/// The directives that open the file, and the escape character they choose.
fn read_directives(src: &str, nodes: &[Top<'_>], df: &mut Dockerfile) {
    // Directives only ever come first, so the escape character is known before any instruction.
    for top in nodes.iter().take_while(|n| n.kind == TopKind::Directive) {
        let d = directive(top.node.expect("read from the tree"), src);
        if d.name.eq_ignore_ascii_case("escape") && d.value == "`" {
            df.escape = '`';
        }
        df.directives.push(d);
    }
}

/// The model from its top-level nodes: instructions built (on all cores) or taken over from
/// `previous`, comments, errors and stages.
fn assemble<'t>(src: &str, mut df: Dockerfile, nodes: Vec<Top<'t>>, root: Node<'t>, previous: Option<(&str, Dockerfile)>) -> Dockerfile {
    let escape = df.escape;
    // Which nodes take over an instruction of the previous model (and from where), which are
    // built. Nothing here holds an instruction but the old model's own vector and the new one:
    // at 50,000 lines an instruction array is ~5 MB, and an edit used to hold four at once.
    let mut taken = match previous.filter(|(_, p)| p.escape == escape) {
        Some((previous_text, previous)) => take_unchanged(src, &nodes, root.has_error(), previous_text, previous),
        None => Taken::default(),
    };
    df.reused = taken.plan.iter().flatten().count();
    // The changed instructions are independent of each other: built on all cores, in file order.
    let to_build: Vec<usize> = (0..nodes.len())
        .filter(|&k| nodes[k].kind.instruction().is_some() && taken.plan.get(k).is_none_or(Option::is_none))
        .collect();
    let mut fresh = to_build
        .par_iter()
        .map(|&k| {
            let top = &nodes[k];
            let kind = top.kind.instruction().expect("only instruction nodes are built");
            let mut scratch = Dockerfile { escape, ..Default::default() };
            let ins = Box::new(instruction(top.node(root), kind, src, escape, &mut scratch));
            let extras = (!scratch.comments.is_empty() || !scratch.errors.is_empty())
                .then(|| Box::new(InstructionExtras { comments: scratch.comments, errors: scratch.errors }));
            (ins, extras)
        })
        .collect::<Vec<_>>()
        .into_iter();
    df.instructions.reserve_exact(nodes.len());
    for (k, top) in nodes.iter().enumerate() {
        match top.kind {
            TopKind::Directive | TopKind::Other => {}
            TopKind::Comment => df.comments.push(top.range.clone()),
            TopKind::Error => {
                collect_comments(top.node(root), &mut df.comments);
                let first_word = src[top.range.clone()].split_whitespace().next().unwrap_or("");
                df.errors.push(SyntaxError {
                    range: top.range.clone(),
                    missing: None,
                    instruction: Kind::from_keyword(first_word),
                });
            }
            TopKind::Instruction(_) => {
                let (ins, extras) = match taken.plan.get(k).copied().flatten() {
                    Some(i) => {
                        let ins = taken.old[i].take().expect("each old instruction is taken once");
                        (ins, taken.extras.remove(&i).map(Box::new))
                    }
                    None => fresh.next().expect("one built instruction per node to build"),
                };
                if let Some(extras) = extras {
                    df.comments.extend(extras.comments.iter().cloned());
                    df.errors.extend(extras.errors.iter().cloned());
                    df.extras.insert(df.instructions.len(), *extras);
                }
                df.instructions.push(ins);
            }
        }
    }
    drop(taken);
    df.tops = nodes.iter().map(|t| TopNode { range: t.range.clone(), kind: t.kind }).collect();
    assign_stages(&mut df);
    df.errors.sort_by_key(|e| e.range.start);
    df.instructions.shrink_to_fit();
    df.comments.shrink_to_fit();
    df.stages.shrink_to_fit();
    df
}

/// A top-level node of the tree; outside the changed part of an edited text only its kind and
/// range, taken from the previous model.
struct Top<'t> {
    node: Option<Node<'t>>,
    kind: TopKind,
    range: Range<usize>,
}

impl TopKind {
    fn of(node_kind: &str) -> TopKind {
        match node_kind {
            "parser_directive" => TopKind::Directive,
            "comment" => TopKind::Comment,
            "ERROR" => TopKind::Error,
            k => Kind::from_node_kind(k).map_or(TopKind::Other, TopKind::Instruction),
        }
    }

    fn instruction(self) -> Option<Kind> {
        match self {
            TopKind::Instruction(k) => Some(k),
            _ => None,
        }
    }
}

impl<'t> Top<'t> {
    fn new(node: Node<'t>) -> Top<'t> {
        Top { node: Some(node), kind: TopKind::of(node.kind()), range: node.byte_range() }
    }

    /// The tree's node (looked up by offset for a node taken from the previous model, which
    /// only happens if that model's instruction could not be reused after all).
    fn node(&self, root: Node<'t>) -> Node<'t> {
        self.node.unwrap_or_else(|| {
            let mut cursor = root.walk();
            match cursor.goto_first_child_for_byte(self.range.start) {
                Some(_) => cursor.node(),
                None => root,
            }
        })
    }
}

/// Every top-level node, asked of tree-sitter once (each call walks the tree's internals; a
/// 5,000-line file has 5,000 of these nodes).
fn all_tops(root: Node<'_>) -> Vec<Top<'_>> {
    let mut cursor = root.walk();
    root.children(&mut cursor).map(Top::new).collect()
}

/// The top-level nodes of an edited text without walking the whole tree: only the nodes around
/// the edited bytes come from the tree; those before them are the previous model's, and those
/// after them the previous model's moved by the length difference. Walking every top-level
/// node cost ~10 % of a keystroke at 5,000 lines (the walk touches memory the caches lost
/// between keystrokes).
///
/// The walk starts at the last node that ends before the edit (found by its start, and it must
/// be where the previous model has it) and takes every following node up to the first one
/// that starts after the edit, which must be the previous model's next node, moved. An edit
/// whose effect reaches further (a `\` at a line's end, a heredoc marker) makes a walked node
/// longer or the next node another one; a mismatch falls back to the whole walk, and so do an
/// error in either tree and an edit at the directives. The property test compares every
/// edit's model with a fresh one.
fn spliced_tops<'t>(root: Node<'t>, len: usize, previous_len: usize, previous: &Dockerfile, edited: Range<usize>) -> Option<Vec<Top<'t>>> {
    if root.has_error() || !previous.errors.is_empty() || previous.extras.values().any(|e| !e.errors.is_empty()) {
        return None;
    }
    if edited.start > edited.end || edited.end > len {
        return None;
    }
    // One byte of margin on each side: a node that only touches the edit is walked too.
    let (lo, hi) = (edited.start.checked_sub(1)?, edited.end + 1);
    let directives_end = previous.tops.iter().take_while(|t| t.kind == TopKind::Directive).last().map_or(0, |t| t.range.end);
    if lo <= directives_end {
        return None;
    }
    let before = previous.tops.partition_point(|t| t.range.end <= lo);
    let mut cursor = root.walk();
    let started = match before.checked_sub(1).map(|i| &previous.tops[i]) {
        // (By a byte inside the node: tree-sitter does not find a node by a byte of the
        // whitespace in front of it.)
        Some(last) => {
            cursor.goto_first_child_for_byte(last.range.start)?;
            if cursor.node().byte_range() != last.range {
                return None;
            }
            cursor.goto_next_sibling()
        }
        None => cursor.goto_first_child(),
    };
    let mut walked = Vec::new();
    // The first node after the walked ones, as the tree has it.
    let mut next: Option<Range<usize>> = None;
    if started {
        loop {
            let node = cursor.node();
            if node.start_byte() >= hi {
                next = Some(node.byte_range());
                break;
            }
            walked.push(Top::new(node));
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    let delta = len as isize - previous_len as isize;
    let moved = |t: &TopNode| (t.range.start as isize + delta) as usize..(t.range.end as isize + delta) as usize;
    let after_start = walked.last().map_or(hi, |t| t.range.end.max(hi)) as isize - delta;
    let after = previous.tops.partition_point(|t| (t.range.start as isize) < after_start);
    if after < before || walked.iter().any(|t| t.kind == TopKind::Directive) || next != previous.tops.get(after).map(moved) {
        return None;
    }
    let synthetic = |t: &TopNode, range: Range<usize>| Top { node: None, kind: t.kind, range };
    let mut tops = Vec::with_capacity(before + walked.len() + previous.tops.len() - after);
    tops.extend(previous.tops[..before].iter().map(|t| synthetic(t, t.range.clone())));
    tops.extend(walked);
    tops.extend(previous.tops[after..].iter().map(|t| synthetic(t, moved(t))));
    Some(tops)
}

/// What an edit keeps of the previous model: its instructions (each taken out when its node
/// is assembled), already moved to their new offsets, and for each top-level node of the new
/// tree the old instruction it takes over.
#[derive(Default)]
struct Taken {
    old: Vec<Option<Box<Instruction>>>,
    extras: std::collections::HashMap<usize, InstructionExtras>,
    plan: Vec<Option<usize>>,
}

/// Moves the unchanged instructions of `previous` (the model of `previous_text`, an earlier
/// text of the same document) to the nodes whose text they match: after an edit only the
/// changed instructions are built again. Moving instead of copying keeps one model in memory,
/// not two.
fn take_unchanged(src: &str, nodes: &[Top], any_error: bool, previous_text: &str, previous: Dockerfile) -> Taken {
    let Dockerfile { instructions, tops, mut extras, .. } = previous;
    // Each instruction's node: the text it is looked up by (it ends after the line break,
    // unlike the instruction's range).
    let node_ranges: Vec<Range<usize>> = tops.into_iter().filter(|t| t.kind.instruction().is_some()).map(|t| t.range).collect();
    // The instruction nodes of the new tree (indices into `nodes`), and their texts; a node with
    // a syntax error has no usable text: its shape depends on how tree-sitter recovered, which
    // depends on the edit history, not only on the text, so it is always built again.
    let new: Vec<usize> = (0..nodes.len()).filter(|&k| nodes[k].kind.instruction().is_some()).collect();
    let new_text = |j: usize| {
        let top = &nodes[new[j]];
        (!(any_error && top.node.is_none_or(|n| n.has_error()))).then(|| &src[top.range.clone()])
    };
    let old_text = |i: usize| node_ranges.get(i).and_then(|r| previous_text.get(r.clone()));
    let same = |j: usize, i: usize| new_text(j).is_some_and(|t| old_text(i) == Some(t));
    // An edit changes a run of instructions somewhere in the file: the ones before it and after
    // it line up with the previous model one to one, found by comparing texts from both ends
    // (no hashing). Only the nodes in between are looked up by text among the old ones in
    // between (an instruction moved or duplicated).
    let (n, m) = (new.len(), node_ranges.len());
    let mut prefix = 0;
    while prefix < n.min(m) && same(prefix, prefix) {
        prefix += 1;
    }
    let mut suffix = 0;
    while suffix < (n - prefix).min(m - prefix) && same(n - 1 - suffix, m - 1 - suffix) {
        suffix += 1;
    }
    let mut pairs: Vec<(usize, usize)> = (0..prefix).map(|k| (k, k)).collect();
    if prefix + suffix < n && prefix + suffix < m {
        // Identical instructions are common (`WORKDIR /app` in every stage): each key lists all
        // of them, earliest last so `pop` hands them out in file order.
        let mut by_text: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
        for i in (prefix..m - suffix).rev() {
            if let Some(t) = old_text(i) {
                by_text.entry(t).or_default().push(i);
            }
        }
        for j in prefix..n - suffix {
            if let Some(i) = new_text(j).and_then(|t| by_text.get_mut(t)).and_then(Vec::pop) {
                pairs.push((j, i));
            }
        }
    }
    pairs.extend((0..suffix).map(|k| (n - 1 - k, m - 1 - k)));
    let mut old: Vec<Option<Box<Instruction>>> = instructions.into_iter().map(Some).collect();
    let mut plan: Vec<Option<usize>> = vec![None; nodes.len()];
    // How far each old instruction moved; `None`: no node takes it over.
    let mut delta: Vec<Option<isize>> = vec![None; old.len()];
    for (j, i) in pairs {
        let top = &nodes[new[j]];
        if extras.get(&i).is_some_and(|e| !e.errors.is_empty()) || old[i].as_ref().map(|ins| ins.kind) != top.kind.instruction() {
            continue;
        }
        plan[new[j]] = Some(i);
        delta[i] = Some(top.range.start as isize - node_ranges[i].start as isize);
    }
    // Instructions nobody takes over are dropped now; the ones that moved get their new offsets
    // (on all cores: at 50,000 lines that can be 27,000 instructions' ranges). The others are
    // not touched at all: after a keystroke most of them sit in memory the caches have lost.
    // Their stage is assigned again with the stages.
    old.par_iter_mut().zip(delta.par_iter()).with_min_len(4096).for_each(|(slot, d)| match d {
        Some(0) => {}
        Some(d) => {
            if let Some(ins) = slot.as_mut() {
                ins.shift(*d);
            }
        }
        None => *slot = None,
    });
    extras.retain(|i, e| match delta[*i] {
        Some(d) => {
            if d != 0 {
                e.comments.shift(d);
                e.errors.shift(d);
            }
            true
        }
        None => false,
    });
    Taken { old, extras, plan }
}

fn collect_comments(node: Node, out: &mut Vec<Range<usize>>) {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if child.kind() == "comment" {
            out.push(child.byte_range());
        } else if child.child_count() > 0 {
            collect_comments(child, out);
        }
    }
}

fn text<'a>(node: Node, src: &'a str) -> &'a str {
    &src[node.byte_range()]
}

fn directive(node: Node, src: &str) -> Directive {
    let name = node.child_by_field_name("name");
    let value = node.child_by_field_name("value");
    let end = value.or(name).map_or(node.end_byte(), |n| n.end_byte());
    Directive {
        range: node.start_byte()..end,
        name: name.map(|n| text(n, src).to_string()).unwrap_or_default(),
        name_range: name.map_or(node.start_byte()..node.start_byte(), |n| n.byte_range()),
        value: value.map(|n| text(n, src).to_string()).unwrap_or_default(),
        value_range: value.map_or(end..end, |n| n.byte_range()),
    }
}

/// Collects ERROR and MISSING nodes inside an instruction. A MISSING hidden token is not
/// visible to the node API; then the innermost visible node containing it is reported.
fn collect_errors(node: Node, kind: Kind, out: &mut Vec<SyntaxError>) -> bool {
    if !node.has_error() {
        return false;
    }
    let mut found = false;
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if child.is_missing() {
            out.push(SyntaxError {
                range: child.byte_range(),
                missing: Some(child.kind().to_string()),
                instruction: Some(kind),
            });
            found = true;
        } else if child.is_error() {
            out.push(SyntaxError { range: child.byte_range(), missing: None, instruction: Some(kind) });
            found = true;
        } else {
            found |= collect_errors(child, kind, out);
        }
    }
    if !found {
        out.push(SyntaxError { range: node.byte_range(), missing: Some(node.kind().to_string()), instruction: Some(kind) });
    }
    true
}

fn instruction(node: Node, kind: Kind, src: &str, escape: char, df: &mut Dockerfile) -> Instruction {
    // Nested instructions (ONBUILD, HEALTHCHECK CMD) report their own errors.
    let mut errors = Vec::new();
    collect_errors(node, kind, &mut errors);
    for e in errors {
        if !df.errors.iter().any(|x| x.range == e.range) {
            df.errors.push(e);
        }
    }
    let mut keyword_range = node.start_byte()..node.start_byte();
    let mut flags = Vec::new();
    let mut args = Args::None;
    let mut words = Vec::new();
    let mut pairs = Vec::new();
    let mut markers: Vec<Heredoc> = Vec::new();
    let mut blocks: Vec<Node> = Vec::new();
    let mut nested = None;
    let mut end = node.start_byte();
    let mut from_image = None;
    let mut as_keyword = None;
    let mut alias = None;
    let mut user = None;
    let mut group = None;

    // One cursor walk over the children: the field name comes from the cursor (asking the
    // node for the field of child i walks its children again, quadratic on long instructions).
    let mut cursor = node.walk();
    let mut more = cursor.goto_first_child();
    let mut i = 0usize;
    while more {
        let child = cursor.node();
        let field = cursor.field_name();
        more = cursor.goto_next_sibling();
        i += 1;
        let i = i - 1;
        if child.is_missing() {
            continue;
        }
        let child_kind = child.kind();
        if child_kind == "heredoc_block" {
            // The block ends with its terminator's newline; the instruction ends at the terminator.
            let mut c2 = child.walk();
            let last = child.children(&mut c2).filter(|p| p.kind() == "heredoc_end" || p.kind() == "heredoc_content").last();
            end = end.max(last.map_or(child.end_byte(), |p| p.end_byte()));
        } else if child_kind != "comment" && child_kind != "line_continuation" && !child_kind.ends_with("_instruction") {
            // A nested instruction's node ends after its newline: its own range is used below.
            end = end.max(child.end_byte());
        }
        match child_kind {
            "comment" => df.comments.push(child.byte_range()),
            "param" | "mount_param" => flags.push(flag(child, src, escape)),
            "json_string_array" => args = Args::Exec(json_strings(child, src)),
            "shell_command" => {
                let mut fragments = Vec::new();
                let mut c2 = child.walk();
                for part in child.children(&mut c2) {
                    match part.kind() {
                        "shell_fragment" => fragments.push(part.byte_range()),
                        "heredoc_marker" => {
                            fragments.push(part.byte_range());
                            markers.push(heredoc_marker(part, src));
                        }
                        "comment" => df.comments.push(part.byte_range()),
                        _ => {}
                    }
                }
                fragments.shrink_to_fit();
                args = Args::Shell(ShellText { range: child.byte_range(), fragments });
            }
            "heredoc_marker" => {
                markers.push(heredoc_marker(child, src));
                words.push(Word::from_node(child, src, escape));
            }
            "heredoc_block" => blocks.push(child),
            "path" | "expose_port" | "unquoted_string" if field != Some("user") && field != Some("group") => {
                words.push(Word::from_node(child, src, escape));
            }
            "unquoted_string" if field == Some("user") => user = Some(Word::from_node(child, src, escape)),
            "unquoted_string" if field == Some("group") => group = Some(Word::from_node(child, src, escape)),
            "env_pair" | "label_pair" | "arg_pair" => pairs.push(pair(child, src, escape)),
            "image_spec" => from_image = Some(ImageRef::from_node(child, src)),
            "AS" => as_keyword = Some(child.byte_range()),
            "image_alias" => alias = Some(Word::from_node(child, src, escape)),
            "NONE" => args = Args::HealthcheckNone,
            "ERROR" => {}
            k if i == 0 && !child.is_named() => {
                let _ = k;
                keyword_range = child.byte_range();
            }
            k if k.ends_with("_instruction") => {
                if let Some(nk) = Kind::from_node_kind(k) {
                    let inner = instruction(child, nk, src, escape, df);
                    end = end.max(inner.range.end);
                    nested = Some(Box::new(inner));
                }
            }
            _ => {}
        }
    }

    // Pair the heredoc bodies with the markers, in order.
    for (marker, block) in markers.iter_mut().zip(blocks.iter()) {
        let mut c = block.walk();
        for part in block.children(&mut c) {
            match part.kind() {
                "heredoc_content" => marker.body_range = Some(part.byte_range()),
                "heredoc_end" if !part.is_missing() && part.end_byte() > part.start_byte() => {
                    marker.end_range = Some(part.byte_range())
                }
                _ => {}
            }
        }
    }

    // The model lives as long as the document: vectors grown by `push` keep up to 4× the room
    // they need (a one-flag Vec<Flag> holds four), which at 50,000 lines is ~14 MB.
    flags.shrink_to_fit();
    words.shrink_to_fit();
    pairs.shrink_to_fit();
    markers.shrink_to_fit();
    if let Some(image) = from_image {
        args = Args::From(Box::new(FromArgs { image, as_keyword, alias }));
    } else if let Some(user) = user {
        args = Args::User { user: Box::new(user), group: group.map(Box::new) };
    } else if !pairs.is_empty() {
        args = Args::Pairs(pairs);
    } else if !words.is_empty() && matches!(args, Args::None) {
        args = Args::Words(words);
    }

    Instruction {
        kind,
        range: node.start_byte()..end.max(keyword_range.end),
        keyword: src[keyword_range.clone()].into(),
        keyword_range,
        flags,
        args,
        heredocs: markers,
        nested,
        stage: None,
        memo: Default::default(),
    }
}

fn flag(node: Node, src: &str, escape: char) -> Flag {
    let name = node.child_by_field_name("name");
    let value = node.child_by_field_name("value");
    let mut mount = Vec::new();
    let mut value_word = None;
    if node.kind() == "mount_param" {
        if let Some(opts) = value {
            let mut c = opts.walk();
            for opt in opts.named_children(&mut c) {
                if opt.kind() != "mount_option" {
                    continue;
                }
                let key = opt.child_by_field_name("key");
                let v = opt.child_by_field_name("value");
                mount.push(MountOption {
                    range: opt.byte_range(),
                    // BuildKit reads mount keys case-insensitively.
                    key: key.map(|k| compact_str::CompactString::from(text(k, src)).to_ascii_lowercase()).unwrap_or_default(),
                    key_range: key.map_or(opt.byte_range(), |k| k.byte_range()),
                    value: v.map(|v| Word::from_node(v, src, escape)),
                });
            }
            value_word = Some(Word::from_node(opts, src, escape));
        }
    } else {
        value_word = value.map(|v| Word::from_node(v, src, escape));
    }
    mount.shrink_to_fit();
    Flag {
        range: node.byte_range(),
        name: name.map(|n| text(n, src).into()).unwrap_or_default(),
        name_range: name.map_or(node.byte_range(), |n| n.byte_range()),
        value: value_word,
        mount,
    }
}

fn pair(node: Node, src: &str, escape: char) -> Pair {
    let key = node.child_by_field_name("name").or_else(|| node.child_by_field_name("key"));
    let value = node.child_by_field_name("value").or_else(|| node.child_by_field_name("default"));
    let mut has_equals = false;
    let mut c = node.walk();
    for child in node.children(&mut c) {
        if child.kind() == "=" {
            has_equals = true;
        }
    }
    let key = key.map(|k| Word::from_node(k, src, escape)).unwrap_or_else(|| Word::from_node(node, src, escape));
    Pair { range: node.byte_range(), key, value: value.map(|v| Word::from_node(v, src, escape)), has_equals }
}

fn json_strings(node: Node, src: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut c = node.walk();
    for s in node.named_children(&mut c) {
        if s.kind() == "json_string" {
            let raw = text(s, src);
            let value = serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.trim_matches('"').to_string());
            out.push(Word::decoded(s.byte_range(), raw, value));
        }
    }
    out.shrink_to_fit();
    out
}

fn heredoc_marker(node: Node, src: &str) -> Heredoc {
    let raw = text(node, src);
    let rest = raw.trim_start_matches("<<");
    let (strip_tabs, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    // One shell word, as the scanner read it: `"EOF"`, `E"OF"`, `'EOF'`, `\EOF` all end at `EOF`.
    // Quotes anywhere turn expansion off in the body (BuildKit's rule).
    let quoted = rest.contains(['"', '\'']);
    let mut delimiter = String::with_capacity(rest.len());
    let mut quote = None;
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '\\') => delimiter.extend(chars.next()),
            (_, c) => delimiter.push(c),
        }
    }
    Heredoc { marker_range: node.byte_range(), delimiter, strip_tabs, quoted, body_range: None, end_range: None }
}

fn assign_stages(df: &mut Dockerfile) {
    let mut stages: Vec<Stage> = Vec::new();
    // Lower-cased stage name → the latest stage of that name so far (FROM <stage>).
    let mut by_name: crate::keys::Map<String, usize> = Default::default();
    let escape = df.escape;
    // The global ARG defaults, for `FROM $BASE` naming a stage (BuildKit expands the name with
    // them before it looks for a stage of that name).
    let mut globals = crate::semantics::resolve::Values::new();
    for ins in df.instructions.iter().take_while(|i| i.kind != Kind::From).filter(|i| i.kind == Kind::Arg) {
        for p in ins.pairs() {
            let value = p.value.as_ref().map(|w| unquote(&crate::semantics::resolve::expand(&w.text, &globals, escape), escape));
            globals.insert(p.key.value.to_string(), value);
        }
    }
    // An image text's expanded, lower-cased name: the same `FROM ${BASE}` usually starts many
    // stages, and the globals are the same for every FROM.
    let mut expanded: crate::keys::Map<String, String> = Default::default();
    for (i, ins) in df.instructions.iter_mut().enumerate() {
        if ins.kind == Kind::From {
            if let Some(last) = stages.last_mut() {
                last.instructions.end = i;
            }
            let (image, name) = match &ins.args {
                Args::From(f) => (f.image.clone(), f.alias.clone()),
                _ => (ImageRef { range: ins.range.clone(), ..Default::default() }, None),
            };
            let parent = if image.text.contains('$') {
                // Looked up before it is inserted: no copy of the text for the key on every FROM.
                if !expanded.contains_key(&image.text) {
                    let name = unquote(&crate::semantics::resolve::expand(&image.text, &globals, escape), escape).to_ascii_lowercase();
                    expanded.insert(image.text.clone(), name);
                }
                by_name.get(expanded[&image.text].as_str()).copied()
            } else if image.registry.is_none() && image.tag.is_none() && image.digest.is_none() {
                by_name.get(&image.repository.0.to_ascii_lowercase()).copied()
            } else {
                None
            };
            if let Some(n) = &name {
                by_name.insert(n.text.as_str().to_ascii_lowercase(), stages.len());
            }
            stages.push(Stage {
                index: stages.len(),
                from: i,
                instructions: i..i + 1,
                name,
                image,
                parent,
                range: ins.range.clone(),
            });
        }
        // Set for every instruction: one taken over from the previous model still has the
        // stage it had there.
        ins.stage = stages.last().map(|s| s.index);
        if let Some(stage) = stages.last_mut() {
            stage.instructions.end = i + 1;
            stage.range.end = ins.range.end;
        }
    }
    df.stages = stages;
    df.stage_index = Default::default();
}
