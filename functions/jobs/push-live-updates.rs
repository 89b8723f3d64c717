//! Live updates job: pushes each event on the `live` queue to the WebSocket
//! connections following it.

use tillbox::inbound::jobs::{push_live, serve_sqs};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let job = tillbox::wiring::push_live_job(&sdk)?;
    serve_sqs(|event| push_live::handle(&job, event)).await
}
