//! Keeps the layers of shared/GUIDE.md honest: `cds/`, `app/` and `ui/` do no I/O, and `demo/`
//! never imports the client side (it may use only `cds/` wire types and `assets/`).

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("source folder").flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out
}

fn offenders(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(layer);
    let mut found = Vec::new();
    for file in rust_files(&root) {
        let text = std::fs::read_to_string(&file).expect("source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for f in forbidden {
                if code.contains(f) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn the_spec_layer_does_no_io() {
    let bad = offenders(
        "cds",
        &[
            "reqwest",
            "tokio::",
            "std::fs",
            "std::net",
            "crate::http",
            "crate::demo",
            "crate::onboarding",
        ],
    );
    assert!(bad.is_empty(), "cds/ must stay pure:\n{}", bad.join("\n"));
}

#[test]
fn the_demo_server_never_uses_the_client_side() {
    let bad = offenders(
        "demo",
        &[
            "crate::onboarding",
            "crate::commands",
            "crate::http",
            "crate::vault",
            "crate::cli",
        ],
    );
    assert!(
        bad.is_empty(),
        "demo/ may use only cds/ and assets/:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_wizard_state_and_drawing_do_no_io() {
    // app/ is a pure state machine and ui/ only draws; background work belongs to tui/.
    for layer in ["app", "ui"] {
        let bad = offenders(
            layer,
            &[
                "reqwest",
                "tokio::spawn",
                "tokio::",
                "std::fs",
                "std::net",
                "crate::http",
                "crate::demo",
                "crate::tui",
            ],
        );
        assert!(
            bad.is_empty(),
            "{layer}/ must stay pure:\n{}",
            bad.join("\n")
        );
    }
}

#[test]
fn the_presentation_layer_and_the_profile_model_do_no_io() {
    // present/ only turns results into words; profiles/model.rs and secret.rs are plain types
    // the pure layers may use (reading and writing profiles is profiles/store.rs).
    let io = [
        "reqwest",
        "tokio::",
        "std::fs",
        "std::net",
        "crate::http",
        "crate::demo",
        "crate::tui",
        "crate::vault",
        "crate::commands",
        "profiles::store",
        "crate::profiles::Index",
    ];
    let mut bad = offenders("present", &io);
    for file in ["profiles/model.rs", "profiles/error.rs", "secret.rs"] {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .join(file);
        let text = std::fs::read_to_string(&path).expect("source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if io.iter().any(|f| code.contains(f)) {
                bad.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(bad.is_empty(), "must stay pure:\n{}", bad.join("\n"));
}
