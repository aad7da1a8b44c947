//! What a server function answers when it does not do what was asked: one type for all,
//! which the pages match on to say the right thing. Its HTTP status follows from it
//! ([`ApiError::status`]), set where the answer is written, so no function sets one itself.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::Bytes;
use serde::{Deserialize, Serialize};

use super::forms::FieldErrors;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    /// No one is signed in (or the session ended).
    #[error("sign in first")]
    Unauthorized,
    /// The signed-in user's role does not allow it.
    #[error("your role does not allow this")]
    Forbidden,
    /// What was asked for does not exist, or is outside the user's tenants.
    #[error("{0}")]
    NotFound(String),
    /// The input is wrong: a message per field, shown beside it (`form` for the whole).
    #[error("{}", .0.summary())]
    Invalid(FieldErrors),
    /// Something this needs is not there right now (a setting, an outside service).
    #[error("{0}")]
    Unavailable(String),
    /// A failure that is ours, not the caller's: logged in full, answered in general.
    #[error("something went wrong on our side; try again in a moment")]
    Internal,
    /// The call did not get an answer this side could read (the network, a decoder).
    #[error("the server could not be reached or answered unreadably: {0}")]
    Call(String),
}

impl ApiError {
    pub fn not_found(what: impl ToString) -> Self {
        Self::NotFound(what.to_string())
    }

    /// One field's message.
    pub fn invalid(field: &str, message: impl ToString) -> Self {
        Self::Invalid(FieldErrors::one(field, message))
    }

    pub fn unavailable(why: impl ToString) -> Self {
        Self::Unavailable(why.to_string())
    }

    /// The messages per field, when the input was wrong.
    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            Self::Invalid(errors) => Some(errors),
            _ => None,
        }
    }

    /// The HTTP status it is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound(_) => 404,
            Self::Invalid(_) => 422,
            Self::Unavailable(_) => 503,
            Self::Internal | Self::Call(_) => 500,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Call(value.to_string())
    }

    /// Called once, on the server, to write the error's answer: the status goes with it.
    fn ser(&self) -> Bytes {
        crate::http_status::set_http_status(self.status());
        // Plain data: serialising it cannot fail, but an answer must go out regardless.
        serde_json::to_vec(self)
            .map(Bytes::from)
            .unwrap_or_else(|_| Bytes::from_static(br#""Internal""#))
    }
}

/// Passes a server function's answer through, making its error the page's HTTP status
/// the moment the answer is known. A page that shows the error sets the status too, when
/// it renders; but a deleted tenant's page was once served as 200 (a CI rehearsal, not
/// reproduced since), so the blocking resources whose error is the page's status set it
/// themselves, before the first byte can go out.
pub fn status_of<T>(answer: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(error) = &answer {
        crate::http_status::set_http_status(error.status());
    }
    answer
}

#[cfg(feature = "ssr")]
impl ApiError {
    /// A failure that is ours: logged in full here, answered in general.
    pub fn internal(error: impl std::error::Error + 'static) -> Self {
        tracing::error!(
            error = &error as &dyn std::error::Error,
            "server function failed"
        );
        Self::Internal
    }
}

/// A failure inside the server becomes [`ApiError::Internal`] with `?`.
#[cfg(feature = "ssr")]
macro_rules! internal_errors {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for ApiError {
            fn from(error: $error) -> Self {
                Self::internal(error)
            }
        }
    )*};
}

#[cfg(feature = "ssr")]
internal_errors!(
    store::DbError,
    store::cipher::CipherError,
    store::tenants::TenantError,
    store::SchemaStatusError,
    store::forwarding::ProfileError,
    auth::principal::ResolveError,
    auth::session::SessionError,
);
