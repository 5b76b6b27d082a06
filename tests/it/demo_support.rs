//! The demo utility's support desk (CDS-WG1-02 §6.9) through the console engine over HTTP: a
//! support request too short to act on is answered with a `server_request` asking for detail
//! in its thread; the app's `client_submission` answers it, and after the review both the
//! question and the request complete, each with its `request_update` (§6.2).

use cds_wizard::cds::messages::{MessageStatus, MessageType};
use cds_wizard::onboarding::manage::messages::{self, MessageFilter, Outgoing, threads};

use crate::manage_support::{Fixture, REVIEW, demo_answers, options};

#[tokio::test]
async fn a_short_support_request_is_asked_for_detail_and_the_answer_completes_it() {
    let mut f = Fixture::new("dsd", options(), Some(demo_answers())).await;
    let mut s = f.session();
    let help = messages::send(
        &mut s,
        &Outgoing {
            kind: Some(MessageType::SupportRequest),
            subject: "Token trouble".into(),
            body: "401s".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tokio::time::sleep(REVIEW * 3).await;
    let all = messages::all(&mut s, &MessageFilter::default())
        .await
        .unwrap();
    let t = threads(&all)
        .into_iter()
        .find(|t| t.root.message_id == help.message_id)
        .expect("the support thread");
    assert_eq!(t.status, MessageStatus::Pending, "waits on the app: {t:?}");
    let question = t
        .replies
        .iter()
        .find(|m| m.message_type == MessageType::ServerRequest)
        .expect("the desk's server_request")
        .clone();
    assert_eq!(question.status, MessageStatus::Open);
    assert!(question.description.contains("401s"), "{question:?}");
    let asked: Vec<&str> = question
        .updates_requested
        .iter()
        .flatten()
        .map(|u| u.field.as_str())
        .collect();
    assert_eq!(asked, ["details"]);

    let answer = messages::send(
        &mut s,
        &Outgoing {
            kind: Some(MessageType::ClientSubmission),
            in_reply_to: Some(question.message_id.clone()),
            answers: vec![(
                "details".into(),
                "Every token request with client_secret_basic since 09:00 answers 401.".into(),
            )],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(answer.previous_uri.as_ref(), Some(&question.uri));
    assert_eq!(
        messages::get(&mut s, &question.message_id)
            .await
            .unwrap()
            .status,
        MessageStatus::Pending,
        "answered: the desk reviews it"
    );
    tokio::time::sleep(REVIEW * 3).await;
    let all = messages::all(&mut s, &MessageFilter::default())
        .await
        .unwrap();
    let t = threads(&all)
        .into_iter()
        .find(|t| t.root.message_id == help.message_id)
        .expect("the support thread");
    assert_eq!(t.status, MessageStatus::Complete, "{t:?}");
    assert_eq!(
        messages::get(&mut s, &question.message_id)
            .await
            .unwrap()
            .status,
        MessageStatus::Complete
    );
    let updates = t
        .replies
        .iter()
        .filter(|m| m.message_type == MessageType::RequestUpdate)
        .count();
    assert_eq!(updates, 2, "the question's and the request's: {t:?}");
    // Answered once: no second question after the request completed.
    let questions = t
        .replies
        .iter()
        .filter(|m| m.message_type == MessageType::ServerRequest)
        .count();
    assert_eq!(questions, 1);
    drop(s);
    f.stop().await;
}
