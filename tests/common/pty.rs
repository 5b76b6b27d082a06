//! The real binary in a pseudo-terminal, for the PTY tests: a VT100 parser reads the screen
//! back, keys are written one at a time, and the output is recorded.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

pub struct Screen(pub Arc<Mutex<vt100::Parser>>);

impl Screen {
    pub fn text(&self) -> String {
        self.0.lock().unwrap().screen().contents()
    }
    pub fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = self.text();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?}; screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The wizard in a PTY with its output recorded; keys are written one at a time.
pub struct Wizard {
    pub screen: Screen,
    pub raw: Arc<Mutex<Vec<u8>>>,
    pub keys: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Wizard {
    pub fn start(rows: u16, cols: u16, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Wizard {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cds-wizard"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (feed, record) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap().process(&buf[..n]);
                record.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let keys = pair.master.take_writer().unwrap();
        Wizard {
            screen: Screen(parser),
            raw,
            keys,
            child,
            _master: pair.master,
        }
    }

    pub fn press(&mut self, bytes: &[u8]) {
        self.keys.write_all(bytes).unwrap();
        self.keys.flush().unwrap();
        // Let each key be read on its own (an ESC followed at once by a letter is Alt+letter).
        std::thread::sleep(Duration::from_millis(40));
    }

    pub fn type_line(&mut self, text: &str) {
        self.press(b"\r"); // start editing
        for c in text.as_bytes() {
            self.press(&[*c]);
        }
        self.press(b"\r"); // keep it
    }

    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(Instant::now() < deadline, "the wizard did not exit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The row after `heading`, without the box border: the authorization address (the terminal is
/// wide enough for it to fit on one row, and too short for the QR code beside it).
pub fn row_after(screen: &str, heading: &str) -> String {
    let mut rows = screen.lines().skip_while(|l| !l.contains(heading));
    rows.next();
    rows.next()
        .unwrap_or_default()
        .trim_matches(|c: char| c == '│' || c.is_whitespace())
        .to_owned()
}
