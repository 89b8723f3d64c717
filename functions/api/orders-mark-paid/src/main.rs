//! `POST /orders/{id}/mark-paid`: staff record a payment (the manual payment provider).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let ctx = tillbox::api::TableAccess::from_env(&sdk)?;
    tillbox::http::serve(|request| tillbox::api::orders::mark_paid(&ctx, request)).await
}
