//! `textDocument/completion`: [`crate::ide::completion`] at the cursor, as text edits over the
//! part of the word already typed (snippets where the item has placeholders). Registry
//! answers come from the cache; what it lacks is fetched in the background and the list is
//! marked incomplete, so the client asks again and gets the rest.

use tower_lsp_server::ls_types::*;

use crate::ide::completion::{complete_with, Images, ItemKind};
use crate::lsp::{convert, images, state::State};

pub fn handle(state: &State, params: CompletionParams) -> Option<CompletionResponse> {
    let tdp = params.text_document_position;
    let (a, offset, enc) = super::at(state, &tdp.text_document.uri, tdp.position)?;
    let settings = images::settings(state, &tdp.text_document.uri);
    let workspace = images::workspace_images(state);
    // The base image's ENV only where variables are completed (a `$` in the word): asking for
    // it anywhere else would fetch its config on every keyword or flag completion.
    let before = a.text().get(..offset).unwrap_or("");
    let word = before.rsplit(['\n', '\r', ' ', '\t']).next().unwrap_or("");
    let base_env = if word.contains('$') { images::base_env(state, &tdp.text_document.uri, &a, offset) } else { Vec::new() };
    let context = Images { source: &images::Cache(&settings), workspace: &workspace, now: crate::registry::store::now(), base_env: &base_env };
    let done = complete_with(a.text(), &a.dockerfile, &a.semantics, offset, &context);
    let fetching = images::fetch_in_background(state, &settings, done.wanted.into_iter().map(images::Fetch::Want).collect());
    let items = done
        .items
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
                ItemKind::Image => CompletionItemKind::MODULE,
                ItemKind::Tag => CompletionItemKind::CONSTANT,
                ItemKind::Digest => CompletionItemKind::CONSTANT,
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
    // A plain array when complete: the shape older clients and scripts expect.
    let is_incomplete = fetching || done.truncated;
    Some(if is_incomplete { CompletionResponse::List(CompletionList { is_incomplete, items }) } else { CompletionResponse::Array(items) })
}
