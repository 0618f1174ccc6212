//! The only module that knows LSP. It converts positions and types at the edge, keeps the open
//! documents, and schedules work; every answer comes from a pure function of a snapshot.
//!
//! One file per protocol method under `requests/` and `notifications/`.

mod capabilities;
pub mod config;
mod convert;
mod guard;
mod notifications;
mod publish;
mod requests;
mod server;
mod state;

use std::process::ExitCode;

use tower_lsp_server::{LspService, Server};

/// Runs the language server on stdin/stdout until the client says `exit`.
pub fn run() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dockls: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async {
        let mut builder = LspService::build(server::Backend::new);
        // Lets the end-to-end tests prove a panicking handler is answered with an error and
        // the server keeps running. Off unless explicitly enabled.
        if std::env::var_os("DOCKLS_ENABLE_TEST_METHODS").is_some() {
            builder = builder.custom_method("dockls/testPanic", server::Backend::test_panic);
        }
        let (service, socket) = builder.finish();
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service).await;
    });
    // Don't wait for detached analysis tasks after `exit`.
    runtime.shutdown_background();
    ExitCode::SUCCESS
}
