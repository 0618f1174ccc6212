//! JSON output (`--format json`): one document for the whole run, pretty-printed.
//!
//! ```json
//! {
//!   "version": 1,
//!   "tool": { "name": "dockls", "version": "0.1.0" },
//!   "files": [
//!     {
//!       "path": "Dockerfile",
//!       "diagnostics": [
//!         {
//!           "code": "unknown-instruction",
//!           "severity": "error",
//!           "message": "Unknown instruction `RUNN`; did you mean `RUN`?",
//!           "range": {
//!             "start": { "line": 1, "character": 0 },
//!             "end": { "line": 1, "character": 4 }
//!           },
//!           "startByte": 17,
//!           "endByte": 21,
//!           "tags": [],
//!           "related": []
//!         }
//!       ]
//!     }
//!   ],
//!   "inputErrors": [ { "path": "missing/Dockerfile", "message": "no such file or directory" } ],
//!   "summary": {
//!     "files": 1, "problems": 1, "errors": 1, "warnings": 0, "infos": 0, "hints": 0,
//!     "inputErrors": 1
//!   }
//! }
//! ```
//!
//! - `version` is the version of this format (incremented on incompatible changes);
//!   `tool.version` is the version of dockls.
//! - `files` lists every file checked, sorted by path, including files without diagnostics;
//!   `path` is as given on the command line or found under a directory given there (relative
//!   paths without a leading `./`, `<stdin>` for standard input).
//! - `diagnostics` are sorted by position. `severity` is `error`, `warning`, `info` or `hint`.
//!   `range` is as in the Language Server Protocol: 0-based lines, 0-based characters counted
//!   in UTF-16 code units, end exclusive; lines end at `\n`, `\r\n` or a lone `\r`.
//!   `startByte`/`endByte` are the same range as byte offsets into the file as stored (a
//!   byte-order mark counts; it is not part of any line for `range`).
//! - `tags` holds `unnecessary` (code that has no effect) and `deprecated`.
//! - `related` holds other places that explain the diagnostic, each with `message`, `range`,
//!   `startByte` and `endByte`.
//! - `inputErrors` lists paths that could not be checked (missing, unreadable, not UTF-8);
//!   `path` is null for errors not tied to one path.
//! - `summary` counts files checked, diagnostics by severity and input errors.

use std::io::{self, Write};
use std::ops::Range;

use serde::Serialize;

use crate::diagnostics::Tag;
use crate::document::{PositionEncoding, TextPosition};

use super::{CheckedFile, Positioner, Report, Summary};

/// The version of this JSON format.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    version: u32,
    tool: Tool,
    files: Vec<File<'a>>,
    input_errors: Vec<InputError<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct File<'a> {
    path: &'a str,
    diagnostics: Vec<Diagnostic<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Diagnostic<'a> {
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    range: TextRange,
    start_byte: usize,
    end_byte: usize,
    tags: Vec<&'static str>,
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Related<'a> {
    message: &'a str,
    range: TextRange,
    start_byte: usize,
    end_byte: usize,
}

#[derive(Serialize)]
struct TextRange {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    line: u32,
    character: u32,
}

impl From<TextPosition> for Position {
    fn from(p: TextPosition) -> Self {
        Position { line: p.line, character: p.character }
    }
}

#[derive(Serialize)]
struct InputError<'a> {
    path: Option<&'a str>,
    message: &'a str,
}

/// Converts ranges in increasing order (see [`Positioner`]).
struct Ranges<'a> {
    file: &'a CheckedFile,
    starts: Positioner<'a>,
    ends: Positioner<'a>,
}

impl<'a> Ranges<'a> {
    fn new(file: &'a CheckedFile) -> Self {
        let enc = PositionEncoding::Utf16;
        Ranges { file, starts: Positioner::new(file, enc), ends: Positioner::new(file, enc) }
    }

    fn range(&mut self, r: &Range<usize>) -> (TextRange, usize, usize) {
        let r = self.file.clamp(r);
        let start = self.starts.position(r.start).into();
        let end = self.ends.position(r.end).into();
        (TextRange { start, end }, r.start + self.file.bom, r.end + self.file.bom)
    }
}

fn file(f: &CheckedFile) -> File<'_> {
    let mut ranges = Ranges::new(f);
    let mut related_ranges = Ranges::new(f);
    let diagnostics = f
        .diagnostics
        .iter()
        .map(|d| {
            let (range2, start_byte, end_byte) = ranges.range(&d.range);
            Diagnostic {
                code: d.code,
                severity: d.severity.as_str(),
                message: &d.message,
                range: range2,
                start_byte,
                end_byte,
                tags: d
                    .tags
                    .iter()
                    .map(|t| match t {
                        Tag::Unnecessary => "unnecessary",
                        Tag::Deprecated => "deprecated",
                    })
                    .collect(),
                related: d
                    .related
                    .iter()
                    .map(|(r, message)| {
                        let (range, start_byte, end_byte) = related_ranges.range(r);
                        Related { message, range, start_byte, end_byte }
                    })
                    .collect(),
            }
        })
        .collect();
    File { path: &f.path, diagnostics }
}

/// Writes the JSON document for `report`, followed by a newline.
pub fn write(out: &mut impl Write, report: &Report<'_>) -> io::Result<()> {
    let doc = Document {
        version: FORMAT_VERSION,
        tool: Tool { name: "dockls", version: env!("CARGO_PKG_VERSION") },
        files: report.files.iter().map(file).collect(),
        input_errors: report
            .errors
            .iter()
            .map(|e| InputError { path: e.path.as_deref(), message: &e.message })
            .collect(),
        summary: report.summary(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}
