//! The `$default` route: a method a path does not take (405 with `Allow`), or a
//! path the API does not have (404), as problem+json. Touches nothing in AWS.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    tillbox::inbound::http::serve(tillbox::inbound::http::fallback::unrouted).await
}
