//! `POST /products/{id}/images`: staff get a signed URL to upload one image to.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let sdk = tillbox::adapters::aws::load().await;
    let catalog = tillbox::api::Catalog::from_env(&sdk)?;
    let bucket = tillbox::adapters::s3::Bucket::from_env(&sdk)?;
    tillbox::http::serve(|request| tillbox::api::product_images::create(&catalog, &bucket, request)).await
}
