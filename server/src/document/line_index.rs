//! Line starts of a text and conversion between byte offsets and client positions.

/// How the client counts characters in a line (`positionEncoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

impl PositionEncoding {
    /// Code units of `ch` in this encoding.
    pub fn width(self, ch: char) -> u32 {
        match self {
            PositionEncoding::Utf8 => ch.len_utf8() as u32,
            PositionEncoding::Utf16 => ch.len_utf16() as u32,
            PositionEncoding::Utf32 => 1,
        }
    }
}

/// A (line, character) position in the client's encoding. Mirrors the LSP type without
/// depending on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct TextPosition {
    pub line: u32,
    pub character: u32,
}

impl TextPosition {
    pub fn new(line: u32, character: u32) -> Self {
        TextPosition { line, character }
    }
}

/// Byte offsets where each line starts; lines end at `\n`, `\r\n` or a lone `\r`.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        // Rebuilt on every keystroke: memchr finds the breaks a word at a time.
        let mut starts = Vec::with_capacity(bytes.len() / 32 + 1);
        starts.push(0);
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                starts.push(i + 1);
            }
        }
        LineIndex { starts, len: text.len() }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte where `line` starts (the end of text for lines past the end).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// The line containing `offset` (clamped into the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.starts.binary_search(&offset) {
            Ok(l) => l,
            Err(l) => l - 1,
        }
    }

    /// Byte range of `line`'s content, without its line terminator.
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self.line_start(line);
        let mut end = if line + 1 < self.starts.len() { self.starts[line + 1] } else { self.len };
        let b = text.as_bytes();
        if end > start && b[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && b[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    /// Client position of a byte offset. Offsets inside a multi-byte character or a line
    /// terminator are moved back to the character's start.
    pub fn position(&self, text: &str, offset: usize, enc: PositionEncoding) -> TextPosition {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        self.position_on_line(text, offset, self.line_of(offset), enc)
    }

    /// [`LineIndex::position`] for offsets that mostly come in text order (an outline, a list
    /// of ranges): `hint` is the line of the previous offset, kept between calls. Lines at or
    /// just after it are looked at first; anything else falls back to the binary search.
    pub fn position_near(&self, text: &str, offset: usize, enc: PositionEncoding, hint: &mut usize) -> TextPosition {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of_near(offset, *hint);
        *hint = line;
        self.position_on_line(text, offset, line, enc)
    }

    fn line_of_near(&self, offset: usize, hint: usize) -> usize {
        let starts = &self.starts;
        if hint < starts.len() && starts[hint] <= offset {
            // A few lines on at most: ranges of one instruction rarely span more.
            for line in hint..(hint + 4).min(starts.len()) {
                if starts.get(line + 1).is_none_or(|&next| offset < next) {
                    return line;
                }
            }
        }
        self.line_of(offset)
    }

    fn position_on_line(&self, text: &str, offset: usize, line: usize, enc: PositionEncoding) -> TextPosition {
        // Most lines are ASCII, where every encoding counts bytes; checking that goes a word
        // at a time, decoding goes a character at a time.
        let range = self.line_range(text, line);
        let end = offset.min(range.end);
        let prefix = &text[range.start..end];
        let character = if enc == PositionEncoding::Utf8 || prefix.is_ascii() {
            prefix.len() as u32
        } else {
            prefix.chars().map(|c| enc.width(c)).sum()
        };
        TextPosition { line: line as u32, character }
    }

    /// Byte offset of a client position, clamped: a line past the end gives the end of text,
    /// a character past the end of its line gives the line's end.
    pub fn offset(&self, text: &str, pos: TextPosition, enc: PositionEncoding) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return self.len;
        }
        let range = self.line_range(text, line);
        let content = &text[range.clone()];
        if content.is_ascii() {
            return range.start + content.len().min(pos.character as usize);
        }
        let mut units = 0u32;
        let mut byte = range.start;
        for ch in text[range.clone()].chars() {
            let w = enc.width(ch);
            if units + w > pos.character {
                break;
            }
            units += w;
            byte += ch.len_utf8();
        }
        byte
    }
}
