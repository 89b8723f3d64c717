//! `POST /orders/{id}/cancel`: the owner or staff cancel an unpaid order; its stock is released.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::outbound::aws::load().await;
    let ctx = tillbox::inbound::http::TableAccess::from_env(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::orders::cancel(&ctx, request)).await
}
