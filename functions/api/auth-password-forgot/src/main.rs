//! `POST /auth/password/forgot`: e-mails a reset link if the address has an account.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let ctx = tillbox::api::TableAccess::from_env(&sdk)?;
    tillbox::http::serve(|request| tillbox::api::auth::forgot_password(&ctx, request)).await
}
