//! Files the wizard writes and reads for the user: exports that never overwrite (the curl
//! script and .http file of CDS-WG1-02 §4.1 requests) and `~/` paths as shells read them.

use std::io;
use std::path::PathBuf;

/// Writes `contents` to `path`, or to `name-2.ext`, `name-3.ext`... when it exists: an export
/// never overwrites a file. Returns the absolute path written.
pub(super) fn write_new(path: &str, contents: &str) -> Result<String, String> {
    use std::io::Write;
    let p = PathBuf::from(path);
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = p
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    for n in 1..=99 {
        let candidate = if n == 1 {
            p.clone()
        } else {
            p.with_file_name(format!("{stem}-{n}{ext}"))
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(mut f) => {
                f.write_all(contents.as_bytes())
                    .map_err(|e| format!("cannot write {}: {e}", candidate.display()))?;
                return Ok(std::path::absolute(&candidate)
                    .unwrap_or(candidate)
                    .display()
                    .to_string());
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot write {}: {e}", candidate.display())),
        }
    }
    Err(format!(
        "{path} and 98 numbered variants exist already; nothing written"
    ))
}

/// `~/x` is the home directory's `x`, as shells read it.
pub(super) fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_export_never_overwrites_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cds-registration-x.sh");
        let path = p.to_str().unwrap();
        let first = super::write_new(path, "one").unwrap();
        let second = super::write_new(path, "two").unwrap();
        assert!(second.ends_with("cds-registration-x-2.sh"), "{second}");
        assert_eq!(std::fs::read_to_string(first).unwrap(), "one");
        assert_eq!(std::fs::read_to_string(second).unwrap(), "two");
    }
}
