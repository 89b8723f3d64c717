//! `GET /orders/{id}/returns`: the order's returns.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::returns(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::order_returns::list(&ctx, request)).await
}
