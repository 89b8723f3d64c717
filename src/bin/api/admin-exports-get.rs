//! `GET /admin/exports/{id}`: an export's progress and, when done, its link.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::outbound::aws::load().await;
    let ctx = tillbox::inbound::http::Downloads::from_env(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::admin_exports::get(&ctx, request)).await
}
