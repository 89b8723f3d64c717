//! `POST /admin/exports/orders`: admins ask for an order export.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::outbound::aws::load().await;
    let ctx = tillbox::inbound::http::TableAccess::from_env(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::admin_exports::create(&ctx, request)).await
}
