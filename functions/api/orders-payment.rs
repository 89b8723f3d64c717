//! `POST /orders/{id}/payment`: open the order's payment at the provider.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::payments(&sdk).await?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::order_payments::start(&ctx, request)).await
}
