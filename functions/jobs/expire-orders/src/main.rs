//! Expiry job (scheduled): cancels orders unpaid for too long and releases their stock.

use tillbox::jobs::expire_orders;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let job = expire_orders::ExpiryJob::from_env(&sdk)?;
    tillbox::jobs::serve(|event| expire_orders::handle(&job, event)).await
}
