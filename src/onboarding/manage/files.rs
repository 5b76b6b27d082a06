//! The Server-Provided Files API (CDS-WG1-02 §9): the Grants that share files (§3.3.3), a
//! Grant Admin token per Grant (§3.3.2), listing with the `file_ids` filter (§9.2), retrieval
//! (§9.3), and download (§9.4) to a file the user names — never overwriting, size-capped,
//! streamed to disk.

use std::path::{Path, PathBuf};

use reqwest::Method;
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use url::Url;

use crate::cds::{Grant, ScopeType, ServerProvidedFile};

use super::error::ManageError;
use super::grants::{self, GrantFilter};
use super::page::Page;
use super::session::{Api, Auth, Session, decode, joined, with_query};

const LIST: &str = "§9.2";
const GET: &str = "§9.3";
const DOWNLOAD: &str = "§9.4";
const KEYS: [&str; 3] = ["files", "next", "previous"];

/// Largest download accepted, whatever the file object says (1 GiB).
pub const MAX_DOWNLOAD: u64 = 1 << 30;

/// A shared file and the Grant it is shared under.
#[derive(Debug, Clone, Serialize)]
pub struct SharedFile {
    #[serde(flatten)]
    pub file: ServerProvidedFile,
    pub grant_id: String,
}

/// A finished download.
#[derive(Debug, Clone, Serialize)]
pub struct Downloaded {
    pub file_id: String,
    pub path: PathBuf,
    pub bytes: u64,
}

/// A Grant that shares files, and the Grant Admin scope its token is requested for.
#[derive(Debug, Clone, Serialize)]
pub struct FileGrant {
    pub grant: Grant,
    pub admin_scope: String,
}

/// The accessible Grants of `cds_server_provided_files` scopes (§3.3.3), each with the Grant
/// Admin scope that opens it (the scope description's `grant_admin_scope`).
pub async fn file_grants(s: &mut Session<'_>) -> Result<Vec<FileGrant>, ManageError> {
    let meta = s.metadata().await?;
    let spf: Vec<(String, Option<String>)> = meta
        .cds_scope_descriptions
        .iter()
        .filter(|(_, d)| d.scope_type == ScopeType::ServerProvidedFiles)
        .map(|(id, d)| (id.clone(), d.grant_admin_scope.clone()))
        .collect();
    if spf.is_empty() {
        return Ok(Vec::new());
    }
    let filter = GrantFilter {
        scopes: spf.iter().map(|(id, _)| id.clone()).collect(),
        ..Default::default()
    };
    let mut out = Vec::new();
    for grant in grants::list(s, &filter).await? {
        if grant.status.is_inaccessible() || grant.enabled_scope.trim().is_empty() {
            continue;
        }
        let admin = spf
            .iter()
            .find(|(id, _)| grant.scope.split_ascii_whitespace().any(|t| t == id))
            .and_then(|(_, a)| a.clone());
        if let Some(admin_scope) = admin {
            out.push(FileGrant { grant, admin_scope });
        }
    }
    Ok(out)
}

async fn open(s: &mut Session<'_>, fg: &FileGrant) -> Result<Auth, ManageError> {
    s.grant_admin_token(&fg.grant.grant_id, &fg.grant.client_id, &fg.admin_scope)
        .await?;
    Ok(Auth::GrantAdmin(fg.grant.grant_id.clone()))
}

/// One page of the files one Grant shares.
pub async fn list_page(
    s: &mut Session<'_>,
    grant: &FileGrant,
    file_ids: &[String],
    cursor: Option<&Url>,
) -> Result<Page<ServerProvidedFile>, ManageError> {
    let auth = open(s, grant).await?;
    let url = match cursor {
        Some(u) => u.clone(),
        None => {
            let api = s.endpoint(Api::Files).await?;
            with_query(&api, &[("file_ids", joined(file_ids))])
        }
    };
    s.page(&url, KEYS, &auth, LIST).await
}

/// Every shared file of every Grant, newest `modified` first (§9.2), each once.
pub async fn list(
    s: &mut Session<'_>,
    file_ids: &[String],
) -> Result<Vec<SharedFile>, ManageError> {
    let mut out: Vec<SharedFile> = Vec::new();
    for fg in file_grants(s).await? {
        let auth = open(s, &fg).await?;
        let api = s.endpoint(Api::Files).await?;
        let url = with_query(&api, &[("file_ids", joined(file_ids))]);
        let files: Vec<ServerProvidedFile> = s.collect(&url, KEYS, &auth, LIST).await?;
        for f in files {
            if !out.iter().any(|o| o.file.file_id == f.file_id) {
                out.push(SharedFile {
                    file: f,
                    grant_id: fg.grant.grant_id.clone(),
                });
            }
        }
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.file.modified));
    Ok(out)
}

/// One shared file by id, read at its `uri` (§9.3).
pub async fn get(s: &mut Session<'_>, file_id: &str) -> Result<SharedFile, ManageError> {
    let listed = list(s, &[file_id.to_owned()])
        .await?
        .into_iter()
        .find(|f| f.file.file_id == file_id)
        .ok_or_else(|| ManageError::NotFound {
            what: "Server-Provided File",
            id: file_id.to_owned(),
            section: GET,
        })?;
    let auth = Auth::GrantAdmin(listed.grant_id.clone());
    let (_, v) = s
        .call(Method::GET, &listed.file.uri, None, &auth, GET)
        .await?;
    Ok(SharedFile {
        file: decode(&listed.file.uri, GET, &v)?,
        grant_id: listed.grant_id,
    })
}

fn file_error(path: &Path, what: impl Into<String>) -> ManageError {
    ManageError::File {
        path: path.to_path_buf(),
        what: what.into(),
    }
}

/// Downloads a shared file (§9.4) to `path`, which must not exist yet (created mode 0600:
/// shared files may be keys or certificates). At most the object's `size` (and
/// [`MAX_DOWNLOAD`]) bytes are accepted; a failed download removes what it wrote.
pub async fn download(
    s: &mut Session<'_>,
    file_id: &str,
    path: &Path,
) -> Result<Downloaded, ManageError> {
    let shared = get(s, file_id).await?;
    let url = shared.file.download_uri.clone();
    let limit = shared.file.size.min(MAX_DOWNLOAD);
    if shared.file.size > MAX_DOWNLOAD {
        return Err(ManageError::Refused(format!(
            "the file is {} bytes, more than the {MAX_DOWNLOAD}-byte limit",
            shared.file.size
        )));
    }
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut out = options.open(path).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            file_error(path, "already exists; not overwritten (name a new file)")
        } else {
            file_error(path, e.to_string())
        }
    })?;
    let result = stream(s, &shared, &url, limit, &mut out, path).await;
    drop(out);
    match result {
        Ok(bytes) => Ok(Downloaded {
            file_id: file_id.to_owned(),
            path: path.to_path_buf(),
            bytes,
        }),
        Err(e) => {
            let _ = tokio::fs::remove_file(path).await;
            Err(e)
        }
    }
}

/// Streams the body of `url` into `out`, at most `limit` bytes; checks the declared size.
async fn stream(
    s: &mut Session<'_>,
    shared: &SharedFile,
    url: &Url,
    limit: u64,
    out: &mut tokio::fs::File,
    path: &Path,
) -> Result<u64, ManageError> {
    s.check_target(url, DOWNLOAD)?;
    let token = s
        .grant_admin_token_cached(&shared.grant_id)
        .ok_or_else(|| ManageError::Refused("no Grant Admin token".to_owned()))?;
    let http = s.engine.http;
    let mut resp = http
        .raw()
        .get(url.clone())
        .bearer_auth(token.expose())
        .send()
        .await
        .map_err(|e| ManageError::http(DOWNLOAD)(http.transport_error(url, e)))?;
    let status = resp.status().as_u16();
    if !(200..300).contains(&status) {
        return Err(ManageError::http(DOWNLOAD)(
            crate::http::HttpError::Status {
                url: url.clone(),
                status,
                detail: String::new(),
            },
        ));
    }
    let mut written: u64 = 0;
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| ManageError::http(DOWNLOAD)(http.transport_error(url, e)))?
    {
        written += chunk.len() as u64;
        if written > limit {
            return Err(ManageError::http(DOWNLOAD)(
                crate::http::HttpError::TooLarge {
                    url: url.clone(),
                    limit: usize::try_from(limit).unwrap_or(usize::MAX),
                },
            ));
        }
        out.write_all(&chunk)
            .await
            .map_err(|e| file_error(path, e.to_string()))?;
    }
    out.flush()
        .await
        .map_err(|e| file_error(path, e.to_string()))?;
    if written != shared.file.size {
        return Err(ManageError::Shape {
            url: url.clone(),
            section: DOWNLOAD,
            what: format!(
                "{written} bytes arrived where the file object says {} (§9.1 `size`)",
                shared.file.size
            ),
        });
    }
    Ok(written)
}
