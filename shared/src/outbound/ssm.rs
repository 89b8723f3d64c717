//! Secrets from SSM Parameter Store, read once per container.

use super::unavailable;
use crate::app::store::StoreError;

/// The decrypted value of a SecureString parameter.
pub async fn secure_string(sdk: &aws_config::SdkConfig, name: &str) -> Result<String, StoreError> {
    let output = aws_sdk_ssm::Client::new(sdk)
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .map_err(unavailable)?;
    output.parameter.and_then(|p| p.value).ok_or(StoreError::NotFound)
}
