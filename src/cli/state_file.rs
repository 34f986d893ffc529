//! `--state FILE`: restore at start when present, save atomically (write a temporary
//! file beside it, then rename) at exit and periodically.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::engine::Engine;

pub struct StateFile {
    path: PathBuf,
    every: Duration,
    last_save: Instant,
}

impl StateFile {
    pub fn new(path: PathBuf, every_secs: u64) -> Self {
        StateFile {
            path,
            every: Duration::from_secs(every_secs.max(1)),
            last_save: Instant::now(),
        }
    }

    /// The saved state, or `None` when there is none yet.
    pub fn read(&self) -> Result<Option<Vec<u8>>, String> {
        match std::fs::read(&self.path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.error(e)),
        }
    }

    /// A problem with the file, worded for the user.
    pub fn error(&self, e: impl std::fmt::Display) -> String {
        format!("--state {}: {e}", self.path.display())
    }

    /// Save if the period has passed.
    pub fn maybe_save(&mut self, engine: &Engine) -> io::Result<()> {
        if self.last_save.elapsed() >= self.every {
            self.save(engine)?;
        }
        Ok(())
    }

    pub fn save(&mut self, engine: &Engine) -> io::Result<()> {
        write_atomically(&self.path, &engine.snapshot())?;
        self.last_save = Instant::now();
        Ok(())
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    {
        let mut f = std::fs::File::create(&tmp)?;
        io::Write::write_all(&mut f, bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
