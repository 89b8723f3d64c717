//! `PATCH /admin/webhooks/{id}`: change an endpoint's URL, events, description or state.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::outbound::aws::load().await;
    let ctx = tillbox::inbound::http::AdminWebhooks::from_env(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::admin_webhooks::update(&ctx, request)).await
}
