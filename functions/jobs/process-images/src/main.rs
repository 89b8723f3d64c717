//! Image job: checks uploads arriving on the `images` queue, makes thumbnails and
//! attaches them to the product, or deletes and rejects the file.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let job = tillbox::jobs::process_images::ImageJob::from_env(&sdk)?;
    tillbox::jobs::serve_sqs(|event| tillbox::jobs::process_images::handle(&job, event)).await
}
