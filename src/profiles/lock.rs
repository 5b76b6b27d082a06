//! Private files and advisory locks in the program's home: the directory is 0700 and the files
//! 0600 (they name utilities, clients and keyring accounts), and every read-modify-write of the
//! index, and every refresh-token rotation of a profile, holds an exclusive lock so two processes
//! never lose each other's work or present one refresh token twice (RFC 9700 §4.14.2).
//!
//! Locks are the operating system's advisory file locks (`std::fs::File::lock`, flock on Unix,
//! LockFileEx on Windows): released when the holder exits, even by a crash.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::error::IndexError;

/// How long a save waits for another process's save (which holds the lock for milliseconds).
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// An exclusive lock, released when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
    path: PathBuf,
}

impl Lock {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Creates `dir` (and its parents) mode 0700 when missing.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Makes an existing directory private: a home that is group- or world-accessible is set to 0700.
/// Returns a note for the user when it changed something (what and from which mode).
pub fn tighten_dir(dir: &Path) -> std::io::Result<Option<String>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = match std::fs::metadata(dir) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mode = meta.permissions().mode() & 0o777;
        if meta.is_dir() && mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            return Ok(Some(format!(
                "{} was readable by other users (mode {mode:03o}); it is now private (700)",
                dir.display()
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(None)
}

/// Opens (creating, mode 0600) a file for appending, e.g. the wizard's log.
pub fn open_private_append(path: &Path) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let file = o.open(path)?;
    #[cfg(unix)]
    {
        // An older log may have been created with the default mode.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

fn open_lock_file(path: &Path) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Tries once: `Ok(None)` when another process holds the lock.
pub fn try_exclusive(path: &Path) -> Result<Option<Lock>, IndexError> {
    let io = |source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        create_private_dir(dir).map_err(io)?;
    }
    let file = open_lock_file(path).map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(Lock {
            _file: file,
            path: path.to_path_buf(),
        })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(io(e)),
    }
}

/// Waits up to [`LOCK_WAIT`] for the lock (blocking the thread: callers hold it briefly).
pub fn exclusive(path: &Path) -> Result<Lock, IndexError> {
    let started = Instant::now();
    loop {
        if let Some(lock) = try_exclusive(path)? {
            return Ok(lock);
        }
        if started.elapsed() > LOCK_WAIT {
            return Err(IndexError::Busy {
                path: path.to_path_buf(),
                secs: LOCK_WAIT.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The lock file that serializes one profile's token refreshes: `<home>/locks/<profile>.lock`.
/// Profile names are validated path components (no `/`, no leading `.`).
pub fn profile_lock_path(home: &Path, profile: &str) -> PathBuf {
    home.join("locks").join(format!("{profile}.lock"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_not_taken_twice_and_is_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let first = try_exclusive(&path).unwrap().expect("free");
        assert!(try_exclusive(&path).unwrap().is_none(), "held");
        drop(first);
        assert!(try_exclusive(&path).unwrap().is_some(), "released");
    }

    #[cfg(unix)]
    #[test]
    fn an_open_home_is_tightened_with_a_note() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir(&home).unwrap();
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o755)).unwrap();
        let note = tighten_dir(&home).unwrap().expect("a note");
        assert!(note.contains("755") && note.contains("700"), "{note}");
        let mode = std::fs::metadata(&home).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        assert_eq!(tighten_dir(&home).unwrap(), None, "nothing more to do");
        let log = home.join("tui.log");
        std::fs::write(&log, "old").unwrap();
        std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(open_private_append(&log).unwrap());
        let mode = std::fs::metadata(&log).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
