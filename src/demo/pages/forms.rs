//! The pages the demo's objects link to: the default redirect URI's authorization receipt
//! (CDS-WG1-02 §4.2) and the forms of post-registration requirements (§3.6: payment, online
//! and PDF forms).

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::cds::Message;
use crate::cds::messages::{MessageStatus, MessageType};

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

/// The open request `id` of a type the demo's pages complete, if there is one.
fn request(s: &DemoState, id: &str, kind: MessageType) -> Option<Message> {
    s.registry
        .lock()
        .messages
        .iter()
        .find(|m| m.item.message_id == id && m.item.message_type == kind)
        .map(|m| m.item.clone())
}

/// A button that completes request `id` (`POST /forms/complete/{id}`), or the request's state
/// when it is no longer open.
fn complete_button(m: &Message, label: &str) -> String {
    if m.status == MessageStatus::Open {
        format!(
            "<form method=\"post\" action=\"/forms/complete/{}\"><button type=\"submit\">{}</button></form>",
            escape(&m.message_id),
            escape(label)
        )
    } else {
        format!(
            "<p>This request is <strong>{}</strong>.</p>",
            escape(m.status.as_str())
        )
    }
}

/// `GET /forms/payment/{message_id}`: the checkout page a `payment_request` links to.
pub async fn payment_form(State(s): State<Arc<DemoState>>, Path(id): Path<String>) -> Response {
    match request(&s, &id, MessageType::PaymentRequest) {
        Some(m) => page(
            "Setup payment",
            &format!(
                "<p>{}</p><p>Amount due: <strong>{} {}</strong></p><p>This demo utility takes \
                 no real payments: paying here marks the request paid.</p>{}",
                escape(&m.description),
                escape(&m.amount.map(|a| a.to_string()).unwrap_or_default()),
                escape(m.currency.as_deref().unwrap_or("")),
                complete_button(&m, "Pay now"),
            ),
        )
        .into_response(),
        None => (StatusCode::NOT_FOUND, "no such payment request\n").into_response(),
    }
}

/// `GET /forms/receipt/{message_id}`: the receipt a completed payment's update links (§6.3).
pub async fn payment_receipt(State(s): State<Arc<DemoState>>, Path(id): Path<String>) -> Response {
    match request(&s, &id, MessageType::PaymentRequest)
        .filter(|m| m.status == MessageStatus::Complete)
    {
        Some(m) => page(
            "Payment receipt",
            &format!(
                "<p>Received {} {} for: {}</p><p>Receipt number <code>{}</code>.</p>",
                escape(&m.amount.map(|a| a.to_string()).unwrap_or_default()),
                escape(m.currency.as_deref().unwrap_or("")),
                escape(&m.name),
                escape(&m.message_id),
            ),
        )
        .into_response(),
        None => (StatusCode::NOT_FOUND, "no such receipt\n").into_response(),
    }
}

/// `GET /forms/online/{message_id}`: the online form an `online_form_request` links to (an
/// email, SSO or online-form requirement). Older links name the registration field instead.
pub async fn online_form(State(s): State<Arc<DemoState>>, Path(id): Path<String>) -> Response {
    if let Some(m) = request(&s, &id, MessageType::OnlineFormRequest) {
        return page(
            &format!("Online form: {}", m.name),
            &format!(
                "<p>{}</p><p>This demo utility asks nothing more: submitting marks the form \
                 completed.</p>{}",
                escape(&m.description),
                complete_button(&m, "Submit the form"),
            ),
        )
        .into_response();
    }
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

/// `GET /forms/return/{message_id}`: where a signed PDF form is returned.
pub async fn return_form(State(s): State<Arc<DemoState>>, Path(id): Path<String>) -> Response {
    match request(&s, &id, MessageType::PdfFormRequest) {
        Some(m) => page(
            "Return a signed form",
            &format!(
                "<p>{}</p><p>This demo utility keeps no files: returning marks the form \
                 received; it is approved after a short review.</p>{}",
                escape(&m.name),
                complete_button(&m, "Return the signed form"),
            ),
        )
        .into_response(),
        None => (StatusCode::NOT_FOUND, "no such form request\n").into_response(),
    }
}

/// `POST /forms/complete/{message_id}`: the user paid, submitted or returned the form of an
/// open request; the request moves on and a `request_update` says so (WG1-02 §6.2).
pub async fn complete(State(s): State<Arc<DemoState>>, Path(id): Path<String>) -> Response {
    match crate::demo::answers::complete_by_link(&s, &id) {
        Some(status) => page(
            "Thank you",
            &format!(
                "<p>The request is now <strong>{}</strong>; the application sees the update in \
                 its messages.</p>",
                escape(status.as_str())
            ),
        )
        .into_response(),
        None => (StatusCode::NOT_FOUND, "no such open request\n").into_response(),
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
