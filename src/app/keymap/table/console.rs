//! The console's keys (issue 11): its tabs, and each tab's actions on the management APIs (CDS-WG1-02 §5–§9).

use crossterm::event::KeyCode;

use super::super::{Action as A, Binding, Context as C};
use super::{b, c, k};

pub(super) const CONSOLE: &[Binding] = &[
    b(
        C::Console,
        &[k(KeyCode::Right), k(KeyCode::Tab)],
        "→/Tab",
        A::NextTab,
        "tabs",
        "Next tab",
    ),
    b(
        C::Console,
        &[k(KeyCode::Left)],
        "←",
        A::PrevTab,
        "",
        "Previous tab",
    ),
    b(
        C::Console,
        &[c('/')],
        "/",
        A::StartSearch,
        "filter",
        "Filter the list as you type",
    ),
    b(
        C::Console,
        &[c('a')],
        "a",
        A::OpenAuthorize,
        "authorize",
        "Authorize a customer",
    ),
    b(
        C::Console,
        // F5, not Ctrl-R: Ctrl-R switches recording on and off on every screen.
        &[k(KeyCode::F(5))],
        "F5",
        A::Reload,
        "reload",
        "Load the tab again",
    ),
    b(
        C::Console,
        &[k(KeyCode::PageUp)],
        "PgUp",
        A::DetailUp,
        "",
        "Scroll details up",
    ),
    b(
        C::Console,
        &[k(KeyCode::PageDown)],
        "PgDn",
        A::DetailDown,
        "",
        "Scroll details down",
    ),
    b(
        C::ConsoleClients,
        &[k(KeyCode::Enter)],
        "Enter",
        A::Activate,
        "show",
        "Read the client again",
    ),
    b(
        C::ConsoleCredentials,
        &[c('r')],
        "r",
        A::Rotate,
        "rotate",
        "Rotate the client's secret",
    ),
    b(
        C::ConsoleCredentials,
        &[c('x')],
        "x",
        A::Expire,
        "expire",
        "Expire the credential now",
    ),
    b(
        C::ConsoleMessages,
        &[c('m')],
        "m",
        A::MarkRead,
        "read/unread",
        "Mark read or unread",
    ),
    b(
        C::ConsoleGrants,
        &[c('c')],
        "c",
        A::CloseGrant,
        "close",
        "Close the grant",
    ),
    b(
        C::ConsoleFiles,
        &[c('d')],
        "d",
        A::Download,
        "download",
        "Save the file here",
    ),
];
