//! What a form's server function answers when the input is wrong: a message per field,
//! shown beside it.

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
}

/// A form's answer: done (with what to show), or the fields to fix.
pub type FormResult<T> = Result<T, FieldErrors>;
