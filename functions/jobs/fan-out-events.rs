//! Fan-out job: puts each event written to the outbox (read from the table's stream)
//! on the queue of every job that reacts to it.

use tillbox::inbound::jobs::fan_out;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let job = tillbox::wiring::fan_out_job(&sdk)?;
    tillbox::inbound::jobs::serve(|event| fan_out::handle(&job, event)).await
}
