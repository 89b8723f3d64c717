//! `POST /orders/{id}/cancel`: the owner or staff cancel an unpaid order; its stock is released.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::table_access(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::orders::cancel(&ctx, request)).await
}
