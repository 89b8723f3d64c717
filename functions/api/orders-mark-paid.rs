//! `POST /orders/{id}/mark-paid`: staff record a payment (the manual payment provider).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::table_access(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::orders::mark_paid(&ctx, request)).await
}
