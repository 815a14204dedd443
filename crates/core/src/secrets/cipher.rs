//! The cipher for everything Larder keeps secret at rest: AES-256-GCM with
//! a random 96-bit nonce per value and the value's context bound as
//! associated data.

use std::fmt;

use aes_gcm::{
    aead::{Aead, KeyInit, Payload},
    Aes256Gcm, Nonce,
};
use rand::RngCore;

use super::SecretError;

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

impl SecretKey {
    /// A short, public identifier of this key: the first 8 bytes of a
    /// SHA-256 over a label and the key. Sealed values carry it, so a value
    /// sealed under another key is told apart from a damaged one.
    pub fn id(&self) -> KeyId {
        use sha2::{Digest, Sha256};
        let digest = Sha256::new()
            .chain_update(b"larder-key-id\0")
            .chain_update(self.0)
            .finalize();
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        KeyId(id)
    }
}

/// A key's public identifier (see [`SecretKey::id`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(pub [u8; KEY_ID_LEN]);

const KEY_ID_LEN: usize = 8;

/// The first sealed format: version, nonce, ciphertext. It carries no key
/// id; values in it still open, and are resealed in [`SEALED_V2`] when next
/// written.
const SEALED_V1: u8 = 1;
/// The current format: version, key id, nonce, ciphertext and tag.
const SEALED_V2: u8 = 2;
const NONCE_LEN: usize = 12;

/// Why a sealed value did not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The value names another key: it is intact as far as anyone can
    /// tell, and must be kept.
    #[error("the value was sealed under another key")]
    WrongKey,
    /// The value names this key (or is too short to name any) and still
    /// fails authentication: the right key proves it damaged.
    #[error("the value is damaged")]
    Damaged,
    /// A first-format value that fails to open: without a key id, a wrong
    /// key and damage cannot be told apart, so it is kept.
    #[error("the value does not open, and its format cannot tell why")]
    Unverifiable,
    /// A format version Larder does not know (a newer Larder wrote it).
    #[error("the value is in an unknown format {0}")]
    UnknownFormat(u8),
}

/// Encrypts `plaintext` under `key`, bound to `context`.
pub fn seal(key: &SecretKey, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, SecretError> {
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
        .map_err(|_| SecretError::Seal)?;
    let mut out = Vec::with_capacity(1 + KEY_ID_LEN + NONCE_LEN + sealed.len());
    out.push(SEALED_V2);
    out.extend_from_slice(&key.id().0);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// The key id a sealed value names, if its format carries one.
pub fn sealed_key_id(sealed: &[u8]) -> Option<KeyId> {
    match sealed.split_first()? {
        (&SEALED_V2, rest) => rest
            .get(..KEY_ID_LEN)
            .and_then(|id| id.try_into().ok())
            .map(KeyId),
        _ => None,
    }
}

/// Decrypts what [`seal`] made with the same key and context, telling a
/// value sealed under another key from a damaged one.
pub fn open(key: &SecretKey, context: &[u8], sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
    let Some((&version, rest)) = sealed.split_first() else {
        return Err(OpenError::Damaged);
    };
    let (body, on_failure) = match version {
        SEALED_V2 => {
            if rest.len() < KEY_ID_LEN {
                return Err(OpenError::Damaged);
            }
            let (id, body) = rest.split_at(KEY_ID_LEN);
            if id != key.id().0 {
                return Err(OpenError::WrongKey);
            }
            (body, OpenError::Damaged)
        }
        SEALED_V1 => (rest, OpenError::Unverifiable),
        other => return Err(OpenError::UnknownFormat(other)),
    };
    if body.len() < NONCE_LEN {
        return Err(on_failure);
    }
    let (nonce, ciphertext) = body.split_at(NONCE_LEN);
    Aes256Gcm::new(key.as_bytes().into())
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: context,
            },
        )
        .map_err(|_| on_failure)
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
            Ok(&b"payload"[..])
        );
        assert_eq!(
            open(&key, b"user.b\0widget:1", &sealed),
            Err(OpenError::Damaged),
            "another user"
        );
        assert_eq!(
            open(&key, b"user.a\0widget:2", &sealed),
            Err(OpenError::Damaged),
            "another entry"
        );
        assert_eq!(
            open(&SecretKey::random(), b"user.a\0widget:1", &sealed),
            Err(OpenError::WrongKey),
            "another key is recognised as such, not as damage"
        );
        for i in 0..sealed.len() {
            let mut flipped = sealed.clone();
            flipped[i] ^= 0x40;
            assert!(
                open(&key, b"user.a\0widget:1", &flipped).is_err(),
                "byte {i}"
            );
        }
        assert_eq!(open(&key, b"", &[]), Err(OpenError::Damaged));
        assert!(
            !sealed.windows(7).any(|w| w == b"payload"),
            "ciphertext, not plaintext"
        );
    }

    #[test]
    fn first_format_values_still_open_and_are_never_called_damaged() {
        let key = SecretKey::random();
        // A value as the first format sealed it: version 1, nonce, body.
        let nonce = [7u8; NONCE_LEN];
        let body = Aes256Gcm::new(key.as_bytes().into())
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: b"old payload",
                    aad: b"ctx",
                },
            )
            .expect("sealed");
        let v1 = [&[SEALED_V1][..], &nonce, &body].concat();
        assert_eq!(open(&key, b"ctx", &v1).as_deref(), Ok(&b"old payload"[..]));
        assert_eq!(
            open(&SecretKey::random(), b"ctx", &v1),
            Err(OpenError::Unverifiable)
        );
        assert_eq!(sealed_key_id(&v1), None);
        let v2 = seal(&key, b"ctx", b"new").expect("sealed");
        assert_eq!(sealed_key_id(&v2), Some(key.id()));
        assert_eq!(
            open(&key, b"ctx", &[9, 1, 2]),
            Err(OpenError::UnknownFormat(9))
        );
    }
}
