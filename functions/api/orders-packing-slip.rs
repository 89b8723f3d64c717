//! `GET /orders/{id}/packing-slip`: staff get a short-lived link to a paid
//! order's packing slip PDF.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::downloads(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::order_receipts::packing_slip(&ctx, request)).await
}
