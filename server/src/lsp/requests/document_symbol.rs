//! `textDocument/documentSymbol`: stages → instructions (flat list for old clients).

use tower_lsp_server::ls_types::*;

use crate::document::{PositionEncoding, Snapshot};
use crate::lsp::{convert, state::State};
use crate::symbols::{document_symbols, Outline, OutlineKind};

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

#[allow(deprecated)] // `deprecated` is a required field of the LSP type
fn convert_outline(snap: &Snapshot, o: &Outline, enc: PositionEncoding) -> DocumentSymbol {
    DocumentSymbol {
        name: if o.name.is_empty() { "(unnamed)".into() } else { o.name.clone() },
        detail: o.detail.clone(),
        kind: kind(o.kind),
        tags: None,
        deprecated: None,
        range: convert::range(snap, &o.range, enc),
        selection_range: convert::range(snap, &o.selection_range, enc),
        children: if o.children.is_empty() {
            None
        } else {
            Some(o.children.iter().map(|c| convert_outline(snap, c, enc)).collect())
        },
    }
}

#[allow(deprecated)]
fn flatten(uri: &Uri, snap: &Snapshot, o: &Outline, container: Option<&str>, enc: PositionEncoding, out: &mut Vec<SymbolInformation>) {
    out.push(SymbolInformation {
        name: o.name.clone(),
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

pub fn handle(state: &State, params: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let uri = params.text_document.uri;
    let a = state.analysis(&uri)?;
    let enc = state.encoding();
    let outline = document_symbols(a.text(), &a.dockerfile);
    if state.caps().hierarchical_symbols {
        Some(DocumentSymbolResponse::Nested(outline.iter().map(|o| convert_outline(&a.snapshot, o, enc)).collect()))
    } else {
        let mut flat = Vec::new();
        for o in &outline {
            flatten(&uri, &a.snapshot, o, None, enc, &mut flat);
        }
        Some(DocumentSymbolResponse::Flat(flat))
    }
}
