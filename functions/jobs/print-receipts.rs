//! Receipts job: prints the PDF receipt of each paid order (the `receipts` queue) into the bucket.

use tillbox::inbound::jobs::{receipts, serve_sqs};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let job = tillbox::wiring::receipts_job(&sdk)?;
    serve_sqs(|event| receipts::handle(&job, event)).await
}
