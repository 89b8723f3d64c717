//! `GET /orders`: a customer's own orders; staff list by status or customer.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::outbound::aws::load().await;
    let ctx = tillbox::inbound::http::TableAccess::from_env(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::orders::list(&ctx, request)).await
}
