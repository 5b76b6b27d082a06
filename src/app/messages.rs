//! What reaches the wizard's state machine ([`Msg`]: keys, mouse, background results) and what
//! it asks the executor to do ([`Effect`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyEvent, MouseEvent};
use url::Url;

use super::screens::authorize::{OutcomeView, ProfileView};
use super::screens::console as console_screen;
use super::screens::discover::Discovered;
use super::screens::inspector::RecordingEvent;
use super::screens::submit::Failure;
use super::{ReqId, Target, screens};
use crate::cds::AuthorizationServerMetadata;
use crate::onboarding::discovery::DiscoveryEvent;
use crate::onboarding::plan::RegistrationPlan;
use crate::onboarding::register::{RegisterEvent, RegisterOutcome};
use crate::secret::Secret;

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    /// A left click resolved by the event loop against what was drawn.
    Click(Target),
    Resize(u16, u16),
    /// The clock, read by the event loop (app/ never reads it): `now` for elapsed times and
    /// deadlines, `wall` for relative dates.
    Tick {
        now: Instant,
        wall: jiff::Timestamp,
    },
    DiscoveryProgress {
        req: ReqId,
        event: DiscoveryEvent,
    },
    DiscoveryDone {
        req: ReqId,
        result: Result<Box<Discovered>, String>,
    },
    ProfilesLoaded(Result<Vec<ProfileView>, String>),
    DemoStarted(Result<String, String>),
    FileRead {
        path: String,
        result: Result<Arc<Vec<u8>>, String>,
    },
    Exported(Result<String, String>),
    RegisterProgress {
        req: ReqId,
        event: RegisterEvent,
    },
    RegisterDone {
        req: ReqId,
        result: Result<(Box<RegisterOutcome>, ProfileView), Failure>,
    },
    AuthorizeReady {
        req: ReqId,
        url: String,
        loopback: Option<String>,
        paste_reason: Option<String>,
        pushed: bool,
        ssh_hint: Option<String>,
    },
    /// A pasted address was refused; the flow keeps waiting.
    PasteRejected {
        req: ReqId,
        message: String,
    },
    AuthorizeCompleting {
        req: ReqId,
    },
    AuthorizeDone {
        req: ReqId,
        result: Result<(Box<OutcomeView>, ProfileView), String>,
    },
    Revealed {
        account: String,
        result: Result<Secret, String>,
    },
    /// A line for the status bar (a browser that did not open, a copied URL).
    Info(String),
    /// A page of a console tab (`result` carries where the next page is).
    ConsolePage {
        req: ReqId,
        tab: console_screen::ConsoleTab,
        /// The profile's time zone, for the times shown.
        zone: Option<String>,
        result: Result<
            (
                console_screen::Loaded,
                Option<console_screen::listing::Cursor>,
            ),
            String,
        >,
    },
    /// A console action finished.
    ConsoleActed {
        req: ReqId,
        result: Result<console_screen::ConsoleOutcome, String>,
    },
    /// An exchange the recorder saw (already redacted), for the Inspector.
    Exchange(Arc<crate::onboarding::transcript::Exchange>),
    /// Recording to a file started, stopped or failed.
    Recording(RecordingEvent),
    /// The research catalog's utilities, read from its database (the Catalog view).
    CatalogLoaded {
        req: ReqId,
        result: Result<Box<screens::catalog::fleet::FleetView>, String>,
    },
    /// One stored snapshot of the research catalog, read back.
    CatalogUtility {
        req: ReqId,
        id: i64,
        result: Result<Arc<screens::catalog::StoredUtility>, String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Discover {
        req: ReqId,
        url: String,
    },
    LoadProfiles,
    StartDemo,
    /// Reads a file the user named (capped) and answers with `Msg::FileRead`.
    ReadFile {
        path: String,
    },
    /// Writes an export (no secrets in it) to `path`.
    Export {
        path: String,
        contents: String,
    },
    Register {
        req: ReqId,
        meta: Arc<AuthorizationServerMetadata>,
        metadata_url: Option<Url>,
        plan: Box<RegistrationPlan>,
        profile: String,
        /// The user agreed to a keyring that forgets at reboot (else the task asks first).
        volatile_ok: bool,
    },
    ResumeRegistration {
        req: ReqId,
        profile: String,
    },
    Authorize {
        req: ReqId,
        profile: String,
        client_id: String,
        wait: Duration,
    },
    PasteRedirect {
        req: ReqId,
        text: String,
    },
    CancelAuthorize {
        req: ReqId,
    },
    OpenBrowser(String),
    /// Puts text on the clipboard (OSC 52, which also works over SSH).
    Copy(String),
    Reveal {
        account: String,
    },
    Quit,
    /// One page of a console tab of `profile` (CDS-WG1-02 §5–§9), answered by
    /// `Msg::ConsolePage`.
    ConsoleLoad {
        req: ReqId,
        profile: String,
        tab: console_screen::ConsoleTab,
        cursor: console_screen::listing::Cursor,
    },
    /// A console action on `profile`, answered by `Msg::ConsoleActed`.
    ConsoleAct {
        req: ReqId,
        profile: String,
        action: console_screen::ConsoleAction,
    },
    /// Records every exchange from now on into a new HAR file named `name` in the current
    /// directory (`name-2`… when it exists); answers with `Msg::Recording`.
    StartRecording {
        name: String,
    },
    /// Closes the HAR file being written; answers with `Msg::Recording`.
    StopRecording,
    /// Reads the research catalog's utilities from its database; answers `Msg::CatalogLoaded`.
    LoadCatalog {
        req: ReqId,
    },
    /// Reads one stored snapshot; answers `Msg::CatalogUtility`.
    LoadCatalogUtility {
        req: ReqId,
        id: i64,
    },
}
