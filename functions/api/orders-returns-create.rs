//! `POST /orders/{id}/returns`: a customer asks to return units of a fulfilled order.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::returns(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::order_returns::create(&ctx, request)).await
}
