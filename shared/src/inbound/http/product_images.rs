//! `/products/{id}/images` endpoints.

use super::context::Catalog;
use super::problem::ApiError;
use super::request::{RequestExtras, json_body, signed_in};
use super::response::{Reply, json};
use crate::app::catalog::images;
use crate::domain::{ProductId, format_timestamp};
use crate::outbound::s3::Bucket;
use lambda_http::Request;
use lambda_http::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The body of `POST /products/{id}/images`: what the client is about to upload.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadRequest {
    #[schema(pattern = "^image/(jpeg|png|webp)$")]
    content_type: String,
    /// Exact size in bytes; signed into the URL.
    #[schema(minimum = 1, maximum = 10_485_760)]
    content_length: i64,
}

impl UploadRequest {
    fn into_domain(self) -> images::UploadRequest {
        images::UploadRequest { content_type: self.content_type, content_length: self.content_length }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct UploadView {
    upload_id: String,
    method: &'static str,
    url: String,
    /// Send exactly these headers with the PUT: they are signed.
    headers: BTreeMap<String, String>,
    /// The URL stops working at this time.
    expires_at: String,
}

/// `POST /products/{id}/images` (staff): a signed URL to PUT one image to.
#[utoipa::path(
    post,
    path = "/products/{id}/images",
    operation_id = "product_images_create",
    tag = "catalog",
    security(("bearer" = ["staff"])),
    params(super::params::ProductPath),
    request_body = UploadRequest,
    responses(
        (status = 201, description = "A signed URL to `PUT` the image to; thumbnails follow once it \
            arrives.", body = UploadView),
        (status = 409, description = "Problem `code`: `too_many_images`."),
    ),
)]
pub async fn create(catalog: &Catalog, bucket: &Bucket, request: Request) -> Result<Reply, ApiError> {
    let principal = signed_in(&request, &catalog.verifier, &catalog.table).await?;
    let id: ProductId = request.path_param("id")?;
    let body = json_body::<UploadRequest>(&request)?.into_domain();
    let now = time::OffsetDateTime::now_utc();
    let issued =
        images::request_upload(&catalog.table, &catalog.table, bucket, Some(&principal), id, &body, now).await?;
    Ok(json(
        StatusCode::CREATED,
        &UploadView {
            upload_id: issued.upload.image_id.to_string(),
            method: "PUT",
            url: issued.signed.url,
            headers: issued.signed.headers.into_iter().collect(),
            expires_at: format_timestamp(now + images::UPLOAD_URL_LIFETIME),
        },
    ))
}
