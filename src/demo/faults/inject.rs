//! The fault-injection middleware: applies the first matching rule's latency and response
//! fault (status, truncated or invalid JSON, oversized or dripping body) to a response.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt;

use crate::demo::DemoState;

use super::BodyFault;

/// Largest real body the body faults buffer (the demo's own documents are far smaller).
const MAX_BUFFERED_BODY: usize = 64 * 1024 * 1024;

/// The middleware (`axum::middleware::from_fn_with_state`): global latency, then the first
/// matching rule.
pub async fn inject(State(state): State<Arc<DemoState>>, req: Request, next: Next) -> Response {
    let injector = &state.faults;
    if !injector.latency.is_zero() {
        tokio::time::sleep(injector.latency).await;
    }
    let Some(rule) = injector.take(req.uri().path()) else {
        return next.run(req).await;
    };
    if let Some(d) = rule.latency {
        tokio::time::sleep(d).await;
    }
    let Some(fault) = &rule.body else {
        return next.run(req).await;
    };
    if let BodyFault::Status(status) = fault {
        let error = match status.as_u16() {
            503 => "temporarily_unavailable",
            500..=599 => "server_error",
            _ => "invalid_request",
        };
        return crate::demo::reply::error_response(
            *status,
            error,
            &format!(
                "fault injected by the demo server: status {}",
                status.as_u16()
            ),
        );
    }
    let response = next.run(req).await;
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BUFFERED_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return crate::demo::reply::error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "the demo could not buffer the response to inject a fault",
            );
        }
    };
    // The new body has another length; hyper sets it for buffered bodies and uses chunked
    // transfer encoding for streams.
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    let body = match fault {
        BodyFault::Truncate => Body::from(bytes.slice(..bytes.len() / 2)),
        BodyFault::InvalidJson => {
            let mut v = bytes.to_vec();
            // After a complete value, so parsers that stop early are caught too.
            v.extend_from_slice(b"\n}, \"oops\": ");
            Body::from(v)
        }
        BodyFault::Oversize(n) => oversize_body(*n, bytes),
        BodyFault::Drip { interval, chunk } => drip_body(bytes, *chunk, *interval),
        BodyFault::Reset => reset_body(bytes),
        BodyFault::Hostile => Body::from(super::hostile_json(&bytes)),
        BodyFault::Status(_) => Body::from(bytes),
    };
    Response::from_parts(parts, body)
}

/// Whitespace streamed from one static buffer, so `n` bytes cost no more memory than 64 KiB.
static PADDING: [u8; 64 * 1024] = [b' '; 64 * 1024];

fn oversize_body(n: u64, tail: Bytes) -> Body {
    let padding = futures::stream::unfold(n, |left| async move {
        if left == 0 {
            return None;
        }
        let k = usize::try_from(left.min(PADDING.len() as u64)).unwrap_or(PADDING.len());
        Some((
            Ok::<_, Infallible>(Bytes::from_static(&PADDING[..k])),
            left - k as u64,
        ))
    });
    Body::from_stream(padding.chain(futures::stream::once(
        async move { Ok::<_, Infallible>(tail) },
    )))
}

/// The first half, then an error: hyper drops the connection before the body is complete.
fn reset_body(body: Bytes) -> Body {
    let half = body.slice(..body.len() / 2);
    Body::from_stream(futures::stream::iter([
        Ok(half),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault injected by the demo server: connection reset mid-body",
        )),
    ]))
}

fn drip_body(body: Bytes, chunk: usize, interval: Duration) -> Body {
    let chunk = chunk.max(1);
    Body::from_stream(futures::stream::unfold(
        (body, true),
        move |(mut rest, first)| async move {
            if rest.is_empty() {
                return None;
            }
            if !first {
                tokio::time::sleep(interval).await;
            }
            let piece = rest.split_to(chunk.min(rest.len()));
            Some((Ok::<_, Infallible>(piece), (rest, false)))
        },
    ))
}
