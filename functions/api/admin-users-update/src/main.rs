//! `PATCH /admin/users/{id}`: admins change a user's role or disable them (audited).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let ctx = tillbox::api::TableAccess::from_env(&sdk)?;
    tillbox::http::serve(|request| tillbox::api::admin_users::update(&ctx, request)).await
}
