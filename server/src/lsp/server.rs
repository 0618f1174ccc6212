//! The `LanguageServer` implementation: dispatch only. Notifications that change documents
//! apply their change before their first `.await` (tower-lsp-server runs handlers
//! concurrently, so anything later could reorder edits). Requests run their pure function on
//! a blocking thread under a panic guard.

use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::guard::guarded;
use super::state::State;
use super::{notifications, publish, requests};

pub struct Backend {
    client: Client,
    state: Arc<State>,
}

impl Backend {
    pub fn new(client: Client, state: Arc<State>) -> Backend {
        Backend { client, state }
    }

    /// Runs a request handler on a blocking thread; a panic becomes an error response.
    async fn blocking<T: Send + 'static>(
        &self,
        method: &'static str,
        f: impl FnOnce(&State) -> T + Send + 'static,
    ) -> Result<T> {
        let state = self.state.clone();
        match tokio::task::spawn_blocking(move || guarded(method, || f(&state))).await {
            Ok(r) => r,
            Err(e) => {
                let mut err = tower_lsp_server::jsonrpc::Error::internal_error();
                err.message = format!("dockls internal error in {method}: {e}").into();
                Err(err)
            }
        }
    }

    /// `dockls/testPanic` (test builds of the protocol only, see `lsp::run`).
    pub async fn test_panic(&self, _params: serde_json::Value) -> Result<()> {
        self.blocking("dockls/testPanic", |_| panic!("deliberate panic for the end-to-end test")).await
    }

    fn spawn_publish(&self, uri: Uri, version: i32) {
        tokio::spawn(publish::publish(self.client.clone(), self.state.clone(), uri, version));
    }
}

/// `textDocument/documentSymbol`, `foldingRange`, `semanticTokens/full|range`, `formatting`
/// and `rangeFormatting` are not here: `lsp::direct` answers them in front of tower-lsp-server
/// (their answers can be megabytes, or thousands of edits).
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let result = notifications::initialize::handle(&self.state, &params);
        // Run the whole pipeline once on a small file before answering: the thread pools, the
        // shell parsers and the rule tables are then ready for the first real document
        // (measured: ~5 ms less on its first diagnostics). Done here rather than after
        // `initialized`, because a client sends its first `didOpen` right after that: the
        // warm-up then ran beside the first document's parse and slowed it down.
        let _ = tokio::task::spawn_blocking(|| guarded("warm-up", crate::diagnostics::warm_up)).await;
        self.state.set_serving(true);
        Ok(result)
    }

    async fn initialized(&self, _: InitializedParams) {
        let enc = self.state.encoding();
        let msg = format!("dockls {} ready (positions: {enc:?})", env!("CARGO_PKG_VERSION"));
        super::log::log(&self.state, MessageType::INFO, msg);
        // Pulling settings waits on the client: never block the handler (and with it `exit`).
        let (client, state) = (self.client.clone(), self.state.clone());
        tokio::spawn(notifications::did_change_configuration::initial(client, state));
        let (client, state) = (self.client.clone(), self.state.clone());
        tokio::spawn(async move { notifications::did_change_watched_files::register(&client, &state).await });
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.set_serving(false);
        self.state.set_shutdown_received();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let version = params.text_document.version;
        let uri = notifications::did_open::handle(&self.state, params);
        self.spawn_publish(uri, version);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let version = params.text_document.version;
        match notifications::did_change::handle(&self.state, params) {
            Ok(uri) => self.spawn_publish(uri, version),
            Err(msg) => super::log::log(&self.state, MessageType::WARNING, msg),
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.state.forget(&uri);
        // Ordered with the publishing of diagnostics: a publish already under way goes out
        // first (and is cleared by this one), and if the document was opened again meanwhile
        // its own diagnostics stand (clearing them now would leave a file with problems blank).
        let _order = self.state.publish_lock.lock().await;
        if self.state.version(&uri).is_none() {
            super::publish::send(&self.client, &self.state, uri, Vec::new(), None).await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let (client, state) = (self.client.clone(), self.state.clone());
        tokio::spawn(notifications::did_change_watched_files::handle(client, state, params));
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let (client, state) = (self.client.clone(), self.state.clone());
        tokio::spawn(notifications::did_change_configuration::refresh_and_republish(client, state, Some(params.settings)));
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        self.blocking("textDocument/definition", move |s| requests::definition::handle(s, params)).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        self.blocking("textDocument/references", move |s| requests::references::handle(s, params)).await
    }

    async fn document_highlight(&self, params: DocumentHighlightParams) -> Result<Option<Vec<DocumentHighlight>>> {
        self.blocking("textDocument/documentHighlight", move |s| requests::document_highlight::handle(s, params)).await
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        self.blocking("textDocument/prepareRename", move |s| requests::prepare_rename::handle(s, params)).await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        self.blocking("textDocument/rename", move |s| requests::rename::handle(s, params)).await?
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.blocking("textDocument/codeAction", move |s| requests::code_action::handle(s, params)).await
    }

    async fn code_action_resolve(&self, params: CodeAction) -> Result<CodeAction> {
        self.blocking("codeAction/resolve", move |s| requests::code_action_resolve::handle(s, params)).await?
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        self.blocking("textDocument/completion", move |s| requests::completion::handle(s, params)).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.blocking("textDocument/hover", move |s| requests::hover::handle(s, params)).await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        self.blocking("textDocument/signatureHelp", move |s| requests::signature_help::handle(s, params)).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.blocking("textDocument/inlayHint", move |s| requests::inlay_hint::handle(s, params)).await
    }

    async fn selection_range(&self, params: SelectionRangeParams) -> Result<Option<Vec<SelectionRange>>> {
        self.blocking("textDocument/selectionRange", move |s| requests::selection_range::handle(s, params)).await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        self.blocking("textDocument/documentLink", move |s| requests::document_link::handle(s, params)).await
    }
}
