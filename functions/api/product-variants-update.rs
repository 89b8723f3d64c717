//! `PATCH /products/{id}/variants/{variant_id}`: staff change a variant; needs If-Match with the product's version.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let catalog = tillbox::wiring::catalog(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::products::change_variant(&catalog, request)).await
}
