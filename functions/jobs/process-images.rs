//! Image job: checks uploads arriving on the `images` queue, makes thumbnails and
//! attaches them to the product, or deletes and rejects the file.

use tillbox::inbound::jobs::{process_images, serve_sqs};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let job = tillbox::wiring::image_job(&sdk)?;
    serve_sqs(|event| process_images::handle(&job, event)).await
}
