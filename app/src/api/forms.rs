//! What a form's server function answers when the input is wrong (inside
//! `ApiError::Invalid`): a message per field, shown beside it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    pub fn one(field: &str, message: impl ToString) -> Self {
        Self(vec![(field.to_owned(), message.to_string())])
    }

    pub fn add(&mut self, field: &str, message: impl ToString) {
        self.0.push((field.to_owned(), message.to_string()));
    }

    pub fn get(&self, field: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, message)| message.clone())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All the messages in one line, for a place that shows one.
    pub fn summary(&self) -> String {
        self.0
            .iter()
            .map(|(_, message)| message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// What a form shows once its action has answered: the message per field when the input
/// was wrong, any other failure (a refusal, ours) as the whole form's (`form`); nothing
/// before it ran or when it succeeded.
pub fn form_errors<T>(answer: Option<Result<T, super::error::ApiError>>) -> Option<FieldErrors> {
    match answer? {
        Ok(_) => None,
        Err(super::error::ApiError::Invalid(errors)) => Some(errors),
        Err(error) => Some(FieldErrors::one("form", error)),
    }
}
