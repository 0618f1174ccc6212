//! Words: a piece of source text Docker treats as one argument, with the variable expansions
//! inside it and its value after quote and escape removal.

use std::ops::Range;

use tree_sitter::Node;

/// A `$NAME` or `${NAME…}` expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    pub range: Range<usize>,
    /// Empty for a lone `$` (which Docker keeps literally).
    pub name: compact_str::CompactString,
    pub name_range: Range<usize>,
    /// `:-`, `-`, `:+`, `+`, `:?`, `?`, `#`, `##`, `%`, `%%`, …
    pub operator: Option<String>,
    /// The raw word after the operator (`${V:-word}`), and its range.
    pub word: Option<(String, Range<usize>)>,
    pub braced: bool,
}

/// One argument: its raw text and range, its value with quotes/escapes removed, and the
/// expansions it contains (nested ones included, in source order).
///
/// Words, flag names, mount keys, keywords and variable names are `CompactString`s: almost all
/// are shorter than 24 bytes and stay inline, where a `String` would be one small heap block
/// each (the typed model of a 50,000-line file: 21.2 → 16.0 MiB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub range: Range<usize>,
    pub text: compact_str::CompactString,
    pub value: compact_str::CompactString,
    pub expansions: Vec<Expansion>,
}

impl Word {
    pub fn from_node(node: Node, src: &str, escape: char) -> Word {
        let range = node.byte_range();
        let text = src[range.clone()].to_string();
        let value = unquote(&text, escape);
        let mut expansions = Vec::new();
        // Every expansion starts with `$`: most words have none, and walking their nodes to
        // find out is most of the cost of building a word.
        if text.contains('$') {
            collect_expansions(node, src, &mut expansions);
            expansions.shrink_to_fit();
        }
        Word { range, text: text.into(), value: value.into(), expansions }
    }

    /// A word whose value was decoded elsewhere (a JSON string).
    pub fn decoded(range: Range<usize>, text: &str, value: String) -> Word {
        Word { range, text: text.into(), value: value.into(), expansions: Vec::new() }
    }

    pub fn has_expansions(&self) -> bool {
        self.expansions.iter().any(|e| !e.name.is_empty())
    }
}

pub(crate) fn collect_expansions(node: Node, src: &str, out: &mut Vec<Expansion>) {
    if node.kind() == "expansion" {
        let range = node.byte_range();
        let name_node = node.child_by_field_name("name");
        let (name, name_range) = match name_node {
            Some(n) => (src[n.byte_range()].to_string(), n.byte_range()),
            None => (String::new(), range.start + 1..range.start + 1),
        };
        let operator = node.child_by_field_name("operator").map(|n| src[n.byte_range()].to_string());
        let word = node.child_by_field_name("word").map(|n| (src[n.byte_range()].to_string(), n.byte_range()));
        let braced = src[range.clone()].starts_with("${");
        out.push(Expansion { range, name: name.into(), name_range, operator, word, braced });
    }
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        collect_expansions(child, src, out);
    }
}

/// Removes quotes, escapes and line continuations the way Docker's word processing does,
/// leaving `$` expansions in place.
pub fn unquote(raw: &str, escape: char) -> String {
    // Nothing to remove: most words.
    if !raw.contains(['"', '\'', escape]) {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if c == escape {
            // A continuation: escape, blanks, newline.
            let mut look = chars.clone();
            while matches!(look.peek(), Some(' ' | '\t' | '\r')) {
                look.next();
            }
            if matches!(look.peek(), Some('\n')) {
                look.next();
                chars = look;
                continue;
            }
            match quote {
                Some('\'') => out.push(c),
                Some(_) => match chars.peek() {
                    Some(&n) if n == '"' || n == '$' || n == escape => {
                        out.push(n);
                        chars.next();
                    }
                    _ => out.push(c),
                },
                None => {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    } else {
                        out.push(c);
                    }
                }
            }
            continue;
        }
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            _ => out.push(c),
        }
    }
    // Kept in the model: only as long as the value (quotes and escapes removed).
    out.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    use super::unquote;

    #[test]
    fn unquotes_like_docker() {
        assert_eq!(unquote(r#""two words""#, '\\'), "two words");
        assert_eq!(unquote(r#"a"b"'c'"#, '\\'), "abc");
        assert_eq!(unquote(r#"'$HOME'"#, '\\'), "$HOME");
        assert_eq!(unquote(r#"\$HOME"#, '\\'), "$HOME");
        assert_eq!(unquote(r#""say \"hi\"""#, '\\'), r#"say "hi""#);
        assert_eq!(unquote("\"a \\\n  b\"", '\\'), "a   b");
        assert_eq!(unquote(r"C:\go\bin", '`'), r"C:\go\bin");
    }
}
