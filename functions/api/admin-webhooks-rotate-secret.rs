//! `POST /admin/webhooks/{id}/rotate-secret`: a new signing secret; the old one signs for 24 h more.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::admin_webhooks(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::admin_webhooks::rotate_secret(&ctx, request)).await
}
