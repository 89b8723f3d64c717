//! Stock watcher: publishes `inventory.low` when a change to a product (read from
//! the table's stream) takes a variant's stock below its threshold.

use tillbox::inbound::jobs::watch_stock;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let job = tillbox::wiring::stock_watch(&sdk)?;
    tillbox::inbound::jobs::serve(|event| watch_stock::handle(&job, event)).await
}
