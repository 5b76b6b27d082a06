//! The HAR file on disk (issue 12 item 1): created private (0600) and never over an existing
//! file; each entry is appended as it ends and the closing brackets written after it, so the
//! file is a complete HAR 1.2 document after every entry — also when the run fails or is
//! killed between two entries. Entries are serialized straight to the file: a large response
//! is never copied into a second buffer.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::TranscriptError;
use super::har::{Creator, Entry};

/// What closes the `entries` array, the `log` object and the document.
const CLOSER: &[u8] = b"\n]}}\n";

/// An open transcript file.
#[derive(Debug)]
pub struct HarWriter {
    file: File,
    path: PathBuf,
    /// Where the closing brackets start (the next entry goes there).
    end: u64,
    entries: usize,
}

impl HarWriter {
    /// Creates `path` (0600; an existing file is an error, never overwritten) with an empty
    /// log.
    pub fn create(path: &Path) -> Result<Self, TranscriptError> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut file = opts.open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => TranscriptError::Exists(path.to_owned()),
            _ => TranscriptError::Io {
                path: path.to_owned(),
                what: e.to_string(),
            },
        })?;
        let head = serde_json::json!({
            "version": "1.2",
            "creator": Creator::this_program(),
            "comment": "Recorded by cds-wizard; credentials and every secret value the run held are replaced by [redacted:<kind>].",
        });
        // `{"log":{...,"entries":[` + closer: the object's fields, then the open array.
        let head = head.to_string();
        let mut text = format!("{{\"log\":{},\"entries\":[", &head[..head.len() - 1]);
        let end = text.len() as u64;
        text.push_str(std::str::from_utf8(CLOSER).unwrap_or_default());
        let io = |e: std::io::Error| TranscriptError::Io {
            path: path.to_owned(),
            what: e.to_string(),
        };
        file.write_all(text.as_bytes()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(HarWriter {
            file,
            path: path.to_owned(),
            end,
            entries: 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn entries(&self) -> usize {
        self.entries
    }

    /// Appends one entry and closes the document again after it.
    pub fn append(&mut self, entry: &Entry) -> Result<(), TranscriptError> {
        let io = |e: std::io::Error| TranscriptError::Io {
            path: self.path.clone(),
            what: e.to_string(),
        };
        self.file.seek(SeekFrom::Start(self.end)).map_err(io)?;
        let mut w = BufWriter::new(&mut self.file);
        w.write_all(if self.entries == 0 { b"\n" } else { b",\n" })
            .map_err(io)?;
        serde_json::to_writer(&mut w, entry).map_err(|e| io(e.into()))?;
        w.flush().map_err(io)?;
        drop(w);
        let end = self.file.stream_position().map_err(io)?;
        self.file.write_all(CLOSER).map_err(io)?;
        self.file.flush().map_err(io)?;
        self.end = end;
        self.entries += 1;
        Ok(())
    }
}
