//! Webhooks job: one signed attempt per message from the webhooks queue; retries
//! come back to the queue on Standard Webhooks' schedule.

use tillbox::inbound::jobs::webhooks;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let job = tillbox::wiring::webhooks_job(&sdk)?;
    tillbox::inbound::jobs::serve_sqs(|event| webhooks::handle(&job, event)).await
}
