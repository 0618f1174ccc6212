//! The only module that knows LSP. It converts positions and types at the edge, keeps the open
//! documents, and schedules work; every answer comes from a pure function of a snapshot.
//!
//! One file per protocol method under `requests/` and `notifications/`.

mod capabilities;
pub mod config;
pub mod convert;
mod direct;
mod guard;
mod images;
mod input;
pub mod log;
mod notifications;
mod publish;
mod requests;
mod server;
mod state;
mod transport;

use std::process::ExitCode;

use tower_lsp_server::{LspService, Server};

/// How long the server may take to finish after `exit` (or the end of its input).
const EXIT_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Runs the language server on stdin/stdout until the client says `exit`.
pub fn run() -> ExitCode {
    // Analysis runs on tokio's blocking threads and on rayon's pool: both get the large stacks
    // `check` uses. (The global pool may already exist in tests; then it stays as it is.)
    let _ = rayon::ThreadPoolBuilder::new().stack_size(crate::analysis::STACK_SIZE).build_global();
    let runtime = match tokio::runtime::Builder::new_multi_thread().thread_stack_size(crate::analysis::STACK_SIZE).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dockls: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let clean_exit = runtime.block_on(async {
        let state = std::sync::Arc::new(state::State::default());
        let backend_state = state.clone();
        let mut builder = LspService::build(move |client| server::Backend::new(client, backend_state));
        // Lets the end-to-end tests prove a panicking handler is answered with an error and
        // the server keeps running. Off unless explicitly enabled.
        if std::env::var_os("DOCKLS_ENABLE_TEST_METHODS").is_some() {
            builder = builder.custom_method("dockls/testPanic", server::Backend::test_panic);
        }
        let (service, socket) = builder.finish();
        let (outbox, sink, writer) = match transport::spawn_writer(transport::stdout()) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("dockls: cannot start the output thread: {e}");
                return false;
            }
        };
        state.set_outbox(outbox.clone());
        let stdin = input::CleanInput::new(tokio::io::stdin(), outbox.clone());
        let service = direct::Direct::new(service, state.clone(), outbox);
        let serve = Server::new(stdin, sink, socket).serve(service);
        tokio::pin!(serve);
        // tower-lsp-server ends after `exit` once its pending requests are done; one whose
        // answer waits on a client that stopped reading would hold it forever. So `exit` starts
        // a clock: two seconds for the rest, then the process ends regardless.
        let deadline = tokio::select! {
            _ = &mut serve => tokio::time::Instant::now() + EXIT_GRACE,
            _ = state.exit.notified() => {
                let deadline = tokio::time::Instant::now() + EXIT_GRACE;
                let _ = tokio::time::timeout_at(deadline, &mut serve).await;
                deadline
            }
        };
        // Everything queued before `exit` is still written, within the same bound (the writer
        // ends once no queue handle is left).
        drop(state.take_outbox());
        let _ = tokio::time::timeout_at(deadline, tokio::task::spawn_blocking(move || writer.join())).await;
        state.shutdown_received()
    });
    // Don't wait for detached analysis tasks after `exit`, but leave no ShellCheck process or
    // scratch folder of theirs behind.
    runtime.shutdown_background();
    crate::shellcheck::stop_running_checks();
    // The protocol: 0 after `shutdown`, 1 when the client exits (or goes) without it.
    if clean_exit {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
