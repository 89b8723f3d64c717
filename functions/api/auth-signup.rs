//! `POST /auth/signup`: creates a customer account and e-mails a verification link.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::table_access(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::auth::signup(&ctx, request)).await
}
