//! The key table itself: every binding of every context, in the order the help shows them.
//! The wizard's steps are here; the console, the Inspector and the catalog view each keep
//! theirs in a submodule, and [`BINDINGS`] reads them as one table.

mod catalog;
mod console;
mod inspector;

use crossterm::event::{KeyCode, KeyModifiers};

use super::{Action as A, Binding, Context as C, KeySpec};

pub(super) const fn k(code: KeyCode) -> KeySpec {
    KeySpec {
        code,
        mods: KeyModifiers::NONE,
    }
}
pub(super) const fn c(ch: char) -> KeySpec {
    k(KeyCode::Char(ch))
}
pub(super) const fn ctrl(ch: char) -> KeySpec {
    KeySpec {
        code: KeyCode::Char(ch),
        mods: KeyModifiers::CONTROL,
    }
}

pub(super) const fn b(
    context: C,
    keys: &'static [KeySpec],
    label: &'static str,
    action: A,
    hint: &'static str,
    help: &'static str,
) -> Binding {
    Binding {
        context,
        keys,
        label,
        action,
        hint,
        help,
    }
}

/// The one key table: the wizard's steps, then the console, the Inspector and the catalog view,
/// in the order the help shows them. `BINDINGS.iter()` walks all of it.
pub const BINDINGS: Table = Table;

/// The parts of the key table, read as one.
#[derive(Debug, Clone, Copy)]
pub struct Table;

impl Table {
    pub fn iter(self) -> impl Iterator<Item = &'static Binding> + Clone {
        WIZARD
            .iter()
            .chain(console::CONSOLE)
            .chain(inspector::INSPECTOR)
            .chain(catalog::CATALOG)
    }
}

/// The wizard's steps (home, discovery, scopes, modifiers, registration, review, submit,
/// authorize, done) and the keys every screen shares.
const WIZARD: &[Binding] = &[
    b(
        C::Global,
        &[ctrl('c')],
        "Ctrl-C",
        A::ForceQuit,
        "",
        "Quit now",
    ),
    b(C::Global, &[c('?')], "?", A::Help, "help", "Show every key"),
    b(
        C::Global,
        &[c('q'), k(KeyCode::Esc)],
        "q/Esc",
        A::AskQuit,
        "quit",
        "Quit (asks first)",
    ),
    b(
        C::Global,
        &[k(KeyCode::BackTab)],
        "Shift-Tab",
        A::Back,
        "",
        "Previous step",
    ),
    b(
        C::Global,
        &[k(KeyCode::Up), c('k')],
        "↑/k",
        A::Up,
        "",
        "Move up",
    ),
    b(
        C::Global,
        &[k(KeyCode::Down), c('j')],
        "↓/j",
        A::Down,
        "",
        "Move down",
    ),
    b(
        C::Global,
        &[k(KeyCode::Home), c('g')],
        "Home/g",
        A::Home,
        "",
        "First item",
    ),
    b(
        C::Global,
        &[k(KeyCode::End), c('G')],
        "End/G",
        A::End,
        "",
        "Last item",
    ),
    b(
        C::Discover,
        &[k(KeyCode::Tab), k(KeyCode::Enter)],
        "Tab/Enter",
        A::Next,
        "scopes",
        "On to the scope catalog",
    ),
    b(
        C::Discover,
        &[k(KeyCode::Right)],
        "→",
        A::NextTab,
        "tabs",
        "Next tab",
    ),
    b(
        C::Discover,
        &[k(KeyCode::Left)],
        "←",
        A::PrevTab,
        "",
        "Previous tab",
    ),
    b(
        C::Discover,
        &[k(KeyCode::PageUp)],
        "PgUp",
        A::PageUp,
        "",
        "Scroll a page up",
    ),
    b(
        C::Discover,
        &[k(KeyCode::PageDown)],
        "PgDn",
        A::PageDown,
        "",
        "Scroll a page down",
    ),
    b(
        C::Discover,
        &[c('s')],
        "s",
        A::CycleSeverity,
        "severity",
        "Filter findings by severity",
    ),
    b(
        C::Discover,
        &[c('r')],
        "r",
        A::Retry,
        "retry",
        "Run discovery again",
    ),
    b(
        C::Scopes,
        &[k(KeyCode::Char(' '))],
        "Space",
        A::Toggle,
        "select",
        "Select or unselect a scope",
    ),
    b(
        C::Scopes,
        &[c('/')],
        "/",
        A::StartSearch,
        "search",
        "Search as you type",
    ),
    b(
        C::Scopes,
        &[k(KeyCode::Tab), k(KeyCode::Enter)],
        "Tab/Enter",
        A::Next,
        "next",
        "Go on to the next step",
    ),
    b(
        C::Scopes,
        &[k(KeyCode::PageUp)],
        "PgUp",
        A::DetailUp,
        "",
        "Scroll details up",
    ),
    b(
        C::Scopes,
        &[k(KeyCode::PageDown)],
        "PgDn",
        A::DetailDown,
        "detail",
        "Scroll details down",
    ),
    b(
        C::Scopes,
        &[k(KeyCode::Left)],
        "←",
        A::PrevTab,
        "",
        "Back to discovery",
    ),
    b(
        C::Search,
        &[k(KeyCode::Enter), k(KeyCode::Down), k(KeyCode::Tab)],
        "Enter",
        A::AcceptSearch,
        "keep filter",
        "Keep the filter",
    ),
    b(
        C::Search,
        &[k(KeyCode::Esc)],
        "Esc",
        A::CancelSearch,
        "clear",
        "Clear the search",
    ),
    b(
        C::Search,
        &[k(KeyCode::Backspace)],
        "Backspace",
        A::DeleteChar,
        "",
        "Delete a character",
    ),
    b(
        C::Search,
        &[ctrl('c')],
        "Ctrl-C",
        A::ForceQuit,
        "",
        "Quit at once",
    ),
    b(
        C::Home,
        &[k(KeyCode::Enter), k(KeyCode::Tab)],
        "Enter",
        A::Activate,
        "open",
        "Type the URL, start the demo, or open the profile",
    ),
    b(
        C::Form,
        &[k(KeyCode::Enter)],
        "Enter",
        A::Activate,
        "edit",
        "Edit the field (toggles and choices change at once)",
    ),
    b(
        C::Form,
        &[k(KeyCode::Char(' '))],
        "Space",
        A::Toggle,
        "switch",
        "Switch a toggle, pick an option",
    ),
    b(
        C::Form,
        &[k(KeyCode::Left)],
        "←/→",
        A::Left,
        "choose",
        "Previous choice (or option)",
    ),
    b(
        C::Form,
        &[k(KeyCode::Right)],
        "→",
        A::Right,
        "",
        "Next choice (or option)",
    ),
    b(
        C::Form,
        &[c('n')],
        "n",
        A::SetNull,
        "null",
        "Set an explicit null (nullable fields)",
    ),
    b(
        C::Form,
        &[k(KeyCode::Delete), c('x')],
        "x/Del",
        A::ClearField,
        "default",
        "Leave the field out (the server's default applies)",
    ),
    b(
        C::Form,
        &[k(KeyCode::Tab)],
        "Tab",
        A::Next,
        "next",
        "Go on to the next step",
    ),
    b(
        C::Form,
        &[k(KeyCode::PageUp)],
        "PgUp",
        A::DetailUp,
        "",
        "Scroll the side pane up",
    ),
    b(
        C::Form,
        &[k(KeyCode::PageDown)],
        "PgDn",
        A::DetailDown,
        "",
        "Scroll the side pane down",
    ),
    b(
        C::Edit,
        &[k(KeyCode::Enter)],
        "Enter",
        A::CommitEdit,
        "keep",
        "Keep what was typed",
    ),
    b(
        C::Edit,
        &[k(KeyCode::Esc)],
        "Esc",
        A::CancelEdit,
        "cancel",
        "Cancel typing",
    ),
    b(
        C::Edit,
        &[k(KeyCode::Backspace)],
        "Backspace",
        A::DeleteChar,
        "",
        "Delete a character",
    ),
    b(
        C::Edit,
        &[ctrl('u')],
        "Ctrl-U",
        A::ClearLine,
        "clear",
        "Clear the line",
    ),
    b(
        C::Edit,
        &[ctrl('c')],
        "Ctrl-C",
        A::ForceQuit,
        "",
        "Quit at once",
    ),
    b(
        C::Review,
        &[k(KeyCode::Tab), k(KeyCode::Enter)],
        "Enter",
        A::Next,
        "register",
        "Send the registration",
    ),
    b(
        C::Review,
        &[c('c')],
        "c",
        A::ExportCurl,
        "curl",
        "Write the request as a curl script",
    ),
    b(
        C::Review,
        &[c('h')],
        "h",
        A::ExportHttp,
        ".http",
        "Write the request as a .http file",
    ),
    b(
        C::Review,
        &[k(KeyCode::PageUp)],
        "PgUp",
        A::DetailUp,
        "",
        "Scroll up",
    ),
    b(
        C::Review,
        &[k(KeyCode::PageDown)],
        "PgDn",
        A::DetailDown,
        "",
        "Scroll down",
    ),
    b(
        C::Submit,
        &[k(KeyCode::Tab), k(KeyCode::Enter)],
        "Enter",
        A::Next,
        "authorize",
        "On to the customer authorization",
    ),
    b(
        C::Submit,
        &[c('r')],
        "r",
        A::Retry,
        "retry",
        "Retry (resumes from the last completed step)",
    ),
    b(
        C::Authorize,
        &[k(KeyCode::Enter)],
        "Enter",
        A::Activate,
        "authorize",
        "Start the authorization with the chosen client",
    ),
    b(
        C::Authorize,
        &[c('r')],
        "r",
        A::Retry,
        "",
        "Resume an unfinished registration of this profile",
    ),
    b(
        C::Authorize,
        &[k(KeyCode::Tab)],
        "Tab",
        A::Next,
        "done",
        "Go on to the summary",
    ),
    b(
        C::Waiting,
        &[c('o')],
        "o",
        A::OpenBrowser,
        "open browser",
        "Open the address in the browser",
    ),
    b(
        C::Waiting,
        &[c('c')],
        "c",
        A::CopyUrl,
        "copy",
        "Copy the address",
    ),
    b(
        C::Waiting,
        &[c('p')],
        "p",
        A::StartPaste,
        "paste redirect",
        "Paste the address the browser ended on",
    ),
    b(
        C::Waiting,
        &[c('x')],
        "x",
        A::CancelWait,
        "cancel",
        "Stop waiting",
    ),
    b(
        C::Done,
        &[c('v')],
        "v",
        A::Reveal,
        "reveal",
        "Reveal the selected secret (masked again on the next key)",
    ),
    b(
        C::Done,
        &[k(KeyCode::Enter)],
        "Enter",
        A::Next,
        "finish",
        "Quit the wizard",
    ),
    b(
        C::Confirm,
        &[c('y'), k(KeyCode::Enter)],
        "y/Enter",
        A::Confirm,
        "yes",
        "Confirm",
    ),
    b(
        C::Confirm,
        &[c('n'), k(KeyCode::Esc), c('q')],
        "n/Esc",
        A::Cancel,
        "no",
        "Cancel",
    ),
    b(
        C::Confirm,
        &[ctrl('c')],
        "Ctrl-C",
        A::ForceQuit,
        "",
        "Quit at once",
    ),
    b(
        C::Help,
        &[k(KeyCode::Esc), c('?'), c('q'), k(KeyCode::Enter)],
        "Esc/?",
        A::CloseHelp,
        "close",
        "Close the help",
    ),
    b(
        C::Help,
        &[ctrl('c')],
        "Ctrl-C",
        A::ForceQuit,
        "",
        "Quit at once",
    ),
];
