//! Reading ahead in a second thread: the next chunk of a gzipped file is inflated while
//! the detector works on this one.
//!
//! The thread fills large chunks from a file, and from a stream (standard input) hands
//! over what each read gives at once, so that a stream that pauses is not held back.
//! Chunks go through a small bounded queue, so memory stays
//! bounded (at most `QUEUED + 2` chunks) whatever the input's size; used chunks come
//! back to it for reuse. [`ReadAhead`] is a [`BufRead`] that lends out the chunks
//! themselves: no byte is copied on this side. An error ends the stream after the
//! bytes read before it, as a plain reader would; a thread that stops without saying
//! why is an error too. Without threads (wasm32) the caller reads directly instead.

use std::io::{self, BufRead, Read};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};

/// Bytes per chunk.
const CHUNK: usize = 1 << 20;
/// Chunks filled ahead of the reader.
const QUEUED: usize = 2;

/// What the thread sends.
enum Message {
    /// A buffer (always `CHUNK` long, so it is never zeroed again) and how much of it
    /// holds input.
    Bytes(Vec<u8>, usize),
    End,
    Failed(io::Error),
}

/// The consuming side.
pub struct ReadAhead {
    chunks: Receiver<Message>,
    spare: SyncSender<Vec<u8>>,
    current: Vec<u8>,
    len: usize,
    pos: usize,
    /// The stream ended (end of input, or an error was returned).
    done: bool,
}

impl ReadAhead {
    /// Read `input` in a new thread, filling whole chunks if `greedy` (a file, which
    /// never pauses) or passing on each read as it comes (a stream); `Err` if no thread
    /// can be started.
    pub fn spawn<R: Read + Send + 'static>(input: R, greedy: bool) -> io::Result<Self> {
        let (fill, chunks) = sync_channel(QUEUED);
        let (spare, returned) = sync_channel(QUEUED + 2);
        std::thread::Builder::new()
            .name("read-ahead".into())
            .spawn(move || produce(input, greedy, &fill, &returned))?;
        Ok(ReadAhead {
            chunks,
            spare,
            current: Vec::new(),
            len: 0,
            pos: 0,
            done: false,
        })
    }
}

/// The thread: pass on chunks until the input ends, fails, or the reader goes away (a
/// send then fails).
fn produce<R: Read>(
    mut input: R,
    greedy: bool,
    fill: &SyncSender<Message>,
    returned: &Receiver<Vec<u8>>,
) {
    loop {
        let mut buf = match returned.try_recv() {
            Ok(buf) => buf,
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => vec![0; CHUNK],
        };
        let mut len = 0;
        let last = loop {
            match input.read(&mut buf[len..]) {
                Ok(0) => break Some(Message::End),
                Ok(n) => {
                    len += n;
                    if !greedy || len == CHUNK {
                        break None;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Some(Message::Failed(e)),
            }
        };
        if len > 0 && fill.send(Message::Bytes(buf, len)).is_err() {
            return;
        }
        if let Some(last) = last {
            let _ = fill.send(last);
            return;
        }
    }
}

impl BufRead for ReadAhead {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.len && !self.done {
            match self.chunks.recv() {
                Ok(Message::Bytes(buf, len)) => {
                    let used = std::mem::replace(&mut self.current, buf);
                    if !used.is_empty() {
                        // The thread may be gone or have spares enough: then drop it.
                        let _ = self.spare.try_send(used);
                    }
                    self.len = len;
                    self.pos = 0;
                }
                Ok(Message::End) => self.done = true,
                Ok(Message::Failed(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => {
                    self.done = true;
                    return Err(io::Error::other("the reading thread stopped"));
                }
            }
        }
        Ok(&self.current[self.pos..self.len])
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.len);
    }
}

impl Read for ReadAhead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out `data` in uneven pieces, then fails if asked to.
    struct Pieces {
        data: Vec<u8>,
        at: usize,
        fail_at_end: bool,
    }

    fn pieces(len: usize, fail_at_end: bool) -> Pieces {
        Pieces {
            data: data(len),
            at: 0,
            fail_at_end,
        }
    }

    impl Read for Pieces {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.at == self.data.len() {
                return if self.fail_at_end {
                    Err(io::Error::other("disk on fire"))
                } else {
                    Ok(0)
                };
            }
            let n = out.len().min(7919).min(self.data.len() - self.at);
            out[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn every_byte_in_order_whatever_the_size() {
        for greedy in [true, false] {
            for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 12345] {
                let mut reader = ReadAhead::spawn(pieces(len, false), greedy).expect("thread");
                let mut out = Vec::new();
                reader.read_to_end(&mut out).expect("read");
                assert_eq!(out, data(len), "length {len}, greedy {greedy}");
                assert!(reader.fill_buf().expect("still the end").is_empty());
            }
        }
    }

    #[test]
    fn an_error_arrives_after_the_bytes_before_it() {
        for greedy in [true, false] {
            let len = 2 * CHUNK + 99;
            let mut reader = ReadAhead::spawn(pieces(len, true), greedy).expect("thread");
            let mut out = Vec::new();
            let err = reader.read_to_end(&mut out).expect_err("fails");
            assert_eq!(err.to_string(), "disk on fire");
            assert_eq!(out, data(len));
            assert!(reader.fill_buf().expect("then ends").is_empty());
        }
    }

    /// Input that arrives when the test sends it (a pipe that pauses); tells when it is
    /// dropped.
    struct Paused {
        pieces: std::sync::mpsc::Receiver<Vec<u8>>,
        dropped: Option<std::sync::mpsc::Sender<()>>,
        panic_at_end: bool,
    }

    impl Read for Paused {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            match self.pieces.recv() {
                Ok(piece) => {
                    out[..piece.len()].copy_from_slice(&piece);
                    Ok(piece.len())
                }
                Err(_) if self.panic_at_end => panic!("a reader that breaks"),
                Err(_) => Ok(0),
            }
        }
    }

    impl Drop for Paused {
        fn drop(&mut self) {
            if let Some(tx) = self.dropped.take() {
                let _ = tx.send(());
            }
        }
    }

    fn paused(panic_at_end: bool) -> (SyncSender<Vec<u8>>, Receiver<()>, ReadAhead) {
        let (send, pieces) = sync_channel(1);
        let (dropped, gone) = std::sync::mpsc::channel();
        let input = Paused {
            pieces,
            dropped: Some(dropped),
            panic_at_end,
        };
        (send, gone, ReadAhead::spawn(input, false).expect("thread"))
    }

    #[test]
    fn what_has_arrived_is_read_while_the_input_pauses() {
        let (send, _gone, mut reader) = paused(false);
        send.send(b"first".to_vec()).expect("send");
        let (tx, got) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let first = reader.fill_buf().map(<[u8]>::to_vec);
            let _ = tx.send(first);
            reader
        });
        let first = got.recv_timeout(std::time::Duration::from_secs(10));
        drop(send); // end the input either way
        assert_eq!(first.expect("not held back").expect("read"), b"first");
        let mut reader = waiter.join().expect("no panic");
        reader.consume(5);
        assert!(reader.fill_buf().expect("the end").is_empty());
    }

    #[test]
    fn a_reading_thread_that_dies_is_an_error() {
        let (send, _gone, mut reader) = paused(true);
        send.send(b"some".to_vec()).expect("send");
        drop(send);
        let mut out = Vec::new();
        let err = reader.read_to_end(&mut out).expect_err("not a clean end");
        assert_eq!(out, b"some");
        assert!(err.to_string().contains("reading thread stopped"), "{err}");
    }

    #[test]
    fn a_reader_that_stops_early_lets_the_thread_go() {
        let (send, gone, mut reader) = paused(false);
        send.send(b"first".to_vec()).expect("send");
        assert!(!reader.fill_buf().expect("data").is_empty());
        drop(reader);
        // The thread's next send fails and it returns, dropping the input, even though
        // the input itself never ends.
        let _ = send.try_send(b"second".to_vec());
        let _ = send.try_send(b"third".to_vec());
        assert!(gone
            .recv_timeout(std::time::Duration::from_secs(10))
            .is_ok());
    }
}
