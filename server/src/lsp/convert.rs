//! Byte offsets ↔ LSP positions in the negotiated encoding, and library ↔ LSP types.

use std::ops::Range;

use tower_lsp_server::ls_types as lsp;

use crate::diagnostics::{Diagnostic, Severity, Tag};
use crate::document::{PositionEncoding, Snapshot, TextPosition};

pub fn position(snap: &Snapshot, offset: usize, enc: PositionEncoding) -> lsp::Position {
    let p = snap.lines.position(&snap.text, offset, enc);
    lsp::Position::new(p.line, p.character)
}

pub fn range(snap: &Snapshot, r: &Range<usize>, enc: PositionEncoding) -> lsp::Range {
    lsp::Range::new(position(snap, r.start, enc), position(snap, r.end, enc))
}

/// Byte offset of a client position, clamped into the text (never fails).
pub fn offset(snap: &Snapshot, p: lsp::Position, enc: PositionEncoding) -> usize {
    snap.lines.offset(&snap.text, text_position(p), enc)
}

pub fn text_position(p: lsp::Position) -> TextPosition {
    TextPosition::new(p.line, p.character)
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

pub fn diagnostic(snap: &Snapshot, uri: &lsp::Uri, d: &Diagnostic, enc: PositionEncoding) -> lsp::Diagnostic {
    let tags: Vec<lsp::DiagnosticTag> = d
        .tags
        .iter()
        .map(|t| match t {
            Tag::Unnecessary => lsp::DiagnosticTag::UNNECESSARY,
            Tag::Deprecated => lsp::DiagnosticTag::DEPRECATED,
        })
        .collect();
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .related
        .iter()
        .map(|(r, msg)| lsp::DiagnosticRelatedInformation {
            location: lsp::Location::new(uri.clone(), range(snap, r, enc)),
            message: msg.clone(),
        })
        .collect();
    lsp::Diagnostic {
        range: range(snap, &d.range, enc),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        source: Some("dockls".into()),
        message: d.message.to_string(),
        tags: if tags.is_empty() { None } else { Some(tags) },
        related_information: if related.is_empty() { None } else { Some(related) },
        ..Default::default()
    }
}

/// The `textDocument/publishDiagnostics` notification for `diagnostics` (sorted by start), as
/// JSON bytes: what serializing [`diagnostic`]'s values gives, written straight from the
/// library's diagnostics — no `lsp::Diagnostic` with its three strings per item, and each
/// position found from the previous one's line. A RUN-dense 5,000-line file publishes ~1,500
/// diagnostics on every keystroke.
pub fn publish_diagnostics_json(snap: &Snapshot, uri: &lsp::Uri, diagnostics: &[&Diagnostic], enc: PositionEncoding, version: Option<i32>) -> Vec<u8> {
    use std::io::Write;
    fn string(out: &mut Vec<u8>, s: &str) {
        serde_json::to_writer(&mut *out, s).expect("a string serializes into memory");
    }
    let mut hint = 0;
    // Numbers through `itoa`: `write!`'s formatting machinery was half of this function's time
    // (four numbers per range, ~1,500 diagnostics per publish on a RUN-dense 5,000-line file).
    let mut digits = itoa::Buffer::new();
    let mut range = |out: &mut Vec<u8>, r: &Range<usize>| {
        let s = snap.lines.position_near(&snap.text, r.start, enc, &mut hint);
        let e = snap.lines.position_near(&snap.text, r.end, enc, &mut hint);
        for (prefix, n) in [(&br#"{"start":{"line":"#[..], s.line), (br#","character":"#, s.character), (br#"},"end":{"line":"#, e.line), (br#","character":"#, e.character)] {
            out.extend_from_slice(prefix);
            out.extend_from_slice(digits.format(n).as_bytes());
        }
        out.extend_from_slice(b"}}");
    };
    let mut out = Vec::with_capacity(256 + diagnostics.len() * 200);
    out.extend_from_slice(br#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"#);
    string(&mut out, uri.as_str());
    out.extend_from_slice(br#","diagnostics":["#);
    for (k, d) in diagnostics.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(br#"{"range":"#);
        range(&mut out, &d.range);
        out.extend_from_slice(match d.severity {
            Severity::Error => br#","severity":1,"code":"#,
            Severity::Warning => br#","severity":2,"code":"#,
            Severity::Info => br#","severity":3,"code":"#,
            Severity::Hint => br#","severity":4,"code":"#,
        });
        string(&mut out, d.code);
        out.extend_from_slice(br#","source":"dockls","message":"#);
        string(&mut out, &d.message);
        if !d.related.is_empty() {
            out.extend_from_slice(br#","relatedInformation":["#);
            for (j, (r, message)) in d.related.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(br#"{"location":{"uri":"#);
                string(&mut out, uri.as_str());
                out.extend_from_slice(br#","range":"#);
                range(&mut out, r);
                out.extend_from_slice(br#"},"message":"#);
                string(&mut out, message);
                out.push(b'}');
            }
            out.push(b']');
        }
        if !d.tags.is_empty() {
            out.extend_from_slice(br#","tags":["#);
            for (j, t) in d.tags.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                out.push(match t {
                    Tag::Unnecessary => b'1',
                    Tag::Deprecated => b'2',
                });
            }
            out.push(b']');
        }
        out.push(b'}');
    }
    out.push(b']');
    if let Some(v) = version {
        let _ = write!(out, r#","version":{v}"#);
    }
    out.extend_from_slice(b"}}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written notification is the one serde writes from [`diagnostic`]'s values,
    /// with related information, tags, emoji, CJK and CRLF, in both encodings.
    #[test]
    fn written_diagnostics_are_the_serialized_ones() {
        let text = "FROM alpine AS a\r\nFROM alpine AS a\nRUN echo \"🐳 容器\" && sudo apt-get install \\\n  curl\nMAINTAINER \"x\\y\"\nEXPOSE 80:80\n";
        let snap = Snapshot::from_text(text);
        let mut diags = crate::diagnostics::diagnose(&snap);
        diags.push(Diagnostic::warning("test", 3..200, "past the end, \"quoted\"\n\ttab").with_related(0..4, "🐳").with_tag(Tag::Deprecated).with_tag(Tag::Unnecessary));
        assert!(diags.iter().any(|d| !d.related.is_empty()) && diags.iter().any(|d| !d.tags.is_empty()), "{diags:#?}");
        let uri: lsp::Uri = "file:///tmp/a%20b/Dockerfile".parse().unwrap();
        for enc in [PositionEncoding::Utf16, PositionEncoding::Utf8] {
            for version in [Some(7), None] {
                let refs: Vec<&Diagnostic> = diags.iter().collect();
                let written: serde_json::Value = serde_json::from_slice(&publish_diagnostics_json(&snap, &uri, &refs, enc, version)).unwrap();
                let params = lsp::PublishDiagnosticsParams {
                    uri: uri.clone(),
                    diagnostics: diags.iter().map(|d| diagnostic(&snap, &uri, d, enc)).collect(),
                    version,
                };
                let expected = serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": params});
                assert_eq!(written, expected, "{enc:?}");
            }
        }
    }
}
