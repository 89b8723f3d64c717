//! `POST /auth/refresh`: rotates the refresh token; a reused one revokes its session.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::outbound::aws::load().await;
    let ctx = tillbox::inbound::http::SignIn::from_env(&sdk).await?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::auth::refresh(&ctx, request)).await
}
