//! `textDocument/documentSymbol`: stages → instructions (flat list for old clients).
//!
//! The hierarchical answer is serialized straight from the library's outline (see
//! `lsp::direct`), one stage at a time: a 50,000-line file has 31,000 symbols, and an
//! intermediate tree of LSP structs, or even the whole outline, would cost as much memory again
//! as the JSON.

use std::io::Write;
use std::sync::Arc;

use tower_lsp_server::ls_types::*;

use crate::analysis::Analysis;
use crate::document::{PositionEncoding, Snapshot};
use crate::lsp::{convert, state::State};
use crate::ide::symbols::{document_symbols, outline_items, Outline, OutlineKind};

fn kind(k: OutlineKind) -> SymbolKind {
    match k {
        OutlineKind::Stage => SymbolKind::MODULE,
        OutlineKind::Variable => SymbolKind::VARIABLE,
        OutlineKind::Constant => SymbolKind::CONSTANT,
        OutlineKind::Property => SymbolKind::PROPERTY,
        OutlineKind::Command => SymbolKind::FUNCTION,
        OutlineKind::File => SymbolKind::FILE,
        OutlineKind::Event => SymbolKind::EVENT,
        OutlineKind::Key => SymbolKind::KEY,
    }
}

/// The answer: written as `DocumentSymbol[]` or `SymbolInformation[]` (see `lsp::direct`).
pub enum Symbols {
    Nested { analysis: Arc<Analysis>, enc: PositionEncoding },
    Flat(Vec<SymbolInformation>),
}

impl Symbols {
    /// Roughly the JSON's size: ~4.4 bytes per byte of Dockerfile for the outline, more per
    /// symbol for the flat list, which repeats the URI.
    pub fn estimated_len(&self) -> usize {
        match self {
            Symbols::Nested { analysis, .. } => analysis.text().len() * 5,
            Symbols::Flat(flat) => flat.len() * 200,
        }
    }

    /// Writes the JSON. The outline is written by hand, not through serde: field names as
    /// literal bytes and positions found from the previous one's line made it twice as fast
    /// (it is the largest answer the server gives: 31,000 symbols for 50,000 lines).
    pub fn write_json<W: Write>(&self, out: &mut W) -> serde_json::Result<()> {
        match self {
            Symbols::Nested { analysis, enc } => {
                let mut w = OutlineWriter { out, snap: &analysis.snapshot, enc: *enc, hint: 0 };
                w.out.write_all(b"[").map_err(serde_json::Error::io)?;
                for (i, outline) in outline_items(analysis.text(), &analysis.dockerfile).enumerate() {
                    if i > 0 {
                        w.out.write_all(b",").map_err(serde_json::Error::io)?;
                    }
                    w.symbol(&outline).map_err(serde_json::Error::io)?;
                }
                w.out.write_all(b"]").map_err(serde_json::Error::io)
            }
            Symbols::Flat(flat) => serde_json::to_writer(out, flat),
        }
    }
}

/// Writes outline entries as LSP `DocumentSymbol`s.
struct OutlineWriter<'a, W> {
    out: &'a mut W,
    snap: &'a Snapshot,
    enc: PositionEncoding,
    /// Line of the last position written (entries come in text order).
    hint: usize,
}

impl<W: Write> OutlineWriter<'_, W> {
    fn symbol(&mut self, o: &Outline) -> std::io::Result<()> {
        self.out.write_all(b"{\"name\":")?;
        self.string(if o.name.is_empty() { "(unnamed)" } else { &o.name })?;
        if let Some(detail) = &o.detail {
            self.out.write_all(b",\"detail\":")?;
            self.string(detail)?;
        }
        self.out.write_all(b",\"kind\":")?;
        self.number(kind_number(o.kind))?;
        self.out.write_all(b",\"range\":")?;
        self.range(&o.range)?;
        self.out.write_all(b",\"selectionRange\":")?;
        self.range(&o.selection_range)?;
        if !o.children.is_empty() {
            self.out.write_all(b",\"children\":[")?;
            for (i, child) in o.children.iter().enumerate() {
                if i > 0 {
                    self.out.write_all(b",")?;
                }
                self.symbol(child)?;
            }
            self.out.write_all(b"]")?;
        }
        self.out.write_all(b"}")
    }

    fn range(&mut self, r: &std::ops::Range<usize>) -> std::io::Result<()> {
        self.out.write_all(b"{\"start\":")?;
        self.position(r.start)?;
        self.out.write_all(b",\"end\":")?;
        self.position(r.end)?;
        self.out.write_all(b"}")
    }

    fn position(&mut self, offset: usize) -> std::io::Result<()> {
        let p = self.snap.lines.position_near(&self.snap.text, offset, self.enc, &mut self.hint);
        self.out.write_all(b"{\"line\":")?;
        self.number(p.line)?;
        self.out.write_all(b",\"character\":")?;
        self.number(p.character)?;
        self.out.write_all(b"}")
    }

    fn number(&mut self, n: u32) -> std::io::Result<()> {
        self.out.write_all(itoa::Buffer::new().format(n).as_bytes())
    }

    /// A JSON string: the runs of bytes that need no escape are written as they are.
    fn string(&mut self, s: &str) -> std::io::Result<()> {
        let bytes = s.as_bytes();
        self.out.write_all(b"\"")?;
        if !bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\') {
            self.out.write_all(bytes)?;
            return self.out.write_all(b"\"");
        }
        let mut run = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let escape: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0..=0x1f => {
                    self.out.write_all(&bytes[run..i])?;
                    self.out.write_all(format!("\\u{b:04x}").as_bytes())?;
                    run = i + 1;
                    continue;
                }
                _ => continue,
            };
            self.out.write_all(&bytes[run..i])?;
            self.out.write_all(escape)?;
            run = i + 1;
        }
        self.out.write_all(&bytes[run..])?;
        self.out.write_all(b"\"")
    }
}

/// The LSP `SymbolKind` number of [`kind`] (its field is private).
fn kind_number(k: OutlineKind) -> u32 {
    match k {
        OutlineKind::File => 1,
        OutlineKind::Stage => 2,
        OutlineKind::Property => 7,
        OutlineKind::Command => 12,
        OutlineKind::Variable => 13,
        OutlineKind::Constant => 14,
        OutlineKind::Key => 20,
        OutlineKind::Event => 24,
    }
}

#[allow(deprecated)] // `deprecated` is a required field of the LSP type
fn flatten(uri: &Uri, snap: &Snapshot, o: &Outline, container: Option<&str>, enc: PositionEncoding, out: &mut Vec<SymbolInformation>) {
    out.push(SymbolInformation {
        name: if o.name.is_empty() { "(unnamed)".to_string() } else { o.name.clone() },
        kind: kind(o.kind),
        tags: None,
        deprecated: None,
        location: Location::new(uri.clone(), convert::range(snap, &o.range, enc)),
        container_name: container.map(str::to_string),
    });
    for c in &o.children {
        flatten(uri, snap, c, Some(&o.name), enc, out);
    }
}

pub fn handle(state: &State, params: DocumentSymbolParams) -> Option<Symbols> {
    let uri = params.text_document.uri;
    let a = state.analysis(&uri)?;
    let enc = state.encoding();
    if state.caps().hierarchical_symbols {
        Some(Symbols::Nested { analysis: a, enc })
    } else {
        let outline = document_symbols(a.text(), &a.dockerfile);
        let mut flat = Vec::new();
        for o in &outline {
            flatten(&uri, &a.snapshot, o, None, enc, &mut flat);
        }
        Some(Symbols::Flat(flat))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [OutlineKind; 8] = [
        OutlineKind::Stage,
        OutlineKind::Variable,
        OutlineKind::Constant,
        OutlineKind::Property,
        OutlineKind::Command,
        OutlineKind::File,
        OutlineKind::Event,
        OutlineKind::Key,
    ];

    #[test]
    fn kind_numbers_are_the_lsp_symbol_kinds() {
        for k in KINDS {
            assert_eq!(serde_json::to_value(kind(k)).unwrap(), serde_json::json!(kind_number(k)), "{k:?}");
        }
    }

    /// The hand-written JSON is what serde would write for the same `DocumentSymbol`s:
    /// escapes, non-ASCII, CRLF and UTF-16 positions included.
    #[test]
    #[allow(deprecated)] // `deprecated` is a field of the LSP type
    fn outline_json_is_what_serde_writes() {
        let text = "# syntax=docker/dockerfile:1\r\nARG V=\"🐳 \\\"q\\\" \\\\ \u{1}\"\r\nFROM alpine AS 鯨\r\nENV A=1 B=\"x\ty\"\r\nLABEL k=v\r\nRUN echo 日本 \\\r\n  && true\r\nFROM 鯨\r\nCOPY --from=鯨 /a /b\r\n";
        let doc = crate::document::Document::new(text, 1);
        let analysis = Arc::new(Analysis::new(doc.snapshot()));
        for enc in [PositionEncoding::Utf16, PositionEncoding::Utf8] {
            let mut ours = Vec::new();
            Symbols::Nested { analysis: analysis.clone(), enc }.write_json(&mut ours).unwrap();
            fn lsp(snap: &Snapshot, o: &Outline, enc: PositionEncoding) -> DocumentSymbol {
                DocumentSymbol {
                    name: o.name.clone(),
                    detail: o.detail.clone(),
                    kind: kind(o.kind),
                    tags: None,
                    deprecated: None,
                    range: convert::range(snap, &o.range, enc),
                    selection_range: convert::range(snap, &o.selection_range, enc),
                    children: (!o.children.is_empty()).then(|| o.children.iter().map(|c| lsp(snap, c, enc)).collect()),
                }
            }
            let outline = document_symbols(analysis.text(), &analysis.dockerfile);
            let expected: Vec<DocumentSymbol> = outline.iter().map(|o| lsp(&analysis.snapshot, o, enc)).collect();
            let ours: serde_json::Value = serde_json::from_slice(&ours).expect("valid JSON");
            assert_eq!(ours, serde_json::to_value(&expected).unwrap(), "{enc:?}");
            assert!(ours.to_string().contains("鯨"));
        }
    }
}
