//! The console engine's Grants (CDS-WG1-02 §8) and Server-Provided Files (§9) APIs against the
//! demo over HTTP: the server-created files Grant listed with the status and scope filters,
//! reduced (200, and 202 pending under the demo's `grant_review` option), additions refused
//! before sending, closed; its files listed with a Grant Admin token (§3.3.2), read, and
//! downloaded — never over an existing file.

use cds_wizard::cds::GrantStatus;
use cds_wizard::onboarding::manage::files;
use cds_wizard::onboarding::manage::grants::{self, GrantChange, GrantFilter};
use cds_wizard::onboarding::manage::{ManageError, Session};

use crate::manage_support::{Fixture, REVIEW, options};

async fn the_grant(s: &mut Session<'_>) -> cds_wizard::cds::Grant {
    let all = grants::list(s, &GrantFilter::default()).await.unwrap();
    assert_eq!(all.len(), 1, "the server-created files Grant");
    all.into_iter().next().unwrap()
}

#[tokio::test]
async fn grants_filter_reduce_and_close() {
    let mut f = Fixture::new("mg", options(), None).await;
    let mut s = f.session();
    let g = the_grant(&mut s).await;
    assert_eq!(g.status, GrantStatus::Active);
    assert_eq!(g.authorization_details.len(), 2);

    let by = |statuses: Vec<GrantStatus>, scopes: Vec<String>| GrantFilter {
        statuses,
        scopes,
        ..Default::default()
    };
    let hit = grants::list(
        &mut s,
        &by(vec![GrantStatus::Active], vec![g.scope.clone()]),
    )
    .await
    .unwrap();
    assert_eq!(hit.len(), 1);
    let miss = grants::list(&mut s, &by(vec![GrantStatus::Closed], vec![]))
        .await
        .unwrap();
    assert!(miss.is_empty());
    let miss = grants::list(&mut s, &by(vec![], vec!["dge_usage_gas".into()]))
        .await
        .unwrap();
    assert!(miss.is_empty());
    assert_eq!(
        grants::get(&mut s, &g.grant_id).await.unwrap().grant_id,
        g.grant_id
    );

    // Additions are refused before sending.
    let e = grants::reduce(
        &mut s,
        &g.grant_id,
        Some("cds_server_provided_files_1 dge_rate_plan"),
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ManageError::Refused(_)), "{e}");
    let foreign = serde_json::json!({"type": "cds_server_provided_files_1", "file_id": "nope"});
    let e = grants::reduce(&mut s, &g.grant_id, None, Some(vec![foreign]))
        .await
        .unwrap_err();
    assert!(matches!(e, ManageError::Refused(_)), "{e}");

    // A reduction (200): one file kept.
    let keep = vec![g.authorization_details[0].clone()];
    let change = grants::reduce(&mut s, &g.grant_id, None, Some(keep.clone()))
        .await
        .unwrap();
    let GrantChange::Applied { grant } = change else {
        panic!("expected 200, got {change:?}");
    };
    assert_eq!(grant.authorization_details, keep);
    assert_eq!(grant.enabled_authorization_details, keep);

    // Close.
    let closed = grants::close(&mut s, &g.grant_id).await.unwrap();
    assert_eq!(closed.grant().status, GrantStatus::Closed);
    let e = grants::close(&mut s, &g.grant_id).await.unwrap_err();
    assert!(matches!(e, ManageError::Refused(_)), "{e}");
    drop(s);
    f.stop().await;
}

#[tokio::test]
async fn a_reviewed_reduction_is_pending_with_what_stays_enabled() {
    let mut opts = options();
    opts.grant_review = true;
    let mut f = Fixture::new("mg2", opts, None).await;
    let mut s = f.session();
    let g = the_grant(&mut s).await;
    let keep = vec![g.authorization_details[1].clone()];
    let change = grants::reduce(&mut s, &g.grant_id, None, Some(keep.clone()))
        .await
        .unwrap();
    let GrantChange::Pending { grant } = change else {
        panic!("expected 202 pending, got {change:?}");
    };
    assert_eq!(grant.status, GrantStatus::Pending);
    assert_eq!(grant.enabled_authorization_details, keep);
    assert!(grant.eta.is_some());
    tokio::time::sleep(REVIEW * 3).await;
    let settled = grants::get(&mut s, &g.grant_id).await.unwrap();
    assert_eq!(settled.status, GrantStatus::Active);
    assert!(settled.eta.is_none());
    drop(s);
    f.stop().await;
}

#[tokio::test]
async fn files_list_get_and_download_without_overwriting() {
    let mut f = Fixture::new("mf", options(), None).await;
    let dir = tempfile::tempdir().unwrap();
    let mut s = f.session();
    let fgs = files::file_grants(&mut s).await.unwrap();
    assert_eq!(fgs.len(), 1);
    let page = files::list_page(&mut s, &fgs[0], &[], None).await.unwrap();
    assert_eq!(page.items.len(), 2);
    let list = files::list(&mut s, &[]).await.unwrap();
    assert_eq!(list.len(), 2);
    assert!(
        list[0].file.modified >= list[1].file.modified,
        "newest first"
    );
    let one = files::get(&mut s, &list[1].file.file_id).await.unwrap();
    assert_eq!(one.file.name, list[1].file.name);

    let path = dir.path().join(&one.file.name);
    let d = files::download(&mut s, &one.file.file_id, &path)
        .await
        .unwrap();
    assert_eq!(d.bytes, one.file.size);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), one.file.size);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // Never over an existing file: refused, the file untouched.
    std::fs::write(&path, b"mine").unwrap();
    let e = files::download(&mut s, &one.file.file_id, &path)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("already exists"), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), b"mine");
    let e = files::get(&mut s, "no-such-file").await.unwrap_err();
    assert!(matches!(e, ManageError::NotFound { .. }), "{e}");
    drop(s);
    f.stop().await;
}
