//! `POST /auth/refresh`: rotates the refresh token; a reused one revokes its session.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let ctx = tillbox::api::SignIn::from_env(&sdk).await?;
    tillbox::http::serve(|request| tillbox::api::auth::refresh(&ctx, request)).await
}
