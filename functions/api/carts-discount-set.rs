//! `PUT /carts/{id}/discount`: applies a discount code.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let carts = tillbox::wiring::carts(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::carts::set_discount(&carts, request)).await
}
