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
        message: d.message.clone(),
        tags: if tags.is_empty() { None } else { Some(tags) },
        related_information: if related.is_empty() { None } else { Some(related) },
        ..Default::default()
    }
}
