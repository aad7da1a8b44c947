//! Secrets at rest (MoEngage Data API keys, callback passwords, HMAC secrets) are sealed
//! with AES-256-GCM under the master key.
//!
//! Each value is bound to where it belongs (its tenant's workspace id and its field) as
//! associated data, so a ciphertext copied into another row or column fails to open.
//! Layout: one version byte (1), a 12-byte random nonce, then the ciphertext and tag.
//!
//! Rotating the master key: a cipher seals with the current key and opens with it or with
//! any previous key it was given, so processes keep working while `reseal` moves every
//! stored secret to the current key (see `crate::secrets`).

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};

const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct Cipher {
    current: Aes256Gcm,
    previous: Vec<Aes256Gcm>,
}

#[derive(Debug, thiserror::Error)]
pub enum CipherError {
    #[error("the stored secret cannot be opened: wrong master key, or the value was moved")]
    Open,
    #[error("the stored secret has an unknown format (version {0})")]
    Version(u8),
    #[error("the system's random number generator failed")]
    Random(#[from] getrandom::Error),
}

/// Where a secret belongs; part of what the ciphertext authenticates.
pub struct SecretSlot<'a> {
    pub app_key: &'a str,
    pub field: &'static str,
}

impl SecretSlot<'_> {
    fn associated_data(&self) -> Vec<u8> {
        format!("dlrhub/{}/{}", self.app_key, self.field).into_bytes()
    }
}

impl Cipher {
    pub fn new(master_key: &[u8; 32]) -> Self {
        Self::with_previous(master_key, &[])
    }

    /// Seals with `master_key`; opens with it or with any of `previous`.
    pub fn with_previous(master_key: &[u8; 32], previous: &[&[u8; 32]]) -> Self {
        Self {
            current: Aes256Gcm::new(master_key.into()),
            previous: previous
                .iter()
                .map(|key| Aes256Gcm::new((*key).into()))
                .collect(),
        }
    }

    /// The same secret sealed under the current key, or None when it already is.
    pub fn reseal(
        &self,
        slot: &SecretSlot<'_>,
        blob: &[u8],
    ) -> Result<Option<Vec<u8>>, CipherError> {
        if open_with(&self.current, slot, blob).is_ok() {
            return Ok(None);
        }
        let plaintext = self.open(slot, blob)?;
        self.seal(slot, &plaintext).map(Some)
    }

    pub fn seal(&self, slot: &SecretSlot<'_>, plaintext: &str) -> Result<Vec<u8>, CipherError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)?;
        let aad = slot.associated_data();
        let sealed = self
            .current
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| CipherError::Open)?;
        let mut blob = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        blob.push(VERSION);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        Ok(blob)
    }

    pub fn open(&self, slot: &SecretSlot<'_>, blob: &[u8]) -> Result<String, CipherError> {
        match open_with(&self.current, slot, blob) {
            Err(CipherError::Open) => self
                .previous
                .iter()
                .find_map(|key| open_with(key, slot, blob).ok())
                .ok_or(CipherError::Open),
            result => result,
        }
    }
}

fn open_with(key: &Aes256Gcm, slot: &SecretSlot<'_>, blob: &[u8]) -> Result<String, CipherError> {
    let (&version, rest) = blob.split_first().ok_or(CipherError::Open)?;
    if version != VERSION {
        return Err(CipherError::Version(version));
    }
    if rest.len() < NONCE_LEN {
        return Err(CipherError::Open);
    }
    let (nonce, sealed) = rest.split_at(NONCE_LEN);
    let aad = slot.associated_data();
    let plaintext = key
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: &aad,
            },
        )
        .map_err(|_| CipherError::Open)?;
    String::from_utf8(plaintext).map_err(|_| CipherError::Open)
}

/// A random token of `len` characters from an alphabet that survives URLs and shells.
pub fn random_token(len: usize) -> Result<String, CipherError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes)?;
    // 256 is not a multiple of the alphabet's size: reject the top values to stay uniform.
    let limit = 256 - 256 % ALPHABET.len();
    let mut token = String::with_capacity(len);
    while token.len() < len {
        for &byte in &bytes {
            if usize::from(byte) < limit && token.len() < len {
                token.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
            }
        }
        getrandom::fill(&mut bytes)?;
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SLOT: SecretSlot<'static> = SecretSlot {
        app_key: "ACME",
        field: "moengage_api_key",
    };

    #[test]
    fn a_sealed_secret_opens_with_the_same_key_and_slot() {
        let cipher = Cipher::new(&[7; 32]);
        let blob = cipher.seal(&SLOT, "s3cret-key").expect("seals");
        assert_eq!(cipher.open(&SLOT, &blob).expect("opens"), "s3cret-key");
        assert!(!blob.windows(10).any(|w| w == b"s3cret-key"));
    }

    #[test]
    fn another_key_or_another_slot_cannot_open_it() {
        let blob = Cipher::new(&[7; 32])
            .seal(&SLOT, "s3cret-key")
            .expect("seals");
        assert!(Cipher::new(&[8; 32]).open(&SLOT, &blob).is_err());
        let elsewhere = SecretSlot {
            app_key: "OTHER",
            field: "moengage_api_key",
        };
        assert!(Cipher::new(&[7; 32]).open(&elsewhere, &blob).is_err());
        assert!(Cipher::new(&[7; 32]).open(&SLOT, &blob[..5]).is_err());
    }

    #[test]
    fn random_tokens_have_the_length_asked_and_differ() {
        let a = random_token(32).expect("random");
        let b = random_token(32).expect("random");
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn a_previous_key_still_opens_and_reseal_moves_the_secret_to_the_current_key() {
        let old = Cipher::new(&[7; 32]).seal(&SLOT, "secret").expect("seals");
        let rotated = Cipher::with_previous(&[9; 32], &[&[7; 32]]);
        assert_eq!(rotated.open(&SLOT, &old).expect("opens"), "secret");

        let resealed = rotated
            .reseal(&SLOT, &old)
            .expect("reseals")
            .expect("it was under the old key");
        assert_eq!(
            Cipher::new(&[9; 32]).open(&SLOT, &resealed).expect("opens"),
            "secret"
        );
        assert!(Cipher::new(&[7; 32]).open(&SLOT, &resealed).is_err());
        assert_eq!(
            rotated.reseal(&SLOT, &resealed).expect("checks"),
            None,
            "already current"
        );
        assert!(
            Cipher::new(&[1; 32]).reseal(&SLOT, &old).is_err(),
            "no key opens it"
        );
    }
}
