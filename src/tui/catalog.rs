//! The Catalog view's reads (issue 13 point 5): the research catalog's database queried off the
//! event loop (`spawn_blocking`), the rows the view draws built there too, answered as messages
//! carrying the request id. Read-only: a missing database is reported, never created.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::app::screens::catalog::StoredUtility;
use crate::app::screens::catalog::fleet::FleetView;
use crate::app::{Msg, ReqId};
use crate::catalog::browse;
use crate::catalog::store::{self, Catalog};

/// The database to read: the one given, else the default one; it must exist.
fn open(db: Option<PathBuf>) -> Result<(PathBuf, Catalog), String> {
    let path = match db {
        Some(p) => p,
        None => store::default_path().map_err(|e| format!("{e:#}"))?,
    };
    if !path.exists() {
        return Err(format!(
            "No research catalog at {} yet: crawl utilities into it first with \
             `cds-wizard catalog crawl --from FILE` (a file of utility URLs, one a line).",
            path.display()
        ));
    }
    let catalog = Catalog::open(&path).map_err(|e| e.to_string())?;
    Ok((path, catalog))
}

/// Every utility of the catalog, as the view's rows.
pub(super) fn load_fleet(tx: mpsc::Sender<Msg>, db: Option<PathBuf>, req: ReqId) {
    tokio::spawn(async move {
        let result = tokio::task::spawn_blocking(move || {
            let (path, catalog) = open(db)?;
            let fleet = browse::fleet(catalog.conn()).map_err(|e| e.to_string())?;
            Ok(Box::new(FleetView::new(
                &path.display().to_string(),
                &fleet,
            )))
        })
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
        let _ = tx.send(Msg::CatalogLoaded { req, result }).await;
    });
}

/// One stored snapshot, with its catalog in the Scopes screen's shape.
pub(super) fn load_utility(tx: mpsc::Sender<Msg>, db: Option<PathBuf>, req: ReqId, id: i64) {
    tokio::spawn(async move {
        let result = tokio::task::spawn_blocking(move || {
            let (_, catalog) = open(db)?;
            let snapshot = catalog.load(id).map_err(|e| e.to_string())?;
            let kept =
                browse::stored_catalog(catalog.conn(), id, &snapshot).map_err(|e| e.to_string())?;
            let complete = kept.is_some();
            let scopes = kept.unwrap_or_else(|| browse::catalog_scopes(&snapshot));
            let crawl = browse::crawl_name(catalog.conn(), id).map_err(|e| e.to_string())?;
            Ok(Arc::new(StoredUtility {
                snapshot,
                scopes,
                complete,
                crawl,
            }))
        })
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
        let _ = tx.send(Msg::CatalogUtility { req, id, result }).await;
    });
}
