//! `GET /orders/{id}/receipt`: a short-lived link to the order's invoice PDF.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::downloads(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::order_receipts::get(&ctx, request)).await
}
