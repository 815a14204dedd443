//! The cipher for everything Larder keeps secret at rest: AES-256-GCM with
//! a random 96-bit nonce per value and the value's context bound as
//! associated data.

use std::fmt;

use aes_gcm::{
    aead::{Aead, KeyInit, Payload},
    Aes256Gcm, Nonce,
};
use rand::RngCore;

use crate::CoreError;

/// A 256-bit key. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        <[u8; 32]>::try_from(bytes).ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// The sealed format's version byte.
const SEALED_V1: u8 = 1;
const NONCE_LEN: usize = 12;

/// Encrypts `plaintext` under `key`, bound to `context`.
pub fn seal(key: &SecretKey, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CoreError> {
    let cipher = Aes256Gcm::new(key.as_bytes().into());
    let mut nonce = [0u8; NONCE_LEN];
    rand::thread_rng().fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: context,
            },
        )
        .map_err(|_| CoreError::Cache("a value could not be encrypted".into()))?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
    out.push(SEALED_V1);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Decrypts what [`seal`] made with the same key and context; `None` for
/// anything else (another key, another context, a damaged value).
pub fn open(key: &SecretKey, context: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    let (&version, rest) = sealed.split_first()?;
    if version != SEALED_V1 || rest.len() < NONCE_LEN {
        return None;
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    Aes256Gcm::new(key.as_bytes().into())
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: context,
            },
        )
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_context() {
        let key = SecretKey::random();
        let sealed = seal(&key, b"user.a\0widget:1", b"payload").expect("sealed");
        assert_eq!(
            open(&key, b"user.a\0widget:1", &sealed).as_deref(),
            Some(&b"payload"[..])
        );
        assert_eq!(
            open(&key, b"user.b\0widget:1", &sealed),
            None,
            "another user"
        );
        assert_eq!(
            open(&key, b"user.a\0widget:2", &sealed),
            None,
            "another entry"
        );
        assert_eq!(
            open(&SecretKey::random(), b"user.a\0widget:1", &sealed),
            None,
            "another key"
        );
        for i in 0..sealed.len() {
            let mut flipped = sealed.clone();
            flipped[i] ^= 0x40;
            assert_eq!(open(&key, b"user.a\0widget:1", &flipped), None, "byte {i}");
        }
        assert_eq!(open(&key, b"", &[]), None);
        assert!(
            !sealed.windows(7).any(|w| w == b"payload"),
            "ciphertext, not plaintext"
        );
    }
}
