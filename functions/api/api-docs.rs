//! `GET /openapi.json`, `GET /docs` and `GET /docs/{file}`: the API's contract and
//! the page that renders it. Touches nothing in AWS.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    tillbox::inbound::http::serve(tillbox::inbound::http::api_docs::serve_docs).await
}
