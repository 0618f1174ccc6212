//! Semantic tokens: a classification of the Dockerfile's own syntax for editors.
//!
//! One walk over the tree (subtrees outside the requested range are skipped), emitting tokens
//! in source order, so the result is sorted and non-overlapping by construction. Parents that
//! colour a whole span (a quoted string, an image name) leave holes where their named children
//! are (expansions, comments, continuations), and the children are classified in those holes.
//!
//! What is classified, with the legend's names:
//!
//! | text                                                        | type         | modifiers                    |
//! |-------------------------------------------------------------|--------------|------------------------------|
//! | instruction keywords, `AS`, `NONE`                          | `keyword`    | `deprecated` for MAINTAINER  |
//! | heredoc delimiters (`<<EOF` of COPY/ADD, the `EOF` line)    | `keyword`    |                              |
//! | comments                                                    | `comment`    |                              |
//! | `# syntax` / `# escape` / `# check` directive: `#` and name | `macro`      |                              |
//! | directive value, quoted strings, JSON strings, heredoc body | `string`     |                              |
//! | `$NAME` / `${NAME}`: the name only                          | `variable`   | `defaultLibrary` if predefined |
//! | ENV and ARG names where they are defined                    | `variable`   | `declaration` (+`defaultLibrary`) |
//! | `--flag` (dashes and name), `--` ending the flags           | `parameter`, `operator` |                   |
//! | `--mount` keys, LABEL keys                                  | `property`   |                              |
//! | `=` of pairs, flags, mount options and directives; `${V:-w}`'s `:-` | `operator` |                      |
//! | EXPOSE ports                                                | `number`     |                              |
//! | EXPOSE protocol, `--mount type=` value, STOPSIGNAL signal   | `enumMember` |                              |
//! | image name (registry and repository) in FROM, `--from=image`| `namespace`  |                              |
//! | image tag and digest (without `:` / `@`)                    | `enumMember` |                              |
//! | stage names: `AS name`, `FROM name`, `--from=name`, `from=name` | `type`   | `declaration` at `AS name`   |
//!
//! Shell-form text (RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK CMD) gets no tokens apart from the
//! comment lines inside it: editors colour it by injecting a shell grammar. `$`, `{`, `}`,
//! brackets, commas and line continuations get no token either, so the editor's own
//! highlighting shows through.
//!
//! Tokens never include line terminators, but a heredoc body or a quoted string continued over
//! lines spans several lines; [`split_multiline`] cuts them for clients without
//! `multilineTokenSupport`.

use std::collections::HashSet;
use std::ops::Range;

use tree_sitter::Node;

use crate::document::{LineIndex, Snapshot};
use crate::semantics::PREDEFINED_ARGS;

/// The token types, in legend order (LSP standard names only).
pub const TOKEN_TYPES: &[&str] = &[
    "keyword",
    "comment",
    "string",
    "variable",
    "parameter",
    "property",
    "operator",
    "number",
    "namespace",
    "type",
    "enumMember",
    "macro",
];

/// The token modifiers, in legend order: bit `i` of [`SemanticToken::modifiers`] is
/// `TOKEN_MODIFIERS[i]`.
pub const TOKEN_MODIFIERS: &[&str] = &["declaration", "defaultLibrary", "deprecated"];

/// Index of a token type in [`TOKEN_TYPES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum TokenType {
    Keyword = 0,
    Comment = 1,
    String = 2,
    Variable = 3,
    Parameter = 4,
    Property = 5,
    Operator = 6,
    Number = 7,
    Namespace = 8,
    Type = 9,
    EnumMember = 10,
    Macro = 11,
}

/// Bits of [`SemanticToken::modifiers`].
pub mod modifier {
    /// A name where it is defined (ENV/ARG names, `AS name`).
    pub const DECLARATION: u32 = 1 << 0;
    /// A build arg BuildKit predefines (TARGETPLATFORM, HTTP_PROXY, …).
    pub const DEFAULT_LIBRARY: u32 = 1 << 1;
    /// The MAINTAINER keyword.
    pub const DEPRECATED: u32 = 1 << 2;
}

/// One classified byte range of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemanticToken {
    pub range: Range<usize>,
    /// Index into [`TOKEN_TYPES`].
    pub token_type: u32,
    /// Bit set over [`TOKEN_MODIFIERS`].
    pub modifiers: u32,
}

/// The semantic tokens of the document, or of the part of it that intersects `range` (tokens
/// that cross the range's ends are returned whole). Sorted by start, non-overlapping, never
/// empty, never containing a line terminator at either end.
pub fn semantic_tokens(snapshot: &Snapshot, range: Option<Range<usize>>) -> Vec<SemanticToken> {
    let text: &str = &snapshot.text;
    let range = range.map(|r| r.start.min(text.len())..r.end.min(text.len()));
    let mut w = Walker { text, range, out: Vec::new(), stages: HashSet::new() };
    let root = snapshot.tree.root_node();
    let mut cursor = root.walk();
    for child in root.children(&mut cursor) {
        if w.intersects(child) {
            w.visit(child);
        }
        // Stage names are recorded even when their FROM is outside the range, so that later
        // references are still recognised.
        if child.kind() == "from_instruction" {
            if let Some(alias) = child.child_by_field_name("as") {
                w.stages.insert(text[alias.byte_range()].to_ascii_lowercase());
            }
        }
    }
    debug_assert!(w.out.windows(2).all(|p| p[0].range.end <= p[1].range.start), "tokens overlap or are unsorted");
    w.out
}

/// Splits tokens that span lines into one token per line, without the line terminators (for
/// clients that lack `multilineTokenSupport`). Empty pieces (blank lines) are dropped.
pub fn split_multiline(tokens: Vec<SemanticToken>, text: &str, lines: &LineIndex) -> Vec<SemanticToken> {
    let mut out = Vec::with_capacity(tokens.len());
    for t in &tokens {
        out.extend(line_pieces(t, text, lines));
    }
    out
}

/// One token of [`split_multiline`]'s answer: the token itself when it is on one line, else
/// its non-empty piece on each line it spans.
pub fn line_pieces<'a>(t: &'a SemanticToken, text: &'a str, lines: &'a LineIndex) -> impl Iterator<Item = SemanticToken> + 'a {
    let first = lines.line_of(t.range.start);
    let last = lines.line_of(t.range.end);
    (first..=last).filter_map(move |line| {
        let piece = if first == last {
            t.range.clone()
        } else {
            let lr = lines.line_range(text, line);
            t.range.start.max(lr.start)..t.range.end.min(lr.end)
        };
        (piece.start < piece.end || first == last).then_some(SemanticToken { range: piece, token_type: t.token_type, modifiers: t.modifiers })
    })
}

fn is_predefined_arg(name: &str) -> bool {
    PREDEFINED_ARGS.iter().any(|(n, _)| *n == name)
}

fn is_keyword_kind(kind: &str) -> bool {
    matches!(
        kind,
        "FROM"
            | "RUN"
            | "CMD"
            | "LABEL"
            | "MAINTAINER"
            | "EXPOSE"
            | "ENV"
            | "ADD"
            | "COPY"
            | "ENTRYPOINT"
            | "VOLUME"
            | "USER"
            | "WORKDIR"
            | "ARG"
            | "ONBUILD"
            | "STOPSIGNAL"
            | "HEALTHCHECK"
            | "SHELL"
            | "AS"
            | "NONE"
    )
}

struct Walker<'a> {
    text: &'a str,
    range: Option<Range<usize>>,
    out: Vec<SemanticToken>,
    /// Lower-cased names of the stages defined so far (by top-level FROMs before this one).
    stages: HashSet<String>,
}

impl Walker<'_> {
    fn intersects(&self, node: Node) -> bool {
        self.overlaps(node.start_byte()..node.end_byte())
    }

    fn overlaps(&self, r: Range<usize>) -> bool {
        match &self.range {
            None => true,
            Some(q) => r.start < q.end && q.start < r.end,
        }
    }

    /// Emits a token, without trailing line terminators; empty and out-of-range ones are dropped.
    fn push(&mut self, range: Range<usize>, ty: TokenType, modifiers: u32) {
        let bytes = self.text.as_bytes();
        let mut end = range.end.min(bytes.len());
        while end > range.start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        // A heredoc body can start with an empty line: never start a token on a terminator.
        let mut start = range.start;
        while start < end && matches!(bytes[start], b'\n' | b'\r') {
            start += 1;
        }
        if end <= start || !self.overlaps(start..end) {
            return;
        }
        self.out.push(SemanticToken { range: start..end, token_type: ty as u32, modifiers });
    }

    fn push_node(&mut self, node: Node, ty: TokenType, modifiers: u32) {
        self.push(node.byte_range(), ty, modifiers);
    }

    /// Colours `start..end` of `node` with `ty`, except where its named children are; those are
    /// visited in their place.
    fn fill(&mut self, node: Node, start: usize, end: usize, ty: TokenType, modifiers: u32) {
        let mut pos = start;
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if child.start_byte() < start || child.end_byte() > end {
                continue;
            }
            self.push(pos..child.start_byte(), ty, modifiers);
            if self.intersects(child) {
                self.visit(child);
            }
            pos = child.end_byte();
        }
        self.push(pos..end, ty, modifiers);
    }

    fn fill_node(&mut self, node: Node, ty: TokenType, modifiers: u32) {
        self.fill(node, node.start_byte(), node.end_byte(), ty, modifiers);
    }

    fn children(&mut self, node: Node) {
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if self.intersects(child) {
                self.visit(child);
            }
        }
    }

    /// A node without expansions, quotes, comments or continuations inside: plain literal text.
    fn is_literal(node: Node) -> bool {
        node.named_child_count() == 0
    }

    fn visit(&mut self, node: Node) {
        let kind = node.kind();
        if !node.is_named() {
            match kind {
                "MAINTAINER" => self.push_node(node, TokenType::Keyword, modifier::DEPRECATED),
                k if is_keyword_kind(k) => self.push_node(node, TokenType::Keyword, 0),
                "=" => self.push_node(node, TokenType::Operator, 0),
                _ => {}
            }
            return;
        }
        if node.is_missing() {
            return;
        }
        match kind {
            "comment" => self.push_node(node, TokenType::Comment, 0),
            "line_continuation" => {}
            "ERROR" => self.error(node),
            "parser_directive" => {
                let mut cursor = node.walk();
                for child in node.children(&mut cursor) {
                    match child.kind() {
                        "#" | "directive_name" => self.push_node(child, TokenType::Macro, 0),
                        "=" => self.push_node(child, TokenType::Operator, 0),
                        "directive_value" => self.push_node(child, TokenType::String, 0),
                        _ => self.visit(child),
                    }
                }
            }
            "param" | "mount_param" => self.flag(node),
            "end_of_flags" => self.push_node(node, TokenType::Operator, 0),
            "mount_option" => self.mount_option(node),
            "image_spec" => self.image(node),
            "image_alias" => self.fill_node(node, TokenType::Type, modifier::DECLARATION),
            "env_pair" | "arg_pair" => self.pair(node),
            "label_pair" => {
                let key = node.child_by_field_name("key");
                let mut cursor = node.walk();
                for child in node.children(&mut cursor) {
                    if Some(child) == key {
                        self.fill_node(child, TokenType::Property, 0);
                    } else if self.intersects(child) {
                        self.visit(child);
                    }
                }
            }
            "expose_port" => self.expose_port(node),
            "stopsignal_instruction" => {
                let signal = node.child_by_field_name("signal");
                let mut cursor = node.walk();
                for child in node.children(&mut cursor) {
                    if Some(child) == signal && Self::is_literal(child) {
                        self.push_node(child, TokenType::EnumMember, 0);
                    } else {
                        self.visit(child);
                    }
                }
            }
            "double_quoted_string" | "single_quoted_string" => self.fill_node(node, TokenType::String, 0),
            "json_string" => self.push_node(node, TokenType::String, 0),
            "expansion" => self.expansion(node),
            "shell_command" => {
                // Shell text is left to the injected shell grammar; only Docker's own comment
                // lines inside it are classified.
                let mut cursor = node.walk();
                for child in node.children(&mut cursor) {
                    if child.kind() == "comment" {
                        self.push_node(child, TokenType::Comment, 0);
                    }
                }
            }
            "heredoc_marker" => self.push_node(node, TokenType::Keyword, 0),
            "heredoc_end" => {
                // `<<-` terminators may be indented with tabs; the token is the word.
                let r = node.byte_range();
                let indent = self.text[r.clone()].len() - self.text[r.clone()].trim_start().len();
                self.push(r.start + indent..r.end, TokenType::Keyword, 0);
            }
            "heredoc_content" => self.push_node(node, TokenType::String, 0),
            _ => self.children(node),
        }
    }

    /// Inside ERROR only comments, keywords and whole instructions are trusted.
    fn error(&mut self, node: Node) {
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if !self.intersects(child) {
                continue;
            }
            let kind = child.kind();
            if kind == "comment" || kind.ends_with("_instruction") || (!child.is_named() && is_keyword_kind(kind)) {
                self.visit(child);
            } else if child.is_named() {
                self.error(child);
            }
        }
    }

    fn flag(&mut self, node: Node) {
        let name = node.child_by_field_name("name");
        let value = node.child_by_field_name("value");
        let name_text = name.map_or("", |n| &self.text[n.byte_range()]);
        let name_end = name.map_or(node.start_byte() + 2, |n| n.end_byte());
        // `--name` together.
        self.push(node.start_byte()..name_end.min(node.end_byte()), TokenType::Parameter, 0);
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child.start_byte() < name_end || !self.intersects(child) {
                continue;
            }
            if Some(child) == value && name_text == "from" {
                self.stage_or_image(child);
            } else {
                self.visit(child);
            }
        }
    }

    fn mount_option(&mut self, node: Node) {
        let key = node.child_by_field_name("key");
        let value = node.child_by_field_name("value");
        let key_text = key.map_or("", |k| &self.text[k.byte_range()]);
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if !self.intersects(child) {
                continue;
            }
            if Some(child) == key {
                self.push_node(child, TokenType::Property, 0);
            } else if Some(child) == value && key_text == "from" {
                self.stage_or_image(child);
            } else if Some(child) == value && key_text == "type" && Self::is_literal(child) {
                self.push_node(child, TokenType::EnumMember, 0);
            } else {
                self.visit(child);
            }
        }
    }

    /// `--from=` / `from=`: an earlier stage's name (or index), else an image.
    fn stage_or_image(&mut self, value: Node) {
        if !Self::is_literal(value) {
            self.visit(value);
            return;
        }
        let text = &self.text[value.byte_range()];
        let ty = if self.is_stage(text) || text.bytes().all(|b| b.is_ascii_digit()) {
            TokenType::Type
        } else {
            TokenType::Namespace
        };
        self.push_node(value, ty, 0);
    }

    fn is_stage(&self, name: &str) -> bool {
        !self.stages.is_empty() && self.stages.contains(&name.to_ascii_lowercase())
    }

    fn image(&mut self, node: Node) {
        let name = node.child_by_field_name("name");
        let stage_ref = node.named_child_count() == 1
            && name.is_some_and(|n| Self::is_literal(n) && self.is_stage(&self.text[n.byte_range()]));
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if !self.intersects(child) {
                continue;
            }
            match child.kind() {
                "image_name" if stage_ref => self.push_node(child, TokenType::Type, 0),
                "image_name" => self.fill_node(child, TokenType::Namespace, 0),
                // Without the leading `:` / `@`.
                "image_tag" | "image_digest" => {
                    self.fill(child, child.start_byte() + 1, child.end_byte(), TokenType::EnumMember, 0)
                }
                _ => self.visit(child),
            }
        }
    }

    fn pair(&mut self, node: Node) {
        let name = node.child_by_field_name("name");
        let is_arg = node.kind() == "arg_pair";
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if !self.intersects(child) {
                continue;
            }
            if Some(child) == name {
                let mut mods = modifier::DECLARATION;
                if is_arg && is_predefined_arg(&self.text[child.byte_range()]) {
                    mods |= modifier::DEFAULT_LIBRARY;
                }
                self.fill_node(child, TokenType::Variable, mods);
            } else {
                self.visit(child);
            }
        }
    }

    fn expose_port(&mut self, node: Node) {
        let protocol = node.child_by_field_name("protocol");
        // The port (or range) ends at the `/` before the protocol.
        let end = protocol.map_or(node.end_byte(), |p| p.start_byte().saturating_sub(1).max(node.start_byte()));
        self.fill(node, node.start_byte(), end, TokenType::Number, 0);
        if let Some(p) = protocol.filter(|p| self.intersects(*p)) {
            if p.child_by_field_name("name").is_some() || p.named_child_count() > 0 {
                // `80/${PROTO}`: the protocol is an expansion.
                self.expansion(p);
            } else {
                self.push_node(p, TokenType::EnumMember, 0);
            }
        }
    }

    fn expansion(&mut self, node: Node) {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if !self.intersects(child) {
                continue;
            }
            match child.kind() {
                "variable" => {
                    let mods = if is_predefined_arg(&self.text[child.byte_range()]) { modifier::DEFAULT_LIBRARY } else { 0 };
                    self.push_node(child, TokenType::Variable, mods);
                }
                "expansion_operator" => self.push_node(child, TokenType::Operator, 0),
                // The word's literal text stays plain; quotes and nested expansions inside it
                // are classified.
                _ => self.children(child),
            }
        }
    }
}

#[cfg(test)]
mod tests;
