//! `textDocument/documentSymbol`: stages → instructions (flat list for old clients).
//!
//! The hierarchical answer is serialized straight from the library's outline (see
//! `lsp::direct`), one stage at a time: a 50,000-line file has 31,000 symbols, and an
//! intermediate tree of LSP structs, or even the whole outline, would cost as much memory again
//! as the JSON.

use std::sync::Arc;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};
use tower_lsp_server::ls_types::*;

use crate::analysis::Analysis;
use crate::document::{PositionEncoding, Snapshot};
use crate::lsp::{convert, state::State};
use crate::symbols::{document_symbols, outline_items, Outline, OutlineKind};

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

/// The answer: serializes as `DocumentSymbol[]` or `SymbolInformation[]`.
pub enum Symbols {
    Nested { analysis: Arc<Analysis>, enc: PositionEncoding },
    Flat(Vec<SymbolInformation>),
}

/// One outline entry as an LSP `DocumentSymbol`, children included.
struct Nested<'a> {
    snap: &'a Snapshot,
    outline: &'a Outline,
    enc: PositionEncoding,
}

impl Serialize for Nested<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.outline;
        let mut st = s.serialize_struct("DocumentSymbol", 6)?;
        st.serialize_field("name", if o.name.is_empty() { "(unnamed)" } else { &o.name })?;
        if let Some(detail) = &o.detail {
            st.serialize_field("detail", detail)?;
        }
        st.serialize_field("kind", &kind(o.kind))?;
        st.serialize_field("range", &convert::range(self.snap, &o.range, self.enc))?;
        st.serialize_field("selectionRange", &convert::range(self.snap, &o.selection_range, self.enc))?;
        if !o.children.is_empty() {
            st.serialize_field("children", &List { snap: self.snap, items: &o.children, enc: self.enc })?;
        }
        st.end()
    }
}

struct List<'a> {
    snap: &'a Snapshot,
    items: &'a [Outline],
    enc: PositionEncoding,
}

impl Serialize for List<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.items.len()))?;
        for outline in self.items {
            seq.serialize_element(&Nested { snap: self.snap, outline, enc: self.enc })?;
        }
        seq.end()
    }
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
}

impl Serialize for Symbols {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Symbols::Nested { analysis, enc } => {
                let snap = &analysis.snapshot;
                let mut seq = s.serialize_seq(None)?;
                for outline in outline_items(analysis.text(), &analysis.dockerfile) {
                    seq.serialize_element(&Nested { snap, outline: &outline, enc: *enc })?;
                }
                seq.end()
            }
            Symbols::Flat(flat) => flat.serialize(s),
        }
    }
}

#[allow(deprecated)] // `deprecated` is a required field of the LSP type
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
