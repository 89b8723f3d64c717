//! `POST /admin/webhooks/{id}/rotate-secret`: a new signing secret; the old one signs for 24 h more.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::outbound::aws::load().await;
    let ctx = tillbox::inbound::http::AdminWebhooks::from_env(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::admin_webhooks::rotate_secret(&ctx, request)).await
}
