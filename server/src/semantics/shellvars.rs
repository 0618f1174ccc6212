//! `$NAME` and `${NAME…}` in shell text, outside single quotes. A light scan, enough for
//! references and rename; rules that need real shell structure use `crate::shell`.
//! COPY and ADD heredoc bodies are expanded by BuildKit without quote processing: there single
//! quotes protect nothing (`quotes: false`).

use std::ops::Range;

pub(super) fn scan(text: &str, range: Range<usize>, quotes: bool, out: &mut Vec<(String, Range<usize>, bool)>) {
    let bytes = text.as_bytes();
    let mut i = range.start;
    let mut in_single = false;
    while i < range.end {
        let c = bytes[i];
        match c {
            b'\'' if quotes => in_single = !in_single,
            b'\\' if !in_single => i += 1,
            b'\n' => in_single = false, // a quote never spans a Dockerfile line we can't see
            b'$' if !in_single => {
                let braced = bytes.get(i + 1) == Some(&b'{');
                let start = if braced { i + 2 } else { i + 1 };
                let mut end = start;
                while end < range.end && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                    end += 1;
                }
                if end > start && !bytes[start].is_ascii_digit() {
                    out.push((text[start..end].to_string(), start..end, true));
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
}
