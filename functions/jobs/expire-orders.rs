//! Expiry job (scheduled): cancels orders unpaid for too long and releases their stock.

use tillbox::inbound::jobs::expire_orders;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let job = tillbox::wiring::expiry_job(&sdk)?;
    tillbox::inbound::jobs::serve(|event| expire_orders::handle(&job, event)).await
}
