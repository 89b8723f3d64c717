//! `POST /orders/{id}/fulfil`: staff hand a paid order to a carrier.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::table_access(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::orders::fulfil(&ctx, request)).await
}
