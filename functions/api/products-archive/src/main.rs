//! `DELETE /products/{id}`: staff take a product off sale (it is kept, archived).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let catalog = tillbox::api::Catalog::from_env(&sdk)?;
    tillbox::http::serve(|request| tillbox::api::products::archive(&catalog, request)).await
}
