//! The pages the demo's objects link to: the default redirect URI's authorization receipt
//! (CDS-WG1-02 §4.2) and the forms of post-registration requirements (§3.6: payment, online
//! and PDF forms).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::cds::messages::MessageType;

use crate::demo::DemoState;

use super::{escape, page};

#[derive(Debug, Deserialize)]
pub struct ReceiptQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    iss: Option<String>,
}

/// `GET /oauth/receipt`: the default redirect URI (§4.2) showing the authorization's outcome.
pub async fn receipt(Query(q): Query<ReceiptQuery>) -> Response {
    let row = |label: &str, v: &Option<String>| {
        v.as_deref()
            .map(|v| format!("<dt>{label}</dt><dd><code>{}</code></dd>", escape(v)))
            .unwrap_or_default()
    };
    let (title, body) = if let Some(err) = &q.error {
        (
            "Authorization not completed",
            format!(
                "<p>The authorization was declined or failed: <code>{}</code>.</p><dl>{}{}{}</dl>",
                escape(err),
                row("Description", &q.error_description),
                row("State", &q.state),
                row("Issuer", &q.iss),
            ),
        )
    } else if q.code.is_some() {
        (
            "Authorization receipt",
            format!(
                "<p>The customer approved the request. The application exchanges this code at \
                 the token endpoint.</p><dl>{}{}{}</dl>",
                row("Authorization code", &q.code),
                row("State", &q.state),
                row("Issuer", &q.iss),
            ),
        )
    } else {
        (
            "No authorization result",
            "<p>This page shows the result of an authorization; none was given.</p>".to_owned(),
        )
    };
    let mut r = page(title, &body).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `GET /forms/payment/{message_id}`: the checkout page a `payment_request` links to.
pub async fn payment_form(State(s): State<Arc<DemoState>>, Path(id): Path<String>) -> Response {
    let found = s
        .registry
        .lock()
        .messages
        .iter()
        .find(|m| m.item.message_id == id && m.item.message_type == MessageType::PaymentRequest)
        .map(|m| m.item.clone());
    match found {
        Some(m) => page(
            "Setup payment",
            &format!(
                "<p>{}</p><p>Amount due: <strong>{} {}</strong></p><p>This demo utility takes \
                 no payments; a real utility's checkout form would be here.</p>",
                escape(&m.description),
                escape(&m.amount.map(|a| a.to_string()).unwrap_or_default()),
                escape(m.currency.as_deref().unwrap_or("")),
            ),
        )
        .into_response(),
        None => (StatusCode::NOT_FOUND, "no such payment request\n").into_response(),
    }
}

/// `GET /forms/online/{field_id}`: the online form of an email, SSO or online-form requirement.
pub async fn online_form(State(s): State<Arc<DemoState>>, Path(id): Path<String>) -> Response {
    let field = s
        .registry
        .catalog(&s.documents)
        .ok()
        .and_then(|c| c.cds_registration_fields.get(&id).cloned());
    match field {
        Some(f) => page(
            &format!("Online form: {}", f.id),
            &format!(
                "<p>{}</p><p>This demo utility does not process this form; a real utility's \
                 form would be here.</p>",
                escape(&f.description)
            ),
        )
        .into_response(),
        None => (StatusCode::NOT_FOUND, "no such form\n").into_response(),
    }
}

/// `GET /forms/pdf/{field_id}.pdf`: a blank one-page PDF form.
pub async fn pdf_form(Path(file): Path<String>) -> Response {
    if file.strip_suffix(".pdf").is_none_or(str::is_empty) {
        return (StatusCode::NOT_FOUND, "no such form\n").into_response();
    }
    ([(header::CONTENT_TYPE, "application/pdf")], blank_pdf()).into_response()
}

/// A minimal, valid one-page PDF with a correct cross-reference table.
fn blank_pdf() -> Vec<u8> {
    let content = "BT /F1 18 Tf 72 720 Td (Demo Gas & Electric - agreement form) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}
