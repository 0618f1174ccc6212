//! `textDocument/semanticTokens/full` and `/range`: relative encoding of the library's tokens,
//! split at line ends for clients without multi-line token support.

use tower_lsp_server::ls_types::*;

use crate::analysis::Analysis;
use crate::document::PositionEncoding;
use crate::lsp::{convert, state::State};
use crate::ide::tokens::{line_pieces, semantic_tokens};

fn encode(a: &Analysis, range: Option<std::ops::Range<usize>>, enc: PositionEncoding, multiline: bool) -> Vec<SemanticToken> {
    let snap = &a.snapshot;
    let tokens = semantic_tokens(snap, range);
    let mut out = Vec::with_capacity(tokens.len());
    let (mut prev_line, mut prev_start) = (0u32, 0u32);
    // Split while encoding: a split copy of a 50,000-line file's tokens would be 3 MB more.
    let pieces = tokens.iter().flat_map(|t| {
        let whole = multiline.then(|| t.clone());
        let split = (!multiline).then(|| line_pieces(t, &snap.text, &snap.lines));
        whole.into_iter().chain(split.into_iter().flatten())
    });
    for t in pieces {
        let start = convert::position(snap, t.range.start, enc);
        let end = convert::position(snap, t.range.end, enc);
        let length = if end.line == start.line {
            end.character - start.character
        } else {
            // Multi-line token (client supports it): length counts to the end of the text.
            snap.text[t.range.clone()].chars().map(|c| enc.width(c)).sum()
        };
        if length == 0 {
            continue;
        }
        let delta_line = start.line - prev_line;
        let delta_start = if delta_line == 0 { start.character - prev_start } else { start.character };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type: t.token_type,
            token_modifiers_bitset: t.modifiers,
        });
        prev_line = start.line;
        prev_start = start.character;
    }
    out
}

/// The answer serializes as `SemanticTokensResult::Tokens` does (that enum is untagged).
pub fn full(state: &State, params: SemanticTokensParams) -> Option<SemanticTokens> {
    let a = state.analysis(&params.text_document.uri)?;
    let data = encode(&a, None, state.encoding(), state.caps().multiline_tokens);
    Some(SemanticTokens { result_id: None, data })
}

pub fn range(state: &State, params: SemanticTokensRangeParams) -> Option<SemanticTokens> {
    let a = state.analysis(&params.text_document.uri)?;
    let enc = state.encoding();
    let r = convert::offset(&a.snapshot, params.range.start, enc)..convert::offset(&a.snapshot, params.range.end, enc);
    let data = encode(&a, Some(r), enc, state.caps().multiline_tokens);
    Some(SemanticTokens { result_id: None, data })
}
