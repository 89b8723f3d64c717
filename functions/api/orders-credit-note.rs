//! `GET /orders/{id}/refunds/{refund_id}/credit-note`: a short-lived link to a
//! refund's credit note PDF.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::downloads(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::order_receipts::credit_note(&ctx, request)).await
}
