//! `POST /carts/{id}/checkout`: places the cart as one order, once; a guest
//! gets the order's signed link.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let checkout = tillbox::wiring::checkout(&sdk).await?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::carts::checkout(&checkout, request)).await
}
