//! `POST /auth/login`: checks the password and starts a session (access + refresh token).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::sign_in(&sdk).await?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::auth::login(&ctx, request)).await
}
