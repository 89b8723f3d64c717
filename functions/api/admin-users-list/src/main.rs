//! `GET /admin/users`: admins list every account.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let ctx = tillbox::api::TableAccess::from_env(&sdk)?;
    tillbox::http::serve(|request| tillbox::api::admin_users::list(&ctx, request)).await
}
