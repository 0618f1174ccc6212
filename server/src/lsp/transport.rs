//! Outgoing messages: one writer thread owns stdout and writes whole frames in the order they
//! are queued. tower-lsp-server's own output and the answers serialized by [`super::direct`]
//! both go through it, so their frames can never interleave.

use std::io::{self, IoSlice, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
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

/// Starts the writer thread on `out`. It ends when every [`Outbox`] and [`FrameSink`] is
/// dropped (after writing what was queued) or when the output fails.
///
/// A thread with blocking writes, not a task on tokio's stdout: that one hands every write to
/// its blocking pool and waits for it before the next (the header, then the body), which cost
/// ~0.5 ms of each large answer's round trip.
pub fn spawn_writer<W: Write + Send + 'static>(mut out: W) -> io::Result<(Outbox, FrameSink, std::thread::JoinHandle<()>)> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Out>();
    let thread = std::thread::Builder::new().name("dockls-writer".into()).spawn(move || {
        while let Some(item) = rx.blocking_recv() {
            let written = match item {
                Out::Framed(frame) => out.write_all(&frame),
                Out::Body(body) => write_frame(&mut out, format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes(), &body),
                Out::Stream { len, pieces } => write_stream(&mut out, len, pieces),
            };
            if written.is_err() {
                return;
            }
            // Flush when nothing else is queued: a burst of frames costs one flush.
            if rx.is_empty() && out.flush().is_err() {
                return;
            }
        }
        let _ = out.flush();
    })?;
    Ok((Outbox { tx: tx.clone() }, FrameSink { buf: Vec::new(), tx }, thread))
}

/// Header and body in one system call when the output takes both (a large body is not copied).
fn write_frame<W: Write>(out: &mut W, header: &[u8], body: &[u8]) -> io::Result<()> {
    let n = loop {
        match out.write_vectored(&[IoSlice::new(header), IoSlice::new(body)]) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => break other?,
        }
    };
    if n < header.len() {
        out.write_all(&header[n..])?;
        out.write_all(body)
    } else {
        out.write_all(&body[n - header.len()..])
    }
}

/// Writes a streamed frame: the header, the pieces as they come, exactly `len` body bytes.
fn write_stream<W: Write>(out: &mut W, len: usize, mut pieces: mpsc::Receiver<Vec<u8>>) -> io::Result<()> {
    out.write_all(format!("Content-Length: {len}\r\n\r\n").as_bytes())?;
    let mut written = 0;
    while let Some(piece) = pieces.blocking_recv() {
        let take = piece.len().min(len - written);
        out.write_all(&piece[..take])?;
        written += take;
    }
    if written < len {
        out.write_all(&vec![b' '; len - written])?;
    }
    Ok(())
}

/// The process's stdout for the writer: a duplicate of the descriptor, written without
/// `std::io::Stdout`'s line buffering (which would split frames at their newlines).
pub fn stdout() -> Box<dyn Write + Send> {
    use std::os::fd::AsFd;
    match std::io::stdout().as_fd().try_clone_to_owned() {
        Ok(fd) => Box::new(std::fs::File::from(fd)),
        Err(_) => Box::new(std::io::stdout()),
    }
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

    #[test]
    fn frames_from_both_sources_arrive_whole_and_in_order() {
        let out = Shared::default();
        let (outbox, mut sink, thread) = spawn_writer(out.clone()).unwrap();
        let a = b"Content-Length: 7\r\n\r\n{\"a\":1}";
        // tower's writer may hand over a frame in pieces: nothing is forwarded until it is whole.
        let _ = Pin::new(&mut sink).poll_write(&mut Context::from_waker(futures::task::noop_waker_ref()), &a[..10]);
        outbox.send_json(b"{\"b\":2}".to_vec());
        let _ = Pin::new(&mut sink).poll_write(&mut Context::from_waker(futures::task::noop_waker_ref()), &a[10..]);
        drop((outbox, sink));
        thread.join().unwrap();
        assert_eq!(out.text(), "Content-Length: 7\r\n\r\n{\"b\":2}Content-Length: 7\r\n\r\n{\"a\":1}");
    }

    #[tokio::test]
    async fn a_streamed_body_keeps_its_place_and_its_length() {
        let out = Shared::default();
        let (outbox, sink, thread) = spawn_writer(out.clone()).unwrap();
        let whole = outbox.send_stream(7);
        let short = outbox.send_stream(5);
        outbox.send_json(b"{}".to_vec());
        // The second stream's producer gives up after two bytes: it is padded to its length.
        short.send(b"{\"".to_vec()).await.unwrap();
        drop(short);
        whole.send(b"{\"a\"".to_vec()).await.unwrap();
        whole.send(b":1}".to_vec()).await.unwrap();
        drop((whole, outbox, sink));
        tokio::task::spawn_blocking(move || thread.join().unwrap()).await.unwrap();
        assert_eq!(
            out.text(),
            "Content-Length: 7\r\n\r\n{\"a\":1}Content-Length: 5\r\n\r\n{\"   Content-Length: 2\r\n\r\n{}"
        );
    }

    /// A frame goes out whole however little of it each write takes.
    #[test]
    fn short_writes_lose_nothing() {
        struct Trickle(Vec<u8>);
        impl Write for Trickle {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                let n = buf.len().min(3);
                self.0.extend_from_slice(&buf[..n]);
                Ok(n)
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut out = Trickle(Vec::new());
        write_frame(&mut out, b"Content-Length: 9\r\n\r\n", b"{\"a\":[1]}").unwrap();
        assert_eq!(String::from_utf8(out.0).unwrap(), "Content-Length: 9\r\n\r\n{\"a\":[1]}");
    }

    /// What the writer wrote, shared with the test.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
}
