//! List cursors: how the movement keys of the key table move a selection or a scroll offset.

use crate::app::keymap::Action;

/// Rows a page-sized jump moves (the list height is a drawing matter; this is close enough).
pub const PAGE: isize = 10;

/// How far a movement action moves a cursor (`None` for other actions).
pub fn movement(action: Action) -> Option<isize> {
    match action {
        Action::Up => Some(-1),
        Action::Down => Some(1),
        Action::PageUp => Some(-PAGE),
        Action::PageDown => Some(PAGE),
        Action::Home => Some(isize::MIN / 2),
        Action::End => Some(isize::MAX / 2),
        _ => None,
    }
}

/// `cursor` moved by `delta` and kept within a list of `len` rows.
pub fn moved(cursor: usize, delta: isize, len: usize) -> usize {
    (cursor as isize)
        .saturating_add(delta)
        .clamp(0, len.saturating_sub(1) as isize) as usize
}

/// Moves a scroll offset by `delta` lines.
pub fn scroll(offset: &mut u16, delta: isize) {
    *offset = (*offset as isize + delta).clamp(0, u16::MAX as isize) as u16;
}
