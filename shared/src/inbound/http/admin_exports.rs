//! `/admin/exports` (admins): order exports as CSV, written by the export job.

use super::context::{Downloads, TableAccess};
use super::idempotency::{KeyPolicy, idempotent};
use super::now;
use super::problem::ApiError;
use super::request::{RequestExtras, json_body, signed_in};
use super::response::{Reply, json};
use crate::app::exports;
use crate::domain::ExportId;
use crate::domain::export;
use crate::inbound::views::ExportView;
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::Deserialize;

/// The body of `POST /admin/exports/orders`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    #[schema(format = DateTime)]
    from: String,
    #[schema(format = DateTime)]
    to: String,
    #[serde(default)]
    #[schema(pattern = "^(pending_payment|paid|fulfilled|cancelled|refunded|partially_refunded)$")]
    status: Option<String>,
}

impl ExportRequest {
    fn into_domain(self) -> export::ExportRequest {
        let Self { from, to, status } = self;
        export::ExportRequest { from, to, status }
    }
}

/// `POST /admin/exports/orders` `{from, to, status?}`: 202 with the export, which
/// `Location` names. With an `Idempotency-Key`, a retry starts no second export.
#[utoipa::path(
    post,
    path = "/admin/exports/orders",
    operation_id = "admin_exports_create",
    tag = "admin",
    security(("bearer" = ["admin"])),
    params(super::params::IdempotencyKeyOptional),
    request_body = ExportRequest,
    responses(
        (status = 202, description = "Queued; follow \
            `Location`.", body = ExportView, headers(("Location" = String, description = "The export's URL."))),
    ),
)]
pub async fn create(ctx: &TableAccess, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    idempotent(&ctx.table, &request, &principal.subject, KeyPolicy::Optional, || async {
        let input = json_body::<ExportRequest>(&request)?.into_domain();
        let export = exports::request(&ctx.table, &principal, &input, now()).await?;
        let mut reply = json(StatusCode::ACCEPTED, &ExportView::new(&export, None));
        let location = format!("/admin/exports/{}", export.id).parse().expect("ids are header-safe");
        reply.headers_mut().insert("location", location);
        Ok(reply)
    })
    .await
}

/// `GET /admin/exports/{id}`: progress; when done, a link valid for 10 minutes.
#[utoipa::path(
    get,
    path = "/admin/exports/{id}",
    operation_id = "admin_exports_get",
    tag = "admin",
    security(("bearer" = ["admin"])),
    params(super::params::ExportPath),
    responses(
        (status = 200, description = "Its progress; when done, a download link valid for 10 \
            minutes.", body = ExportView),
    ),
)]
pub async fn get(ctx: &Downloads, request: Request) -> Result<Reply, ApiError> {
    // API Gateway routes GET /admin/exports/orders here ({id} = "orders"), though
    // that path is the export request, which takes only POST.
    if request.uri().path().ends_with("/admin/exports/orders") {
        return Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this path takes POST")
            .with_header("allow", "POST"));
    }
    let principal = signed_in(&request, &ctx.verifier, &ctx.table).await?;
    let id: ExportId = request.path_param("id")?;
    let (export, download) = exports::status(&ctx.table, &ctx.bucket, &principal, id, now()).await?;
    Ok(json(StatusCode::OK, &ExportView::new(&export, download.as_ref())))
}
