//! `DELETE /me/addresses/{address_id}`: removes an address from the caller's book.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let ctx = tillbox::wiring::table_access(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::me_addresses::delete(&ctx, request)).await
}
