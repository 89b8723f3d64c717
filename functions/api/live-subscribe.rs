//! WebSocket `subscribe` (and `$default`): follows an order or the staff feed.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let socket = tillbox::wiring::live_socket(&sdk)?;
    tillbox::inbound::live::serve(|event| tillbox::inbound::live::subscribe(&socket, event)).await
}
