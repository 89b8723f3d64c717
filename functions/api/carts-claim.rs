//! `POST /carts/{id}/claim`: a customer who signed in takes over their anonymous cart.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let carts = tillbox::wiring::carts(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::carts::claim(&carts, request)).await
}
