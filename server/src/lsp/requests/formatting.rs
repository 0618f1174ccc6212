//! `textDocument/formatting`: the formatter's edits for the whole document.

use tower_lsp_server::ls_types::*;

use crate::lsp::{convert, publish, state::State};

pub fn handle(state: &State, params: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let uri = params.text_document.uri;
    let a = state.analysis(&uri)?;
    let options = options(state, &uri, &params.options);
    let edits = crate::format::format(a.text(), &a.dockerfile, &options);
    Some(text_edits(state, &a, edits))
}

/// The client's indentation, then `.editorconfig` and `.dockls.toml` `[format]` next to the
/// file (when it is one), then the `dockls.format` settings.
pub(crate) fn options(state: &State, uri: &Uri, client: &FormattingOptions) -> crate::format::Options {
    let base = crate::format::Options { tabs: !client.insert_spaces, indent_size: (client.tab_size as usize).clamp(1, 16), ..Default::default() };
    let (mut config, path) = match publish::uri_path(uri) {
        Some(path) => {
            let dir = path.parent().map(|p| p.to_path_buf()).unwrap_or_default();
            (crate::config::discover(&dir).0, Some(path))
        }
        None => (crate::config::Config::default(), None),
    };
    state.settings().overlay(&mut config);
    match path {
        Some(path) => base.with_file(&path, &config.format),
        None => {
            let mut o = base;
            config.format.apply(&mut o);
            o
        }
    }
}

pub(crate) fn text_edits(state: &State, a: &crate::analysis::Analysis, edits: Vec<crate::format::Edit>) -> Vec<TextEdit> {
    let enc = state.encoding();
    edits.into_iter().map(|e| TextEdit::new(convert::range(&a.snapshot, &e.range, enc), e.text)).collect()
}
