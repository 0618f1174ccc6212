//! Requests whose answers can be large (document symbols, folding ranges, semantic tokens,
//! formatting edits) are answered here, in front of tower-lsp-server: the typed answer is serialized straight to
//! bytes and queued on the [`Outbox`].
//!
//! Why: tower-lsp-server turns every answer into a `serde_json::Value` tree before writing it.
//! For the 31,000 symbols of a 50,000-line file that tree cost ~700 ms and ~170 MB; serializing
//! the typed answer directly takes a few milliseconds and no transient memory beyond the bytes.
//! The 8,300 formatting edits of a 50,000-line file spent ~35 ms between the handler's end and
//! the client's last byte that way, as much as formatting them.
//!
//! Everything else goes to tower-lsp-server unchanged. A request is never answered from an
//! older text than the edits before it: its future is created in arrival order and reads the
//! document state on a blocking thread, after every earlier `didChange` has been applied. An
//! edit that arrived after it may have been applied too (a review saw that for a third of
//! requests sent back to back with edits): the answer is then of a newer version, as with
//! tower-lsp-server's own handlers.

use std::io::Write;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::FutureExt;
use serde::Serialize;
use tower::Service;
use tower_lsp_server::jsonrpc::{self, Id, Request, Response};
use tower_lsp_server::ls_types::{FoldingRange, LSPAny, SemanticTokens, TextEdit};
use tower_lsp_server::ExitedError;

use super::guard::guarded;
use super::requests;
use super::state::State;
use super::transport::Outbox;

pub struct Direct<S> {
    inner: S,
    state: Arc<State>,
    outbox: Outbox,
}

impl<S> Direct<S> {
    pub fn new(inner: S, state: Arc<State>, outbox: Outbox) -> Direct<S> {
        Direct { inner, state, outbox }
    }
}

/// Computes the answer (the JSON `result`), to be serialized once or more.
type Handler = fn(&State, LSPAny) -> Result<Box<dyn WriteJson>, jsonrpc::Error>;

/// The methods answered here, with their handlers.
fn handler(method: &str) -> Option<Handler> {
    Some(match method {
        "textDocument/documentSymbol" => |s, p| {
            let params = from_params(p)?;
            Ok(Box::new(requests::document_symbol::handle(s, params)))
        },
        "textDocument/foldingRange" => |s, p| typed(p, |p| requests::folding_range::handle(s, p)),
        "textDocument/semanticTokens/full" => |s, p| typed(p, |p| requests::semantic_tokens::full(s, p)),
        "textDocument/semanticTokens/range" => |s, p| typed(p, |p| requests::semantic_tokens::range(s, p)),
        "textDocument/formatting" => |s, p| typed(p, |p| requests::formatting::handle(s, p)),
        "textDocument/rangeFormatting" => |s, p| typed(p, |p| requests::range_formatting::handle(s, p)),
        _ => return None,
    })
}

/// An answer that can write itself as JSON, as often as asked, always the same bytes. The
/// writer is moved in and handed back (behind a `&mut` each JSON token would cost a call), one
/// method per kind of writer.
trait WriteJson: Send {
    /// Roughly how many bytes the JSON takes, from the answer's size (not by writing it).
    fn estimated_len(&self) -> usize;
    fn write_vec(&self, out: Vec<u8>) -> (Vec<u8>, serde_json::Result<()>);
    fn write_counted(&self, out: Counter) -> (Counter, serde_json::Result<()>);
    fn write_pieces(&self, out: Pieces) -> (Pieces, serde_json::Result<()>);
}

/// How large an answer's JSON is, roughly (measured on generated and corpus Dockerfiles).
trait EstimatedLen {
    fn estimated_len(&self) -> usize;
}

impl EstimatedLen for Option<Vec<FoldingRange>> {
    fn estimated_len(&self) -> usize {
        self.as_ref().map_or(0, |v| v.len() * 64)
    }
}

impl EstimatedLen for Option<SemanticTokens> {
    fn estimated_len(&self) -> usize {
        self.as_ref().map_or(0, |t| t.data.len() * 16)
    }
}

impl EstimatedLen for Option<Vec<TextEdit>> {
    fn estimated_len(&self) -> usize {
        self.as_ref().map_or(0, |v| v.iter().map(|e| 96 + e.new_text.len()).sum())
    }
}

/// An answer serialized with serde.
struct Serde<T>(T);

impl<T: Serialize + EstimatedLen + Send> WriteJson for Serde<T> {
    fn estimated_len(&self) -> usize {
        EstimatedLen::estimated_len(&self.0)
    }
    fn write_vec(&self, out: Vec<u8>) -> (Vec<u8>, serde_json::Result<()>) {
        serialize_into(&self.0, out)
    }
    fn write_counted(&self, out: Counter) -> (Counter, serde_json::Result<()>) {
        serialize_into(&self.0, out)
    }
    fn write_pieces(&self, out: Pieces) -> (Pieces, serde_json::Result<()>) {
        serialize_into(&self.0, out)
    }
}

/// Document symbols write their JSON themselves (`null` for an unknown document).
impl WriteJson for Option<requests::document_symbol::Symbols> {
    fn estimated_len(&self) -> usize {
        self.as_ref().map_or(4, |s| s.estimated_len())
    }
    fn write_vec(&self, mut out: Vec<u8>) -> (Vec<u8>, serde_json::Result<()>) {
        let written = write_symbols(self, &mut out);
        (out, written)
    }
    fn write_counted(&self, mut out: Counter) -> (Counter, serde_json::Result<()>) {
        let written = write_symbols(self, &mut out);
        (out, written)
    }
    fn write_pieces(&self, mut out: Pieces) -> (Pieces, serde_json::Result<()>) {
        let written = write_symbols(self, &mut out);
        (out, written)
    }
}

fn write_symbols(symbols: &Option<requests::document_symbol::Symbols>, out: &mut impl Write) -> serde_json::Result<()> {
    match symbols {
        Some(s) => s.write_json(out),
        None => out.write_all(b"null").map_err(serde_json::Error::io),
    }
}

fn serialize_into<W: Write>(value: &impl Serialize, out: W) -> (W, serde_json::Result<()>) {
    let mut ser = serde_json::Serializer::new(out);
    let result = value.serialize(&mut ser);
    (ser.into_inner(), result)
}

/// Deserializes the params and runs `f`.
fn typed<P: serde::de::DeserializeOwned, R: Serialize + EstimatedLen + Send + 'static>(
    params: LSPAny,
    f: impl FnOnce(P) -> R,
) -> Result<Box<dyn WriteJson>, jsonrpc::Error> {
    Ok(Box::new(Serde(f(from_params(params)?))))
}

fn from_params<P: serde::de::DeserializeOwned>(params: LSPAny) -> Result<P, jsonrpc::Error> {
    serde_json::from_value(params).map_err(|e| jsonrpc::Error::invalid_params(e.to_string()))
}

/// Answers estimated up to this size are serialized into one buffer and sent whole. A larger
/// one (the symbols of a 50,000-line file are 7.7 MB) is measured first and then streamed to
/// the writer in pieces: peak memory stays flat, and the client starts reading while the rest
/// is written. Measuring costs a second serialization, so small answers don't.
const WHOLE_LIMIT: usize = 1 << 20;
/// Size of the pieces of a streamed answer.
const PIECE: usize = 256 * 1024;

/// How an answer goes out.
enum Outgoing {
    Whole(Vec<u8>),
    /// Already queued on the outbox and written.
    Streamed,
}

/// Serializes `answer` into the response frame's body: whole when it is small, else streamed
/// (queued on the outbox right here).
fn send(id: &Id, answer: &dyn WriteJson, outbox: &Outbox) -> Result<Outgoing, jsonrpc::Error> {
    if answer.estimated_len() <= WHOLE_LIMIT {
        // Sized up front: growing by doubling copied the answer ~twice over.
        let mut prefix = response_prefix(id);
        prefix.reserve(answer.estimated_len() + 1);
        let (mut body, written) = answer.write_vec(prefix);
        written.map_err(serialize_error)?;
        body.push(b'}');
        return Ok(Outgoing::Whole(body));
    }
    let prefix = response_prefix(id);
    let (counted, written) = answer.write_counted(Counter(0));
    written.map_err(serialize_error)?;
    let pieces = outbox.send_stream(prefix.len() + counted.0 + 1);
    // A failure now means the client is gone (the first pass succeeded on the same answer);
    // the writer pads whatever is missing.
    let (mut out, written) = answer.write_pieces(Pieces { buf: prefix, tx: pieces });
    if written.is_ok() && out.write_all(b"}").is_ok() {
        let _ = out.flush();
    }
    Ok(Outgoing::Streamed)
}

fn serialize_error(e: serde_json::Error) -> jsonrpc::Error {
    let mut err = jsonrpc::Error::internal_error();
    err.message = format!("dockls: cannot serialize the answer: {e}").into();
    err
}

/// Counts the bytes written to it.
struct Counter(usize);

impl Write for Counter {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.write(buf).map(drop)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends what is written to it to the writer in pieces of [`PIECE`] bytes, waiting while the
/// writer's queue for this frame is full. Runs on a blocking thread.
struct Pieces {
    buf: Vec<u8>,
    tx: tokio::sync::mpsc::Sender<Vec<u8>>,
}

impl Pieces {
    fn send(&mut self) -> std::io::Result<()> {
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(PIECE));
        self.tx.blocking_send(piece).map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "output closed"))
    }
}

impl Write for Pieces {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(buf);
        if self.buf.len() >= PIECE {
            self.send()?;
        }
        Ok(buf.len())
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.write(buf).map(drop)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() { Ok(()) } else { self.send() }
    }
}

#[derive(Serialize)]
struct ErrorResponse<'a> {
    jsonrpc: &'static str,
    id: &'a Id,
    error: &'a jsonrpc::Error,
}

/// `{"jsonrpc":"2.0","id":…,"result":` — the answer is serialized right after it, into the
/// same buffer, and the closing `}` added: a large answer is never copied.
fn response_prefix(id: &Id) -> Vec<u8> {
    let mut out = b"{\"jsonrpc\":\"2.0\",\"id\":".to_vec();
    if serde_json::to_writer(&mut out, id).is_err() {
        out.extend_from_slice(b"null");
    }
    out.extend_from_slice(b",\"result\":");
    out
}

impl<S> Service<Request> for Direct<S>
where
    S: Service<Request, Response = Option<Response>, Error = ExitedError>,
    S::Future: Send + 'static,
{
    type Response = Option<Response>;
    type Error = ExitedError;
    type Future = BoxFuture<'static, Result<Option<Response>, ExitedError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ExitedError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        // Seen here, in arrival order, not when tower-lsp-server gets to them: an `exit` right
        // behind `shutdown` cancels the pending shutdown handler, and the exit status must
        // still say that shutdown was asked for; and `exit` must end the session even while a
        // request waits on a client that stopped reading (see `lsp::run`).
        match req.method() {
            "shutdown" if self.state.serving() => self.state.set_shutdown_received(),
            "exit" => self.state.exit.notify_one(),
            _ => {}
        }
        // tower-lsp-server drops every `$/` message; a request among them must still be
        // answered (the protocol: MethodNotFound), or the client waits forever.
        if let (Some(id), true) = (req.id(), req.method().starts_with("$/")) {
            let mut err = jsonrpc::Error::method_not_found();
            err.message = format!("dockls does not support {}", req.method()).into();
            return futures::future::ready(Ok(Some(Response::from_error(id.clone(), err)))).boxed();
        }
        // Before `initialize` and after `shutdown` tower-lsp-server gives the protocol's errors.
        let handler = handler(req.method()).filter(|_| self.state.serving());
        let (Some(handler), Some(_)) = (handler, req.id()) else {
            return self.inner.call(req).boxed();
        };
        let (method, id, params) = req.into_parts();
        let id = id.expect("checked above");
        let (state, outbox) = (self.state.clone(), self.outbox.clone());
        async move {
            let params = params.unwrap_or(LSPAny::Null);
            let (stream_id, stream_outbox) = (id.clone(), outbox.clone());
            let answer = tokio::task::spawn_blocking(move || {
                guarded(&method, || {
                    let answer = handler(&state, params)?;
                    send(&stream_id, answer.as_ref(), &stream_outbox)
                })
                .and_then(|r| r)
            })
            .await
            .unwrap_or_else(|e| {
                let mut err = jsonrpc::Error::internal_error();
                err.message = format!("dockls internal error: {e}").into();
                Err(err)
            });
            let body = match answer {
                Ok(Outgoing::Streamed) => return Ok(None),
                Ok(Outgoing::Whole(body)) => body,
                Err(error) => serde_json::to_vec(&ErrorResponse { jsonrpc: "2.0", id: &id, error: &error }).unwrap_or_else(|_| {
                    let mut body = response_prefix(&id);
                    body.extend_from_slice(b"null}");
                    body
                }),
            };
            outbox.send_json(body);
            Ok(None)
        }
        .boxed()
    }
}
