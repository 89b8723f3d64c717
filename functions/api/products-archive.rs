//! `DELETE /products/{id}`: staff take a product off sale (it is kept, archived).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let catalog = tillbox::wiring::catalog(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::products::archive(&catalog, request)).await
}
