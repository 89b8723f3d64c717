//! `PATCH /orders/{id}/returns/{return_id}`: staff approve, reject or receive a return.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::payments(&sdk).await?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::order_returns::update(&ctx, request)).await
}
