//! Password hashing with argon2id (OWASP's parameters: 19 MiB, 2 passes, 1 lane).
//!
//! A hash costs tens of milliseconds of CPU and 19 MiB of memory, so it runs on a blocking
//! thread, and a semaphore bounds how many run at once: a burst of sign-ins queues instead
//! of starving the async workers or the memory.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use domain::access::NewPassword;
use tokio::sync::{OnceCell, Semaphore};

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("could not hash the password: {0}")]
    Hash(String),
    #[error("could not draw random bytes")]
    Random(#[from] getrandom::Error),
    #[error("the password hashing task failed")]
    Task(#[from] tokio::task::JoinError),
    #[error("the password hasher is shut down")]
    Closed,
}

#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// A hash of a random password, verified against when the account does not exist, so
    /// a wrong email costs as long as a wrong password.
    decoy: Arc<OnceCell<String>>,
}

impl Default for Passwords {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self::new(cores)
    }
}

impl Passwords {
    pub fn new(concurrent_hashes: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrent_hashes.max(1))),
            decoy: Arc::new(OnceCell::new()),
        }
    }

    pub async fn hash(&self, password: &NewPassword) -> Result<String, PasswordError> {
        let password = password.expose().to_owned();
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt)?;
        self.blocking(move || {
            let salt =
                SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| PasswordError::Hash(e.to_string()))
        })
        .await
    }

    /// Whether `candidate` matches `hash`. Without a hash (no such user) the candidate is
    /// checked against a decoy and the answer is always false.
    pub async fn verify(&self, candidate: &str, hash: Option<&str>) -> Result<bool, PasswordError> {
        let (hash, real) = match hash {
            Some(hash) => (hash.to_owned(), true),
            None => (self.decoy().await?, false),
        };
        let candidate = candidate.to_owned();
        let matches = self
            .blocking(move || {
                Ok(PasswordHash::new(&hash)
                    .map(|parsed| {
                        Argon2::default()
                            .verify_password(candidate.as_bytes(), &parsed)
                            .is_ok()
                    })
                    .unwrap_or(false))
            })
            .await?;
        Ok(matches && real)
    }

    /// A password for a new account or a reset: 20 characters from a 57-letter alphabet
    /// (about 116 bits), shown once to the operator.
    pub fn generate(&self) -> Result<String, PasswordError> {
        store::cipher::random_token(20).map_err(|e| PasswordError::Hash(e.to_string()))
    }

    async fn decoy(&self) -> Result<String, PasswordError> {
        self.decoy
            .get_or_try_init(|| async {
                let random = self.generate()?;
                let email = domain::access::Email::parse("decoy@dlrhub.invalid")
                    .map_err(|e| PasswordError::Hash(e.to_string()))?;
                let password = NewPassword::parse(random, &email)
                    .map_err(|e| PasswordError::Hash(e.to_string()))?;
                self.hash(&password).await
            })
            .await
            .cloned()
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, PasswordError> + Send + 'static,
    ) -> Result<T, PasswordError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| PasswordError::Closed)?;
        tokio::task::spawn_blocking(work).await?
    }
}

#[cfg(test)]
mod tests {
    use domain::access::Email;

    use super::*;

    fn password(raw: &str) -> NewPassword {
        let email = Email::parse("ana@example.com").expect("valid");
        NewPassword::parse(raw.to_owned(), &email).expect("meets the policy")
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let passwords = Passwords::new(2);
        let hash = passwords
            .hash(&password("correct horse battery"))
            .await
            .expect("hashed");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(passwords
            .verify("correct horse battery", Some(&hash))
            .await
            .expect("verified"));
        assert!(!passwords
            .verify("correct horse battery!", Some(&hash))
            .await
            .expect("verified"));
    }

    #[tokio::test]
    async fn without_an_account_nothing_verifies() {
        let passwords = Passwords::new(1);
        assert!(!passwords
            .verify("anything at all", None)
            .await
            .expect("ran"));
    }

    #[tokio::test]
    async fn the_same_password_gets_a_different_salt_each_time() {
        let passwords = Passwords::new(2);
        let one = passwords.hash(&password("correct horse battery")).await;
        let two = passwords.hash(&password("correct horse battery")).await;
        assert_ne!(one.expect("hashed"), two.expect("hashed"));
    }
}
