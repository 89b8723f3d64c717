//! Image uploads: the upload endpoint and the image job, through real S3, SQS and
//! DynamoDB clients against the local emulator. The job handles the very messages
//! S3 put on the queue.

mod support;

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use aws_sdk_s3::primitives::ByteStream;
use serde_json::{Value, json};
use std::io::Cursor;
use support::{Call, Reply, Stack, reply};
use tillbox::domain::Role;
use tillbox::inbound::http::{product_images, products};
use tillbox::inbound::jobs::process_images::{self, ImageJob};

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn product(stack: &Stack) -> String {
    let body =
        json!({"sku": "poster", "name": "Poster", "price": {"amount": 1500, "currency": "EUR"}, "status": "active"});
    let call = Call::new("POST", "/products").token(&stack.token(Role::Staff)).json(body);
    let created = reply(products::create(&stack.catalog(), call.build()).await);
    assert_eq!(created.status, 201);
    created.body["id"].as_str().unwrap().to_owned()
}

async fn request_upload(stack: &Stack, id: &str, role: Role, body: Value) -> Reply {
    let call =
        Call::new("POST", &format!("/products/{id}/images")).path_param("id", id).token(&stack.token(role)).json(body);
    reply(product_images::create(&stack.catalog(), &stack.bucket(), call.build()).await)
}

/// The object key a signed (path-style) upload URL points at.
fn signed_key(stack: &Stack, url: &str) -> String {
    let path = url.split('?').next().unwrap();
    path.split(&format!("/{}/", stack.bucket_name)).nth(1).expect("a URL into the test bucket").to_owned()
}

/// Asks for an upload URL and puts `bytes` where it points, as a browser would.
async fn upload(stack: &Stack, id: &str, content_type: &str, declared_length: usize, bytes: Vec<u8>) -> String {
    let issued = request_upload(
        stack,
        id,
        Role::Staff,
        json!({"content_type": content_type, "content_length": declared_length}),
    )
    .await;
    assert_eq!(issued.status, 201, "{}", issued.body);
    let url = issued.body["url"].as_str().unwrap();
    let key = signed_key(stack, url);
    stack
        .s3()
        .put_object()
        .bucket(&stack.bucket_name)
        .key(&key)
        .content_type(content_type)
        .body(ByteStream::from(bytes))
        .send()
        .await
        .unwrap();
    key
}

/// Every message now on the images queue, as the event source mapping would pass it.
async fn receive(stack: &Stack) -> SqsEvent {
    let mut event = SqsEvent::default();
    for _ in 0..20 {
        let out = stack
            .sqs()
            .receive_message()
            .queue_url(&stack.images_queue)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        for m in out.messages.unwrap_or_default() {
            if m.body().is_some_and(|b| b.contains("s3:TestEvent")) {
                continue;
            }
            let mut message = SqsMessage::default();
            message.message_id = m.message_id;
            message.receipt_handle = m.receipt_handle;
            message.body = m.body;
            event.records.push(message);
        }
        if !event.records.is_empty() {
            return event;
        }
    }
    panic!("S3 put no notification on the images queue");
}

fn job(stack: &Stack) -> ImageJob {
    ImageJob { table: stack.table(), bucket: stack.bucket() }
}

async fn staff_view(stack: &Stack, id: &str) -> Value {
    let call = Call::new("GET", &format!("/products/{id}")).path_param("id", id).token(&stack.token(Role::Staff));
    reply(products::get(&stack.catalog(), call.build()).await).body
}

async fn exists(stack: &Stack, key: &str) -> bool {
    stack.s3().head_object().bucket(&stack.bucket_name).key(key).send().await.is_ok()
}

async fn upload_record(stack: &Stack) -> std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> {
    stack
        .items()
        .await
        .into_iter()
        .find(|i| i.get("entity").and_then(|v| v.as_s().ok()).map(String::as_str) == Some("upload"))
        .expect("an upload record")
}

fn s<'a>(item: &'a std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>, name: &str) -> &'a str {
    item.get(name).and_then(|v| v.as_s().ok()).map_or("", String::as_str)
}

#[tokio::test]
async fn upload_urls_are_signed_for_exact_type_and_length_under_quarantine() {
    let stack = Stack::new().await;
    let id = product(&stack).await;
    let issued =
        request_upload(&stack, &id, Role::Staff, json!({"content_type": "image/webp", "content_length": 5000})).await;
    assert_eq!(issued.status, 201, "{}", issued.body);
    assert_eq!(issued.body["method"], "PUT");
    assert_eq!(issued.body["headers"], json!({"content-length": "5000", "content-type": "image/webp"}));
    let url = issued.body["url"].as_str().unwrap();
    let upload_id = issued.body["upload_id"].as_str().unwrap();
    assert!(url.contains(&format!("/{}/quarantine/{id}/{upload_id}?", stack.bucket_name)), "{url}");
    let signed = url.split("X-Amz-SignedHeaders=").nth(1).unwrap().split('&').next().unwrap();
    assert_eq!(signed, "content-length%3Bcontent-type%3Bhost");
    assert!(url.contains("X-Amz-Expires=900"));

    let record = upload_record(&stack).await;
    assert_eq!((s(&record, "state"), s(&record, "content_type")), ("pending", "image/webp"));
}

#[tokio::test]
async fn upload_requests_are_checked() {
    let stack = Stack::new().await;
    let id = product(&stack).await;
    let gif =
        request_upload(&stack, &id, Role::Staff, json!({"content_type": "image/gif", "content_length": 10})).await;
    gif.assert_problem(422, "validation_failed", Some("content_type"));
    let big = request_upload(
        &stack,
        &id,
        Role::Staff,
        json!({"content_type": "image/png", "content_length": 10 * 1024 * 1024 + 1}),
    )
    .await;
    big.assert_problem(422, "validation_failed", Some("content_length"));
    let missing = request_upload(&stack, &id, Role::Staff, json!({"content_type": "image/png"})).await;
    missing.assert_problem(400, "malformed_body", Some("content_length"));
    let customer =
        request_upload(&stack, &id, Role::Customer, json!({"content_type": "image/png", "content_length": 10})).await;
    customer.assert_problem(403, "forbidden", None);
    let unknown = uuid::Uuid::now_v7().to_string();
    let nowhere =
        request_upload(&stack, &unknown, Role::Staff, json!({"content_type": "image/png", "content_length": 10})).await;
    nowhere.assert_problem(404, "not_found", None);
    let uploads = stack.items().await.into_iter().filter(|i| s(i, "entity") == "upload").count();
    assert_eq!(uploads, 0, "refused requests record nothing");
}

#[tokio::test]
async fn a_real_image_gets_thumbnails_and_is_attached_once() {
    let stack = Stack::new().await;
    let id = product(&stack).await;
    let bytes = png(1200, 600);
    let key = upload(&stack, &id, "image/png", bytes.len(), bytes).await;
    let event = receive(&stack).await;

    let failed = process_images::handle(&job(&stack), event.clone()).await;
    assert!(failed.is_empty(), "{failed:?}");

    let product = staff_view(&stack, &id).await;
    assert_eq!(product["version"], 2, "attaching an image is a new version");
    let images = product["images"].as_array().unwrap();
    assert_eq!(images.len(), 1);
    assert_eq!((images[0]["width"].as_u64(), images[0]["height"].as_u64()), (Some(1200), Some(600)));
    let thumbs: Vec<_> = images[0]["thumbnails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["edge"].as_u64().unwrap(), t["width"].as_u64().unwrap(), t["height"].as_u64().unwrap()))
        .collect();
    assert_eq!(thumbs, [(256, 256, 128), (1024, 1024, 512)]);
    for thumb in images[0]["thumbnails"].as_array().unwrap() {
        let url = thumb["url"].as_str().unwrap();
        let thumb_key = url.strip_prefix(&format!("{}/", stack.asset_base)).unwrap();
        let object = stack.s3().get_object().bucket(&stack.bucket_name).key(thumb_key).send().await.unwrap();
        assert_eq!(object.content_type(), Some("image/jpeg"));
        let jpeg = object.body.collect().await.unwrap().to_vec();
        let decoded = image::load_from_memory(&jpeg).unwrap();
        assert_eq!(u64::from(decoded.width()), thumb["width"].as_u64().unwrap());
    }
    assert!(!exists(&stack, &key).await, "the quarantined upload is gone");
    assert_eq!(s(&upload_record(&stack).await, "state"), "attached");

    // The same event again (at-least-once delivery) changes nothing.
    let failed = process_images::handle(&job(&stack), event).await;
    assert!(failed.is_empty());
    let again = staff_view(&stack, &id).await;
    assert_eq!(again["images"].as_array().unwrap().len(), 1);
    assert_eq!(again["version"], 2);
}

#[tokio::test]
async fn a_file_that_is_not_an_image_is_deleted_and_rejected() {
    let stack = Stack::new().await;
    let id = product(&stack).await;
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let key = upload(&stack, &id, "image/png", html.len(), html).await;
    let failed = process_images::handle(&job(&stack), receive(&stack).await).await;
    assert!(failed.is_empty());
    assert!(!exists(&stack, &key).await);
    let record = upload_record(&stack).await;
    assert_eq!((s(&record, "state"), s(&record, "reason")), ("rejected", "not_declared_format"));
    let product = staff_view(&stack, &id).await;
    assert_eq!((product["images"].as_array().unwrap().len(), product["version"].as_u64()), (0, Some(1)));
}

#[tokio::test]
async fn a_file_of_another_size_than_signed_is_rejected() {
    let stack = Stack::new().await;
    let id = product(&stack).await;
    let bytes = png(64, 64);
    // Real S3 refuses this PUT; the emulator does not, so the job must catch it.
    let key = upload(&stack, &id, "image/png", bytes.len() - 10, bytes).await;
    assert!(process_images::handle(&job(&stack), receive(&stack).await).await.is_empty());
    assert!(!exists(&stack, &key).await);
    let record = upload_record(&stack).await;
    assert_eq!((s(&record, "state"), s(&record, "reason")), ("rejected", "wrong_size"));
    assert_eq!(staff_view(&stack, &id).await["images"], json!([]));
}

#[tokio::test]
async fn an_oversized_file_is_rejected_without_being_decoded() {
    let stack = Stack::new().await;
    let id = product(&stack).await;
    let issued =
        request_upload(&stack, &id, Role::Staff, json!({"content_type": "image/jpeg", "content_length": 1000})).await;
    let url = issued.body["url"].as_str().unwrap();
    let key = signed_key(&stack, url);
    let mut oversized = vec![0xFF, 0xD8, 0xFF, 0xE0];
    oversized.resize(10 * 1024 * 1024 + 1, 0);
    stack
        .s3()
        .put_object()
        .bucket(&stack.bucket_name)
        .key(&key)
        .body(ByteStream::from(oversized))
        .send()
        .await
        .unwrap();
    assert!(process_images::handle(&job(&stack), receive(&stack).await).await.is_empty());
    assert!(!exists(&stack, &key).await);
    assert_eq!(s(&upload_record(&stack).await, "reason"), "wrong_size");
}

#[tokio::test]
async fn only_failed_messages_are_reported_for_retry() {
    let stack = Stack::new().await;
    let id = product(&stack).await;
    let bytes = png(40, 30);
    upload(&stack, &id, "image/png", bytes.len(), bytes).await;
    let mut event = receive(&stack).await;
    let mut poison = SqsMessage::default();
    poison.message_id = Some("poison-1".into());
    poison.body = Some("this is not an S3 event".into());
    event.records.insert(0, poison);
    let mut test_event = SqsMessage::default();
    test_event.message_id = Some("test-1".into());
    test_event.body =
        Some(json!({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": stack.bucket_name}).to_string());
    event.records.push(test_event);

    let failed = process_images::handle(&job(&stack), event).await;
    assert_eq!(failed, ["poison-1"]);
    assert_eq!(staff_view(&stack, &id).await["images"].as_array().unwrap().len(), 1, "the good message was processed");
}

#[tokio::test]
async fn objects_nobody_asked_to_upload_are_deleted() {
    let stack = Stack::new().await;
    let id = product(&stack).await;
    let key = format!("quarantine/{id}/{}", uuid::Uuid::now_v7());
    stack
        .s3()
        .put_object()
        .bucket(&stack.bucket_name)
        .key(&key)
        .body(ByteStream::from(png(8, 8)))
        .send()
        .await
        .unwrap();
    assert!(process_images::handle(&job(&stack), receive(&stack).await).await.is_empty());
    assert!(!exists(&stack, &key).await);
    assert_eq!(staff_view(&stack, &id).await["images"], json!([]));
}
