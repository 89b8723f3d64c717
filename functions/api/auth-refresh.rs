//! `POST /auth/refresh`: rotates the refresh token; a reused one revokes its session.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::sign_in(&sdk).await?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::auth::refresh(&ctx, request)).await
}
