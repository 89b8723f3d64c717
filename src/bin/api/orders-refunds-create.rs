//! `POST /orders/{id}/refunds`: staff give money back (and goods back in stock).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::outbound::aws::load().await;
    let ctx = tillbox::inbound::http::Payments::from_env(&sdk).await?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::order_refunds::create(&ctx, request)).await
}
