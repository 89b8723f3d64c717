//! Stats job: keeps the daily sales counters `GET /admin/stats` reads, from the
//! order events on the `stats` queue.

use tillbox::inbound::jobs::{serve_sqs, stats};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let job = tillbox::wiring::stats_job(&sdk)?;
    serve_sqs(|event| stats::handle(&job, event)).await
}
