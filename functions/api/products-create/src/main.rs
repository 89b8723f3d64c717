//! `POST /products`: staff create a product (version 1, draft by default).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let catalog = tillbox::api::Catalog::from_env(&sdk)?;
    tillbox::http::serve(|request| tillbox::api::products::create(&catalog, request)).await
}
