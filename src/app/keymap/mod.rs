//! The one key table: it drives both key handling (`lookup`) and what the footer and the `?`
//! help show (`hints`, `BINDINGS`), so the two never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a key is pressed; each context has its own bindings, most fall back to `Global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Global,
    Home,
    Discover,
    Scopes,
    /// Typing a `/` search on the Scopes screen: printable keys go to the query.
    Search,
    /// The Modifiers and Registration forms.
    Form,
    /// Typing into a line (a form field, the home URL, a pasted address).
    Edit,
    Review,
    Submit,
    /// Choosing the client to authorize, and the result.
    Authorize,
    /// Waiting for the customer's answer.
    Waiting,
    Done,
    Confirm,
    Help,
    /// A stored profile's Console, on every tab (tabs, filter, authorize, reload).
    Console,
    /// The Console's tabs, each with its own actions.
    ConsoleClients,
    ConsoleCredentials,
    ConsoleMessages,
    ConsoleGrants,
    ConsoleFiles,
    /// The Inspector: every HTTP exchange of the session.
    Inspector,
    /// The Catalog view (the research catalog, offline).
    Catalog,
    /// A console form (send or answer a message, modify a client, reduce a grant): typed
    /// keys go to the field.
    ConsoleForm,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Home => "Start",
            Context::Discover => "Discovery",
            Context::Scopes => "Scopes",
            Context::Search => "Scope search",
            Context::Form => "Forms",
            Context::Edit => "Typing",
            Context::Review => "Review",
            Context::Submit => "Submit",
            Context::Authorize => "Authorize",
            Context::Waiting => "Waiting for the customer",
            Context::Done => "Done",
            Context::Confirm => "Confirmation",
            Context::Help => "Help",
            Context::Console => "Console",
            Context::ConsoleClients => "Console · Clients",
            Context::ConsoleCredentials => "Console · Credentials",
            Context::ConsoleMessages => "Console · Messages",
            Context::ConsoleGrants => "Console · Grants",
            Context::ConsoleFiles => "Console · Files",
            Context::Inspector => "Inspector",
            Context::Catalog => "Catalog",
            Context::ConsoleForm => "Console · Forms",
        }
    }
    /// Whether unbound keys fall through to the global bindings.
    fn inherits_global(self) -> bool {
        !matches!(
            self,
            Context::Search
                | Context::Edit
                | Context::Confirm
                | Context::Help
                | Context::Inspector
                | Context::ConsoleForm
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ForceQuit,
    AskQuit,
    Help,
    Next,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    NextTab,
    PrevTab,
    CycleSeverity,
    Retry,
    Toggle,
    StartSearch,
    AcceptSearch,
    CancelSearch,
    DeleteChar,
    DetailUp,
    DetailDown,
    Confirm,
    Cancel,
    CloseHelp,
    /// Enter on a form field, a home item or a client.
    Activate,
    Left,
    Right,
    ClearField,
    SetNull,
    CommitEdit,
    CancelEdit,
    ClearLine,
    ExportCurl,
    ExportHttp,
    OpenBrowser,
    CopyUrl,
    StartPaste,
    CancelWait,
    Reveal,
    /// The console: the current tab from its first page again.
    Reload,
    /// The console: the profile's customer authorization.
    OpenAuthorize,
    Rotate,
    Expire,
    MarkRead,
    CloseGrant,
    Download,
    /// Opens (or closes) the Inspector.
    Inspector,
    /// Starts or stops recording every exchange to a HAR file.
    ToggleRecording,
    /// Shows the selected request as curl in full.
    ShowCurl,
    NextExchange,
    PrevExchange,
    /// Home: open the Catalog view.
    OpenCatalog,
    /// Catalog: the two marked utilities side by side.
    CompareMarked,
    /// Catalog: the utility against its previous snapshot.
    CompareOverTime,
    /// Catalog matrix: the highlighted column.
    PrevColumn,
    NextColumn,
    /// Catalog compare: only the rows that differ, or all of them.
    DifferencesOnly,
    /// Catalog: the utilities' order.
    CycleSort,
    /// Console Messages: a new message to the utility (§6.9).
    Compose,
    /// Console Messages: answer the selected server_request with a client_submission.
    Answer,
    /// Console Credentials: a new credential for the selected client (§7.5).
    NewCredential,
    /// Console Clients: modify the selected client (§5.5).
    ModifyClient,
    /// Console Grants: reduce the selected grant's scope or details (§8.6).
    ReduceGrant,
    /// Console form: the next field, or send from the last one.
    FormNext,
    /// Console form: close it without sending.
    CancelForm,
}

#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

#[derive(Debug)]
pub struct Binding {
    pub context: Context,
    pub keys: &'static [KeySpec],
    /// How the keys are written in the footer and help ("↑/↓", "Tab").
    pub label: &'static str,
    pub action: Action,
    /// Short footer hint; empty when the binding appears only in the `?` help.
    pub hint: &'static str,
    pub help: &'static str,
}

mod table;

pub use table::BINDINGS;

fn matches(spec: &KeySpec, key: &KeyEvent) -> bool {
    if spec.code != key.code {
        return false;
    }
    // Terminals differ on whether `?` or `G` carry SHIFT; printable keys ignore it.
    let mods = if matches!(key.code, KeyCode::Char(_) | KeyCode::BackTab) {
        key.modifiers - KeyModifiers::SHIFT
    } else {
        key.modifiers
    };
    mods == spec.mods
}

/// The action bound to `key` in `ctx` (then in `Global`, where the context inherits it).
pub fn lookup(ctx: Context, key: &KeyEvent) -> Option<Action> {
    let find = |cx: Context| {
        BINDINGS
            .iter()
            .filter(|b| b.context == cx)
            .find(|b| b.keys.iter().any(|s| matches(s, key)))
            .map(|b| b.action)
    };
    find(ctx).or_else(|| {
        if ctx.inherits_global() {
            find(Context::Global)
        } else {
            None
        }
    })
}

/// The footer hints for `ctx`: its own first, then the inherited global ones.
pub fn hints(ctx: Context) -> Vec<&'static Binding> {
    let own = BINDINGS
        .iter()
        .filter(|b| b.context == ctx && !b.hint.is_empty());
    let global = BINDINGS
        .iter()
        .filter(|b| ctx.inherits_global() && b.context == Context::Global && !b.hint.is_empty());
    own.chain(global).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn contexts_inherit_global_keys_except_text_entry() {
        assert_eq!(
            lookup(Context::Scopes, &key(KeyCode::Char('q'))),
            Some(Action::AskQuit)
        );
        assert_eq!(lookup(Context::Search, &key(KeyCode::Char('q'))), None);
        assert_eq!(
            lookup(
                Context::Search,
                &KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::ForceQuit)
        );
        assert_eq!(
            lookup(
                Context::Discover,
                &KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT)
            ),
            Some(Action::Help)
        );
    }

    #[test]
    fn every_footer_hint_is_a_real_binding() {
        for cx in [
            Context::Home,
            Context::Discover,
            Context::Scopes,
            Context::Search,
            Context::Form,
            Context::Edit,
            Context::Review,
            Context::Submit,
            Context::Authorize,
            Context::Waiting,
            Context::Done,
            Context::Confirm,
            Context::Inspector,
            Context::Catalog,
        ] {
            for h in hints(cx) {
                assert!(!h.keys.is_empty() && !h.help.is_empty(), "{h:?}");
            }
        }
    }
}
