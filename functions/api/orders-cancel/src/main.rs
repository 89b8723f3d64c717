//! `POST /orders/{id}/cancel`: the owner or staff cancel an unpaid order; its stock is released.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let ctx = tillbox::api::TableAccess::from_env(&sdk)?;
    tillbox::http::serve(|request| tillbox::api::orders::cancel(&ctx, request)).await
}
