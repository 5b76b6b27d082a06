//! Drawing halves of the widgets the screens share (their input halves are in `app::widgets`).

pub mod form;
