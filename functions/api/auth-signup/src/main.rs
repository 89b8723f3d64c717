//! `POST /auth/signup`: creates a customer account and e-mails a verification link.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let ctx = tillbox::api::TableAccess::from_env(&sdk)?;
    tillbox::http::serve(|request| tillbox::api::auth::signup(&ctx, request)).await
}
