//! Outgoing messages: one writer task owns stdout and writes whole frames in the order they
//! are queued. tower-lsp-server's own output and the answers serialized by [`super::direct`]
//! both go through it, so their frames can never interleave.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// Queues complete frames for the writer task. Cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::UnboundedSender<Out>,
}

/// What the writer writes: a frame as tower-lsp-server encoded it, a JSON body that still
/// needs its header (written separately, so a large body is never copied), or a body of known
/// length that arrives in pieces while it is being serialized.
enum Out {
    Framed(Vec<u8>),
    Body(Vec<u8>),
    Stream { len: usize, pieces: mpsc::Receiver<Vec<u8>> },
}

/// Pieces of a streamed body that may wait for the writer: bounds the memory a slow client
/// can make a large answer hold.
const STREAM_QUEUE: usize = 4;

impl Outbox {
    /// Queues a JSON body as one frame (`Content-Length` header, blank line, body).
    pub fn send_json(&self, body: Vec<u8>) {
        // The writer only stops when stdout is gone; then there is nobody left to answer.
        let _ = self.tx.send(Out::Body(body));
    }

    /// Queues a frame whose body is `len` bytes sent later, in order, on the returned sender.
    /// Frames queued after it wait until it is complete. Should the sender stop short, the
    /// body is padded with blanks so the frames after it still line up.
    pub fn send_stream(&self, len: usize) -> mpsc::Sender<Vec<u8>> {
        let (tx, pieces) = mpsc::channel(STREAM_QUEUE);
        let _ = self.tx.send(Out::Stream { len, pieces });
        tx
    }
}

/// Starts the writer task on `out`. It ends when every [`Outbox`] and [`FrameSink`] is dropped
/// (after writing what was queued) or when the output fails.
pub fn spawn_writer<W: AsyncWrite + Unpin + Send + 'static>(mut out: W) -> (Outbox, FrameSink, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Out>();
    let task = tokio::spawn(async move {
        while let Some(item) = rx.recv().await {
            let written = match item {
                Out::Framed(frame) => out.write_all(&frame).await,
                Out::Body(body) => {
                    let header = format!("Content-Length: {}\r\n\r\n", body.len());
                    match out.write_all(header.as_bytes()).await {
                        Ok(()) => out.write_all(&body).await,
                        Err(e) => Err(e),
                    }
                }
                Out::Stream { len, pieces } => write_stream(&mut out, len, pieces).await,
            };
            if written.is_err() {
                return;
            }
            // Flush when nothing else is queued: a burst of frames costs one flush.
            if rx.is_empty() && out.flush().await.is_err() {
                return;
            }
        }
        let _ = out.flush().await;
    });
    (Outbox { tx: tx.clone() }, FrameSink { buf: Vec::new(), tx }, task)
}

/// Writes a streamed frame: the header, the pieces as they come, exactly `len` body bytes.
async fn write_stream<W: AsyncWrite + Unpin>(out: &mut W, len: usize, mut pieces: mpsc::Receiver<Vec<u8>>) -> io::Result<()> {
    out.write_all(format!("Content-Length: {len}\r\n\r\n").as_bytes()).await?;
    let mut written = 0;
    while let Some(piece) = pieces.recv().await {
        let take = piece.len().min(len - written);
        out.write_all(&piece[..take]).await?;
        written += take;
    }
    if written < len {
        out.write_all(&vec![b' '; len - written]).await?;
    }
    Ok(())
}

/// The `stdout` handed to tower-lsp-server: it accepts every byte at once and forwards each
/// complete frame to the writer task.
pub struct FrameSink {
    buf: Vec<u8>,
    tx: mpsc::UnboundedSender<Out>,
}

impl FrameSink {
    /// Splits complete frames off the front of the buffer.
    fn forward_frames(&mut self) -> io::Result<()> {
        loop {
            let Some(header_end) = header_end(&self.buf) else { return Ok(()) };
            let headers = std::str::from_utf8(&self.buf[..header_end]).map_err(|_| bad("non-UTF-8 header"))?;
            let length: usize = headers
                .split("\r\n")
                .filter_map(|l| l.split_once(':'))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.trim().parse().ok())
                .ok_or_else(|| bad("frame without Content-Length"))?;
            let end = header_end + 4 + length;
            if self.buf.len() < end {
                return Ok(());
            }
            let rest = self.buf.split_off(end);
            let frame = std::mem::replace(&mut self.buf, rest);
            self.tx.send(Out::Framed(frame)).map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "output closed"))?;
        }
    }
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

fn header_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n")
}

impl AsyncWrite for FrameSink {
    fn poll_write(mut self: Pin<&mut Self>, _: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        self.buf.extend_from_slice(data);
        Poll::Ready(self.forward_frames().map(|()| data.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_from_both_sources_arrive_whole_and_in_order() {
        let (client, server_end) = tokio::io::duplex(1 << 20);
        let (outbox, mut sink, task) = spawn_writer(client);
        let a = b"Content-Length: 7\r\n\r\n{\"a\":1}";
        // tower's writer may hand over a frame in pieces: nothing is forwarded until it is whole.
        let _ = Pin::new(&mut sink).poll_write(&mut Context::from_waker(futures::task::noop_waker_ref()), &a[..10]);
        outbox.send_json(b"{\"b\":2}".to_vec());
        let _ = Pin::new(&mut sink).poll_write(&mut Context::from_waker(futures::task::noop_waker_ref()), &a[10..]);
        drop((outbox, sink));
        task.await.unwrap();
        assert_eq!(written(server_end).await, "Content-Length: 7\r\n\r\n{\"b\":2}Content-Length: 7\r\n\r\n{\"a\":1}");
    }

    #[tokio::test]
    async fn a_streamed_body_keeps_its_place_and_its_length() {
        let (client, server_end) = tokio::io::duplex(1 << 20);
        let (outbox, sink, task) = spawn_writer(client);
        let whole = outbox.send_stream(7);
        let short = outbox.send_stream(5);
        outbox.send_json(b"{}".to_vec());
        // The second stream's producer gives up after two bytes: it is padded to its length.
        short.send(b"{\"".to_vec()).await.unwrap();
        drop(short);
        whole.send(b"{\"a\"".to_vec()).await.unwrap();
        whole.send(b":1}".to_vec()).await.unwrap();
        drop((whole, outbox, sink));
        task.await.unwrap();
        assert_eq!(
            written(server_end).await,
            "Content-Length: 7\r\n\r\n{\"a\":1}Content-Length: 5\r\n\r\n{\"   Content-Length: 2\r\n\r\n{}"
        );
    }

    /// Everything the writer wrote, once it has finished.
    async fn written(mut server_end: tokio::io::DuplexStream) -> String {
        let mut got = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut server_end, &mut got).await.unwrap();
        String::from_utf8(got).unwrap()
    }
}
