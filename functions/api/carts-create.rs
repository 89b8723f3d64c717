//! `POST /carts`: a cart for anyone (the signed-in customer's open cart, or a new anonymous one).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let carts = tillbox::wiring::carts(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::carts::create(&carts, request)).await
}
