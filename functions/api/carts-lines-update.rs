//! `PATCH /carts/{id}/lines/{variant_id}`: sets a line's quantity.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let carts = tillbox::wiring::carts(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::carts::update_line(&carts, request)).await
}
