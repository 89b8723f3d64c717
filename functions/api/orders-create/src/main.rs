//! `POST /orders`: a signed-in customer places an order (`Idempotency-Key` required).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let ctx = tillbox::api::TableAccess::from_env(&sdk)?;
    tillbox::http::serve(|request| tillbox::api::orders::create(&ctx, request)).await
}
