//! Export job: writes each requested order export as CSV to the bucket.

use tillbox::inbound::jobs::{exports, serve_sqs};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::outbound::aws::load().await;
    let job = exports::ExportJob::from_env(&sdk)?;
    serve_sqs(|event| exports::handle(&job, event)).await
}
