//! `GET /products/{id}`: one product; drafts and archived ones only for staff.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::outbound::aws::load().await;
    let catalog = tillbox::inbound::http::Catalog::from_env(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::products::get(&catalog, request)).await
}
