//! The catalog's rules: who may create and see what, versions, and image uploads
//! checked by the image job. `tests/api_products.rs` and `tests/images.rs` run the
//! same through the handlers, DynamoDB and S3.

use super::{NOW, ann, run, staff};
use crate::memory::MemoryShop;
use tillbox::app::catalog::CatalogError;
use tillbox::app::catalog::images::{self, Outcome, UploadRequest};
use tillbox::app::catalog::ports::FileStore;
use tillbox::app::catalog::ports::ProductQuery;
use tillbox::app::catalog::products;
use tillbox::app::error::CommonError;
use tillbox::domain::NewProduct;
use tillbox::domain::image::{RejectReason, quarantine_key};
use tillbox::domain::money::MoneyInput;
use tillbox::domain::{ProductChanges, ProductId, ProductStatus, Role};

fn draft(sku: &str) -> tillbox::domain::NewProduct {
    NewProduct::draft(sku, "Mug", MoneyInput::new(900, "EUR"))
}

#[test]
fn only_staff_create_products() {
    let shop = MemoryShop::default();
    let refused = [
        run(products::create(&shop, Some(&ann()), draft("A"), NOW)),
        run(products::create(&shop, None, draft("A"), NOW)),
    ];
    for refusal in refused {
        assert!(matches!(refusal, Err(CatalogError::Common(CommonError::Forbidden { needs: Role::Staff }))));
    }
    assert!(shop.products.borrow().is_empty(), "a refused create wrote nothing");
    run(products::create(&shop, Some(&staff()), draft("A"), NOW)).unwrap();
    let taken = run(products::create(&shop, Some(&staff()), draft("A"), NOW));
    assert!(matches!(taken, Err(CatalogError::SkuTaken { .. })));
    assert_eq!(shop.products.borrow().len(), 1);
}

#[test]
fn drafts_are_invisible_to_shoppers() {
    let shop = MemoryShop::default();
    let draft = run(products::create(&shop, Some(&staff()), draft("A"), NOW)).unwrap();
    assert!(matches!(run(products::get(&shop, None, draft.id)), Err(CatalogError::Common(CommonError::NotFound))));
    assert!(run(products::get(&shop, Some(&staff()), draft.id)).is_ok());
    let query = ProductQuery { status: ProductStatus::Draft, category: None, limit: 10, cursor: None };
    let listed = run(products::list(&shop, None, query));
    assert!(matches!(listed, Err(CatalogError::Common(CommonError::Forbidden { .. }))));
}

#[test]
fn a_stale_version_is_refused_and_nothing_changes() {
    let shop = MemoryShop::default();
    let p = run(products::create(&shop, Some(&staff()), draft("A"), NOW)).unwrap();
    let rename = ProductChanges { name: Some("Cup".into()), ..Default::default() };
    let updated = run(products::update(&shop, Some(&staff()), p.id, 1, rename.clone(), NOW)).unwrap();
    assert_eq!(updated.version, 2);
    let stale = run(products::update(&shop, Some(&staff()), p.id, 1, rename, NOW)).unwrap_err();
    assert!(matches!(stale, CatalogError::Common(CommonError::StaleVersion { expected: 1, current: 2, .. })));
    assert_eq!(stale.to_string(), "the product changed since version 1; it is now at version 2");
    assert_eq!(shop.products.borrow()[&p.id].version, 2);
}

#[test]
fn archiving_twice_is_harmless() {
    let shop = MemoryShop::default();
    let p = run(products::create(&shop, Some(&staff()), draft("A"), NOW)).unwrap();
    let first = run(products::archive(&shop, Some(&staff()), p.id, None, NOW)).unwrap();
    let second = run(products::archive(&shop, Some(&staff()), p.id, None, NOW)).unwrap();
    assert_eq!(first.status, ProductStatus::Archived);
    assert_eq!(first.version, second.version);
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::new(width, height).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Asks for an upload URL as staff and "uploads" `bytes` to it.
fn upload(shop: &MemoryShop, product: ProductId, content_type: &str, bytes: Vec<u8>) -> String {
    let request = UploadRequest { content_type: content_type.into(), content_length: bytes.len() as i64 };
    let issued = run(images::request_upload(shop, shop, shop, Some(&staff()), product, &request, NOW)).unwrap();
    let key = quarantine_key(product, issued.upload.image_id);
    assert_eq!(issued.signed.url, format!("memory://files/{key}"));
    run(shop.write(&key, bytes, content_type)).unwrap();
    key
}

#[test]
fn an_uploaded_image_is_checked_attached_once_and_its_quarantine_copy_removed() {
    let shop = MemoryShop::default();
    let p = run(products::create(&shop, Some(&staff()), draft("A"), NOW)).unwrap();
    let request = UploadRequest { content_type: "image/png".into(), content_length: 10 };
    let by_customer = run(images::request_upload(&shop, &shop, &shop, Some(&ann()), p.id, &request, NOW));
    assert!(matches!(by_customer, Err(CatalogError::Common(CommonError::Forbidden { needs: Role::Staff }))));
    assert!(shop.uploads.borrow().is_empty(), "a refused request records nothing");

    let key = upload(&shop, p.id, "image/png", png(1200, 600));
    let Outcome::Attached(image) = run(images::process_upload(&shop, &shop, &key, NOW)).unwrap() else {
        panic!("not attached")
    };
    assert_eq!((image.width, image.height), (1200, 600));
    let edges: Vec<_> = image.thumbnails.iter().map(|t| (t.width, t.height)).collect();
    assert_eq!(edges, [(256, 128), (1024, 512)]);
    let files = shop.files.borrow().keys().cloned().collect::<Vec<_>>();
    assert_eq!(files.len(), 3, "the original and two thumbnails; the quarantine copy is gone: {files:?}");
    assert_eq!(shop.products.borrow()[&p.id].images, [image]);

    assert_eq!(run(images::process_upload(&shop, &shop, &key, NOW)).unwrap(), Outcome::AlreadyProcessed);
    assert_eq!(shop.products.borrow()[&p.id].images.len(), 1, "a redelivered event attaches nothing twice");
}

#[test]
fn a_file_that_is_not_what_it_claims_is_rejected_and_deleted() {
    let shop = MemoryShop::default();
    let p = run(products::create(&shop, Some(&staff()), draft("A"), NOW)).unwrap();
    let key = upload(&shop, p.id, "image/png", b"<svg onload=alert(1)>".to_vec());
    let outcome = run(images::process_upload(&shop, &shop, &key, NOW)).unwrap();
    assert_eq!(outcome, Outcome::Rejected(RejectReason::NotDeclaredFormat));
    assert!(shop.files.borrow().is_empty());
    assert!(shop.products.borrow()[&p.id].images.is_empty());

    let unknown = format!("{key}-not-ours");
    run(shop.write(&unknown, png(10, 10), "image/png")).unwrap();
    assert_eq!(run(images::process_upload(&shop, &shop, &unknown, NOW)).unwrap(), Outcome::Unknown);
    assert!(shop.files.borrow().is_empty(), "objects Tillbox never handed out are deleted");
}
