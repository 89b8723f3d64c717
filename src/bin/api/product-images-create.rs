//! `POST /products/{id}/images`: staff get a signed URL to upload one image to.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::outbound::aws::load().await;
    let catalog = tillbox::inbound::http::Catalog::from_env(&sdk)?;
    let bucket = tillbox::outbound::s3::Bucket::from_env(&sdk)?;
    tillbox::inbound::http::serve(|request| tillbox::inbound::http::product_images::create(&catalog, &bucket, request))
        .await
}
