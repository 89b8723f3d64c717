//! WebSocket `$connect`: signs the caller in (the access token offered as a
//! subprotocol) and records the connection.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let socket = tillbox::wiring::live_socket(&sdk)?;
    tillbox::inbound::live::serve(|event| tillbox::inbound::live::connect(&socket, event)).await
}
