//! Abandoned-cart job (scheduled): publishes `cart.abandoned` once per cart left
//! untouched with something in it.

use tillbox::inbound::jobs::abandon_carts;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let job = tillbox::wiring::abandoned_cart_job(&sdk)?;
    tillbox::inbound::jobs::serve(|event| abandon_carts::handle(&job, event)).await
}
