//! `--json` output is streamed (issue 15) and stays byte for byte what it was when it was built
//! as one value: the demo's `discover`, `scopes` and `validate` output, compared with files
//! written by the build before streaming (tests/fixtures/json-output/, the demo's address
//! replaced by `{BASE}`).

use crate::common;

fn golden(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/json-output/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn streamed_json_is_byte_for_byte_the_earlier_output() {
    let base = common::demo_url();
    for command in ["discover", "scopes", "validate"] {
        let (code, stdout, stderr) = common::run_cli(&[command, "--json", base]);
        assert_eq!(code, 0, "{command}: {stderr}");
        let shown = stdout.replace(base, "{BASE}");
        let expected = golden(command);
        if shown != expected {
            let at = shown
                .bytes()
                .zip(expected.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(shown.len().min(expected.len()));
            let from = at.saturating_sub(200);
            panic!(
                "{command} --json differs at byte {at}:\n--- now\n{}\n--- before\n{}",
                &shown[from..(at + 200).min(shown.len())],
                &expected[from..(at + 200).min(expected.len())]
            );
        }
    }
}
