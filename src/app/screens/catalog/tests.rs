//! The Catalog view's update logic: loading, stale results, the filter, the cursor, marking
//! and comparing two, the Scopes tab, and onboarding from a utility.

use std::sync::Arc;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::fleet::FleetView;
use super::fleet::tests::utility;
use super::*;
use crate::app::{self, Msg};
use crate::catalog::model::ScopeRow;

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app::update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn chars(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// A catalog view with the database's answer in.
fn ready() -> App {
    let (mut app, effects) = App::catalog(Instant::now());
    let Some(Effect::LoadCatalog { req }) = effects.first().cloned() else {
        panic!("{effects:?}")
    };
    let mut second = utility(2, "Mesa Energy", &[("cds_bill_statements", 1)]);
    second.previous = Some(1);
    let mut failed = utility(3, "Zeta Power", &[]);
    failed.ok = false;
    failed.last_error = Some("HTTP 503".into());
    let fleet = FleetView::new(
        "c.sqlite",
        &[
            utility(4, "Bayview Energy", &[("cds_usage", 2)]),
            second,
            utility(5, "Summit Power", &[("cds_usage", 1), ("cds_rate_plan", 1)]),
            failed,
        ],
    );
    app::update(
        &mut app,
        Msg::CatalogLoaded {
            req,
            result: Ok(Box::new(fleet)),
        },
    );
    app
}

fn stored(name: &str, scopes: &[&str]) -> Arc<StoredUtility> {
    let snapshot = UtilitySnapshot {
        name: name.into(),
        scopes: scopes
            .iter()
            .map(|s| ScopeRow {
                id: (*s).into(),
                scope_type: "cds_usage".into(),
                name: (*s).into(),
                description: String::new(),
                grant_types: vec![],
                auth_methods: vec![],
                coverages: vec![],
                requirements: vec![],
                optional: vec![],
                fields: vec![],
            })
            .collect(),
        ..UtilitySnapshot::default()
    };
    let scopes = snapshot
        .scopes
        .iter()
        .map(|s| CatalogScope {
            id: s.id.clone(),
            scope_type: s.scope_type.clone(),
            name: s.name.clone(),
            description: String::new(),
            documentation: String::new(),
            response_types: vec![],
            grant_types: vec![],
            auth_methods: vec![],
            public_client: false,
            pkce_methods: vec![],
            coverages: vec![],
            grant_admin_scope: None,
            registration_requirements: vec![],
            registration_optional: vec![],
            authorization_details_types: vec![],
            authorization_details_fields: vec![],
        })
        .collect();
    Arc::new(StoredUtility {
        snapshot,
        scopes,
        complete: false,
        crawl: "q1".into(),
    })
}

/// Answers every read in `effects`; with `distinct`, each snapshot gets a scope of its own.
fn answer(app: &mut App, effects: &[Effect], name: &str, scopes: &[&str], distinct: bool) {
    for e in effects {
        if let Effect::LoadCatalogUtility { req, id } = e {
            let own = format!("only_{id}");
            let mut scopes = scopes.to_vec();
            if distinct {
                scopes.push(&own);
            }
            app::update(
                app,
                Msg::CatalogUtility {
                    req: *req,
                    id: *id,
                    result: Ok(stored(name, &scopes)),
                },
            );
        }
    }
}

#[test]
fn opens_reading_the_database_and_drops_stale_answers() {
    let (mut app, effects) = App::catalog(Instant::now());
    assert_eq!(app.step, Step::Catalog);
    assert!(effects.contains(&Effect::LoadProfiles));
    let Some(Effect::LoadCatalog { req }) = effects.first().cloned() else {
        panic!("{effects:?}")
    };
    app::update(
        &mut app,
        Msg::CatalogLoaded {
            req: req + 100,
            result: Err("stale".into()),
        },
    );
    assert!(matches!(app.catalog.fleet, Remote::Loading { .. }));
    app::update(
        &mut app,
        Msg::CatalogLoaded {
            req,
            result: Err("no database \u{1b}[31m".into()),
        },
    );
    let Remote::Failed(e) = &app.catalog.fleet else {
        panic!()
    };
    assert_eq!(e.message, "no database [31m", "sanitized");
    let effects = key(&mut app, KeyCode::Char('r'));
    assert!(matches!(effects[..], [Effect::LoadCatalog { .. }]));
}

#[test]
fn the_filter_narrows_rows_and_keeps_the_cursor_on_its_utility() {
    let mut app = ready();
    assert_eq!(app.catalog.shown.rows.len(), 4);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.catalog.current().unwrap().name, "Summit Power");
    key(&mut app, KeyCode::Char('/'));
    assert_eq!(app.context(), Context::Search);
    chars(&mut app, "usage");
    assert_eq!(
        app.catalog.shown.rows.len(),
        2,
        "utilities offering cds_usage"
    );
    assert_eq!(app.catalog.shown.types.len(), 1, "only the usage column");
    assert_eq!(app.catalog.current().unwrap().name, "Summit Power");
    key(&mut app, KeyCode::Enter);
    assert!(!app.catalog.filtering);
    assert_eq!(app.context(), Context::Catalog);
    key(&mut app, KeyCode::Char('/'));
    for _ in 0..5 {
        key(&mut app, KeyCode::Backspace);
    }
    chars(&mut app, "mesa");
    assert_eq!(app.catalog.shown.rows.len(), 1);
    assert_eq!(app.catalog.current().unwrap().name, "Mesa Energy");
    key(&mut app, KeyCode::Esc);
    assert!(app.catalog.filter.is_empty() && !app.catalog.filtering);
    assert_eq!(app.catalog.shown.rows.len(), 4);
    key(&mut app, KeyCode::End);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.catalog.cursor, 3, "the cursor stops at the last row");
}

#[test]
fn two_marked_utilities_are_compared_once_both_are_read() {
    let mut app = ready();
    let effects = key(&mut app, KeyCode::Char('c'));
    assert!(
        effects.is_empty() && app.notice.is_some(),
        "nothing marked yet"
    );
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(
        app.catalog.marked,
        [2, 5],
        "a third mark replaces the oldest"
    );
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char(' '));
    assert!(app.notice.is_some(), "a failed crawl cannot be marked");
    assert_eq!(app.catalog.marked, [2, 5]);
    let effects = key(&mut app, KeyCode::Char('c'));
    assert_eq!(app.catalog.tab, CatalogTab::Compare);
    assert_eq!(effects.len(), 2, "{effects:?}");
    assert!(app.catalog.compare.is_none(), "waits for both");
    // A stale answer changes nothing.
    app::update(
        &mut app,
        Msg::CatalogUtility {
            req: 999,
            id: 2,
            result: Ok(stored("stale", &[])),
        },
    );
    assert!(app.catalog.stored(2).is_none());
    answer(&mut app, &effects, "Either", &["usage", "bills"], true);
    let cmp = app.catalog.compare.as_ref().expect("compared");
    assert_eq!((cmp.a, cmp.b), (2, 5));
    assert_eq!(cmp.changes, 2, "only_2 removed, only_5 added");
    key(&mut app, KeyCode::Down);
    assert_eq!(app.catalog.compare.as_ref().unwrap().scroll, 1);
    // Comparing the same two again reads nothing.
    key(&mut app, KeyCode::Left);
    assert!(key(&mut app, KeyCode::Char('c')).is_empty());
}

#[test]
fn over_time_compares_with_the_previous_snapshot() {
    let mut app = ready();
    key(&mut app, KeyCode::Char('t'));
    assert!(app.notice.is_some(), "Bayview has one snapshot");
    key(&mut app, KeyCode::Down);
    let effects = key(&mut app, KeyCode::Char('t'));
    assert_eq!(app.catalog.comparing, Some((1, 2)));
    answer(&mut app, &effects, "Mesa Energy", &["usage"], false);
    assert_eq!(app.catalog.compare.as_ref().unwrap().changes, 0);
}

#[test]
fn the_scopes_tab_reads_the_utility_under_the_cursor() {
    let mut app = ready();
    let effects = key(&mut app, KeyCode::Right);
    assert_eq!(app.catalog.tab, CatalogTab::Matrix);
    assert!(effects.is_empty());
    key(&mut app, KeyCode::Char(']'));
    assert_eq!(app.catalog.column, 1);
    let effects = key(&mut app, KeyCode::Right);
    assert_eq!(app.catalog.tab, CatalogTab::Scopes);
    assert_eq!(app.catalog.browsing, Some(4));
    answer(
        &mut app,
        &effects,
        "Bayview Energy",
        &["usage", "usage_gas"],
        false,
    );
    assert_eq!(app.catalog.scopes.catalog.len(), 2);
    assert_eq!(app.catalog.scopes.current().unwrap().id, "usage");
    key(&mut app, KeyCode::Down);
    assert_eq!(app.catalog.scopes.current().unwrap().id, "usage_gas");
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.catalog.scopes.detail_scroll, 10);
    // Back on the list, a failed utility has no catalog to read.
    key(&mut app, KeyCode::Left);
    key(&mut app, KeyCode::Left);
    key(&mut app, KeyCode::End);
    let effects = key(&mut app, KeyCode::Tab);
    let effects = [effects, key(&mut app, KeyCode::Tab)].concat();
    assert!(effects.is_empty());
    assert!(app.catalog.scopes.unavailable.is_some());
}

#[test]
fn enter_starts_onboarding_at_the_utility() {
    let mut app = ready();
    key(&mut app, KeyCode::Down);
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(app.step, Step::Discover);
    assert_eq!(
        effects,
        vec![Effect::Discover {
            req: match effects[0] {
                Effect::Discover { req, .. } => req,
                _ => unreachable!(),
            },
            url: "http://127.0.0.1:9/u/2/.well-known/cds-server-metadata.json".into()
        }]
    );
}

#[test]
fn home_opens_the_catalog_with_c() {
    let (mut app, _) = App::home(Instant::now());
    chars(&mut app, "c");
    assert_eq!(app.step, Step::Home, "typing the URL, c is a letter");
    assert_eq!(app.home.url.as_str(), "c");
    key(&mut app, KeyCode::Esc);
    let effects = key(&mut app, KeyCode::Char('c'));
    assert_eq!(app.step, Step::Catalog);
    assert!(matches!(effects[..], [Effect::LoadCatalog { .. }]));
    // Shift-Tab goes back home; the catalog is kept for next time.
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.step, Step::Home);
    key(&mut app, KeyCode::Esc);
    assert!(
        key(&mut app, KeyCode::Char('c')).is_empty(),
        "still loading"
    );
}

#[test]
fn s_sorts_and_the_cursor_stays_on_its_utility() {
    let mut app = ready();
    key(&mut app, KeyCode::Down);
    assert_eq!(app.catalog.current().unwrap().name, "Mesa Energy");
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(app.catalog.sort, fleet::SortBy::Scopes);
    let names: Vec<&str> = {
        let f = app.catalog.view().unwrap();
        app.catalog
            .shown
            .rows
            .iter()
            .map(|&i| f.rows[i].name.as_str())
            .collect()
    };
    assert_eq!(
        names,
        [
            "Bayview Energy",
            "Summit Power",
            "Mesa Energy",
            "Zeta Power"
        ],
        "most scopes first, ties by name"
    );
    assert_eq!(app.catalog.current().unwrap().name, "Mesa Energy");
    for _ in 0..4 {
        key(&mut app, KeyCode::Char('s'));
    }
    assert_eq!(app.catalog.sort, fleet::SortBy::Name, "round the cycle");
}
