//! Input halves of the widgets the screens share (their drawing halves are in `ui::widgets`):
//! the typed form, a line of text, list cursors, a row of tabs and a yes/no dialog.

pub mod confirm;
pub mod form;
pub mod list;
pub mod tabs;
pub mod text_input;
