//! `POST /orders`: a signed-in customer places an order (`Idempotency-Key` required).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::table_access(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::orders::create(&ctx, request)).await
}
