//! `POST /orders/{id}/refunds`: staff give money back (and goods back in stock).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::payments(&sdk).await?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::order_refunds::create(&ctx, request)).await
}
