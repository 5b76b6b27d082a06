//! Drawing halves of the widgets the screens share (their input halves are in `app::widgets`):
//! the form, lists with a cursor, panes of text, a row of tabs and a yes/no dialog.

pub mod confirm;
pub mod form;
pub mod list;
pub mod tabs;
pub mod text_pane;
