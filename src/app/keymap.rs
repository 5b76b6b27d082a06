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
        }
    }
    /// Whether unbound keys fall through to the global bindings.
    fn inherits_global(self) -> bool {
        !matches!(
            self,
            Context::Search | Context::Edit | Context::Confirm | Context::Help
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
}

#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn k(code: KeyCode) -> KeySpec {
    KeySpec {
        code,
        mods: KeyModifiers::NONE,
    }
}
const fn c(ch: char) -> KeySpec {
    k(KeyCode::Char(ch))
}
const fn ctrl(ch: char) -> KeySpec {
    KeySpec {
        code: KeyCode::Char(ch),
        mods: KeyModifiers::CONTROL,
    }
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

const fn b(
    context: Context,
    keys: &'static [KeySpec],
    label: &'static str,
    action: Action,
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

use Action as A;
use Context as C;

/// Every key the wizard knows, in the order the help shows them.
pub const BINDINGS: &[Binding] = &[
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
        ] {
            for h in hints(cx) {
                assert!(!h.keys.is_empty() && !h.help.is_empty(), "{h:?}");
            }
        }
    }
}
