//! `GET /admin/exports/{id}`: an export's progress and, when done, its link.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::downloads(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::admin_exports::get(&ctx, request)).await
}
