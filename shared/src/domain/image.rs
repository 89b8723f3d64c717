//! Product images: what may be uploaded, where the files live, and how an upload
//! moves from "URL handed out" to "attached" or "rejected".

use super::id::{ImageId, ProductId};
use super::timestamp::Timestamp;

/// Largest upload accepted, checked both when the URL is signed and on the real object.
pub const MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;
/// Longest edge of each thumbnail, in pixels.
pub const THUMBNAIL_EDGES: [u32; 2] = [256, 1024];
/// Keeps the product item far below DynamoDB's 400 KB limit.
pub const MAX_IMAGES_PER_PRODUCT: usize = 10;
/// Decoding a hostile file must not exhaust a 128 MB function.
pub const MAX_IMAGE_EDGE: u32 = 12_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
    Webp,
}

impl ImageFormat {
    pub fn from_content_type(value: &str) -> Result<Self, String> {
        match value {
            "image/jpeg" => Ok(Self::Jpeg),
            "image/png" => Ok(Self::Png),
            "image/webp" => Ok(Self::Webp),
            _ => Err("must be one of image/jpeg, image/png, image/webp".into()),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
        }
    }

    /// The format the bytes really are, from their magic numbers: a file's name and
    /// declared type are whatever the uploader says, its first bytes are not.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [0xFF, 0xD8, 0xFF, ..] => Some(Self::Jpeg),
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(Self::Png),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(Self::Webp),
            _ => None,
        }
    }
}

/// Where an upload lands before it is checked. Only this prefix notifies the image job,
/// so the files the job writes never trigger it again.
pub const QUARANTINE_PREFIX: &str = "quarantine/";

pub fn quarantine_key(product: ProductId, image: ImageId) -> String {
    format!("{QUARANTINE_PREFIX}{product}/{image}")
}

/// The ids inside a quarantine key, or `None` for any key Tillbox did not hand out.
pub fn parse_quarantine_key(key: &str) -> Option<(ProductId, ImageId)> {
    let (product, image) = key.strip_prefix(QUARANTINE_PREFIX)?.split_once('/')?;
    Some((product.parse().ok()?, image.parse().ok()?))
}

/// Checked files are served from here (through the CDN in AWS).
pub fn image_key(product: ProductId, image: ImageId, variant: &str, format: ImageFormat) -> String {
    format!("images/{product}/{image}/{variant}.{}", format.extension())
}

/// The checked, attached image: the original file plus its thumbnails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductImage {
    pub id: ImageId,
    pub width: u32,
    pub height: u32,
    pub original_key: String,
    pub thumbnails: Vec<Thumbnail>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    /// The longest edge it was made for (256, 1024); the image may be smaller.
    pub edge: u32,
    pub width: u32,
    pub height: u32,
    pub key: String,
}

/// An upload URL that was handed out, and what became of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub product_id: ProductId,
    pub image_id: ImageId,
    pub format: ImageFormat,
    /// The exact length the URL was signed for.
    pub content_length: u64,
    pub state: UploadState,
    pub created_at: Timestamp,
    /// After this the URL no longer works and the record may be forgotten.
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadState {
    Pending,
    Attached,
    Rejected(RejectReason),
}

/// Why an uploaded file was deleted instead of attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// Larger than [`MAX_UPLOAD_BYTES`] or not the length the URL was signed for.
    WrongSize,
    /// The bytes are not the declared jpeg/png/webp.
    NotDeclaredFormat,
    /// Right magic bytes, but the file does not decode or is absurdly large.
    Undecodable,
    /// The product was removed before the file was checked.
    ProductMissing,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WrongSize => "wrong_size",
            Self::NotDeclaredFormat => "not_declared_format",
            Self::Undecodable => "undecodable",
            Self::ProductMissing => "product_missing",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::WrongSize, Self::NotDeclaredFormat, Self::Undecodable, Self::ProductMissing]
            .into_iter()
            .find(|r| r.as_str() == value)
    }
}

/// Validates the body of `POST /products/{id}/images`.
pub fn check_upload_request(
    content_type: &str,
    content_length: i64,
) -> Result<(ImageFormat, u64), super::validation::Invalid> {
    let mut c = super::validation::Checker::default();
    let format = c.check("content_type", ImageFormat::from_content_type(content_type));
    let length = c.check(
        "content_length",
        u64::try_from(content_length)
            .ok()
            .filter(|len| (1..=MAX_UPLOAD_BYTES).contains(len))
            .ok_or_else(|| format!("must be between 1 and {MAX_UPLOAD_BYTES} bytes")),
    );
    c.finish()?;
    Ok((format.expect("checked"), length.expect("checked")))
}

/// The size a thumbnail of `edge` gets: the image scaled down to fit, never up.
pub fn fit_within(width: u32, height: u32, edge: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= edge {
        return (width, height);
    }
    let scale =
        |side: u32| ((u64::from(side) * u64::from(edge) + u64::from(longest) / 2) / u64::from(longest)).max(1) as u32;
    (scale(width), scale(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide_the_format() {
        assert_eq!(ImageFormat::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(ImageFormat::Jpeg));
        assert_eq!(ImageFormat::sniff(b"\x89PNG\r\n\x1a\n...."), Some(ImageFormat::Png));
        assert_eq!(ImageFormat::sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(ImageFormat::Webp));
        assert_eq!(ImageFormat::sniff(b"GIF89a"), None);
        assert_eq!(ImageFormat::sniff(b"<html>"), None);
        assert_eq!(ImageFormat::sniff(b""), None);
    }

    #[test]
    fn quarantine_keys_round_trip_and_foreign_keys_are_refused() {
        let (p, i) = (ProductId::generate(), ImageId::generate());
        assert_eq!(parse_quarantine_key(&quarantine_key(p, i)), Some((p, i)));
        assert_eq!(parse_quarantine_key("quarantine/../etc/passwd"), None);
        assert_eq!(parse_quarantine_key(&format!("images/{p}/{i}")), None);
    }

    #[test]
    fn upload_requests_are_limited_to_small_jpeg_png_webp() {
        assert_eq!(check_upload_request("image/png", 10).unwrap(), (ImageFormat::Png, 10));
        let super::super::Invalid(errors) =
            check_upload_request("image/gif", (MAX_UPLOAD_BYTES + 1) as i64).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["content_type", "content_length"]);
        assert!(check_upload_request("image/jpeg", 0).is_err());
    }

    #[test]
    fn thumbnails_shrink_to_fit_and_never_grow() {
        assert_eq!(fit_within(4000, 3000, 1024), (1024, 768));
        assert_eq!(fit_within(3000, 4000, 256), (192, 256));
        assert_eq!(fit_within(100, 50, 256), (100, 50));
        assert_eq!(fit_within(10_000, 1, 256), (256, 1));
    }
}
