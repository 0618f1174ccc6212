//! `textDocument/completion`: [`crate::ide::completion`] at the cursor, as text edits over the
//! part of the word already typed (snippets where the item has placeholders).

use tower_lsp_server::ls_types::*;

use crate::ide::completion::{complete, ItemKind};
use crate::lsp::{convert, state::State};

pub fn handle(state: &State, params: CompletionParams) -> Option<CompletionResponse> {
    let tdp = params.text_document_position;
    let (a, offset, enc) = super::at(state, &tdp.text_document.uri, tdp.position)?;
    let items = complete(a.text(), &a.dockerfile, &a.semantics, offset)
        .into_iter()
        .enumerate()
        .map(|(i, item)| CompletionItem {
            kind: Some(match item.kind {
                ItemKind::Keyword => CompletionItemKind::KEYWORD,
                ItemKind::Directive => CompletionItemKind::PROPERTY,
                ItemKind::Flag => CompletionItemKind::FIELD,
                ItemKind::Value => CompletionItemKind::VALUE,
                ItemKind::Variable => CompletionItemKind::VARIABLE,
                ItemKind::Stage => CompletionItemKind::MODULE,
            }),
            detail: item.detail,
            // The order given (most relevant first), whatever the client sorts by.
            sort_text: Some(format!("{i:04}")),
            filter_text: Some(item.label.clone()),
            insert_text_format: Some(if item.snippet { InsertTextFormat::SNIPPET } else { InsertTextFormat::PLAIN_TEXT }),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(convert::range(&a.snapshot, &item.range, enc), item.insert))),
            label: item.label,
            ..Default::default()
        })
        .collect();
    Some(CompletionResponse::Array(items))
}
