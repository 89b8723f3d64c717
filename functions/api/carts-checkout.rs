//! `POST /carts/{id}/checkout`: places the cart as one order, once.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let carts = tillbox::wiring::carts(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::carts::checkout(&carts, request)).await
}
