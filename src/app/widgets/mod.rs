//! Input halves of the widgets the screens share (their drawing halves are in `ui::widgets`):
//! the typed form, a line of text, and list cursors.

pub mod form;
pub mod list;
pub mod text_input;
