//! `cds-wizard messages PROFILE [list [--outstanding|--unread|--read]|show ID|read ID|send
//! --type T ...]`: the utility's Messages (CDS-WG1-02 §6) — threads whose latest
//! `request_update` status wins (§6.2), and the Messages a client may send (§6.9).

use std::process::ExitCode;

use anyhow::{Context, anyhow};
use base64::Engine;

use crate::cds::messages::{ClientGrantRequest, MessageAttachment, MessageType};
use crate::cli::{MessagesAction, MessagesArgs, SendArgs};
use crate::onboarding::manage::messages::{self, MessageFilter, MessageList, Outgoing};
use crate::present::manage as words;

use super::console::{self, Console};

/// Attachments in all (§6.9: servers accept at least 10 megabytes).
const ATTACHMENTS_LIMIT: u64 = 10 * 1000 * 1000;

pub async fn run(args: &MessagesArgs) -> anyhow::Result<ExitCode> {
    let mut c = Console::open(&args.profile, &args.options).await?;
    let mut s = c.session()?;
    let tz = console::zone(&s);
    let tz = tz.as_deref();
    let json = args.options.json;
    let none = MessagesAction::List {
        outstanding: false,
        unread: false,
        read: false,
    };
    match args.action.as_ref().unwrap_or(&none) {
        MessagesAction::List {
            outstanding,
            unread,
            read,
        } => list(&mut s, [*outstanding, *unread, *read], json, tz).await?,
        MessagesAction::Show { message_id } => {
            let m = messages::get(&mut s, message_id).await?;
            if json {
                console::json(&m);
            } else {
                console::lines(words::message_detail(&m, tz));
            }
        }
        MessagesAction::Read { message_id, unread } => {
            let m = messages::mark_read(&mut s, message_id, !unread).await?;
            if json {
                console::json(&m);
            } else {
                println!(
                    "Message {} marked {}.",
                    crate::text::sanitize(&m.message_id),
                    if m.read { "read" } else { "unread" }
                );
            }
        }
        MessagesAction::Send(send) => {
            let out = outgoing(send)?;
            let m = messages::send(&mut s, &out).await?;
            if json {
                console::json(&m);
            } else {
                println!("{}", words::sent(&m));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `messages list`: one of the three lists, or every Message as threads.
async fn list(
    s: &mut crate::onboarding::manage::Session<'_>,
    [outstanding, unread, read]: [bool; 3],
    json: bool,
    tz: Option<&str>,
) -> anyhow::Result<()> {
    let which = if outstanding {
        Some(MessageList::Outstanding)
    } else if unread {
        Some(MessageList::Unread)
    } else if read {
        Some(MessageList::Read)
    } else {
        None
    };
    match which {
        Some(list) => {
            let found = messages::collect(s, list, &MessageFilter::default()).await?;
            if json {
                console::json(&found);
            } else {
                println!("{}", words::MESSAGE_HEAD);
                console::lines(found.iter().map(words::message_row));
            }
        }
        None => {
            let all = messages::all(s, &MessageFilter::default()).await?;
            let threads = messages::threads(&all);
            if json {
                console::json(&threads);
            } else {
                if threads.is_empty() {
                    println!("No messages.");
                }
                console::lines(threads.iter().flat_map(|t| words::thread(t, tz)));
            }
        }
    }
    Ok(())
}

/// The command line's Message, checked by the engine before it is sent.
fn outgoing(a: &SendArgs) -> anyhow::Result<Outgoing> {
    let kind = MessageType::from(a.kind.as_str());
    let related_uri = match &a.related_uri {
        Some(u) => Some(crate::http::parse_url(u)?),
        None => None,
    };
    let answers = a
        .answer
        .iter()
        .map(|x| {
            x.split_once('=')
                .map(|(f, t)| (f.trim().to_owned(), t.to_owned()))
                .ok_or_else(|| anyhow!("--answer `{x}` is not FIELD=TEXT"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Outgoing {
        kind: Some(kind),
        subject: a.subject.clone(),
        body: a.body.clone(),
        in_reply_to: a.in_reply_to.clone(),
        client_id: a.client.clone(),
        related_uri,
        grants: a
            .scope
            .iter()
            .map(|sc| ClientGrantRequest {
                scope: sc.clone(),
                authorization_details: Vec::new(),
                extra: Default::default(),
            })
            .collect(),
        answers,
        attachments: attachments(&a.attach)?,
    })
}

fn attachments(paths: &[std::path::PathBuf]) -> anyhow::Result<Vec<MessageAttachment>> {
    let mut total = 0u64;
    let mut out = Vec::new();
    for p in paths {
        let len = std::fs::metadata(p)
            .with_context(|| p.display().to_string())?
            .len();
        total += len;
        if total > ATTACHMENTS_LIMIT {
            return Err(anyhow!(
                "attachments exceed {ATTACHMENTS_LIMIT} bytes in all (WG1-02 §6.9)"
            ));
        }
        let bytes = std::fs::read(p).with_context(|| p.display().to_string())?;
        let filename = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "attachment".to_owned());
        out.push(MessageAttachment {
            mime_type: mime_of(&filename).to_owned(),
            filename,
            data: base64::engine::general_purpose::STANDARD.encode(bytes),
        });
    }
    Ok(out)
}

/// §6.7: unknown types are `application/octet-stream`.
fn mime_of(name: &str) -> &'static str {
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "json" => "application/json",
        "txt" => "text/plain",
        "csv" => "text/csv",
        _ => "application/octet-stream",
    }
}
