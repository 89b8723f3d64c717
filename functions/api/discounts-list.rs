//! `GET /discounts`: staff list discount codes with their use counts.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::table_access(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::discounts::list(&ctx, request)).await
}
