//! `--state FILE`: restore at start when present, save atomically (write a temporary
//! file beside it, then rename) at exit and periodically.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dynamodb_scan_detector::{Config, Detector};

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

    /// The detector to start with: restored from the file, or new when there is none.
    pub fn load(&self, config: Config) -> Result<Detector, String> {
        match std::fs::read(&self.path) {
            Ok(bytes) => Detector::restore(config, &bytes)
                .map_err(|e| format!("--state {}: {e}", self.path.display())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Detector::new(config)),
            Err(e) => Err(format!("--state {}: {e}", self.path.display())),
        }
    }

    /// Save if the period has passed.
    pub fn maybe_save(&mut self, d: &Detector) -> io::Result<()> {
        if self.last_save.elapsed() >= self.every {
            self.save(d)?;
        }
        Ok(())
    }

    pub fn save(&mut self, d: &Detector) -> io::Result<()> {
        write_atomically(&self.path, &d.snapshot())?;
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
