//! The console engine's Clients API (CDS-WG1-02 §5) against the demo over HTTP: every page
//! followed (the demo pages by 2), the `client_ids` filter, retrieval, a modification applied
//! at once (200), one under review (202) with its `field_changes` Message and the review's
//! outcome, and modifications refused before anything is sent.

use cds_wizard::cds::ClientStatus;
use cds_wizard::cds::messages::{MessageStatus, MessageType};
use cds_wizard::onboarding::manage::ManageError;
use cds_wizard::onboarding::manage::clients::{self, ClientChange, ClientFilter};
use cds_wizard::onboarding::manage::messages::{self, MessageFilter};
use serde_json::json;

use crate::manage_support::{Fixture, REVIEW, demo_answers, options};

#[tokio::test]
async fn clients_page_filter_get_and_modify() {
    let mut f = Fixture::new("mc", options(), Some(demo_answers())).await;
    let ids = f.client_ids();
    assert_eq!(
        ids.len(),
        4,
        "admin, grant admin, outages and code-flow clients"
    );
    // The registration's internal review settles first, so the listing holds still.
    tokio::time::sleep(REVIEW * 3).await;
    let mut s = f.session();

    // Lazy paging: two a page, the cursor leads on, previous leads back; the pages together
    // are the whole listing (the internal review may have added a production client).
    let first = clients::list_page(&mut s, &ClientFilter::default(), None)
        .await
        .unwrap();
    assert_eq!(first.items.len(), 2);
    assert!(first.previous.is_none() && first.next.is_some());
    let mut paged: Vec<String> = first.items.iter().map(|c| c.client_id.clone()).collect();
    let mut cursor = first.next.clone();
    while let Some(next) = cursor {
        let page = clients::list_page(&mut s, &ClientFilter::default(), Some(&next))
            .await
            .unwrap();
        assert!(page.previous.is_some());
        paged.extend(page.items.iter().map(|c| c.client_id.clone()));
        cursor = page.next;
    }
    let all = clients::list(&mut s, &ClientFilter::default())
        .await
        .unwrap();
    let mut listed: Vec<String> = all.iter().map(|c| c.client_id.clone()).collect();
    listed.sort();
    paged.sort();
    assert_eq!(paged, listed);
    assert!(
        ids.iter().all(|id| listed.contains(id)),
        "{ids:?} in {listed:?}"
    );

    // The filter.
    let one = clients::list(
        &mut s,
        &ClientFilter {
            client_ids: vec![ids[1].clone()],
        },
    )
    .await
    .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].client_id, ids[1]);

    // 200: a field §5.5 lets clients change.
    drop(s);
    let code = f.code_client();
    let mut s = f.session();
    let change = clients::modify(
        &mut s,
        &code,
        &[("client_name".into(), json!("Renamed App"))],
    )
    .await
    .unwrap();
    assert!(matches!(change, ClientChange::Applied { .. }), "{change:?}");
    let got = clients::get(&mut s, &code).await.unwrap();
    assert_eq!(got.client_name.as_deref(), Some("Renamed App"));
    assert_eq!(
        got.scope,
        change.client().scope,
        "the rest of the object kept"
    );

    // Refused before sending: immutable fields, and a status not offered.
    let before = got.cds_modified;
    for (field, value) in [
        ("grant_types", json!(["client_credentials"])),
        ("client_id", json!("other")),
        ("cds_client_uri", json!("https://elsewhere.example/")),
    ] {
        let e = clients::modify(&mut s, &code, &[(field.into(), value)])
            .await
            .unwrap_err();
        assert!(
            matches!(&e, ManageError::Refused(why) if why.contains(field) && why.contains("§5.5")),
            "{e}"
        );
    }
    let e = clients::modify(
        &mut s,
        &code,
        &[(
            "cds_status".into(),
            json!(ClientStatus::Production.as_str()),
        )],
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("cds_status_options"), "{e}");
    assert_eq!(
        clients::get(&mut s, &code).await.unwrap().cds_modified,
        before
    );

    // 202: an added scope waits for review, tracked by a field_changes Message.
    let wanted = format!("{} dge_rate_plan", got.scope);
    let change = clients::modify(&mut s, &code, &[("scope".into(), json!(wanted))])
        .await
        .unwrap();
    let ClientChange::UnderReview { client, review } = change else {
        panic!("expected 202 under review, got {change:?}");
    };
    assert_eq!(client.scope, got.scope, "not applied yet");
    let review = review.expect("the field_changes Message");
    assert_eq!(review.message_type, MessageType::FieldChanges);
    assert_eq!(review.status, MessageStatus::Pending);
    tokio::time::sleep(REVIEW * 3).await;
    let after = clients::get(&mut s, &code).await.unwrap();
    assert!(
        after.scope.split(' ').any(|x| x == "dge_rate_plan"),
        "{}",
        after.scope
    );
    let m = messages::get(&mut s, &review.message_id).await.unwrap();
    assert_eq!(m.status, MessageStatus::Complete);
    let _ = messages::all(&mut s, &MessageFilter::default())
        .await
        .unwrap();
    drop(s);
    f.stop().await;
}
