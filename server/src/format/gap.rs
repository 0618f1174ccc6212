//! The text between two tokens of one instruction: blanks, or blanks, a line continuation and
//! the next line's indentation (with any empty or comment lines Docker skips in between).
//! Anything else there means the formatter does not understand the instruction, and leaves it.

/// A gap as found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gap<'a> {
    /// Blanks only (maybe none).
    Inline,
    /// A continuation: the line break after the escape, and the whole lines after it
    /// (empty or comment lines, each with its line break), kept as they are.
    Broken { newline: &'a str, kept: &'a str },
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// The line break at the start of `s`, if any.
fn newline_at(s: &str) -> Option<&str> {
    if s.starts_with("\r\n") {
        Some(&s[..2])
    } else if s.starts_with('\n') || s.starts_with('\r') {
        Some(&s[..1])
    } else {
        None
    }
}

pub(crate) fn parse(text: &str, escape: char) -> Option<Gap<'_>> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() && is_blank(b[i]) {
        i += 1;
    }
    if i == b.len() {
        return Some(Gap::Inline);
    }
    if !text[i..].starts_with(escape) {
        return None;
    }
    i += escape.len_utf8();
    while i < b.len() && is_blank(b[i]) {
        i += 1;
    }
    let newline = newline_at(&text[i..])?;
    let rest = &text[i + newline.len()..];
    // Whole lines up to the last line break, then the indentation.
    let last_break = rest.rfind(['\n', '\r']).map_or(0, |j| j + 1);
    let (kept, indentation) = rest.split_at(last_break);
    if !indentation.bytes().all(is_blank) {
        return None;
    }
    for line in kept.split_terminator('\n').flat_map(|l| l.split_terminator('\r')) {
        let t = line.trim_start_matches([' ', '\t']);
        if !(t.is_empty() || t.starts_with('#')) {
            return None;
        }
    }
    Some(Gap::Broken { newline, kept })
}

/// The gap laid out: `inline` when it was inline, else ` \` (the escape), the same line
/// break and kept lines, and `indent`.
pub(crate) fn render(gap: Gap, inline: &str, escape: char, indent: &str) -> String {
    match gap {
        Gap::Inline => inline.to_string(),
        Gap::Broken { newline, kept } => {
            let mut s = String::with_capacity(2 + newline.len() + kept.len() + indent.len());
            s.push(' ');
            s.push(escape);
            s.push_str(newline);
            s.push_str(kept);
            s.push_str(indent);
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps() {
        assert_eq!(parse("  ", '\\'), Some(Gap::Inline));
        assert_eq!(parse("", '\\'), Some(Gap::Inline));
        assert_eq!(parse(" \\\n    ", '\\'), Some(Gap::Broken { newline: "\n", kept: "" }));
        assert_eq!(parse(" \\ \r\n# c\r\n\r\n  ", '\\'), Some(Gap::Broken { newline: "\r\n", kept: "# c\r\n\r\n" }));
        assert_eq!(parse(" `\n", '`'), Some(Gap::Broken { newline: "\n", kept: "" }));
        assert_eq!(parse(" x ", '\\'), None);
        assert_eq!(parse(" \\\n  x\n ", '\\'), None);
        assert_eq!(parse(" \\x", '\\'), None);
        assert_eq!(render(Gap::Broken { newline: "\n", kept: "" }, " ", '\\', "    "), " \\\n    ");
    }
}
