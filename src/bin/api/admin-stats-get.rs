//! `GET /admin/stats`: admins read sales per day.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::outbound::aws::load().await;
    let ctx = tillbox::inbound::http::TableAccess::from_env(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::admin_stats::get(&ctx, request)).await
}
