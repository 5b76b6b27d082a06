//! Keeps the layers honest (README "Architecture"): every source file is parsed with `syn`, and
//! every `crate::` path it names — in `use` trees, types, expressions, patterns and macro
//! arguments — is checked against [`LAYERS`], the written table of which module may use which.
//! Pure layers are also checked for I/O crates and modules. A wrong import fails with the file,
//! the line and the path.

use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// One row of the table: a module (a folder under `src/`, a file `src/x.rs`, or a submodule such
/// as `profiles::model` when it is held to a stricter rule than its parent), the `crate::` paths
/// it may name besides its own, and whether it must stay free of I/O. A file follows the row of
/// its longest enclosing module.
struct Layer {
    module: &'static str,
    may_use: &'static [&'static str],
    pure: bool,
}

/// Engine result types the wizard's state machine holds (data, never the functions that fetch
/// them): `app/` and `present/` may name these, not the rest of `onboarding`.
const ENGINE_RESULTS: &[&str] = &[
    "onboarding::transcript::recorder::KEPT_BODY",
    "onboarding::discovery::Discovery",
    "onboarding::discovery::DiscoveryEvent",
    "onboarding::discovery::Coverage",
    "onboarding::discovery::RelatedServer",
    "onboarding::plan",
    "onboarding::register::RegisterEvent",
    "onboarding::register::RegisterOutcome",
    "onboarding::register::TodoItem",
    "onboarding::outcome",
    "onboarding::authorize::Outcome",
    "onboarding::compare",
    // The operations console (issue 11): what its tabs hold.
    "onboarding::manage::Page",
    "onboarding::manage::page::Page",
    "onboarding::manage::Api",
    "onboarding::manage::clients::ClientChange",
    "onboarding::manage::clients::IMMUTABLE_FIELDS",
    "onboarding::manage::credentials::CredentialState",
    "onboarding::manage::credentials::Rotation",
    "onboarding::manage::credentials::is_expired",
    "onboarding::manage::messages::MessageList",
    "onboarding::manage::messages::Thread",
    "onboarding::manage::messages::threads",
    "onboarding::manage::messages::CLIENT_TYPES",
    "onboarding::manage::grants::GrantChange",
    "onboarding::manage::grants::check_scope_reduction",
    "onboarding::manage::files::SharedFile",
    "onboarding::manage::files::FileGrant",
    "onboarding::manage::files::Downloaded",
    "onboarding::manage::status::StatusSummary",
    "onboarding::manage::status::Attention",
    "onboarding::manage::status::Request",
    "onboarding::manage::status::Expiry",
    "onboarding::manage::status::ClientLine",
    "catalog::model",
    "catalog::diff",
    "catalog::crawl::CrawlSummary",
    "catalog::query::UtilityLine",
    "catalog::query::ScopeLine",
    "catalog::query::FieldLine",
    "catalog::query::SearchHit",
    // The Inspector (issue 12): the recorder's redacted exchanges.
    "onboarding::transcript::Exchange",
    // The Catalog view (issue 13 point 5): the utilities it lists.
    "catalog::browse::FleetUtility",
];

/// The table. `lib.rs` and `main.rs` wire everything together and are not listed.
const LAYERS: &[Layer] = &[
    // Leaves: the spec's types and rules, and terminal-safe text.
    Layer {
        module: "text",
        may_use: &[],
        pure: true,
    },
    Layer {
        module: "cds",
        may_use: &[],
        pure: true,
    },
    // Secret values and their keyring names: a leaf the pure layers may hold; vault/ talks to
    // the keyrings.
    Layer {
        module: "secret",
        may_use: &["cds::identifiers"],
        pure: true,
    },
    Layer {
        module: "vault",
        may_use: &["text", "cds", "secret"],
        pure: false,
    },
    // The non-secret index of profiles: a pure model the wizard may hold, and a locked TOML
    // store that only the engine and the commands use.
    Layer {
        module: "profiles",
        may_use: &["text", "cds", "secret"],
        pure: false,
    },
    Layer {
        module: "profiles::model",
        may_use: &["text", "cds", "secret", "profiles::error"],
        pure: true,
    },
    Layer {
        module: "profiles::error",
        may_use: &[],
        pure: true,
    },
    // Edges that do I/O for the engine.
    // The C allocator's settings, and giving freed memory back (issue 15).
    Layer {
        module: "memory",
        may_use: &[],
        pure: false,
    },
    Layer {
        module: "http",
        may_use: &["cds", "text"],
        pure: false,
    },
    Layer {
        module: "oauth",
        may_use: &["cds", "http", "text", "vault", "profiles", "secret"],
        pure: false,
    },
    // The engine: one flow for the wizard and the commands.
    Layer {
        module: "onboarding",
        may_use: &[
            "cds", "http", "oauth", "vault", "profiles", "secret", "text", "memory",
        ],
        pure: false,
    },
    // Words and rows people read, shared by the commands and the wizard.
    Layer {
        module: "present",
        may_use: &["cds", "text", "profiles::model", "secret", "@engine"],
        pure: true,
    },
    // The wizard: a pure state machine, drawing, and the terminal edge that runs its effects.
    Layer {
        module: "app",
        may_use: &[
            "cds",
            "text",
            "present",
            "profiles::model",
            "secret",
            "@engine",
        ],
        pure: true,
    },
    Layer {
        module: "ui",
        may_use: &["app", "cds", "text", "present", "profiles::model", "secret"],
        pure: true,
    },
    Layer {
        module: "tui",
        may_use: &[
            "memory",
            "app",
            "ui",
            "cds",
            "text",
            "present",
            "onboarding",
            "http",
            "oauth",
            "vault",
            "secret",
            "profiles",
            "demo",
            "catalog",
            "demo_home",
        ],
        pure: false,
    },
    // The headless edge.
    Layer {
        module: "cli",
        may_use: &["demo"],
        pure: false,
    },
    Layer {
        module: "commands",
        may_use: &[
            "cli",
            "cds",
            "text",
            "present",
            "onboarding",
            "http",
            "oauth",
            "vault",
            "secret",
            "profiles",
            "demo",
            "EXIT_FAILURE",
            "catalog",
            "demo_home",
        ],
        pure: false,
    },
    // The research catalog: many utilities crawled with the engine into SQLite (issue 13).
    Layer {
        module: "catalog",
        may_use: &["cds", "http", "onboarding", "text", "profiles"],
        pure: false,
    },
    // The demo that remembers: the demo server over a state file in the program's home, and
    // the stored profiles that belong to it (issue 10 point 6).
    Layer {
        module: "demo_home",
        may_use: &["demo", "profiles", "text", "vault", "secret"],
        pure: false,
    },
    // The embedded server speaks the spec and nothing of the client side.
    Layer {
        module: "demo",
        may_use: &["cds", "text"],
        pure: false,
    },
];

/// What a pure layer may not name: network, files, processes, the async runtime, keyrings, the
/// terminal itself.
const IO_PATHS: &[&str] = &[
    "reqwest",
    "tokio",
    "axum",
    "hyper",
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "webbrowser",
    "keyring_core",
    "dirs",
    "crossterm::terminal",
    "crossterm::execute",
];

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

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
    out.sort();
    out
}

/// The module path of a source file: `src/app/screens/x.rs` → `["app", "screens", "x"]`.
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Every path a file names, as (line, segments), with `super`/`self` resolved against the
/// file's module so `super::super::x` is checked like `crate::x`.
struct Paths {
    module: Vec<String>,
    found: Vec<(usize, Vec<String>)>,
}

impl Paths {
    fn push(&mut self, line: usize, segments: Vec<String>) {
        let mut resolved = match segments.first().map(String::as_str) {
            Some("crate") => segments[1..].to_vec(),
            Some("super") | Some("self") => {
                let mut base = self.module.clone();
                let mut rest = segments.as_slice();
                while let Some(first) = rest.first() {
                    match first.as_str() {
                        "super" => {
                            base.pop();
                        }
                        "self" => {}
                        _ => break,
                    }
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                base
            }
            // Not a crate path: kept with a marker so the I/O check sees external paths.
            _ => {
                let mut v = vec!["::extern".to_owned()];
                v.extend(segments);
                v
            }
        };
        resolved.retain(|s| !s.is_empty());
        self.found.push((line, resolved));
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                if n.ident != "self" {
                    full.push(n.ident.to_string());
                }
                self.push(n.ident.span().start().line, full);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                full.push(r.ident.to_string());
                self.push(r.ident.span().start().line, full);
            }
            syn::UseTree::Glob(g) => {
                let line = g.star_token.spans[0].start().line;
                self.push(line, prefix.clone());
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }

    /// Macro arguments are tokens, not syntax: find `crate :: a :: b` (and `std :: fs`) runs.
    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            if let TokenTree::Group(g) = &trees[i] {
                self.tokens(g.stream());
                i += 1;
                continue;
            }
            if let TokenTree::Ident(first) = &trees[i] {
                let mut segments = vec![first.to_string()];
                let mut j = i + 1;
                while j + 2 < trees.len() && is_colon2(&trees[j..]) {
                    if let TokenTree::Ident(next) = &trees[j + 2] {
                        segments.push(next.to_string());
                        j += 3;
                    } else {
                        break;
                    }
                }
                if segments.len() > 1 {
                    self.push(first.span().start().line, segments);
                    i = j;
                    continue;
                }
            }
            i += 1;
        }
    }
}

fn is_colon2(trees: &[TokenTree]) -> bool {
    matches!((&trees[0], &trees[1]), (TokenTree::Punct(a), TokenTree::Punct(b)) if a.as_char() == ':' && b.as_char() == ':')
}

/// Whether an item is test-only (`#[cfg(test)]`): tests may use fakes from any layer.
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "test")
    })
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_mod(&mut self, node: &'ast syn::ItemMod) {
        if is_test_only(&node.attrs) {
            return;
        }
        // `super` inside an inline module is relative to that module.
        self.module.push(node.ident.to_string());
        syn::visit::visit_item_mod(self, node);
        self.module.pop();
    }

    fn visit_item_fn(&mut self, node: &'ast syn::ItemFn) {
        if !is_test_only(&node.attrs) {
            syn::visit::visit_item_fn(self, node);
        }
    }

    fn visit_item_use(&mut self, node: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &node.tree);
    }

    fn visit_path(&mut self, node: &'ast syn::Path) {
        let segments: Vec<String> = node.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.len() > 1 {
            let line = node.segments[0].ident.span().start().line;
            self.push(line, segments);
        }
        syn::visit::visit_path(self, node);
    }

    fn visit_macro(&mut self, node: &'ast syn::Macro) {
        self.tokens(node.tokens.clone());
        syn::visit::visit_macro(self, node);
    }
}

/// The row a module follows: the longest `module` of the table that encloses it.
fn layer_of(module: &[String]) -> Option<&'static Layer> {
    let joined = module.join("::");
    LAYERS
        .iter()
        .filter(|l| joined == l.module || joined.starts_with(&format!("{}::", l.module)))
        .max_by_key(|l| l.module.len())
}

fn allowed(layer: &Layer, path: &[String]) -> bool {
    let joined = path.join("::");
    let starts = |prefix: &str| joined == prefix || joined.starts_with(&format!("{prefix}::"));
    if starts(layer.module) {
        return true;
    }
    layer.may_use.iter().any(|m| {
        if *m == "@engine" {
            ENGINE_RESULTS.iter().any(|e| starts(e))
        } else {
            starts(m)
        }
    })
}

/// Every violation of the table in the crate's sources, as `file:line: path (rule)`.
fn violations() -> Vec<String> {
    let mut bad = Vec::new();
    let modules: Vec<&str> = LAYERS
        .iter()
        .map(|l| l.module.split("::").next().unwrap_or(l.module))
        .collect();
    for file in rust_files(&src()) {
        let module = module_of(&file);
        let Some(top) = module.first().cloned() else {
            continue;
        };
        if top == "lib" || top == "main" {
            continue;
        }
        let shown = file
            .strip_prefix(src().parent().unwrap())
            .unwrap()
            .display()
            .to_string();
        let Some(layer) = layer_of(&module) else {
            bad.push(format!(
                "{shown}: module `{top}` is not in the layer table (tests/it/layers.rs)"
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("source");
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{shown}: {e}"));
        let mut paths = Paths {
            module,
            found: Vec::new(),
        };
        paths.visit_file(&ast);
        for (line, path) in &paths.found {
            if path.first().is_some_and(|s| s == "::extern") {
                let ext = path[1..].join("::");
                if layer.pure
                    && IO_PATHS
                        .iter()
                        .any(|io| ext == *io || ext.starts_with(&format!("{io}::")))
                {
                    bad.push(format!(
                        "{shown}:{line}: `{ext}` is I/O, and `{}` must stay pure",
                        layer.module
                    ));
                }
                continue;
            }
            // Only paths into the crate's own modules are checked (a local enum's variant or an
            // associated item is not a module path).
            let Some(first) = path.first() else { continue };
            if !modules.contains(&first.as_str()) && first != "EXIT_FAILURE" {
                continue;
            }
            if !allowed(layer, path) {
                bad.push(format!(
                    "{shown}:{line}: `crate::{}` — `{}` may use only {:?}",
                    path.join("::"),
                    layer.module,
                    layer.may_use
                ));
            }
        }
    }
    bad.sort();
    bad.dedup();
    bad
}

#[test]
fn every_import_follows_the_layer_table() {
    let bad = violations();
    assert!(bad.is_empty(), "layer violations:\n{}", bad.join("\n"));
}

#[test]
fn the_table_names_every_module_of_the_crate() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    let ast = syn::parse_file(&lib).expect("lib.rs parses");
    for item in ast.items {
        if let syn::Item::Mod(m) = item {
            let name = m.ident.to_string();
            assert!(
                LAYERS.iter().any(|l| l.module == name),
                "src/{name} has no row in the layer table"
            );
        }
    }
}

/// The checker itself catches what a text search would miss: grouped imports, `super::super`,
/// paths in expressions and in macro arguments, and I/O in a pure layer.
#[test]
fn the_checker_catches_each_form_of_import() {
    let app = LAYERS.iter().find(|l| l.module == "app").unwrap();
    let cases = [
        ("use crate::{cds, oauth::pkce};", vec!["oauth", "pkce"]),
        (
            "use super::super::super::http::Client;",
            vec!["http", "Client"],
        ),
        (
            "fn f() { crate::commands::run(); }",
            vec!["commands", "run"],
        ),
        (
            "fn f() { let _ = format!(\"{}\", crate::vault::keyring::probe()); }",
            vec!["vault", "keyring", "probe"],
        ),
    ];
    for (code, expected) in cases {
        let ast = syn::parse_file(code).unwrap();
        let mut paths = Paths {
            module: vec!["app".into(), "screens".into(), "x".into()],
            found: Vec::new(),
        };
        paths.visit_file(&ast);
        let hit = paths
            .found
            .iter()
            .find(|(_, p)| p.first() == Some(&expected[0].to_string()));
        let (_, path) = hit.unwrap_or_else(|| panic!("{code}: no path found in {:?}", paths.found));
        assert_eq!(path, &expected, "{code}");
        assert!(!allowed(app, path), "{code} must be refused for app/");
    }
    let ast = syn::parse_file("fn f() { std::fs::read(\"x\").ok(); }").unwrap();
    let mut paths = Paths {
        module: vec!["app".into()],
        found: Vec::new(),
    };
    paths.visit_file(&ast);
    assert!(
        paths
            .found
            .iter()
            .any(|(_, p)| p.join("::") == "::extern::std::fs::read")
    );
    assert!(allowed(app, &["cds".into(), "ScopeDescription".into()]));
    let model = layer_of(&["profiles".into(), "model".into()]).unwrap();
    assert!(model.pure && model.module == "profiles::model");
    assert!(!allowed(
        model,
        &["profiles".into(), "store".into(), "Index".into()]
    ));
    assert_eq!(
        layer_of(&["profiles".into(), "store".into()])
            .unwrap()
            .module,
        "profiles"
    );
    assert!(allowed(
        app,
        &[
            "onboarding".into(),
            "plan".into(),
            "RegistrationPlan".into()
        ]
    ));
    assert!(!allowed(
        app,
        &["onboarding".into(), "register".into(), "register".into()]
    ));
}
