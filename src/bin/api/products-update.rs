//! `PATCH /products/{id}`: staff change a product; needs If-Match with its version.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::outbound::aws::load().await;
    let catalog = tillbox::inbound::http::Catalog::from_env(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::products::update(&catalog, request)).await
}
