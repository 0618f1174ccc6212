//! Incoming messages, checked before tower-lsp-server reads them.
//!
//! Why: tower-lsp-server decodes stdin with a `FramedRead`, which ends the stream at the first
//! message it cannot decode, and the server then exits. One bad frame from an editor (a body
//! that is not JSON, a lower-case `content-length`, text with half an emoji that
//! `JSON.stringify` wrote as a lone surrogate `\ud83d`) would silently end the session and
//! lose every later edit. Here each frame is read with any header spelling, checked, and either
//! passed on re-framed, repaired (a lone surrogate becomes U+FFFD, one UTF-16 unit like the
//! one it replaces, so positions stay right) or answered with the JSON-RPC error and dropped.
//! Bytes that are not a frame are skipped up to the next `Content-Length` header.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use serde::de::IgnoredAny;
use serde::Deserialize;
use tokio::io::{AsyncRead, ReadBuf};

use super::transport::Outbox;

/// A header block longer than this without its blank line is not a header.
const MAX_HEADER: usize = 8 * 1024;
/// A larger `Content-Length` is taken for garbage rather than buffered.
const MAX_BODY: usize = 1 << 30;
const READ_CHUNK: usize = 64 * 1024;

pub struct CleanInput<R> {
    inner: R,
    outbox: Outbox,
    /// Bytes read and not yet framed.
    pending: Vec<u8>,
    /// Checked frames waiting to be read by tower-lsp-server, from `ready_at` on.
    ready: Vec<u8>,
    ready_at: usize,
    chunk: Box<[u8]>,
    eof: bool,
}

impl<R> CleanInput<R> {
    pub fn new(inner: R, outbox: Outbox) -> CleanInput<R> {
        CleanInput { inner, outbox, pending: Vec::new(), ready: Vec::new(), ready_at: 0, chunk: vec![0; READ_CHUNK].into_boxed_slice(), eof: false }
    }

    /// Moves every complete frame from `pending` to `ready` (or answers it with an error).
    fn frame(&mut self) {
        loop {
            match next_frame(&self.pending) {
                Step::NeedMore => return,
                Step::Skip(n, why) => {
                    complain(&why);
                    self.pending.drain(..n);
                }
                Step::BadHeader(n, why) => {
                    complain(&why);
                    self.outbox.send_json(error_body(None, -32700, &why));
                    self.pending.drain(..n);
                }
                Step::Frame { body, end } => {
                    let mut body = self.pending[body].to_vec();
                    self.pending.drain(..end);
                    match check(&mut body) {
                        Ok(()) => {
                            self.ready.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
                            self.ready.extend_from_slice(&body);
                        }
                        Err((id, code, why)) => {
                            complain(&why);
                            self.outbox.send_json(error_body(id, code, &why));
                        }
                    }
                }
            }
        }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for CleanInput<R> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, out: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.ready_at < this.ready.len() {
                let n = out.remaining().min(this.ready.len() - this.ready_at);
                out.put_slice(&this.ready[this.ready_at..this.ready_at + n]);
                this.ready_at += n;
                if this.ready_at == this.ready.len() {
                    this.ready.clear();
                    this.ready_at = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            let mut buf = ReadBuf::new(&mut this.chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut buf) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {}
            }
            let n = buf.filled().len();
            if n == 0 {
                this.eof = true;
                if !this.pending.iter().all(u8::is_ascii_whitespace) {
                    complain("the input ended inside a message");
                }
                continue;
            }
            this.pending.extend_from_slice(&this.chunk[..n]);
            this.frame();
        }
    }
}

enum Step {
    NeedMore,
    /// Drop this many bytes: they are not a frame.
    Skip(usize, String),
    /// A header block without a usable length: drop it and say so.
    BadHeader(usize, String),
    Frame { body: std::ops::Range<usize>, end: usize },
}

fn next_frame(buf: &[u8]) -> Step {
    if buf.is_empty() {
        return Step::NeedMore;
    }
    // Resynchronize on the next header when the bytes here do not start one.
    match find_ignore_case(buf, b"content-length") {
        Some(0) => {}
        Some(at) if buf[..at].iter().all(u8::is_ascii_whitespace) => return Step::Skip(at, String::new()),
        Some(at) => return Step::Skip(at, format!("{at} bytes that are not a message")),
        None if buf.iter().all(u8::is_ascii_whitespace) => return Step::Skip(buf.len(), String::new()),
        // Keep a tail that may be the start of a header cut by the read.
        None if buf.len() > MAX_HEADER => return Step::Skip(buf.len() - 16, format!("{} bytes that are not a message", buf.len() - 16)),
        None => return Step::NeedMore,
    }
    let Some(header_end) = memchr::memmem::find(buf, b"\r\n\r\n") else {
        if buf.len() > MAX_HEADER {
            return Step::BadHeader(buf.len(), "a message header without its end".into());
        }
        return Step::NeedMore;
    };
    let headers = String::from_utf8_lossy(&buf[..header_end]);
    let length = headers
        .split("\r\n")
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.trim().parse::<usize>());
    let length = match length {
        Some(Ok(n)) if n <= MAX_BODY => n,
        Some(Ok(n)) => return Step::BadHeader(header_end + 4, format!("a message of {n} bytes is too large")),
        _ => return Step::BadHeader(header_end + 4, format!("a message header without a valid Content-Length: {headers:?}")),
    };
    let start = header_end + 4;
    if buf.len() < start + length {
        return Step::NeedMore;
    }
    Step::Frame { body: start..start + length, end: start + length }
}

fn find_ignore_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
}

/// What tower-lsp-server accepts as a message: JSON-RPC 2.0, with a method (request or
/// notification) or a result or error (response), and an id that is a number, a string or null.
#[derive(Deserialize)]
struct Envelope {
    jsonrpc: String,
    method: Option<String>,
    #[serde(default, deserialize_with = "some_id")]
    id: Option<Id>,
    #[serde(default, deserialize_with = "present")]
    result: bool,
    error: Option<ResponseError>,
    #[allow(dead_code)] // read to check it is JSON
    params: Option<IgnoredAny>,
}

#[derive(Deserialize, serde::Serialize, Clone)]
#[serde(untagged)]
enum Id {
    Number(i64),
    String(String),
    Null,
}

/// Whether the field is there (`"result": null` is a result).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

/// A present `"id": null` is `Some(Id::Null)`, an absent id `None`.
fn some_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Id>, D::Error> {
    Id::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[allow(dead_code)] // read to check the shape
struct ResponseError {
    code: i64,
    message: String,
}

/// Checks a body, repairing lone surrogates in place. On failure: the id to answer, the
/// JSON-RPC error code and why.
fn check(body: &mut [u8]) -> Result<(), (Option<Id>, i64, String)> {
    if std::str::from_utf8(body).is_err() {
        return Err((None, -32700, "a message that is not UTF-8".into()));
    }
    replace_lone_surrogates(body);
    let envelope = match serde_json::from_slice::<Envelope>(body) {
        Ok(e) => e,
        Err(e) if e.is_syntax() || e.is_eof() => return Err((None, -32700, format!("a message that is not JSON ({e})"))),
        Err(e) => return Err((id_of(body), -32600, format!("not a JSON-RPC 2.0 message ({e})"))),
    };
    let is_response = envelope.id.is_some() && (envelope.result || envelope.error.is_some());
    if envelope.jsonrpc != "2.0" {
        return Err((envelope.id, -32600, format!("not a JSON-RPC 2.0 message (version {:?})", envelope.jsonrpc)));
    }
    if envelope.method.is_none() && !is_response {
        return Err((envelope.id, -32600, "a message with neither a method nor a result".into()));
    }
    Ok(())
}

/// The id of a message that is JSON but not a valid message, if it has a usable one.
fn id_of(body: &[u8]) -> Option<Id> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    serde_json::from_value(v.get("id")?.clone()).ok()
}

/// `\uD800`–`\uDFFF` escapes that are not a high surrogate followed by a low one become
/// `\uFFFD` (same length). Real escapes only: the backslash is not itself escaped.
fn replace_lone_surrogates(body: &mut [u8]) {
    let hex = |b: &[u8]| std::str::from_utf8(b).ok().and_then(|s| u16::from_str_radix(s, 16).ok());
    let escapes: Vec<usize> = memchr::memmem::find_iter(body, b"\\u")
        .filter(|&at| body[..at].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 0)
        .collect();
    let mut i = 0;
    while i < escapes.len() {
        let at = escapes[i];
        let Some(unit) = body.get(at + 2..at + 6).and_then(hex) else {
            i += 1;
            continue;
        };
        let low_follows = |next: usize| next == at + 6 && body.get(next + 2..next + 6).and_then(hex).is_some_and(|u| (0xDC00..0xE000).contains(&u));
        match unit {
            0xD800..0xDC00 if escapes.get(i + 1).is_some_and(|&n| low_follows(n)) => i += 2,
            0xD800..0xE000 => {
                body[at + 2..at + 6].copy_from_slice(b"FFFD");
                i += 1;
            }
            _ => i += 1,
        }
    }
}

fn error_body(id: Option<Id>, code: i64, message: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "jsonrpc": "2.0",
        "id": id.unwrap_or(Id::Null),
        "error": { "code": code, "message": format!("dockls ignored {message}") },
    }))
    .unwrap_or_default()
}

fn complain(why: &str) {
    if !why.is_empty() {
        eprintln!("dockls: ignored {why}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(body: &str) -> Result<String, (i64, String)> {
        let mut b = body.as_bytes().to_vec();
        check(&mut b).map(|()| String::from_utf8(b).unwrap()).map_err(|(_, code, why)| (code, why))
    }

    #[test]
    fn lone_surrogates_become_the_replacement_character_and_pairs_stay() {
        let body = r#"{"jsonrpc":"2.0","method":"m","params":{"t":"a\ud83d b\ud83d\ude00 c\ude00 \\ud800 \ud800"}}"#;
        let fixed = checked(body).unwrap();
        assert_eq!(fixed, r#"{"jsonrpc":"2.0","method":"m","params":{"t":"a\uFFFD b\ud83d\ude00 c\uFFFD \\ud800 \uFFFD"}}"#);
        let v: serde_json::Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(v["params"]["t"], "a\u{fffd} b😀 c\u{fffd} \\ud800 \u{fffd}");
    }

    #[test]
    fn what_is_not_a_message_is_answered_with_the_right_error() {
        assert_eq!(checked(r#"{"jsonrpc""#).unwrap_err().0, -32700);
        assert_eq!(checked("[1,2,3]").unwrap_err().0, -32600);
        assert_eq!(checked("42").unwrap_err().0, -32600);
        assert_eq!(checked(r#"{"id":1,"method":"x"}"#).unwrap_err().0, -32600);
        assert_eq!(checked(r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#).unwrap_err().0, -32600);
        assert_eq!(checked(r#"{"jsonrpc":"2.0","id":7}"#).unwrap_err().0, -32600);
        let mut not_utf8 = b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\"}".to_vec();
        assert_eq!(check(&mut not_utf8).unwrap_err().1, -32700);
        assert!(checked(r#"{"jsonrpc":"2.0","id":"a","result":null}"#).is_ok());
        assert!(checked(r#"{"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"no"}}"#).is_ok());
        assert!(checked(r#"{"jsonrpc":"2.0","method":"exit"}"#).is_ok());
    }

    #[test]
    fn frames_are_found_with_any_header_spelling_and_garbage_is_skipped() {
        let buf = b"junk\r\ncontent-length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}";
        let Step::Skip(n, _) = next_frame(buf) else { panic!("junk first") };
        assert_eq!(n, 6);
        let Step::Frame { body, end } = next_frame(&buf[n..]) else { panic!("then the frame") };
        assert_eq!(&buf[n..][body], b"{}");
        assert_eq!(end, buf.len() - n);
        assert!(matches!(next_frame(b"Content-Length: -3\r\n\r\n{}"), Step::BadHeader(..)));
        assert!(matches!(next_frame(b"Content-Length: 99999999999\r\n\r\n"), Step::BadHeader(..)));
        assert!(matches!(next_frame(b"Content-Length: 10\r\n\r\n{}"), Step::NeedMore));
    }
}
