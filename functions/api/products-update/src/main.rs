//! `PATCH /products/{id}`: staff change a product; needs If-Match with its version.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let catalog = tillbox::api::Catalog::from_env(&sdk)?;
    tillbox::http::serve(|request| tillbox::api::products::update(&catalog, request)).await
}
