use crate::app::error::{CommonError, shares_common_errors};

#[derive(Debug, thiserror::Error)]
pub enum WebhooksError {
    /// The URL's host resolves to an address deliveries may not reach.
    #[error("{0}")]
    UnreachableUrl(String),
    /// A disabled endpoint is enabled first (`PATCH … {"enabled": true}`).
    #[error("the endpoint is disabled; enable it before redelivering")]
    EndpointDisabled,
    #[error(transparent)]
    Common(#[from] CommonError),
}

shares_common_errors!(WebhooksError);
