//! The console engine's Messages API (CDS-WG1-02 §6) against the demo over HTTP: the three
//! lists paged on their own, marking read, the Message types a client sends (and those
//! refused before sending), threads whose latest `request_update` wins (§6.2), requests
//! completed through the demo's pages, production access after the simulated review, and a
//! review that survives a restart of the demo.

use std::time::Duration;

use cds_wizard::cds::ClientStatus;
use cds_wizard::cds::messages::{MessageRelatedType, MessageStatus, MessageType};
use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::onboarding::manage::ManageError;
use cds_wizard::onboarding::manage::clients::{self, ClientFilter};
use cds_wizard::onboarding::manage::messages::{
    self, MessageFilter, MessageList, Outgoing, Thread, threads,
};
use cds_wizard::onboarding::manage::{Page, Session};

use crate::manage_support::{Fixture, REVIEW, demo_answers, options};

async fn thread_of(s: &mut Session<'_>, message_id: &str) -> Thread {
    let all = messages::all(s, &MessageFilter::default()).await.unwrap();
    threads(&all)
        .into_iter()
        .find(|t| t.root.message_id == message_id)
        .expect("the thread")
}

#[tokio::test]
async fn lists_read_send_threads_and_completion_by_link() {
    let mut f = Fixture::new("mm", options(), Some(demo_answers())).await;
    let code = f.code_client();
    let base = f.server.base_url.clone();
    // The registration's internal review settles first, so the lists hold still.
    tokio::time::sleep(REVIEW * 3).await;
    let mut s = f.session();

    // Outstanding: the open requests, 2 a page, each page through `outstanding_next`.
    let mut page: Page<_> = messages::list_page(
        &mut s,
        MessageList::Outstanding,
        &MessageFilter::default(),
        None,
    )
    .await
    .unwrap();
    let mut seen = page.items.len();
    let mut pages = 1;
    while let Some(next) = page.next.clone() {
        page = messages::list_page(
            &mut s,
            MessageList::Outstanding,
            &MessageFilter::default(),
            Some(&next),
        )
        .await
        .unwrap();
        seen += page.items.len();
        pages += 1;
    }
    let outstanding =
        messages::collect(&mut s, MessageList::Outstanding, &MessageFilter::default())
            .await
            .unwrap();
    assert_eq!(seen, outstanding.len());
    assert!(pages >= 3, "{pages} pages");
    let unread = messages::collect(&mut s, MessageList::Unread, &MessageFilter::default())
        .await
        .unwrap();
    assert!(
        outstanding
            .iter()
            .all(|o| unread.iter().any(|u| u.message_id == o.message_id)),
        "nothing read yet"
    );

    // Mark read: from unread to read.
    let first = &unread[0].message_id;
    let m = messages::mark_read(&mut s, first, true).await.unwrap();
    assert!(m.read);
    let read = messages::collect(&mut s, MessageList::Read, &MessageFilter::default())
        .await
        .unwrap();
    assert!(read.iter().any(|m| m.message_id == *first));

    // Pay the fee through the payment page's link: the request completes, a request_update
    // with the receipt answers it.
    let pay = outstanding
        .iter()
        .find(|m| m.message_type == MessageType::PaymentRequest)
        .unwrap();
    let link = pay.related_uri.clone().unwrap();
    let web = reqwest::Client::new();
    let page_html = web
        .get(link.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page_html.contains("Pay now"), "{page_html}");
    let r = web
        .post(format!("{base}/forms/complete/{}", pay.message_id))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let t = thread_of(&mut s, &pay.message_id).await;
    assert_eq!(t.status, MessageStatus::Complete);
    let update = t
        .replies
        .iter()
        .find(|m| m.message_type == MessageType::RequestUpdate)
        .unwrap();
    assert_eq!(
        update.related_type,
        Some(MessageRelatedType::PaymentReceipt)
    );
    let receipt = web
        .get(update.related_uri.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert!(receipt.status().is_success());
    // Completing twice is refused (nothing open any more).
    let again = web
        .post(format!("{base}/forms/complete/{}", pay.message_id))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);

    // An online form, through the link in the message.
    let form = outstanding
        .iter()
        .find(|m| m.message_type == MessageType::OnlineFormRequest)
        .unwrap();
    let html = web
        .get(form.related_uri.clone().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("/forms/complete/{}", form.message_id)),
        "{html}"
    );
    web.post(format!("{base}/forms/complete/{}", form.message_id))
        .send()
        .await
        .unwrap();
    assert_eq!(
        thread_of(&mut s, &form.message_id).await.status,
        MessageStatus::Complete
    );

    // A returned PDF form: pending, then approved after the review.
    let pdf = outstanding
        .iter()
        .find(|m| m.message_type == MessageType::PdfFormRequest)
        .unwrap();
    assert!(
        pdf.description
            .contains(&format!("/forms/return/{}", pdf.message_id))
    );
    web.post(format!("{base}/forms/complete/{}", pdf.message_id))
        .send()
        .await
        .unwrap();
    assert_eq!(
        thread_of(&mut s, &pdf.message_id).await.status,
        MessageStatus::Pending
    );

    // A support request and a grant request are answered by request_updates.
    let support = messages::send(
        &mut s,
        &Outgoing {
            kind: Some(MessageType::SupportRequest),
            subject: "Token endpoint question".into(),
            body: "Which auth methods does the sandbox accept?".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(support.status, MessageStatus::Pending);
    assert_eq!(support.creator.as_deref(), Some(f_admin(&s).as_str()));
    let grant = messages::send(
        &mut s,
        &Outgoing {
            kind: Some(MessageType::GrantRequest),
            grants: vec![cds_wizard::cds::messages::ClientGrantRequest {
                scope: "dge_public_outages".into(),
                authorization_details: vec![],
                extra: Default::default(),
            }],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // A scope no client of the registration is registered for: declined, saying why.
    let refused = messages::send(
        &mut s,
        &Outgoing {
            kind: Some(MessageType::GrantRequest),
            grants: vec![cds_wizard::cds::messages::ClientGrantRequest {
                scope: "dge_rate_plan".into(),
                authorization_details: vec![],
                extra: Default::default(),
            }],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // A reply in the support thread.
    let reply = messages::send(
        &mut s,
        &Outgoing {
            kind: Some(MessageType::PrivateMessage),
            subject: "More detail".into(),
            body: "We use client_secret_basic.".into(),
            in_reply_to: Some(support.message_id.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(reply.previous_uri.as_ref(), Some(&support.uri));
    tokio::time::sleep(REVIEW * 3).await;
    let t = thread_of(&mut s, &support.message_id).await;
    assert_eq!(
        t.status,
        MessageStatus::Complete,
        "the latest request_update wins"
    );
    assert_eq!(t.replies.len(), 2, "the reply and the update");
    // The demo grants what the client is registered for (dge_public_outages here): the
    // request_update links the new Grant, which the Grants API lists.
    let accepted = thread_of(&mut s, &grant.message_id).await;
    assert_eq!(accepted.status, MessageStatus::Complete, "{accepted:?}");
    let update = accepted.replies.last().expect("the request_update");
    assert_eq!(update.related_type, Some(MessageRelatedType::Grant));
    let granted = cds_wizard::onboarding::manage::grants::list(&mut s, &Default::default())
        .await
        .unwrap();
    assert!(
        granted
            .iter()
            .any(|g| Some(&g.uri) == update.related_uri.as_ref()
                && g.scope == "dge_public_outages"
                && g.status == cds_wizard::cds::GrantStatus::Active),
        "{granted:#?}"
    );
    let declined = thread_of(&mut s, &refused.message_id).await;
    assert_eq!(declined.status, MessageStatus::Rejected);
    let why = &declined
        .replies
        .last()
        .expect("the request_update")
        .description;
    assert!(
        why.contains("dge_rate_plan") && why.contains("registered for"),
        "{why}"
    );
    assert_eq!(
        thread_of(&mut s, &pdf.message_id).await.status,
        MessageStatus::Complete
    );

    // Refused before sending.
    for bad in [
        Outgoing {
            kind: Some(MessageType::Notification),
            subject: "x".into(),
            body: "y".into(),
            ..Default::default()
        },
        Outgoing {
            kind: Some(MessageType::SupportRequest),
            ..Default::default()
        },
        Outgoing {
            kind: Some(MessageType::ClientSubmission),
            answers: vec![("a".into(), "b".into())],
            ..Default::default()
        },
        Outgoing {
            kind: Some(MessageType::ClientSubmission),
            in_reply_to: Some(support.message_id.clone()),
            answers: vec![("a".into(), "b".into())],
            ..Default::default()
        },
        Outgoing {
            kind: Some(MessageType::GrantRequest),
            ..Default::default()
        },
        Outgoing {
            kind: Some(MessageType::ProductionRequest),
            ..Default::default()
        },
    ] {
        let e = messages::send(&mut s, &bad).await.unwrap_err();
        assert!(matches!(e, ManageError::Refused(_)), "{e}");
    }

    // A production request for the sandbox code-flow client: answered after the review with
    // the production Client object linked (§6.3).
    let prod = messages::send(
        &mut s,
        &Outgoing {
            kind: Some(MessageType::ProductionRequest),
            client_id: Some(code.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(prod.status, MessageStatus::Pending);
    tokio::time::sleep(REVIEW * 3).await;
    let t = thread_of(&mut s, &prod.message_id).await;
    assert_eq!(t.status, MessageStatus::Complete, "{t:?}");
    let linked = messages::get(&mut s, &prod.message_id).await.unwrap();
    assert_eq!(linked.related_type, Some(MessageRelatedType::Client));
    let after = clients::list(&mut s, &ClientFilter::default())
        .await
        .unwrap();
    let production = after
        .iter()
        .find(|c| Some(&c.cds_client_uri) == linked.related_uri.as_ref())
        .expect("the linked Client object");
    assert_eq!(production.cds_status, ClientStatus::Production);
    assert!(production.response_types.iter().any(|r| r == "code"));
    drop(s);
    f.stop().await;
}

fn f_admin(s: &Session<'_>) -> String {
    s.profile().admin_client_id.clone().unwrap()
}

/// Stops the fixture's demo and starts it again on the same port from `state`, with the
/// short review delay.
async fn restart(f: &mut Fixture, state: &std::path::Path) {
    restart_with(f, state, REVIEW).await;
}

/// [`restart`] with the reviews taking `review`.
async fn restart_with(f: &mut Fixture, state: &std::path::Path, review: Duration) {
    let port = f.server.addr.port();
    let Fixture { server, .. } = f;
    let old = std::mem::replace(
        server,
        // Placeholder replaced below; start on a free port first to free `port` after stop.
        DemoServer::start(0, DemoOptions::default()).await.unwrap(),
    );
    old.stop().await;
    // The freed port can be taken for a moment by another test's outgoing connection (both
    // come from the same ephemeral range): try again for a few seconds.
    let mut tries = 0;
    let restarted = loop {
        let mut again = options();
        again.registry.review_delay = review;
        again.state_file = Some(state.to_owned());
        match DemoServer::start(port, again).await {
            Ok(server) => break server,
            Err(e) if tries < 50 => {
                tries += 1;
                eprintln!("port {port} busy ({e}); again");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("restart on the same port: {e}"),
        }
    };
    let placeholder = std::mem::replace(&mut f.server, restarted);
    placeholder.stop().await;
}

/// The registration's internal review is still running when the demo stops; started again
/// on the same port and state file, the review finishes.
#[tokio::test]
async fn a_review_in_progress_resumes_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("demo-state.json");
    let mut opts = options();
    opts.registry.review_delay = Duration::from_secs(3600);
    opts.state_file = Some(state.clone());
    let mut f = Fixture::new("mrs", opts, Some(demo_answers())).await;
    let review = {
        let mut s = f.session();
        let out = messages::collect(&mut s, MessageList::Outstanding, &MessageFilter::default())
            .await
            .unwrap();
        out.into_iter()
            .find(|m| m.message_type == MessageType::ProductionRequest)
            .expect("the internal review")
    };
    restart(&mut f, &state).await;
    tokio::time::sleep(REVIEW * 4).await;
    let mut s = f.session();
    let t = thread_of(&mut s, &review.message_id).await;
    assert_eq!(t.status, MessageStatus::Complete, "{t:?}");
    let prod = clients::list(&mut s, &ClientFilter::default())
        .await
        .unwrap();
    assert!(prod.iter().any(|c| c.cds_status == ClientStatus::Production
        && c.response_types.iter().any(|r| r == "code")));
    drop(s);
    f.stop().await;
}

/// A production request the app sends while the registration's own internal review of the same
/// sandbox client is still running, and the demo restarted before either finished: both are
/// answered by the one review, and the sandbox gets one production Client object, not two.
#[tokio::test]
async fn two_production_requests_for_one_sandbox_make_one_production_client() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("demo-state.json");
    let mut opts = options();
    opts.registry.review_delay = Duration::from_secs(3600);
    opts.state_file = Some(state.clone());
    let mut f = Fixture::new("mpr", opts, Some(demo_answers())).await;
    let (review, mine, sandbox) = {
        let mut s = f.session();
        let outstanding =
            messages::collect(&mut s, MessageList::Outstanding, &MessageFilter::default())
                .await
                .unwrap();
        let review = outstanding
            .into_iter()
            .find(|m| m.message_type == MessageType::ProductionRequest)
            .expect("the internal review, still running");
        let before = clients::list(&mut s, &ClientFilter::default())
            .await
            .unwrap();
        let sandbox = before
            .iter()
            .find(|c| Some(&c.cds_client_uri) == review.related_uri.as_ref())
            .expect("the sandbox under review")
            .clone();
        let mine = messages::send(
            &mut s,
            &Outgoing {
                kind: Some(MessageType::ProductionRequest),
                client_id: Some(sandbox.client_id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        (review, mine, sandbox)
    };
    restart(&mut f, &state).await;
    tokio::time::sleep(REVIEW * 4).await;
    let mut s = f.session();
    for id in [&review.message_id, &mine.message_id] {
        assert_eq!(
            thread_of(&mut s, id).await.status,
            MessageStatus::Complete,
            "{id}"
        );
    }
    let after = clients::list(&mut s, &ClientFilter::default())
        .await
        .unwrap();
    let productions: Vec<_> = after
        .iter()
        .filter(|c| c.cds_status == ClientStatus::Production && c.scope == sandbox.scope)
        .collect();
    assert_eq!(productions.len(), 1, "{productions:#?}");
    drop(s);
    f.stop().await;
}

/// A production request for a sandbox whose production copy exists already is answered with
/// that copy; when the demo restarts before the answer, the request resumes as a review — and
/// still links the one production Client object rather than making a second.
#[tokio::test]
async fn a_production_request_resumed_after_a_restart_makes_no_second_client() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("demo-state.json");
    let mut opts = options();
    opts.state_file = Some(state.clone());
    let mut f = Fixture::new("mpi", opts, Some(demo_answers())).await;
    // The registration's own review makes the production copy.
    tokio::time::sleep(REVIEW * 3).await;
    let productions = |all: &[cds_wizard::cds::ClientObject]| {
        all.iter()
            .filter(|c| {
                c.cds_status == ClientStatus::Production
                    && c.response_types.iter().any(|r| r == "code")
            })
            .count()
    };
    let sandbox = {
        let mut s = f.session();
        let all = clients::list(&mut s, &ClientFilter::default())
            .await
            .unwrap();
        assert_eq!(productions(&all), 1, "{all:#?}");
        all.into_iter()
            .find(|c| {
                c.cds_status == ClientStatus::Sandbox
                    && c.response_types.iter().any(|r| r == "code")
            })
            .expect("the sandbox code-flow client")
    };
    // The app asks again while the answer takes an hour, and the demo stops before it.
    restart_with(&mut f, &state, Duration::from_secs(3600)).await;
    let mine = {
        let mut s = f.session();
        messages::send(
            &mut s,
            &Outgoing {
                kind: Some(MessageType::ProductionRequest),
                client_id: Some(sandbox.client_id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
    };
    assert_eq!(mine.status, MessageStatus::Pending);
    restart(&mut f, &state).await;
    tokio::time::sleep(REVIEW * 4).await;
    let mut s = f.session();
    let t = thread_of(&mut s, &mine.message_id).await;
    assert_eq!(t.status, MessageStatus::Complete, "{t:?}");
    let all = clients::list(&mut s, &ClientFilter::default())
        .await
        .unwrap();
    assert_eq!(
        productions(&all),
        1,
        "no second production client: {all:#?}"
    );
    let linked = messages::get(&mut s, &mine.message_id).await.unwrap();
    assert!(
        all.iter().any(|c| c.cds_status == ClientStatus::Production
            && Some(&c.cds_client_uri) == linked.related_uri.as_ref()),
        "the request links the production client"
    );
    drop(s);
    f.stop().await;
}
