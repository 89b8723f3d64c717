//! Image uploads: handing out a signed URL, then checking what was really uploaded.
//!
//! The URL is signed for an exact type and length, but the file is still untrusted
//! until the image job has measured it, read its magic bytes and decoded it: an
//! emulator does not enforce signatures, and a client can lie about its content type.

use super::error::CatalogError;
use super::ports::{FileStore, ProductStore, SignedUpload, UploadSigner, UploadStore};
use crate::app::error::CommonError;
use crate::app::store::StoreError;
use crate::domain::image::{
    MAX_IMAGE_EDGE, MAX_IMAGES_PER_PRODUCT, MAX_UPLOAD_BYTES, RejectReason, THUMBNAIL_EDGES, check_upload_request,
    fit_within, image_key, parse_quarantine_key, quarantine_key,
};
use crate::domain::{
    ImageFormat, ImageId, Principal, ProductId, ProductImage, Role, Thumbnail, Timestamp, Upload, UploadState,
};
use std::io::Cursor;
use std::time::Duration;

/// How long a signed upload URL stays valid.
pub const UPLOAD_URL_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Upload records outlive their URL so a late S3 event still finds its record.
const UPLOAD_RECORD_LIFETIME: time::Duration = time::Duration::days(7);

/// What the client is about to upload, as it says.
#[derive(Debug, Clone)]
pub struct UploadRequest {
    pub content_type: String,
    /// Exact size in bytes; signed into the URL.
    pub content_length: i64,
}

#[derive(Debug, Clone)]
pub struct IssuedUpload {
    pub upload: Upload,
    pub signed: SignedUpload,
}

/// `POST /products/{id}/images`: records the upload and signs a PUT URL for it.
pub async fn request_upload(
    products: &impl ProductStore,
    uploads: &impl UploadStore,
    signer: &impl UploadSigner,
    principal: Option<&Principal>,
    product_id: ProductId,
    request: &UploadRequest,
    now: Timestamp,
) -> Result<IssuedUpload, CatalogError> {
    if !principal.is_some_and(Principal::is_staff) {
        return Err(CommonError::forbidden(Role::Staff).into());
    }
    let (format, content_length) = check_upload_request(&request.content_type, request.content_length)?;
    let product = products.get(product_id).await?.ok_or(CommonError::NotFound)?;
    if product.images.len() >= MAX_IMAGES_PER_PRODUCT {
        return Err(CatalogError::TooManyImages(MAX_IMAGES_PER_PRODUCT));
    }
    let upload = Upload {
        product_id,
        image_id: ImageId::generate(),
        format,
        content_length,
        state: UploadState::Pending,
        created_at: now,
        expires_at: now + UPLOAD_RECORD_LIFETIME,
    };
    let key = quarantine_key(product_id, upload.image_id);
    // Sign first: if signing fails nothing was recorded.
    let signed = signer.sign_upload(&key, format, content_length, UPLOAD_URL_LIFETIME).await?;
    uploads.record(&upload).await?;
    Ok(IssuedUpload { upload, signed })
}

/// What the image job did with one uploaded object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Attached(ProductImage),
    Rejected(RejectReason),
    /// The event was a duplicate or arrived after the work was done: nothing changed.
    AlreadyProcessed,
    /// Not an upload Tillbox handed out; the object was deleted.
    Unknown,
}

/// Checks one uploaded object and attaches or rejects it. Safe to run any number
/// of times for the same key: every write is conditional on the upload still being
/// pending, and the files it writes have deterministic keys.
pub async fn process_upload(
    uploads: &impl UploadStore,
    files: &impl FileStore,
    key: &str,
    now: Timestamp,
) -> Result<Outcome, StoreError> {
    let Some((product_id, image_id)) = parse_quarantine_key(key) else {
        files.delete(key).await?;
        return Ok(Outcome::Unknown);
    };
    // TTL deletes lazily, so an expired record counts as gone.
    let Some(upload) = uploads.get(product_id, image_id).await?.filter(|u| u.expires_at > now) else {
        files.delete(key).await?;
        return Ok(Outcome::Unknown);
    };
    if upload.state != UploadState::Pending {
        // A replay: finish the cleanup a crashed earlier run may have skipped.
        files.delete(key).await?;
        return Ok(Outcome::AlreadyProcessed);
    }
    let Some(size) = files.size(key).await? else {
        // Already cleaned up by a run whose record write is not visible yet, or by a
        // racing duplicate; the record decides, and it says pending: retry later.
        return Err(StoreError::NotFound);
    };
    let checked = if size > MAX_UPLOAD_BYTES || size != upload.content_length {
        Err(RejectReason::WrongSize)
    } else {
        render(files.read(key).await?, upload.format)
    };
    match checked {
        Err(reason) => {
            // Record before deleting: a crash in between leaves a record that says
            // rejected, and the replay above deletes the file.
            let changed = uploads.reject(&upload, reason, now).await?;
            files.delete(key).await?;
            Ok(if changed { Outcome::Rejected(reason) } else { Outcome::AlreadyProcessed })
        }
        Ok(rendition) => {
            let original_key = image_key(product_id, image_id, "original", upload.format);
            files.write(&original_key, rendition.original, upload.format.content_type()).await?;
            let mut thumbnails = Vec::with_capacity(rendition.thumbnails.len());
            for (edge, (width, height), jpeg) in rendition.thumbnails {
                let thumb_key = image_key(product_id, image_id, &edge.to_string(), ImageFormat::Jpeg);
                files.write(&thumb_key, jpeg, ImageFormat::Jpeg.content_type()).await?;
                thumbnails.push(Thumbnail { edge, width, height, key: thumb_key });
            }
            let image = ProductImage {
                id: image_id,
                width: rendition.width,
                height: rendition.height,
                original_key,
                thumbnails,
            };
            match uploads.attach(&upload, &image, now).await {
                Ok(true) => {}
                Ok(false) => {
                    files.delete(key).await?;
                    return Ok(Outcome::AlreadyProcessed);
                }
                Err(StoreError::NotFound) => {
                    let changed = uploads.reject(&upload, RejectReason::ProductMissing, now).await?;
                    files.delete(key).await?;
                    return Ok(if changed {
                        Outcome::Rejected(RejectReason::ProductMissing)
                    } else {
                        Outcome::AlreadyProcessed
                    });
                }
                Err(other) => return Err(other),
            }
            files.delete(key).await?;
            Ok(Outcome::Attached(image))
        }
    }
}

/// A checked image: its original bytes and one JPEG per thumbnail edge.
struct Rendition {
    width: u32,
    height: u32,
    original: Vec<u8>,
    thumbnails: Vec<(u32, (u32, u32), Vec<u8>)>,
}

/// Checks the bytes are the declared format and really decode, then renders the
/// thumbnails. Pure CPU work, no I/O.
fn render(bytes: Vec<u8>, declared: ImageFormat) -> Result<Rendition, RejectReason> {
    if ImageFormat::sniff(&bytes) != Some(declared) {
        return Err(RejectReason::NotDeclaredFormat);
    }
    let format = match declared {
        ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        ImageFormat::Png => image::ImageFormat::Png,
        ImageFormat::Webp => image::ImageFormat::WebP,
    };
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes.as_slice()), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_EDGE);
    limits.max_image_height = Some(MAX_IMAGE_EDGE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|_| RejectReason::Undecodable)?;
    let (width, height) = (decoded.width(), decoded.height());
    let mut thumbnails = Vec::with_capacity(THUMBNAIL_EDGES.len());
    for edge in THUMBNAIL_EDGES {
        let (w, h) = fit_within(width, height, edge);
        let resized = if (w, h) == (width, height) {
            decoded.to_rgb8()
        } else {
            decoded.resize_exact(w, h, image::imageops::FilterType::Triangle).to_rgb8()
        };
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 82)
            .encode_image(&resized)
            .map_err(|_| RejectReason::Undecodable)?;
        thumbnails.push((edge, (w, h), jpeg));
    }
    // The original is stored as uploaded: moved, not copied (it can be 10 MB).
    Ok(Rendition { width, height, original: bytes, thumbnails })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_real_png_gets_thumbnails_that_fit() {
        let r = render(png(1600, 800), ImageFormat::Png).unwrap();
        assert_eq!((r.width, r.height), (1600, 800));
        let sizes: Vec<_> = r.thumbnails.iter().map(|(edge, size, _)| (*edge, *size)).collect();
        assert_eq!(sizes, [(256, (256, 128)), (1024, (1024, 512))]);
        for (_, _, jpeg) in &r.thumbnails {
            assert_eq!(ImageFormat::sniff(jpeg), Some(ImageFormat::Jpeg));
        }
    }

    #[test]
    fn a_file_that_is_not_the_declared_format_is_rejected() {
        assert_eq!(render(png(10, 10), ImageFormat::Jpeg).err(), Some(RejectReason::NotDeclaredFormat));
        assert_eq!(
            render(b"<?php system($_GET[0]); ?>".to_vec(), ImageFormat::Png).err(),
            Some(RejectReason::NotDeclaredFormat)
        );
    }

    #[test]
    fn right_magic_bytes_but_garbage_is_rejected() {
        let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
        fake.extend_from_slice(&[0u8; 64]);
        assert_eq!(render(fake, ImageFormat::Png).err(), Some(RejectReason::Undecodable));
    }
}
