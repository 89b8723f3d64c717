//! `POST /products/{id}/variants`: staff add a variant; needs If-Match with the product's version.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let catalog = tillbox::wiring::catalog(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::products::add_variant(&catalog, request)).await
}
