//! One `SdkConfig` per process, from which every client is built once at cold start.

use aws_config::BehaviorVersion;

/// Region, credentials and endpoint from the environment. `AWS_ENDPOINT_URL` points
/// every client at the local emulator in `make dev` and in tests.
pub async fn load() -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
}
