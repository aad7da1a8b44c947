use axum::http::header::WWW_AUTHENTICATE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Why a callback was not ingested. Sinch retries 5xx and 429 and drops any other 4xx for
/// good, so only a fault of ours or of the database may answer 5xx.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("{0:?} is not a MoEngage workspace id")]
    InvalidAppKey(String),
    #[error("no tenant is registered for the workspace id {0}")]
    UnknownTenant(String),
    #[error("the Sinch integration is not enabled for the workspace id {0}")]
    Disabled(String),
    #[error("the callback credentials are missing or wrong")]
    Unauthorized,
    #[error("the callback signature is invalid: {0}")]
    BadSignature(#[from] crate::sinch_signature::SignatureError),
    #[error("the body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("the body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("the body could not be read: {0}")]
    UnreadableBody(String),
    #[error("{0}")]
    Malformed(#[from] domain::ReportError),
    #[error("the database is unavailable; retry later")]
    Unavailable(#[source] anyhow::Error),
    #[error("too many reports are waiting to be stored; retry later")]
    Busy,
    #[error("the report could not be stored in time; retry later")]
    TimedOut,
    #[error("an unexpected error occurred")]
    Unexpected(#[from] anyhow::Error),
}

impl WebhookError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidAppKey(_) | Self::UnknownTenant(_) => StatusCode::NOT_FOUND,
            Self::Disabled(_) => StatusCode::FORBIDDEN,
            Self::Unauthorized | Self::BadSignature(_) => StatusCode::UNAUTHORIZED,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnreadableBody(_) | Self::Malformed(_) => StatusCode::BAD_REQUEST,
            Self::Unavailable(_) | Self::TimedOut | Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable code clients and dashboards can match on.
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidAppKey(_) => "invalid_workspace_id",
            Self::UnknownTenant(_) => "unknown_workspace",
            Self::Disabled(_) => "integration_disabled",
            Self::Unauthorized => "unauthorized",
            Self::BadSignature(_) => "invalid_signature",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::UnreadableBody(_) => "unreadable_body",
            Self::Malformed(_) => "malformed_report",
            Self::Unavailable(_) | Self::TimedOut => "unavailable",
            Self::Busy => "busy",
            Self::Unexpected(_) => "internal_error",
        }
    }
}

impl WebhookError {
    /// The outcome label of the reports-received metric.
    pub fn outcome(&self) -> &'static str {
        match self {
            Self::InvalidAppKey(_) | Self::UnknownTenant(_) => "unknown_tenant",
            Self::Disabled(_) => "refused_disabled",
            Self::Unauthorized | Self::BadSignature(_) => "unauthorized",
            Self::UnsupportedMediaType
            | Self::PayloadTooLarge(_)
            | Self::UnreadableBody(_)
            | Self::Malformed(_) => "malformed",
            Self::Unavailable(_) | Self::TimedOut => "unavailable",
            Self::Busy => "busy",
            Self::Unexpected(_) => "error",
        }
    }
}

impl IntoResponse for WebhookError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(
                error = &self as &dyn std::error::Error,
                "webhook call failed"
            );
        } else {
            tracing::info!(reason = %self, "webhook call refused");
        }
        let mut response = (
            status,
            Json(json!({ "error": self.code(), "message": self.to_string() })),
        )
            .into_response();
        if matches!(self, Self::Unauthorized) {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"dlrhub\""),
            );
        }
        response
    }
}
