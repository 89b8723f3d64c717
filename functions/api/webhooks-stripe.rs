//! `POST /webhooks/stripe`: verified Stripe events onto the payments queue.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::stripe_webhooks(&sdk).await?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::webhooks::stripe(&ctx, request)).await
}
