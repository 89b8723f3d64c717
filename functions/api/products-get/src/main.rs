//! `GET /products/{id}`: one product; drafts and archived ones only for staff.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let catalog = tillbox::api::Catalog::from_env(&sdk)?;
    tillbox::http::serve(|request| tillbox::api::products::get(&catalog, request)).await
}
