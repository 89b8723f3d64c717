//! `GET /admin/webhooks`: admins list the endpoints.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::admin_webhooks(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::admin_webhooks::list(&ctx, request)).await
}
