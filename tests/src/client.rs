//! A small synchronous JSON-RPC / LSP client that drives a language server over stdio.
//!
//! It is written against `serde_json` and `std` only (no async runtime): the server's stdout is
//! read by a thread that splits it into `Content-Length` framed messages ([`FrameParser`]) and
//! sends them over a channel; the test thread writes requests and notifications to the server's
//! stdin and waits on that channel with a timeout.
//!
//! While it waits for anything, the client answers the server→client requests an editor would
//! (`workspace/configuration`, `client/registerCapability`, `window/workDoneProgress/create`, …)
//! so the server is never left hanging, and it keeps every notification and request it saw in a
//! queue that [`LspClient::wait_notification`] and [`LspClient::take_messages`] read from.
//!
//! Every wait has a timeout (10 s by default, see [`LspClient::set_timeout`]); when one runs out
//! the panic message lists the messages received so far and the tail of the server's stderr.
//!
//! ```no_run
//! use dockls_tests::client::{dockls_binary, LspClient};
//! use serde_json::json;
//!
//! let mut client = LspClient::spawn(&dockls_binary(), &["serve", "--stdio"]);
//! client.initialize("file:///tmp/project", json!({}));
//! client.did_open("file:///tmp/project/Dockerfile", "FROM alpine\n");
//! let diags = client.wait_diagnostics("file:///tmp/project/Dockerfile", Some(1));
//! assert!(diags["params"]["diagnostics"].is_array());
//! client.shutdown_and_exit();
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Default timeout of every wait.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How many received messages a timeout panic lists (the most recent ones).
const LOG_LIMIT: usize = 60;
/// How many characters of one message a timeout panic shows.
const LOG_MESSAGE_CHARS: usize = 300;
/// How many bytes of the server's stderr a panic shows (the tail).
const STDERR_TAIL: usize = 4000;

// ---------------------------------------------------------------------------------------------
// Locating the binary
// ---------------------------------------------------------------------------------------------

/// The `dockls` binary to test: `$DOCKLS_BIN` if set, else the newer of
/// `<target>/release/dockls` and `<target>/debug/dockls`, where `<target>` is
/// `$CARGO_TARGET_DIR` or the workspace's `target/`.
///
/// Panics with a hint to build it when neither exists.
pub fn dockls_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("DOCKLS_BIN") {
        return PathBuf::from(bin);
    }
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        None => workspace_root().join("target"),
    };
    let exe = format!("dockls{}", std::env::consts::EXE_SUFFIX);
    let candidates = [
        target.join("release").join(&exe),
        target.join("debug").join(&exe),
    ];
    candidates
        .iter()
        .filter_map(|p| {
            let modified = std::fs::metadata(p).and_then(|m| m.modified()).ok()?;
            Some((modified, p.clone()))
        })
        .max_by_key(|(modified, _)| *modified)
        .map(|(_, p)| p)
        .unwrap_or_else(|| {
            panic!(
                "no dockls binary found (looked at {} and {}); build it with \
                 `cargo build -p dockls` or point DOCKLS_BIN at one",
                candidates[0].display(),
                candidates[1].display()
            )
        })
}

/// The workspace root (the parent of this crate's manifest directory).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// A `file://` URI for an absolute path (percent-encoding the characters that need it).
pub fn file_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Framing
// ---------------------------------------------------------------------------------------------

/// Incremental parser of the LSP base protocol: `Header: value\r\n` lines (names compared
/// case-insensitively), an empty line, then `Content-Length` bytes of JSON.
///
/// Feed it bytes as they arrive with [`FrameParser::push`]; it returns every message completed by
/// them, and keeps a partial message for the next call.
#[derive(Debug, Default)]
pub struct FrameParser {
    buf: Vec<u8>,
}

/// A framing or JSON error; the parser skips the bad frame (or the bad header block) and goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError(pub String);

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FrameParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes received but not yet part of a complete message.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Appends `bytes` and returns the messages they complete, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<Value, FrameError>> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(item) = self.next_frame() {
            out.push(item);
        }
        out
    }

    /// Takes one complete frame off the front of the buffer, if there is one.
    fn next_frame(&mut self) -> Option<Result<Value, FrameError>> {
        let header_end = find(&self.buf, b"\r\n\r\n")?;
        let body_start = header_end + 4;
        let headers = String::from_utf8_lossy(&self.buf[..header_end]).into_owned();
        let mut length: Option<usize> = None;
        for line in headers.split("\r\n") {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok();
            }
        }
        let Some(length) = length else {
            self.buf.drain(..body_start);
            return Some(Err(FrameError(format!(
                "header block without a valid Content-Length: {headers:?}"
            ))));
        };
        if self.buf.len() < body_start + length {
            return None;
        }
        let rest = self.buf.split_off(body_start + length);
        let mut body = std::mem::replace(&mut self.buf, rest);
        body.drain(..body_start);
        Some(serde_json::from_slice(&body).map_err(|e| {
            FrameError(format!(
                "invalid JSON body ({e}): {}",
                String::from_utf8_lossy(&body)
            ))
        }))
    }
}

/// Frames one message for sending: `Content-Length` header, blank line, JSON body.
pub fn encode_message(message: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(message).expect("serialising a serde_json::Value cannot fail");
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(&body);
    out
}

/// A writer that stops (with an error) once it holds `limit` bytes.
struct Bounded {
    out: Vec<u8>,
    limit: usize,
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = self.limit.saturating_sub(self.out.len());
        if room == 0 {
            return Err(std::io::Error::other("log limit reached"));
        }
        let n = room.min(buf.len());
        self.out.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

/// What the reader thread sends.
enum Event {
    /// A message, and when the read that completed its bytes returned (before parsing them).
    Message(Value, Instant),
    FrameError(String),
    Eof,
    ReadError(String),
}

/// A wait ran out of time (the non-panicking `try_*` methods return it).
#[derive(Debug, Clone)]
pub struct Timeout {
    pub what: String,
    pub after: Duration,
}

impl fmt::Display for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "timed out after {:?} waiting for {}",
            self.after, self.what
        )
    }
}

/// Why a non-panicking wait failed.
#[derive(Debug, Clone)]
pub enum WaitError {
    /// Nothing matching arrived in time.
    Timeout(Timeout),
    /// The server closed its stdout (usually: it exited or crashed).
    Closed(String),
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Timeout(t) => t.fmt(f),
            WaitError::Closed(why) => write!(f, "server closed the connection: {why}"),
        }
    }
}

impl std::error::Error for WaitError {}

/// Where the server's stderr goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StderrMode {
    /// Captured into a buffer, shown (its tail) in panic messages and by [`LspClient::stderr`].
    Capture,
    /// Inherited from the test process.
    Inherit,
    /// Discarded.
    Null,
}

/// A running language server and the client end of its stdio connection.
pub struct LspClient {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Event>,
    reader: Option<JoinHandle<()>>,
    stderr_buf: Arc<Mutex<Vec<u8>>>,
    next_id: i64,
    /// Notifications and server→client requests not yet taken by a wait.
    queue: VecDeque<Value>,
    /// Short forms of everything received, for timeout panics.
    log: VecDeque<String>,
    received: usize,
    /// When the last message taken from the reader had fully arrived.
    last_arrival: Option<Instant>,
    closed: Option<String>,
    timeout: Duration,
    settings: Value,
    /// While set, `workspace/configuration` requests are kept here unanswered (a slow editor).
    held_configuration: Option<Vec<Value>>,
    server_capabilities: Value,
    position_encoding: String,
    program: String,
}

impl LspClient {
    /// Spawns `program args…` with piped stdin/stdout, capturing stderr.
    ///
    /// Set `LSP_CLIENT_STDERR=inherit` to see the server's stderr live instead.
    pub fn spawn(program: &Path, args: &[&str]) -> LspClient {
        let mode = match std::env::var("LSP_CLIENT_STDERR").as_deref() {
            Ok("inherit") => StderrMode::Inherit,
            Ok("null") => StderrMode::Null,
            _ => StderrMode::Capture,
        };
        Self::spawn_with(program, args, mode)
    }

    /// Like [`LspClient::spawn`], choosing where stderr goes.
    pub fn spawn_with(program: &Path, args: &[&str], stderr: StderrMode) -> LspClient {
        Self::try_spawn_with(program, args, stderr)
            .unwrap_or_else(|e| panic!("cannot spawn {} {args:?}: {e}", program.display()))
    }

    /// Like [`LspClient::spawn_with`], returning spawn errors instead of panicking.
    pub fn try_spawn_with(
        program: &Path,
        args: &[&str],
        stderr: StderrMode,
    ) -> std::io::Result<LspClient> {
        // Tests never reach real registries: only the fake-registry tests turn this off.
        Self::try_spawn_env(program, args, stderr, &[("DOCKLS_OFFLINE", Some("1"))])
    }

    /// Spawns offline with no `shellcheck` on PATH: for tests that compare what is published
    /// with a fresh open, since ShellCheck's findings arrive in a later publish whose timing
    /// depends on the machine (tests of that publish use a stand-in ShellCheck).
    pub fn spawn_without_shellcheck(program: &Path, args: &[&str]) -> LspClient {
        let path = path_without("shellcheck");
        Self::spawn_env(program, args, &[("DOCKLS_OFFLINE", Some("1")), ("PATH", Some(&path))])
    }

    /// Spawns with environment changes (`None` removes a variable), capturing stderr as
    /// [`LspClient::spawn`] does. Unlike the other constructors it does not set
    /// `DOCKLS_OFFLINE=1`.
    pub fn spawn_env(program: &Path, args: &[&str], env: &[(&str, Option<&str>)]) -> LspClient {
        Self::try_spawn_env(program, args, StderrMode::Capture, env)
            .unwrap_or_else(|e| panic!("cannot spawn {} {args:?}: {e}", program.display()))
    }

    /// Like [`LspClient::try_spawn_with`], with environment changes.
    pub fn try_spawn_env(
        program: &Path,
        args: &[&str],
        stderr: StderrMode,
        env: &[(&str, Option<&str>)],
    ) -> std::io::Result<LspClient> {
        let mut cmd = Command::new(program);
        cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped());
        for (name, value) in env {
            match value {
                Some(v) => cmd.env(name, v),
                None => cmd.env_remove(name),
            };
        }
        cmd.stderr(match stderr {
            StderrMode::Capture => Stdio::piped(),
            StderrMode::Inherit => Stdio::inherit(),
            StderrMode::Null => Stdio::null(),
        });
        let mut child = cmd.spawn()?;
        let stdin = child.stdin.take();
        let mut stdout = child.stdout.take().expect("stdout is piped");

        let stderr_buf = Arc::new(Mutex::new(Vec::new()));
        if let Some(mut err) = child.stderr.take() {
            let buf = Arc::clone(&stderr_buf);
            thread::Builder::new()
                .name("lsp-client-stderr".into())
                .spawn(move || {
                    let mut chunk = [0u8; 8192];
                    while let Ok(n) = err.read(&mut chunk) {
                        if n == 0 {
                            break;
                        }
                        buf.lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .extend_from_slice(&chunk[..n]);
                    }
                })?;
        }

        let (tx, rx) = mpsc::channel();
        let reader = thread::Builder::new()
            .name("lsp-client-reader".into())
            .spawn(move || {
                let mut parser = FrameParser::new();
                let mut chunk = vec![0u8; 64 * 1024];
                loop {
                    match stdout.read(&mut chunk) {
                        Ok(0) => {
                            let _ = tx.send(Event::Eof);
                            return;
                        }
                        Ok(n) => {
                            let arrived = Instant::now();
                            for item in parser.push(&chunk[..n]) {
                                let event = match item {
                                    Ok(v) => Event::Message(v, arrived),
                                    Err(e) => Event::FrameError(e.0),
                                };
                                if tx.send(event).is_err() {
                                    return;
                                }
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => {
                            let _ = tx.send(Event::ReadError(e.to_string()));
                            return;
                        }
                    }
                }
            })?;

        let mut shown = program.display().to_string();
        for a in args {
            shown.push(' ');
            shown.push_str(a);
        }
        Ok(LspClient {
            child,
            stdin,
            rx,
            reader: Some(reader),
            stderr_buf,
            next_id: 1,
            queue: VecDeque::new(),
            log: VecDeque::new(),
            received: 0,
            last_arrival: None,
            closed: None,
            timeout: DEFAULT_TIMEOUT,
            settings: Value::Null,
            held_configuration: None,
            server_capabilities: Value::Null,
            position_encoding: "utf-16".into(),
            program: shown,
        })
    }

    // ----- configuration ----------------------------------------------------------------------

    /// Sets the timeout of the waits that don't take one (default 10 s).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Settings returned to `workspace/configuration`: for each requested item with a `section`
    /// (e.g. `"dockls.lint"`), the value at that dotted path in `settings`, else `null`; for an
    /// item without a section, the whole `settings`.
    pub fn set_settings(&mut self, settings: Value) {
        self.settings = settings;
    }

    /// From now on, `workspace/configuration` requests wait unanswered until
    /// [`LspClient::answer_configuration`] (as an editor that is slow to answer).
    pub fn hold_configuration(&mut self) {
        self.held_configuration.get_or_insert_with(Vec::new);
    }

    /// Answers the held `workspace/configuration` requests and stops holding them.
    pub fn answer_configuration(&mut self) {
        for request in self.held_configuration.take().unwrap_or_default() {
            self.answer_server_request(&request);
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The `capabilities` of the last `initialize` response (`null` before it).
    pub fn server_capabilities(&self) -> &Value {
        &self.server_capabilities
    }

    /// The position encoding the server chose (`"utf-16"` unless it said otherwise).
    pub fn position_encoding(&self) -> &str {
        &self.position_encoding
    }

    /// Everything the server wrote to stderr so far (empty unless captured).
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr_buf.lock().unwrap_or_else(|e| e.into_inner()))
            .into_owned()
    }

    /// Peak resident set size of the server process in KiB (`VmHWM` of `/proc/<pid>/status`),
    /// where procfs exists and the process is alive.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        proc_status_kib(self.pid(), "VmHWM")
    }

    /// Current resident set size in KiB (`VmRSS`).
    pub fn rss_kib(&self) -> Option<u64> {
        proc_status_kib(self.pid(), "VmRSS")
    }

    // ----- sending ----------------------------------------------------------------------------

    fn send(&mut self, message: &Value) {
        let bytes = encode_message(message);
        let result = match self.stdin.as_mut() {
            Some(stdin) => stdin.write_all(&bytes).and_then(|_| stdin.flush()),
            None => Err(std::io::Error::other("stdin already closed")),
        };
        if let Err(e) = result {
            let method = message
                .get("method")
                .and_then(Value::as_str)
                .unwrap_or("response");
            panic!("cannot write {method} to the server: {e}{}", self.context());
        }
    }

    /// Writes bytes to the server as they are: malformed frames for robustness tests.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.try_send_raw(bytes).expect("writing to the server");
    }

    /// [`LspClient::send_raw`] that returns a failure to write instead of panicking.
    pub fn try_send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let stdin = self.stdin.as_mut().ok_or_else(|| std::io::Error::other("stdin already closed"))?;
        stdin.write_all(bytes).and_then(|_| stdin.flush())
    }

    /// Sends `exit` without `shutdown` and closes stdin; the exit status, once the server ended.
    /// Closes the server's stdin (end of input).
    pub fn close_stdin(&mut self) {
        drop(self.stdin.take());
    }

    pub fn exit_without_shutdown(&mut self, within: Duration) -> Result<ExitStatus, String> {
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        self.wait_exit(within)
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request without waiting; returns its id (see [`LspClient::try_response`]).
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// Sends a request and waits (default timeout) for its response: `Ok(result)` or
    /// `Err(error)` with the JSON-RPC error object. Panics on timeout.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let timeout = self.timeout;
        self.request_timeout(method, params, timeout)
    }

    /// [`LspClient::request`] with an explicit timeout.
    pub fn request_timeout(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, Value> {
        let id = self.send_request(method, params);
        match self.try_response(id, timeout) {
            Ok(r) => r,
            Err(e) => panic!("{method} (id {id}): {e}{}", self.context()),
        }
    }

    /// Like [`LspClient::request`] but returns timeouts and a closed connection as errors.
    pub fn try_request(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Result<Value, Value>, WaitError> {
        let id = self.send_request(method, params);
        self.try_response(id, timeout)
    }

    /// Waits for the response to request `id`, queueing whatever else arrives meanwhile.
    pub fn try_response(
        &mut self,
        id: i64,
        timeout: Duration,
    ) -> Result<Result<Value, Value>, WaitError> {
        let deadline = Instant::now() + timeout;
        loop {
            let mut message = self.recv_until(deadline, timeout, || {
                format!("the response to request {id}")
            })?;
            if message.get("method").is_none() && message.get("id") == Some(&json!(id)) {
                // Taken, not cloned: a large answer (8 MB of symbols) would cost as much to
                // copy as the server took to send it.
                if let Some(error) = message.get_mut("error") {
                    return Ok(Err(error.take()));
                }
                return Ok(Ok(message.get_mut("result").map(Value::take).unwrap_or(Value::Null)));
            }
            // Responses to other ids (e.g. to a request whose wait timed out) are dropped;
            // notifications and server requests were queued by `recv_until`.
        }
    }

    // ----- receiving --------------------------------------------------------------------------

    /// Receives the next message (any kind) before `deadline`. Server→client requests are
    /// answered and, like notifications, also pushed onto the queue.
    fn recv_until(
        &mut self,
        deadline: Instant,
        timeout: Duration,
        what: impl Fn() -> String,
    ) -> Result<Value, WaitError> {
        loop {
            if let Some(why) = &self.closed {
                return Err(WaitError::Closed(why.clone()));
            }
            let now = Instant::now();
            let left = deadline.saturating_duration_since(now);
            let event = match self.rx.recv_timeout(left) {
                Ok(ev) => ev,
                Err(RecvTimeoutError::Timeout) => {
                    return Err(WaitError::Timeout(Timeout {
                        what: what(),
                        after: timeout,
                    }))
                }
                Err(RecvTimeoutError::Disconnected) => Event::Eof,
            };
            match event {
                Event::Message(message, arrived) => {
                    self.last_arrival = Some(arrived);
                    self.record(&message);
                    let is_request = message.get("method").is_some() && message.get("id").is_some();
                    let is_notification =
                        message.get("method").is_some() && message.get("id").is_none();
                    if is_request {
                        self.answer_server_request(&message);
                    }
                    if is_request || is_notification {
                        self.queue.push_back(message.clone());
                    }
                    return Ok(message);
                }
                Event::FrameError(e) => {
                    self.push_log(format!("<framing error: {e}>"));
                }
                Event::Eof => {
                    let status = self.child.try_wait().ok().flatten();
                    let why = match status {
                        Some(s) => format!("server stdout closed, process exited with {s}"),
                        None => "server stdout closed".to_string(),
                    };
                    self.closed = Some(why.clone());
                    return Err(WaitError::Closed(why));
                }
                Event::ReadError(e) => {
                    let why = format!("error reading server stdout: {e}");
                    self.closed = Some(why.clone());
                    return Err(WaitError::Closed(why));
                }
            }
        }
    }

    /// Answers a server→client request the way a plain editor would.
    fn answer_server_request(&mut self, message: &Value) {
        let id = message["id"].clone();
        let method = message["method"].as_str().unwrap_or_default();
        if method == "workspace/configuration" {
            if let Some(held) = self.held_configuration.as_mut() {
                held.push(message.clone());
                return;
            }
        }
        let result = match method {
            "workspace/configuration" => {
                let items = message["params"]["items"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                Value::Array(
                    items
                        .iter()
                        .map(|item| match item.get("section").and_then(Value::as_str) {
                            Some(section) => lookup_section(&self.settings, section),
                            None => self.settings.clone(),
                        })
                        .collect(),
                )
            }
            "workspace/workspaceFolders" => Value::Null,
            "window/showMessageRequest" => Value::Null,
            "workspace/applyEdit" => json!({ "applied": false, "failureReason": "test client" }),
            // client/registerCapability, client/unregisterCapability,
            // window/workDoneProgress/create, workspace/*/refresh and anything else: null.
            _ => Value::Null,
        };
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
    }

    fn record(&mut self, message: &Value) {
        self.received += 1;
        // Serialize only what the log keeps: a large answer is cut off after the limit.
        let mut w = Bounded { out: Vec::new(), limit: LOG_MESSAGE_CHARS + 4 };
        let _ = serde_json::to_writer(&mut w, message);
        let mut text = String::from_utf8_lossy(&w.out).into_owned();
        if text.len() > LOG_MESSAGE_CHARS {
            let mut cut = LOG_MESSAGE_CHARS;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push('…');
        }
        self.push_log(text);
    }

    fn push_log(&mut self, line: String) {
        if self.log.len() == LOG_LIMIT {
            self.log.pop_front();
        }
        self.log.push_back(line);
    }

    /// Waits (default timeout) for a notification `method` whose message satisfies `predicate`,
    /// looking first at the queue of messages already received. Returns the whole message
    /// (`{"jsonrpc", "method", "params"}`) and removes it from the queue. Panics on timeout.
    pub fn wait_notification(
        &mut self,
        method: &str,
        predicate: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Value {
        match self.try_wait_notification(method, predicate, timeout) {
            Ok(v) => v,
            Err(e) => panic!("{e}{}", self.context()),
        }
    }

    /// Like [`LspClient::wait_notification`], returning timeouts as errors.
    pub fn try_wait_notification(
        &mut self,
        method: &str,
        predicate: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Result<Value, WaitError> {
        let matches = |m: &Value| {
            m.get("method").and_then(Value::as_str) == Some(method)
                && m.get("id").is_none()
                && predicate(m)
        };
        if let Some(pos) = self.queue.iter().position(matches) {
            // Received during an earlier wait: when is not kept.
            self.last_arrival = None;
            return Ok(self.queue.remove(pos).expect("position is in range"));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let message = self.recv_until(deadline, timeout, || {
                format!("a {method} notification matching the predicate")
            })?;
            if matches(&message) {
                // `recv_until` queued it; take it back off.
                if let Some(pos) = self.queue.iter().rposition(|m| m == &message) {
                    self.queue.remove(pos);
                }
                return Ok(message);
            }
        }
    }

    /// Waits (default timeout) for `textDocument/publishDiagnostics` for `uri`; with
    /// `Some(version)`, only for a notification that carries exactly that version.
    pub fn wait_diagnostics(&mut self, uri: &str, version: Option<i64>) -> Value {
        let timeout = self.timeout;
        self.wait_notification(
            "textDocument/publishDiagnostics",
            |m| diagnostics_match(m, uri, version),
            timeout,
        )
    }

    /// Takes every queued notification and server request.
    pub fn take_messages(&mut self) -> Vec<Value> {
        self.queue.drain(..).collect()
    }

    /// Reads whatever arrives within `window` (answering server requests), then returns and
    /// clears the queue. Handy to let a debounced server settle.
    pub fn drain_for(&mut self, window: Duration) -> Vec<Value> {
        let deadline = Instant::now() + window;
        while self.recv_until(deadline, window, String::new).is_ok() {}
        self.take_messages()
    }

    /// Removes queued notifications of `method` (e.g. stale diagnostics) and returns them.
    pub fn discard_queued(&mut self, method: &str) -> Vec<Value> {
        let (gone, kept): (Vec<Value>, Vec<Value>) = self
            .queue
            .drain(..)
            .partition(|m| m.get("method").and_then(Value::as_str) == Some(method));
        self.queue = kept.into();
        gone
    }

    /// How many messages were received in total.
    /// When the bytes of the message most recently returned by a wait or request had all
    /// arrived: before this client parsed them, so a latency measured to it is the server's
    /// alone (and the pipe's), not this client's JSON parser's.
    pub fn last_arrival(&self) -> Option<Instant> {
        self.last_arrival
    }

    pub fn received_count(&self) -> usize {
        self.received
    }

    // ----- LSP helpers ------------------------------------------------------------------------

    /// The `initialize` params this client sends: `rootUri`/`workspaceFolders` from `root_uri`
    /// and [`default_client_capabilities`] deep-merged with `capabilities_overrides` (objects
    /// merge key by key, anything else replaces).
    pub fn initialize_params(root_uri: &str, capabilities_overrides: Value) -> Value {
        let mut capabilities = default_client_capabilities();
        merge(&mut capabilities, capabilities_overrides);
        json!({
            "processId": std::process::id(),
            "clientInfo": { "name": "dockls-tests", "version": env!("CARGO_PKG_VERSION") },
            "locale": "en",
            "rootUri": root_uri,
            "rootPath": root_uri.strip_prefix("file://"),
            "workspaceFolders": [{ "uri": root_uri, "name": "workspace" }],
            "capabilities": capabilities,
            "trace": "off",
        })
    }

    /// Sends `initialize` (see [`LspClient::initialize_params`]) and then `initialized`;
    /// returns the `InitializeResult`. Panics if the server answers with an error.
    ///
    /// To offer UTF-8 positions: `json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}})`.
    pub fn initialize(&mut self, root_uri: &str, capabilities_overrides: Value) -> Value {
        let params = Self::initialize_params(root_uri, capabilities_overrides);
        let timeout = self.timeout;
        match self.try_initialize_with(params, timeout) {
            Ok(Ok(result)) => result,
            Ok(Err(error)) => panic!("initialize failed: {error}{}", self.context()),
            Err(e) => panic!("initialize: {e}{}", self.context()),
        }
    }

    /// Sends `initialize` with the given params and, if it succeeds, `initialized`.
    pub fn try_initialize_with(
        &mut self,
        params: Value,
        timeout: Duration,
    ) -> Result<Result<Value, Value>, WaitError> {
        let response = self.try_request("initialize", params, timeout)?;
        if let Ok(result) = &response {
            self.server_capabilities = result.get("capabilities").cloned().unwrap_or(Value::Null);
            self.position_encoding = self.server_capabilities["positionEncoding"]
                .as_str()
                .unwrap_or("utf-16")
                .to_string();
            self.notify("initialized", json!({}));
        }
        Ok(response)
    }

    /// `textDocument/didOpen` with language id `dockerfile` and version 1.
    pub fn did_open(&mut self, uri: &str, text: &str) {
        self.did_open_with(uri, "dockerfile", 1, text);
    }

    /// `textDocument/didOpen` with an explicit language id and version.
    pub fn did_open_with(&mut self, uri: &str, language_id: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({
                "textDocument": { "uri": uri, "languageId": language_id, "version": version, "text": text }
            }),
        );
    }

    /// `textDocument/didChange`; `changes` is the `contentChanges` array (see [`range_change`]
    /// and [`full_change`]).
    pub fn did_change(&mut self, uri: &str, version: i64, changes: Value) {
        let changes = match changes {
            Value::Array(_) => changes,
            single => Value::Array(vec![single]),
        };
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        );
    }

    /// `textDocument/didClose`.
    pub fn did_close(&mut self, uri: &str) {
        self.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        );
    }

    /// Whether the server advertised `provider` (e.g. `"hoverProvider"`): present and not
    /// `false`/`null`.
    pub fn has_capability(&self, provider: &str) -> bool {
        !matches!(
            self.server_capabilities.get(provider),
            None | Some(Value::Null) | Some(Value::Bool(false))
        )
    }

    /// Sends `shutdown` and `exit`, then checks that the process exits with status 0 within a
    /// few seconds. Panics otherwise.
    pub fn shutdown_and_exit(&mut self) {
        if let Err(e) = self.try_shutdown_and_exit(Duration::from_secs(5)) {
            panic!("{e}{}", self.context());
        }
    }

    /// Like [`LspClient::shutdown_and_exit`], returning what went wrong instead of panicking.
    pub fn try_shutdown_and_exit(&mut self, exit_within: Duration) -> Result<ExitStatus, String> {
        let timeout = self.timeout;
        match self.try_request("shutdown", Value::Null, timeout) {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(format!("shutdown returned an error: {e}")),
            Err(e) => return Err(format!("shutdown: {e}")),
        }
        self.notify("exit", Value::Null);
        // Closing stdin too: a server may wait for EOF after `exit`.
        drop(self.stdin.take());
        let status = self.wait_exit(exit_within)?;
        if status.success() {
            Ok(status)
        } else {
            Err(format!(
                "server exited with {status} after shutdown/exit (expected 0)"
            ))
        }
    }

    /// Waits up to `within` for the process to exit.
    pub fn wait_exit(&mut self, within: Duration) -> Result<ExitStatus, String> {
        let deadline = Instant::now() + within;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    if let Some(reader) = self.reader.take() {
                        let _ = reader.join();
                    }
                    return Ok(status);
                }
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
                Ok(None) => return Err(format!("server did not exit within {within:?}")),
                Err(e) => return Err(format!("cannot wait for the server: {e}")),
            }
        }
    }

    /// Kills the server (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Context appended to panic messages: the messages received so far and the stderr tail.
    fn context(&self) -> String {
        let mut out = format!("\n--- server: {}", self.program);
        out.push_str(&format!(
            "\n--- {} message(s) received{}:",
            self.received,
            if self.received > self.log.len() {
                format!(" (last {} shown)", self.log.len())
            } else {
                String::new()
            }
        ));
        if self.log.is_empty() {
            out.push_str("\n  (none)");
        }
        for line in &self.log {
            out.push_str("\n  ");
            out.push_str(line);
        }
        let stderr = self.stderr();
        if !stderr.is_empty() {
            let tail = if stderr.len() > STDERR_TAIL {
                let mut cut = stderr.len() - STDERR_TAIL;
                while !stderr.is_char_boundary(cut) {
                    cut += 1;
                }
                &stderr[cut..]
            } else {
                &stderr[..]
            };
            out.push_str("\n--- server stderr (tail):\n");
            out.push_str(tail);
        }
        out
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        drop(self.stdin.take());
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Free helpers
// ---------------------------------------------------------------------------------------------

/// Client capabilities sent by default: UTF-16 positions, versioned diagnostics, hierarchical
/// document symbols, semantic tokens, workspace configuration, work-done progress, folding,
/// hover/completion in markdown.
pub fn default_client_capabilities() -> Value {
    json!({
        "general": {
            "positionEncodings": ["utf-16"]
        },
        "workspace": {
            "configuration": true,
            "workspaceFolders": true,
            "didChangeConfiguration": { "dynamicRegistration": true },
            "didChangeWatchedFiles": { "dynamicRegistration": true },
            "applyEdit": false,
            "workspaceEdit": { "documentChanges": true },
            "semanticTokens": { "refreshSupport": false },
            "diagnostics": { "refreshSupport": false }
        },
        "window": {
            "workDoneProgress": true,
            "showMessage": {}
        },
        "textDocument": {
            "synchronization": {
                "dynamicRegistration": false,
                "didSave": true,
                "willSave": false,
                "willSaveWaitUntil": false
            },
            "publishDiagnostics": {
                "relatedInformation": true,
                "versionSupport": true,
                "tagSupport": { "valueSet": [1, 2] },
                "codeDescriptionSupport": true,
                "dataSupport": true
            },
            "documentSymbol": {
                "hierarchicalDocumentSymbolSupport": true,
                "symbolKind": { "valueSet": (1..=26).collect::<Vec<u32>>() }
            },
            "semanticTokens": {
                "dynamicRegistration": false,
                "requests": { "range": true, "full": { "delta": true } },
                "tokenTypes": [
                    "namespace", "type", "class", "enum", "interface", "struct", "typeParameter",
                    "parameter", "variable", "property", "enumMember", "event", "function",
                    "method", "macro", "keyword", "modifier", "comment", "string", "number",
                    "regexp", "operator", "decorator"
                ],
                "tokenModifiers": [
                    "declaration", "definition", "readonly", "static", "deprecated", "abstract",
                    "async", "modification", "documentation", "defaultLibrary"
                ],
                "formats": ["relative"],
                "overlappingTokenSupport": false,
                "multilineTokenSupport": false
            },
            "hover": { "contentFormat": ["markdown", "plaintext"] },
            "completion": {
                "completionItem": {
                    "snippetSupport": true,
                    "documentationFormat": ["markdown", "plaintext"],
                    "resolveSupport": { "properties": ["documentation", "detail"] },
                    "insertReplaceSupport": true,
                    "labelDetailsSupport": true
                },
                "contextSupport": true
            },
            "foldingRange": { "lineFoldingOnly": true },
            "codeAction": {
                "codeActionLiteralSupport": {
                    "codeActionKind": { "valueSet": ["quickfix", "refactor", "source"] }
                },
                "isPreferredSupport": true
            },
            "rename": { "prepareSupport": true },
            "formatting": {},
            "definition": { "linkSupport": true },
            "references": {},
            "documentHighlight": {},
            "documentLink": {},
            "signatureHelp": {}
        }
    })
}

/// Deep-merges `patch` into `base`: objects merge key by key (a `null` value removes the key),
/// anything else replaces.
pub fn merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(&k);
                } else {
                    merge(b.entry(k).or_insert(Value::Null), v);
                }
            }
        }
        (b, p) => *b = p,
    }
}

/// The value at a dotted `section` path in `settings` (`null` when absent).
fn lookup_section(settings: &Value, section: &str) -> Value {
    let mut cur = settings;
    for part in section.split('.').filter(|p| !p.is_empty()) {
        match cur.get(part) {
            Some(v) => cur = v,
            None => return Value::Null,
        }
    }
    cur.clone()
}

/// Whether a message is `publishDiagnostics` for `uri` (and, if given, that exact `version`).
pub fn diagnostics_match(message: &Value, uri: &str, version: Option<i64>) -> bool {
    let params = &message["params"];
    params["uri"].as_str() == Some(uri)
        && match version {
            Some(v) => params["version"].as_i64() == Some(v),
            None => true,
        }
}

/// A `TextDocumentContentChangeEvent` replacing a range (0-based lines and characters, in the
/// negotiated encoding) with `text`.
pub fn range_change(
    start_line: u32,
    start_character: u32,
    end_line: u32,
    end_character: u32,
    text: &str,
) -> Value {
    json!({
        "range": {
            "start": { "line": start_line, "character": start_character },
            "end": { "line": end_line, "character": end_character }
        },
        "text": text
    })
}

/// A full-document `TextDocumentContentChangeEvent`.
pub fn full_change(text: &str) -> Value {
    json!({ "text": text })
}

/// `{"textDocument": {"uri"}, "position": {"line", "character"}}`.
pub fn text_document_position(uri: &str, line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } })
}

/// `{"textDocument": {"uri"}}`.
pub fn text_document(uri: &str) -> Value {
    json!({ "textDocument": { "uri": uri } })
}

fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// `$PATH` without the folders that hold a program named `program`.
pub fn path_without(program: &str) -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let kept: Vec<PathBuf> = std::env::split_paths(&path).filter(|d| !d.join(program).is_file()).collect();
    std::env::join_paths(kept).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    #[test]
    fn one_message_in_one_chunk() {
        let mut p = FrameParser::new();
        let out = p.push(&frame(r#"{"jsonrpc":"2.0","id":1,"result":null}"#));
        assert_eq!(
            out,
            vec![Ok(json!({"jsonrpc": "2.0", "id": 1, "result": null}))]
        );
        assert_eq!(p.buffered(), 0);
    }

    #[test]
    fn split_reads_at_every_byte() {
        let body = r#"{"jsonrpc":"2.0","method":"window/logMessage","params":{"type":3,"message":"héllo"}}"#;
        let bytes = frame(body);
        // Every split point, including inside the header, the separator and a UTF-8 sequence.
        for cut in 0..=bytes.len() {
            let mut p = FrameParser::new();
            let mut out = p.push(&bytes[..cut]);
            if cut < bytes.len() {
                assert!(
                    out.is_empty(),
                    "complete message reported after {cut} bytes"
                );
            }
            out.extend(p.push(&bytes[cut..]));
            assert_eq!(out.len(), 1, "cut at {cut}");
            assert_eq!(out[0].as_ref().unwrap()["params"]["message"], "héllo");
        }
        // And one byte at a time.
        let mut p = FrameParser::new();
        let mut out = Vec::new();
        for b in &bytes {
            out.extend(p.push(std::slice::from_ref(b)));
        }
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn several_messages_in_one_chunk() {
        let mut bytes = frame(r#"{"id":1,"result":1}"#);
        bytes.extend(frame(r#"{"method":"a","params":{}}"#));
        bytes.extend(frame(r#"{"id":2,"result":[1,2,3]}"#));
        let half = frame(r#"{"id":3,"result":"tail"}"#);
        bytes.extend(&half[..10]);
        let mut p = FrameParser::new();
        let out: Vec<Value> = p.push(&bytes).into_iter().map(Result::unwrap).collect();
        assert_eq!(out.len(), 3);
        assert_eq!(out[0]["result"], 1);
        assert_eq!(out[1]["method"], "a");
        assert_eq!(out[2]["result"], json!([1, 2, 3]));
        assert_eq!(p.buffered(), 10);
        let rest = p.push(&half[10..]);
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].as_ref().unwrap()["result"], "tail");
    }

    #[test]
    fn headers_are_case_insensitive_and_extra_headers_ignored() {
        let body = r#"{"id":7,"result":true}"#;
        for header in [
            "content-length",
            "CONTENT-LENGTH",
            "Content-length",
            "cOnTeNt-LeNgTh",
        ] {
            let bytes = format!(
                "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n{header}:{}\r\n\r\n{body}",
                body.len()
            );
            let mut p = FrameParser::new();
            let out = p.push(bytes.as_bytes());
            assert_eq!(
                out,
                vec![Ok(json!({"id": 7, "result": true}))],
                "header {header}"
            );
        }
        // Whitespace around the value is tolerated.
        let bytes = format!("Content-Length:   {}  \r\n\r\n{body}", body.len());
        assert_eq!(FrameParser::new().push(bytes.as_bytes()).len(), 1);
    }

    #[test]
    fn length_counts_bytes_not_chars() {
        let body = r#"{"result":"ü€😀"}"#;
        let mut p = FrameParser::new();
        let mut bytes = frame(body);
        bytes.extend(frame(r#"{"result":2}"#));
        let out = p.push(&bytes);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].as_ref().unwrap()["result"], "ü€😀");
    }

    #[test]
    fn bad_frames_are_reported_and_skipped() {
        let mut bytes = b"X-Nothing: 1\r\n\r\n".to_vec();
        bytes.extend(frame("{not json}"));
        bytes.extend(frame(r#"{"id":1,"result":null}"#));
        let out = FrameParser::new().push(&bytes);
        assert_eq!(out.len(), 3);
        assert!(out[0].is_err());
        assert!(out[1].is_err());
        assert_eq!(out[2], Ok(json!({"id": 1, "result": null})));
    }

    #[test]
    fn encode_roundtrips() {
        let msg = json!({"jsonrpc": "2.0", "id": 3, "method": "x", "params": {"s": "ä"}});
        let out = FrameParser::new().push(&encode_message(&msg));
        assert_eq!(out, vec![Ok(msg)]);
    }

    #[test]
    fn merge_and_lookup() {
        let mut caps = default_client_capabilities();
        merge(
            &mut caps,
            json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
        );
        assert_eq!(
            caps["general"]["positionEncodings"],
            json!(["utf-8", "utf-16"])
        );
        assert_eq!(
            caps["textDocument"]["publishDiagnostics"]["versionSupport"],
            true
        );
        merge(&mut caps, json!({"textDocument": {"semanticTokens": null}}));
        assert!(caps["textDocument"].get("semanticTokens").is_none());

        let settings = json!({"dockls": {"lint": {"enable": true}}});
        assert_eq!(
            lookup_section(&settings, "dockls.lint"),
            json!({"enable": true})
        );
        assert_eq!(lookup_section(&settings, "dockls.nope"), Value::Null);
        assert_eq!(lookup_section(&Value::Null, "x"), Value::Null);
    }

    #[test]
    fn diagnostics_matching() {
        let m = json!({"method": "textDocument/publishDiagnostics",
                       "params": {"uri": "file:///a", "version": 2, "diagnostics": []}});
        assert!(diagnostics_match(&m, "file:///a", None));
        assert!(diagnostics_match(&m, "file:///a", Some(2)));
        assert!(!diagnostics_match(&m, "file:///a", Some(3)));
        assert!(!diagnostics_match(&m, "file:///b", None));
    }

    #[test]
    fn file_uris() {
        assert_eq!(
            file_uri(Path::new("/tmp/a b/Dockerfile")),
            "file:///tmp/a%20b/Dockerfile"
        );
    }
}

/// The byte offset in `text` of an LSP position (UTF-16 columns; lines end at CRLF, LF or CR).
pub fn byte_offset(text: &str, pos: &Value) -> usize {
    let (line, character) = (pos["line"].as_u64().unwrap() as usize, pos["character"].as_u64().unwrap() as usize);
    let mut start = 0;
    for _ in 0..line {
        let rest = &text[start..];
        let end = rest.find(['\n', '\r']).expect("line within the text");
        start += end + if rest[end..].starts_with("\r\n") { 2 } else { 1 };
    }
    let mut units = 0;
    for (i, ch) in text[start..].char_indices() {
        if units >= character || ch == '\n' || ch == '\r' {
            return start + i;
        }
        units += ch.len_utf16();
    }
    text.len()
}

/// `text` with an array of LSP `TextEdit`s applied (they never overlap), as an editor does.
pub fn apply_text_edits(text: &str, edits: &Value) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .as_array()
        .expect("an array of TextEdits")
        .iter()
        .map(|e| (byte_offset(text, &e["range"]["start"]), byte_offset(text, &e["range"]["end"]), e["newText"].as_str().unwrap()))
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse((s.0, s.1)));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}
