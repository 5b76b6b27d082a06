//! The real binary in a pseudo-terminal: `cds-wizard demo` opens the wizard, keystrokes walk it,
//! a VT100 parser reads the screen back, and quitting restores the terminal.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Screen(Arc<Mutex<vt100::Parser>>);

impl Screen {
    fn text(&self) -> String {
        self.0.lock().unwrap().screen().contents()
    }
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
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

#[test]
fn demo_wizard_in_a_pty_finds_a_scope_and_quits_cleanly() {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cds-wizard"));
    cmd.arg("demo");
    cmd.env("TERM", "xterm-256color");
    cmd.env("NO_COLOR", "1");
    cmd.env("CDS_WIZARD_HOME", home.path());
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);

    let parser = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let feed = parser.clone();
    let pump = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            feed.lock().unwrap().process(&buf[..n]);
        }
    });
    let screen = Screen(parser.clone());
    let mut keys = pair.master.take_writer().unwrap();
    let mut press = |bytes: &[u8]| {
        keys.write_all(bytes).unwrap();
        keys.flush().unwrap();
        // Let each key be read on its own (an ESC followed at once by a letter is Alt+letter).
        std::thread::sleep(Duration::from_millis(60));
    };

    screen.wait_for("Demo Gas & Electric");
    assert!(parser.lock().unwrap().screen().alternate_screen());
    press(b"\t");
    screen.wait_for("cds_client_admin");
    press(b"/");
    for c in b"usage" {
        press(&[*c]);
    }
    let text = screen.wait_for("dge_usage_electric");
    assert!(text.contains("/usage"), "{text}");
    assert!(
        !text.contains("cds_client_admin (always)"),
        "filtered out:\n{text}"
    );
    press(b"\r"); // keep the filter, leave the search field
    press(b"q");
    screen.wait_for("Quit the wizard?");
    press(b"y");

    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the wizard did not exit");
        std::thread::sleep(Duration::from_millis(50));
    };
    drop(pair.master);
    let _ = pump.join();
    assert!(status.success(), "exit status {status:?}");
    let p = parser.lock().unwrap();
    assert!(!p.screen().alternate_screen(), "alternate screen left");
    assert_eq!(
        p.screen().mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "mouse capture turned off"
    );
    assert!(!p.screen().bracketed_paste(), "bracketed paste turned off");
}
