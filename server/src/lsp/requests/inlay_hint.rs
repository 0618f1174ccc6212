//! `textDocument/inlayHint`: `ide::inlay_hints` over the requested range, with the ages of
//! digest-pinned base images from the registry cache (missing ones fetched in the background).

use tower_lsp_server::ls_types::*;

use crate::lsp::{convert, state::State};

pub fn handle(state: &State, params: InlayHintParams) -> Option<Vec<InlayHint>> {
    let a = state.analysis(&params.text_document.uri)?;
    let enc = state.encoding();
    let start = convert::offset(&a.snapshot, params.range.start, enc);
    let end = convert::offset(&a.snapshot, params.range.end, enc);
    let config = crate::lsp::images::config(state, &params.text_document.uri);
    let (settings, target, now) = (config.registry_settings(), config.target_platform(), crate::registry::store::now());
    let age = |image: &crate::syntax::ImageRef| -> Option<String> {
        let r = crate::registry::Reference::parse(&image.text)?;
        let Some(info) = crate::lsp::images::Cache(&settings).image(&r) else {
            crate::lsp::images::fetch_in_background(state, &settings, vec![crate::lsp::images::Fetch::Image(r)]);
            return None;
        };
        let created = info.value.for_platform(&target).and_then(|p| p.config.created.clone())?;
        crate::registry::image::age(&created, now)
    };
    let hints = crate::ide::inlay_hints::inlay_hints(&a, start..end, &age);
    Some(
        hints
            .into_iter()
            .map(|h| InlayHint {
                position: convert::position(&a.snapshot, h.offset, enc),
                label: InlayHintLabel::String(h.label),
                kind: None,
                text_edits: None,
                tooltip: Some(InlayHintTooltip::String(h.tooltip)),
                padding_left: Some(true),
                padding_right: Some(false),
                data: None,
            })
            .collect(),
    )
}
