//! `DELETE /admin/webhooks/{id}`: stop delivering to an endpoint.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::admin_webhooks(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::admin_webhooks::delete(&ctx, request)).await
}
