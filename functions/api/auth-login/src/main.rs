//! `POST /auth/login`: checks the password and starts a session (access + refresh token).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let ctx = tillbox::api::SignIn::from_env(&sdk).await?;
    tillbox::http::serve(|request| tillbox::api::auth::login(&ctx, request)).await
}
