//! The Inspector's edge (issue 12 points 1 and 3): the recorder's exchanges forwarded into the
//! event loop as `Msg::Exchange`, and recording to a HAR file switched on and off.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::app::Msg;
use crate::app::screens::inspector::RecordingEvent;
use crate::onboarding::transcript::{Recorder, TranscriptError};

/// Names tried after `name` when it exists: `name-2.har` … `name-99.har`.
const TRIES: usize = 99;

/// Sends every exchange the recorder has seen and will see to `tx` (the snapshot first, then
/// the live ones, none twice), and says when a file is being written or its writing failed.
pub fn watch(recorder: Arc<Recorder>, tx: mpsc::Sender<Msg>) {
    // Subscribed before the snapshot is taken: an exchange recorded in between is in both and
    // is skipped the second time by its id.
    let mut live = recorder.subscribe();
    let earlier = recorder.snapshot();
    tokio::spawn(async move {
        if let Some(path) = recorder.file_path() {
            let event = RecordingEvent::Started(path.display().to_string());
            let _ = tx.send(Msg::Recording(event)).await;
        }
        let mut last = 0;
        for e in earlier {
            last = e.id;
            if tx.send(Msg::Exchange(e)).await.is_err() {
                return;
            }
        }
        let mut failure = recorder.file_error();
        while let Some(e) = live.recv().await {
            if e.id <= last {
                continue;
            }
            if tx.send(Msg::Exchange(e)).await.is_err() {
                return;
            }
            let now = recorder.file_error();
            if now.is_some() && now != failure {
                let event = RecordingEvent::Failed(now.clone().unwrap_or_default());
                if tx.send(Msg::Recording(event)).await.is_err() {
                    return;
                }
            }
            failure = now;
        }
    });
}

/// Starts recording into a new file: `name` in the current directory, or the first of
/// `name-2`, `name-3`… that does not exist (an existing file is never overwritten). The
/// session so far is written first, then every exchange as it ends.
pub fn start(recorder: &Recorder, name: &str) -> RecordingEvent {
    let mut last = None;
    for path in candidates(name).take(TRIES) {
        match recorder.start_file_with_kept(&path) {
            Ok(_) => return RecordingEvent::Started(path.display().to_string()),
            Err(e @ TranscriptError::Exists(_)) => last = Some(e),
            Err(e) => return RecordingEvent::Failed(e.to_string()),
        }
    }
    RecordingEvent::Failed(last.map_or_else(|| "no name to try".to_owned(), |e| e.to_string()))
}

/// Stops recording into the file; the file is complete.
pub fn stop(recorder: &Recorder) -> RecordingEvent {
    match recorder.stop_file() {
        Some((path, entries)) => RecordingEvent::Stopped {
            path: path.display().to_string(),
            entries,
        },
        None => RecordingEvent::Failed("no file was being written".to_owned()),
    }
}

/// `name`, then `name-2`, `name-3`… (before the extension).
fn candidates(name: &str) -> impl Iterator<Item = PathBuf> + '_ {
    let p = Path::new(name);
    let stem = p
        .file_stem()
        .map_or_else(|| name.to_owned(), |s| s.to_string_lossy().into_owned());
    let ext = p
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
    (1..).map(move |n| {
        if n == 1 {
            PathBuf::from(name)
        } else {
            dir.join(format!("{stem}-{n}{ext}"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let name = dir.path().join("t.har");
        let name = name.to_str().unwrap();
        let r = Recorder::new();
        let first = start(&r, name);
        assert_eq!(first, RecordingEvent::Started(name.to_owned()));
        assert!(matches!(
            stop(&r),
            RecordingEvent::Stopped { entries: 0, .. }
        ));
        let second = start(&r, name);
        let want = dir.path().join("t-2.har");
        assert_eq!(second, RecordingEvent::Started(want.display().to_string()));
        assert!(matches!(stop(&r), RecordingEvent::Stopped { .. }));
        assert!(matches!(stop(&r), RecordingEvent::Failed(_)));
    }
}
