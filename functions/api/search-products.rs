//! `GET /search/products`: full-text search with facets, from the index in memory.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let search = tillbox::wiring::search(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::product_search::search(&search, request)).await
}
