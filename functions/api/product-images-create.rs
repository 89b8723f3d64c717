//! `POST /products/{id}/images`: staff get a signed URL to upload one image to.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::wiring::sdk()?;
    let catalog = tillbox::wiring::catalog(&sdk)?;
    let bucket = tillbox::wiring::bucket(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::product_images::create(&catalog, &bucket, request))
        .await
}
