//! `GET /products`: active products for everyone, other statuses for staff.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let catalog = tillbox::wiring::catalog(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::products::list(&catalog, request)).await
}
