//! `DELETE /products/{id}/variants/{variant_id}`: staff take a variant off sale.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let catalog = tillbox::wiring::catalog(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::products::archive_variant(&catalog, request)).await
}
