//! Messages in their threads (CDS-WG1-02 §6.2), as the console's Messages tab shows them: a
//! reply under the request it answers, the request with the status its latest
//! `request_update` gives, and the thread in the request's details.

use crate::cds::Message;
use crate::cds::messages::MessageStatus;
use crate::text::{sanitize, sanitize_line};

use super::manage::{message_detail, message_row};
use super::time::in_zone;

/// A Message's row in its thread: `↳` before a reply; a request shows its thread's status.
pub fn row(m: &Message, reply: bool, status: Option<&MessageStatus>) -> String {
    let line = match status {
        Some(s) => {
            let mut shown = m.clone();
            shown.status = s.clone();
            message_row(&shown)
        }
        None => message_row(m),
    };
    if reply { format!("↳ {line}") } else { line }
}

/// A Message in full, then its thread: the status that holds now and every reply.
pub fn detail(
    m: &Message,
    status: Option<&MessageStatus>,
    replies: &[&Message],
    tz: Option<&str>,
) -> Vec<String> {
    let mut out = message_detail(m, tz);
    if let Some(s) = status {
        out.push(format!(
            "  now       {} (the latest request_update; the request said {})",
            sanitize(s.as_str()),
            sanitize(m.status.as_str())
        ));
    }
    if !replies.is_empty() {
        out.push(String::new());
        out.push(format!(
            "Thread: {} repl{}",
            replies.len(),
            if replies.len() == 1 { "y" } else { "ies" }
        ));
        for r in replies {
            out.push(format!(
                "  ↳ {} [{}] {} ({})",
                sanitize_line(r.message_type.as_str(), 20),
                sanitize(r.status.as_str()),
                sanitize_line(&r.name, 60),
                in_zone(r.created, tz)
            ));
            if !r.description.is_empty() {
                out.push(format!("      {}", sanitize_line(&r.description, 200)));
            }
        }
    }
    out
}
