//! Payments job: applies each provider event on the `payments` queue (paid,
//! declined, refunded) to the payment and its order.

use tillbox::inbound::jobs::{payments, serve_sqs};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let job = tillbox::wiring::payments_job(&sdk).await?;
    serve_sqs(|event| payments::handle(&job, event)).await
}
