//! `POST /auth/password/reset`: sets a new password with a reset token; ends every session.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::outbound::aws::load().await;
    let ctx = tillbox::inbound::http::TableAccess::from_env(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::auth::reset_password(&ctx, request)).await
}
