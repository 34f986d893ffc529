//! Reading ahead in a second thread: the next chunk of a gzipped file is inflated while
//! the detector works on this one.
//!
//! The thread fills large chunks and hands them over through a small bounded queue, so
//! memory stays bounded (at most `QUEUED + 2` chunks) whatever the input's size; used
//! chunks come back to it for reuse. [`ReadAhead`] is a [`BufRead`] that lends out the
//! chunks themselves: no byte is copied on this side. An error ends the stream after
//! the bytes read before it, as a plain reader would. Without threads (wasm32) the
//! caller reads directly instead.

use std::io::{self, BufRead, Read};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};

/// Bytes per chunk.
const CHUNK: usize = 1 << 20;
/// Chunks filled ahead of the reader.
const QUEUED: usize = 2;

/// A filled chunk: the buffer (always `CHUNK` long, so it is never zeroed again) and how
/// much of it holds input.
type Filled = (Vec<u8>, usize);

/// The consuming side.
pub struct ReadAhead {
    chunks: Receiver<io::Result<Filled>>,
    spare: SyncSender<Vec<u8>>,
    current: Vec<u8>,
    len: usize,
    pos: usize,
    /// The stream ended (end of input, or an error was returned).
    done: bool,
}

impl ReadAhead {
    /// Read `input` in a new thread; `Err` if no thread can be started.
    pub fn spawn<R: Read + Send + 'static>(input: R) -> io::Result<Self> {
        let (fill, chunks) = sync_channel(QUEUED);
        let (spare, returned) = sync_channel(QUEUED + 2);
        std::thread::Builder::new()
            .name("read-ahead".into())
            .spawn(move || produce(input, &fill, &returned))?;
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

/// The thread: fill chunks until the input ends, fails, or the reader goes away.
fn produce<R: Read>(
    mut input: R,
    fill: &SyncSender<io::Result<Filled>>,
    returned: &Receiver<Vec<u8>>,
) {
    loop {
        let mut buf = match returned.try_recv() {
            Ok(buf) => buf,
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => vec![0; CHUNK],
        };
        let mut len = 0;
        let mut failure = None;
        while len < CHUNK {
            match input.read(&mut buf[len..]) {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        let end = len < CHUNK;
        if len > 0 && fill.send(Ok((buf, len))).is_err() {
            return; // the reader is gone
        }
        if let Some(e) = failure {
            let _ = fill.send(Err(e));
            return;
        }
        if end {
            return; // dropping `fill` ends the stream
        }
    }
}

impl BufRead for ReadAhead {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.len && !self.done {
            match self.chunks.recv() {
                Ok(Ok((buf, len))) => {
                    let used = std::mem::replace(&mut self.current, buf);
                    if !used.is_empty() {
                        // The thread may be gone or have spares enough: then drop it.
                        let _ = self.spare.try_send(used);
                    }
                    self.len = len;
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => self.done = true,
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
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 12345] {
            let input = Pieces {
                data: data(len),
                at: 0,
                fail_at_end: false,
            };
            let mut reader = ReadAhead::spawn(input).expect("thread");
            let mut out = Vec::new();
            reader.read_to_end(&mut out).expect("read");
            assert_eq!(out, data(len), "length {len}");
            assert!(reader.fill_buf().expect("still the end").is_empty());
        }
    }

    #[test]
    fn an_error_arrives_after_the_bytes_before_it() {
        let len = 2 * CHUNK + 99;
        let input = Pieces {
            data: data(len),
            at: 0,
            fail_at_end: true,
        };
        let mut reader = ReadAhead::spawn(input).expect("thread");
        let mut out = Vec::new();
        let err = reader.read_to_end(&mut out).expect_err("fails");
        assert_eq!(err.to_string(), "disk on fire");
        assert_eq!(out, data(len));
        assert!(reader.fill_buf().expect("then ends").is_empty());
    }

    #[test]
    fn a_reader_that_stops_early_lets_the_thread_go() {
        let input = Pieces {
            data: data(20 * CHUNK),
            at: 0,
            fail_at_end: false,
        };
        let mut reader = ReadAhead::spawn(input).expect("thread");
        assert!(!reader.fill_buf().expect("data").is_empty());
        drop(reader); // the thread's next send fails and it returns; nothing hangs
    }
}
