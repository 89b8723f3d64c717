//! Search index job: brings the search documents of the products on the `search`
//! queue up to date, one read and one write of the index per batch.

use tillbox::inbound::jobs::{index_products, serve_sqs};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let job = tillbox::wiring::index_products_job(&sdk)?;
    serve_sqs(|event| index_products::handle(&job, event)).await
}
