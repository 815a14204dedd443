//! The cipher for everything Larder keeps secret at rest: AES-256-GCM with
//! a random 96-bit nonce per value and the value's context bound as
//! associated data.
//!
//! The AEAD is `ring`'s: measured side by side with `aes-gcm` 0.10 and
//! 0.11, `aws-lc-rs` and ChaCha20-Poly1305 (`cargo bench -p
//! larder-aead-bench`, docs/BENCHMARKS.md), it opens a 64 KB value about 7x
//! faster than `aes-gcm` 0.10 did, with no build flags (it picks its
//! assembly at run time), and writes exactly the same bytes, so values
//! sealed before the switch open unchanged.

use std::fmt;

use rand::RngCore;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};

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

/// ring's AES-256-GCM key for `key`. Made per call: the key schedule
/// costs about 0.1 us, next to 6 us to open a 64 KB value.
fn aead_key(key: &SecretKey) -> LessSafeKey {
    LessSafeKey::new(
        // SecretKey is [u8; 32] by construction: always a valid length.
        UnboundKey::new(&AES_256_GCM, key.as_bytes()).expect("AES-256-GCM takes 32-byte keys"),
    )
}

/// Encrypts `plaintext` under `key`, bound to `context`.
pub fn seal(key: &SecretKey, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, SecretError> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::thread_rng().fill_bytes(&mut nonce);
    let header = 1 + KEY_ID_LEN + NONCE_LEN;
    let mut out = Vec::with_capacity(header + plaintext.len() + AES_256_GCM.tag_len());
    out.push(SEALED_V2);
    out.extend_from_slice(&key.id().0);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let tag = aead_key(key)
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(context),
            &mut out[header..],
        )
        .map_err(|_| SecretError::Seal)?;
    out.extend_from_slice(tag.as_ref());
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
    let nonce = <[u8; NONCE_LEN]>::try_from(nonce).map_err(|_| on_failure)?;
    let mut buffer = ciphertext.to_vec();
    let plain_len = aead_key(key)
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(context),
            &mut buffer,
        )
        .map_err(|_| on_failure)?
        .len();
    buffer.truncate(plain_len);
    Ok(buffer)
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
        // A value as the first format sealed it: version 1, nonce, body
        // (the same AES-256-GCM bytes, then made by the aes-gcm crate).
        let nonce = [7u8; NONCE_LEN];
        let mut body = b"old payload".to_vec();
        aead_key(&key)
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&b"ctx"[..]),
                &mut body,
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
