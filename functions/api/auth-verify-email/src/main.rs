//! `POST /auth/verify-email`: spends a verification token and marks the address verified.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let ctx = tillbox::api::TableAccess::from_env(&sdk)?;
    tillbox::http::serve(|request| tillbox::api::auth::verify_email(&ctx, request)).await
}
