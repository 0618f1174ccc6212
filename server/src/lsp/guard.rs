//! A panic inside analysis must not take the server down: it is caught, logged, and the
//! request is answered with an error.

use std::panic::{catch_unwind, AssertUnwindSafe};

use tower_lsp_server::jsonrpc;

pub fn guarded<T>(method: &str, f: impl FnOnce() -> T) -> jsonrpc::Result<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        eprintln!("dockls: internal error in {method}: {what}");
        let mut e = jsonrpc::Error::internal_error();
        e.message = format!("dockls internal error in {method}: {what}").into();
        e
    })
}
