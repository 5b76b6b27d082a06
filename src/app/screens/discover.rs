//! The Discovery step's state: live fetch progress, then what the utility publishes
//! (CDS-WG1-01 §3 metadata, §4 coverage; CDS-WG1-02 §3 OAuth metadata) and the findings.
//!
//! Everything here that came from a server is sanitized once, when the view is built
//! ([`DiscoveryView::from_discovery`]), so drawing code only ever sees safe text. The view takes
//! the discovery's coverage entries rather than copying them (issue 15).

use serde_json::Value;

use crate::cds::AuthorizationServerMetadata;
use crate::cds::CoverageEntry;
use crate::cds::catalog::CatalogScope;
use crate::cds::conformance::{Finding, Severity};
use crate::onboarding::discovery::{Discovery, DiscoveryEvent, RelatedServer};
use crate::text::{sanitize, sanitized};

use super::Screen;
use super::home::back_home;
use crate::app::keymap::{Action, Context};
use crate::app::widgets::list::{moved, movement};
use crate::app::widgets::tabs::{self, Tab};
use crate::app::{App, Effect, ErrorView, Notice, Remote, ReqId, Step};

#[derive(Debug, Default)]
pub struct DiscoverState {
    pub remote: Remote<DiscoveryView>,
    /// Every fetch of the current run, in the order they started.
    pub fetches: Vec<FetchLine>,
    pub tab: DiscoverTab,
    /// First line of the utility card shown (it can be longer than a small terminal).
    pub utility_scroll: usize,
    pub coverage_cursor: usize,
    pub findings_cursor: usize,
    pub min_severity: SeverityFilter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiscoverTab {
    /// The utility card: name, description, links, capabilities, related entities.
    #[default]
    Utility,
    Coverage,
    Findings,
}

impl Tab for DiscoverTab {
    const ALL: &'static [Self] = &[
        DiscoverTab::Utility,
        DiscoverTab::Coverage,
        DiscoverTab::Findings,
    ];
}

/// Which findings show: everything, warnings and errors, or errors only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SeverityFilter {
    #[default]
    All,
    Warnings,
    Errors,
}

impl SeverityFilter {
    pub fn next(self) -> Self {
        match self {
            SeverityFilter::All => SeverityFilter::Warnings,
            SeverityFilter::Warnings => SeverityFilter::Errors,
            SeverityFilter::Errors => SeverityFilter::All,
        }
    }
    pub fn admits(self, s: Severity) -> bool {
        match self {
            SeverityFilter::All => true,
            SeverityFilter::Warnings => s <= Severity::Warning,
            SeverityFilter::Errors => s == Severity::Error,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FetchLine {
    pub what: &'static str,
    pub url: String,
    pub status: FetchStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FetchStatus {
    Running,
    Done { bytes: usize, millis: u64 },
    Failed(String),
    Moved { status: u16, to: String },
}

impl DiscoverState {
    /// Folds one progress event into the fetch list.
    pub fn progress(&mut self, event: DiscoveryEvent) {
        match event {
            DiscoveryEvent::Fetching { kind, url } => self.fetches.push(FetchLine {
                what: kind.label(),
                url: sanitize(url.as_str()),
                status: FetchStatus::Running,
            }),
            DiscoveryEvent::Fetched {
                url, bytes, millis, ..
            } => self.finish(url.as_str(), FetchStatus::Done { bytes, millis }),
            DiscoveryEvent::Failed { url, error, .. } => {
                self.finish(url.as_str(), FetchStatus::Failed(sanitize(&error)))
            }
            DiscoveryEvent::Moved { from, to, status } => self.fetches.push(FetchLine {
                what: "moved",
                url: sanitize(from.as_str()),
                status: FetchStatus::Moved {
                    status,
                    to: sanitize(to.as_str()),
                },
            }),
        }
    }

    fn finish(&mut self, url: &str, status: FetchStatus) {
        let url = sanitize(url);
        if let Some(line) = self
            .fetches
            .iter_mut()
            .rev()
            .find(|l| l.url == url && l.status == FetchStatus::Running)
        {
            line.status = status;
        }
    }

    /// The findings that pass the severity filter.
    pub fn visible_findings(&self) -> Vec<&FindingRow> {
        match &self.remote {
            Remote::Ready(v) => v
                .findings
                .iter()
                .filter(|f| self.min_severity.admits(f.severity))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// What the Discovery screen shows once discovery has finished; all text sanitized.
#[derive(Debug, Clone)]
pub struct DiscoveryView {
    pub name: String,
    pub description: String,
    pub metadata_url: String,
    pub draft: String,
    pub links: Vec<(&'static str, String)>,
    pub capabilities: Vec<String>,
    pub related: Vec<RelatedLine>,
    /// The listing's entries, their text sanitized ([`sanitized_entry`]).
    pub coverage: Vec<CoverageEntry>,
    pub coverage_pages: usize,
    pub coverage_complete: bool,
    pub findings: Vec<FindingRow>,
    pub errors: usize,
    pub warnings: usize,
    pub elapsed_ms: u128,
    /// The scope catalog, or why there is none.
    pub catalog: Result<Vec<CatalogScope>, String>,
    pub timezone: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RelatedLine {
    pub name: String,
    pub url: String,
    pub capabilities: Vec<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FindingRow {
    pub severity: Severity,
    pub code: String,
    pub message: String,
    pub section: String,
    /// The document the finding is about, when it names one (the Inspector matches it to the
    /// exchange that fetched it).
    pub document: Option<String>,
    /// Where in that document (RFC 6901), empty for the whole of it.
    pub pointer: String,
}

fn text(v: &Value, key: &str) -> String {
    sanitize(v.get(key).and_then(Value::as_str).unwrap_or(""))
}

fn all(v: impl IntoIterator<Item = impl AsRef<str>>) -> Vec<String> {
    v.into_iter().map(|s| sanitize(s.as_ref())).collect()
}

impl DiscoveryView {
    /// The view of `d`, whose coverage entries it takes (`d.coverage` is `None` afterwards).
    pub fn from_discovery(d: &mut Discovery) -> Self {
        let s = &d.server.raw;
        // The catalog, or why there is none, in the engine's words (those of the commands).
        let catalog = d
            .catalog()
            .map(|mut scopes| {
                scopes.iter_mut().for_each(sanitize_scope);
                scopes
            })
            .map_err(|e| sanitize(&e.to_string()));
        // Taken once the catalog has read the coverage names.
        let (coverage, coverage_pages, coverage_complete) = match d.coverage.take() {
            Some(c) => (
                c.entries.into_iter().map(sanitized_entry).collect(),
                c.pages,
                c.complete,
            ),
            None => (Vec::new(), 0, true),
        };
        let timezone = d
            .oauth_metadata()
            .ok()
            .and_then(|m| m.cds_timezone.as_deref())
            .map(sanitize);
        DiscoveryView {
            name: crate::present::discovery::utility_name(s, &d.metadata_url),
            description: text(s, "description"),
            metadata_url: sanitize(d.metadata_url.as_str()),
            draft: d.draft().label().to_owned(),
            links: links(s),
            capabilities: s
                .get("capabilities")
                .and_then(Value::as_array)
                .map(|a| all(a.iter().filter_map(Value::as_str)))
                .unwrap_or_default(),
            related: d.related.iter().map(related_line).collect(),
            coverage,
            coverage_pages,
            coverage_complete,
            findings: d.findings.iter().map(finding_row).collect(),
            errors: d.errors(),
            warnings: d.warnings(),
            elapsed_ms: d.elapsed.as_millis(),
            catalog,
            timezone,
        }
    }
}

/// The utility's website, documentation and support addresses it gives (WG1-01 §3).
fn links(server: &Value) -> Vec<(&'static str, String)> {
    ["website", "documentation", "support"]
        .into_iter()
        .map(|k| (k, text(server, k)))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

fn related_line(r: &RelatedServer) -> RelatedLine {
    RelatedLine {
        name: sanitize(r.name.as_deref().unwrap_or("")),
        url: sanitize(r.url.as_str()),
        capabilities: all(&r.capabilities),
        error: r.error.as_deref().map(sanitize),
    }
}

/// `e` with every text a screen can draw sanitized, in place: text with nothing to remove
/// keeps its allocation. Its URLs were parsed and written by the `url` crate, which escapes
/// every control character; unknown members are never drawn.
fn sanitized_entry(mut e: CoverageEntry) -> CoverageEntry {
    for s in [&mut e.id, &mut e.name] {
        *s = sanitized(std::mem::take(s));
    }
    if let Some(s) = &mut e.description {
        *s = sanitized(std::mem::take(s));
    }
    for s in [&mut e.entity_name, &mut e.country] {
        *s = sanitized(std::mem::take(s));
    }
    for s in [&mut e.entity_abbreviation, &mut e.map_content_type]
        .into_iter()
        .flatten()
    {
        *s = sanitized(std::mem::take(s));
    }
    e.coverage_type = e.coverage_type.map_other(sanitized);
    e.role = e.role.map_other(sanitized);
    clean_all(
        &mut e.commodity_types,
        |c| c.is_known(),
        |c| c.map_other(sanitized),
    );
    clean_all(
        &mut e.infrastructure_types,
        |c| c.is_known(),
        |c| c.map_other(sanitized),
    );
    clean_all(
        &mut e.capabilities,
        |c| c.is_known(),
        |c| c.map_other(sanitized),
    );
    e
}

/// `v` with `clean` applied to each unknown value; untouched (no new list) when all are known.
fn clean_all<T: Clone>(v: &mut std::sync::Arc<[T]>, known: fn(&T) -> bool, clean: fn(T) -> T) {
    if !v.iter().all(known) {
        *v = v.iter().cloned().map(clean).collect();
    }
}

/// Values of an entry's list as the Coverage tab shows them: joined with ", ".
pub fn joined_list<T: std::fmt::Display>(v: &[T]) -> String {
    v.iter().map(T::to_string).collect::<Vec<_>>().join(", ")
}

fn finding_row(f: &Finding) -> FindingRow {
    FindingRow {
        severity: f.severity,
        code: sanitize(&f.code),
        message: sanitize(&f.message),
        section: sanitize(&f.section),
        document: f.document.as_deref().map(sanitize),
        pointer: sanitize(&f.pointer),
    }
}

/// Sanitizes every server string of a catalog scope in place.
fn sanitize_scope(s: &mut CatalogScope) {
    let fix = |x: &mut String| *x = sanitize(x);
    let fix_all = |v: &mut Vec<String>| v.iter_mut().for_each(|x| *x = sanitize(x));
    fix(&mut s.id);
    fix(&mut s.scope_type);
    fix(&mut s.name);
    fix(&mut s.description);
    fix(&mut s.documentation);
    fix_all(&mut s.response_types);
    fix_all(&mut s.grant_types);
    fix_all(&mut s.auth_methods);
    fix_all(&mut s.pkce_methods);
    fix_all(&mut s.authorization_details_types);
    if let Some(g) = &mut s.grant_admin_scope {
        fix(g);
    }
    for c in &mut s.coverages {
        fix(&mut c.id);
        if let Some(n) = &mut c.name {
            fix(n);
        }
    }
    for r in s
        .registration_requirements
        .iter_mut()
        .chain(s.registration_optional.iter_mut())
    {
        fix(&mut r.id);
        fix(&mut r.field_type);
        fix(&mut r.description);
        for x in [&mut r.field_name, &mut r.format, &mut r.currency]
            .into_iter()
            .flatten()
        {
            fix(x);
        }
    }
    for m in &mut s.authorization_details_fields {
        fix(&mut m.id);
        fix(&mut m.name);
        fix(&mut m.description);
        fix(&mut m.format);
        fix_all(&mut m.for_types);
        if let Some(r) = &mut m.range {
            fix(r);
        }
        for c in &mut m.choices {
            fix(&mut c.id);
            fix(&mut c.name);
            fix(&mut c.description);
        }
    }
}

/// A finished discovery as the wizard keeps it: the sanitized view, the OAuth metadata the
/// later steps work from, and where the server metadata was found. Built in the discovery task,
/// off the event loop: at 100,000 coverage entries it is the costly part.
#[derive(Debug)]
pub struct Discovered {
    pub view: DiscoveryView,
    pub meta: Option<AuthorizationServerMetadata>,
    pub metadata_url: url::Url,
}

impl Discovered {
    /// What the wizard keeps of `d`: the view takes its coverage entries and the OAuth
    /// metadata is moved, not copied; the rest (the documents' JSON) is freed (issue 15).
    pub fn new(mut d: Discovery) -> Self {
        let view = DiscoveryView::from_discovery(&mut d);
        let meta = match d.oauth_metadata() {
            Ok(_) => d.oauth.take().and_then(|o| o.parsed),
            Err(_) => None,
        };
        Discovered {
            view,
            meta,
            metadata_url: d.metadata_url,
        }
    }
}

/// The Discovery screen's input.
pub struct Discover;

impl Screen for Discover {
    fn context(&self, _app: &App) -> Context {
        Context::Discover
    }

    fn update(&self, app: &mut App, action: Action) -> Vec<Effect> {
        if let Some(delta) = movement(action) {
            move_by(app, delta);
            return Vec::new();
        }
        let d = &mut app.discover;
        match action {
            Action::Next | Action::Activate => {
                if matches!(d.remote, Remote::Ready(_)) {
                    app.step = Step::Scopes;
                } else {
                    app.notice = Some(Notice::NoCatalogYet);
                }
            }
            // Started from the home screen: back there, to another address or the demo.
            Action::Back if app.home.visited && app.authorize.running().is_none() => back_home(app),
            Action::Retry => return app.start_discovery(),
            _ if tabs::update(&mut d.tab, action) => {}
            Action::CycleSeverity => {
                d.min_severity = d.min_severity.next();
                d.tab = DiscoverTab::Findings;
                d.findings_cursor = 0;
            }
            _ => {}
        }
        Vec::new()
    }

    fn click_tab(&self, app: &mut App, n: usize) {
        tabs::click(&mut app.discover.tab, n);
    }

    fn click_row(&self, app: &mut App, n: usize) {
        match app.discover.tab {
            DiscoverTab::Coverage => app.discover.coverage_cursor = n,
            DiscoverTab::Findings => app.discover.findings_cursor = n,
            DiscoverTab::Utility => {}
        }
        move_by(app, 0);
    }
}

/// Moves the cursor of the current tab (or scrolls the utility card).
fn move_by(app: &mut App, delta: isize) {
    let d = &mut app.discover;
    let Remote::Ready(view) = &d.remote else {
        return;
    };
    let (cursor, len) = match d.tab {
        // Bounded by the drawing code, which knows how many lines the card has.
        DiscoverTab::Utility => (&mut d.utility_scroll, 200),
        DiscoverTab::Coverage => (&mut d.coverage_cursor, view.coverage.len()),
        DiscoverTab::Findings => {
            let len = view
                .findings
                .iter()
                .filter(|f| d.min_severity.admits(f.severity))
                .count();
            (&mut d.findings_cursor, len)
        }
    };
    *cursor = moved(*cursor, delta, len);
}

fn loading(app: &App, req: ReqId) -> bool {
    matches!(app.discover.remote, Remote::Loading { req: r, .. } if r == req)
}

/// A progress event of the running discovery.
pub(crate) fn progress(app: &mut App, req: ReqId, event: DiscoveryEvent) {
    if loading(app, req) {
        app.discover.progress(event);
    }
}

/// The discovery finished: the scopes screen takes the catalog, the view keeps the outcome.
pub(crate) fn discovered(app: &mut App, req: ReqId, result: Result<Box<Discovered>, String>) {
    if !loading(app, req) {
        return; // stale: a retry started another run
    }
    match result {
        Ok(d) => {
            let Discovered {
                mut view,
                meta,
                metadata_url,
            } = *d;
            let catalog = match &mut view.catalog {
                Ok(scopes) => Ok(std::mem::take(scopes)),
                Err(e) => Err(e.clone()),
            };
            app.scopes.set_catalog(catalog);
            app.utility_name = view.name.clone();
            app.meta = meta.map(std::sync::Arc::new);
            app.metadata_url = Some(metadata_url);
            app.discover.remote = Remote::Ready(view);
            app.discover.coverage_cursor = 0;
            app.discover.findings_cursor = 0;
        }
        Err(e) => {
            app.discover.remote = Remote::Failed(ErrorView {
                message: crate::text::sanitize(&e),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, commodity: &str) -> CoverageEntry {
        serde_json::from_value(serde_json::json!({
            "id": "e1", "created": "2023-01-01T00:00:00Z", "updated": "2023-01-01T00:00:00Z",
            "entity_name": "Demo", "entity_abbreviation": null, "country": "US", "name": name,
            "type": "logical", "role": "official", "infrastructure_types": [],
            "commodity_types": ["electricity", commodity], "capabilities": ["oauth"],
        }))
        .unwrap()
    }

    #[test]
    fn entries_are_sanitized_in_place() {
        let e = sanitized_entry(entry(
            "Territory\u{1b}[2J \u{202E}west",
            "heat\u{7}\u{200B}",
        ));
        assert_eq!(&*e.name, "Territory[2J west");
        assert_eq!(joined_list(&e.commodity_types), "electricity, heat");
        // Clean text keeps its allocation: the view does not copy the listing.
        let clean = entry("Western territory", "water");
        let (name, list) = (clean.name.as_ptr(), clean.commodity_types.as_ptr());
        let e = sanitized_entry(clean);
        assert_eq!(e.name.as_ptr(), name);
        assert_eq!(e.commodity_types.as_ptr(), list);
    }
}
