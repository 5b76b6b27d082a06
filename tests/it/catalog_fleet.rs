//! The research catalog (issue 13) under stress and through the binary: a crawl killed or
//! interrupted mid-way keeps only whole utilities (WAL, one transaction per utility), and
//! `demo-server --fleet` prints `LISTENING` and serves its URL list.

use std::path::Path;
use std::time::Duration;

use cds_wizard::catalog::crawl;
use cds_wizard::catalog::store::Catalog;

use super::catalog::{client, fleet, get};

/// Every stored utility of `db` is whole: its counted scopes and coverage are all there.
fn assert_only_whole_utilities(db: &Path) -> usize {
    let c = Catalog::open(db).unwrap();
    let check: String = c
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let mut st = c
        .conn()
        .prepare("SELECT id, scopes, coverage_entries FROM utilities WHERE status = 'ok'")
        .unwrap();
    let rows: Vec<(i64, usize, usize)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, scopes, coverage) in &rows {
        let s = c.load(*id).unwrap();
        assert!(*scopes > 0);
        assert_eq!(
            (s.scopes.len(), s.coverage.len()),
            (*scopes, *coverage),
            "utility {id}"
        );
        let docs: i64 = c
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM documents WHERE utility_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(docs, 3, "utility {id}");
    }
    rows.len()
}

async fn stored(db: &Path) -> usize {
    let Ok(c) =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    c.query_row(
        "SELECT COUNT(*) FROM utilities WHERE status = 'ok'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as usize)
    .unwrap_or(0)
}

/// Starts the binary crawling `list` into `db`, waits until a few utilities are stored.
async fn crawl_until_some(list: &Path, db: &Path) -> tokio::process::Child {
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
        .args([
            "catalog",
            "crawl",
            "--concurrency",
            "2",
            "--per-host",
            "2",
            "--from",
        ])
        .arg(list)
        .arg("--db")
        .arg(db)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn crawl");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while stored(db).await < 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the crawl stored nothing"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crawl_killed_or_interrupted_keeps_only_whole_utilities() {
    // 40 utilities, 60 ms a response: the crawl takes several seconds, killed after a few.
    let f = fleet(40, 3, 100, 60).await;
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("fleet.txt");
    std::fs::write(&list, f.fleet.list()).unwrap();

    let killed = dir.path().join("killed.sqlite");
    let mut child = crawl_until_some(&list, &killed).await;
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let n = assert_only_whole_utilities(&killed);
    assert!((3..40).contains(&n), "{n} stored");

    let interrupted = dir.path().join("interrupted.sqlite");
    let child = crawl_until_some(&list, &interrupted).await;
    let pid = child.id().unwrap().to_string();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(130));
    let n = assert_only_whole_utilities(&interrupted);
    assert!((3..40).contains(&n), "{n} stored");
    let c = Catalog::open(&interrupted).unwrap();
    let (finished, flag): (Option<String>, bool) = c
        .conn()
        .query_row("SELECT finished, interrupted FROM crawls", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!(finished.is_some() && flag);
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_server_fleet_prints_listening_and_serves_its_list() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
        .args(["demo-server", "--fleet", "3", "--seed", "9", "--epoch", "2"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn demo-server --fleet");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("LISTENING in time")
        .unwrap()
        .unwrap();
    let base = first.strip_prefix("LISTENING ").expect(&first).to_owned();
    let fetched = client()
        .get(&url::Url::parse(&format!("{base}/fleet.txt")).unwrap())
        .await
        .unwrap();
    let list = String::from_utf8(fetched.body).unwrap();
    assert!(
        list.starts_with("# cds-wizard demo fleet: 3 utilities, seed 9, epoch 2\n"),
        "{list}"
    );
    let urls = crawl::parse_url_list(&list);
    assert_eq!(urls.len(), 3);
    for (i, u) in urls.iter().enumerate() {
        assert_eq!(
            u,
            &format!("{base}/u/u{i:04}/.well-known/cds-server-metadata.json")
        );
        assert!(get(u).await["name"].is_string());
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
}
