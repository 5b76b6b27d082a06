//! What the benchmarks that run the real binary share: a `demo-server` child process.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_cds-wizard");

/// A `demo-server` child and the base URL its `LISTENING` line gave; killed when dropped.
pub struct Demo {
    child: Child,
    pub base: String,
}

impl Demo {
    /// `cds-wizard demo-server ARGS…`, once it listens.
    pub fn start(args: &[&str]) -> Demo {
        let mut child = Command::new(BIN)
            .arg("demo-server")
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start demo-server");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("LISTENING line");
        let base = first
            .trim()
            .strip_prefix("LISTENING ")
            .expect("LISTENING line")
            .to_owned();
        Demo { child, base }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
