//! Export job: writes each requested order export as CSV to the bucket.

use tillbox::inbound::jobs::{exports, serve_sqs};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let job = tillbox::wiring::export_job(&sdk)?;
    serve_sqs(|event| exports::handle(&job, event)).await
}
