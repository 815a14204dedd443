//! The `Idempotency-Key` header, as draft-ietf-httpapi-idempotency-key-header
//! describes it, for every POST under `/api/` that changes a user's data:
//!
//! - the key is a Structured Field string (`"8e03978e-…"`), here a random
//!   UUID (version 4); a missing, malformed or low-entropy key is a 400;
//! - a retry with the same key and the same request gets the first answer
//!   again (same status, same body), and the change is applied once;
//! - the same key while the first request is still being processed is a
//!   409, and with a different request (another path or body) a 422;
//! - keys are scoped to the token's user and forgotten after
//!   [`KEY_TTL`], which `/config` publishes.
//!
//! Written by hand: no maintained crate implements the draft for axum, and
//! the rules fit in one map behind a mutex.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::Duration,
};

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use tokio::time::Instant;

use crate::ApiError;

/// How long a key is remembered.
pub const KEY_TTL: Duration = Duration::from_secs(24 * 3600);
/// The header's name.
pub const HEADER: &str = "idempotency-key";

/// What a request's key says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// First seen: process it, then [`Keys::finish`].
    Fresh,
    /// Already answered: send this again.
    Replay { status: u16, body: Vec<u8> },
}

#[derive(Debug, Clone)]
enum Record {
    InFlight {
        fingerprint: [u8; 32],
    },
    Done {
        fingerprint: [u8; 32],
        status: u16,
        body: Vec<u8>,
    },
}

/// The keys seen, by (user id, key), with when each was first seen.
#[derive(Debug, Default)]
pub struct Keys {
    seen: Mutex<HashMap<(String, String), (Instant, Record)>>,
}

/// A digest of what the request asks: method, path and body.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in [method.as_bytes(), path.as_bytes(), body] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize().into()
}

impl Keys {
    /// Starts a request under `key` for `user_id`, or says how it was
    /// answered before.
    pub fn begin(
        &self,
        user_id: &str,
        key: &str,
        fingerprint: [u8; 32],
    ) -> Result<Begin, ApiError> {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.retain(|_, (at, _)| at.elapsed() < KEY_TTL);
        let id = (user_id.to_owned(), key.to_owned());
        match seen.get(&id) {
            None => {
                seen.insert(id, (Instant::now(), Record::InFlight { fingerprint }));
                Ok(Begin::Fresh)
            }
            Some((
                _,
                Record::InFlight { fingerprint: first }
                | Record::Done {
                    fingerprint: first, ..
                },
            )) if *first != fingerprint => Err(ApiError::IdempotencyKeyReused),
            Some((_, Record::InFlight { .. })) => Err(ApiError::IdempotencyKeyInFlight),
            Some((_, Record::Done { status, body, .. })) => Ok(Begin::Replay {
                status: *status,
                body: body.clone(),
            }),
        }
    }

    /// Records the answer to a [`Begin::Fresh`] request.
    pub fn finish(&self, user_id: &str, key: &str, status: u16, body: Vec<u8>) {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, record)) = seen.get_mut(&(user_id.to_owned(), key.to_owned())) {
            if let Record::InFlight { fingerprint } = record {
                *record = Record::Done {
                    fingerprint: *fingerprint,
                    status,
                    body,
                };
            }
        }
    }

    /// Forgets a [`Begin::Fresh`] request that failed before it changed
    /// anything, so a retry is processed afresh.
    pub fn abandon(&self, user_id: &str, key: &str) {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let id = (user_id.to_owned(), key.to_owned());
        if matches!(seen.get(&id), Some((_, Record::InFlight { .. }))) {
            seen.remove(&id);
        }
    }
}

/// The request's key: the header's Structured Field string, which must be
/// a random UUID (version 4, RFC 9562 variant) with at least 6 distinct hex
/// digits. That refuses patterned keys (`11111111-1111-4111-8111-…`) but
/// never a random one: 30 random hex digits fall on 5 values or fewer with
/// a chance of about 3 in 10¹² (a floor of 10 refused about 1 random key in
/// a few thousand).
pub fn key_of(headers: &HeaderMap) -> Result<String, ApiError> {
    let mut values = headers.get_all(HEADER).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(ApiError::BadIdempotencyKey(
            "exactly one Idempotency-Key header is required".into(),
        ));
    };
    let raw = value
        .to_str()
        .map_err(|_| ApiError::BadIdempotencyKey("it must be ASCII".into()))?;
    let key = sf_string(raw.trim()).ok_or_else(|| {
        ApiError::BadIdempotencyKey("it must be a quoted Structured Field string".into())
    })?;
    if !is_random_uuid(&key) {
        return Err(ApiError::BadIdempotencyKey(
            "it must be a random UUID (version 4)".into(),
        ));
    }
    Ok(key)
}

/// The content of an RFC 8941 sf-string: printable ASCII between double
/// quotes, where `\` escapes only `"` and `\`.
fn sf_string(raw: &str) -> Option<String> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                escaped @ ('"' | '\\') => out.push(escaped),
                _ => return None,
            },
            '"' => return None,
            ' '..='~' => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

fn is_random_uuid(key: &str) -> bool {
    let groups: Vec<&str> = key.split('-').collect();
    let shape = groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12];
    let hex: String = groups.concat();
    let distinct = hex
        .to_ascii_lowercase()
        .chars()
        .collect::<std::collections::HashSet<_>>()
        .len();
    shape
        && hex.chars().all(|c| c.is_ascii_hexdigit())
        && groups[2].starts_with('4')
        && groups[3].starts_with(['8', '9', 'a', 'b', 'A', 'B'])
        && distinct >= 6
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    const KEY: &str = "8e03978e-40d5-43e8-bc93-6894a57f9324";

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(HEADER, HeaderValue::from_str(value).expect("valid"));
        }
        map
    }

    #[test]
    fn keys_are_quoted_random_uuids() {
        assert_eq!(
            key_of(&headers(&[&format!("\"{KEY}\"")])),
            Ok(KEY.to_owned())
        );
        for bad in [
            KEY.to_owned(),                                    // not an sf-string
            format!("\"{KEY}"),                                // unterminated
            "\"00000000-0000-4000-8000-000000000000\"".into(), // low entropy
            "\"8e03978e-40d5-13e8-bc93-6894a57f9324\"".into(), // version 1
            "\"8e03978e40d543e8bc936894a57f9324\"".into(),     // no dashes
            "\"hello\"".into(),
            "\"\"".into(),
        ] {
            assert!(key_of(&headers(&[&bad])).is_err(), "{bad}");
        }
        assert!(key_of(&headers(&[])).is_err(), "missing");
        let two = format!("\"{KEY}\"");
        assert!(key_of(&headers(&[&two, &two])).is_err(), "twice");
    }

    #[test]
    fn every_random_key_is_accepted() {
        for _ in 0..200_000 {
            let key = format!("\"{}\"", uuid::Uuid::new_v4().hyphenated());
            assert!(key_of(&headers(&[&key])).is_ok(), "{key}");
        }
    }

    #[test]
    fn sf_strings_unescape_quotes_and_backslashes_only() {
        assert_eq!(sf_string(r#""a\"b\\c""#).as_deref(), Some(r#"a"b\c"#));
        assert_eq!(sf_string(r#""a\nb""#), None);
        assert_eq!(sf_string("\"tab\there\""), None);
    }

    #[test]
    fn a_key_answers_once_then_replays_and_refuses_another_request() {
        let keys = Keys::default();
        let first = fingerprint("POST", "/api/widgets/4/notifications/n1/read", b"");
        let other = fingerprint("POST", "/api/widgets/4/notifications/n2/read", b"");
        assert_eq!(keys.begin("u1", KEY, first), Ok(Begin::Fresh));
        assert_eq!(
            keys.begin("u1", KEY, first),
            Err(ApiError::IdempotencyKeyInFlight)
        );
        assert_eq!(
            keys.begin("u1", KEY, other),
            Err(ApiError::IdempotencyKeyReused)
        );
        // Another user's key space is apart.
        assert_eq!(keys.begin("u2", KEY, other), Ok(Begin::Fresh));
        keys.finish("u1", KEY, 204, Vec::new());
        assert_eq!(
            keys.begin("u1", KEY, first),
            Ok(Begin::Replay {
                status: 204,
                body: Vec::new()
            })
        );
        assert_eq!(
            keys.begin("u1", KEY, other),
            Err(ApiError::IdempotencyKeyReused)
        );
        // An abandoned request is processed afresh; a finished one is kept.
        keys.abandon("u2", KEY);
        assert_eq!(keys.begin("u2", KEY, first), Ok(Begin::Fresh));
        keys.abandon("u1", KEY);
        assert!(matches!(
            keys.begin("u1", KEY, first),
            Ok(Begin::Replay { .. })
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn keys_are_forgotten_after_a_day() {
        let keys = Keys::default();
        let print = fingerprint("POST", "/p", b"");
        assert_eq!(keys.begin("u1", KEY, print), Ok(Begin::Fresh));
        keys.finish("u1", KEY, 204, Vec::new());
        tokio::time::advance(KEY_TTL + Duration::from_secs(1)).await;
        assert_eq!(keys.begin("u1", KEY, print), Ok(Begin::Fresh));
    }
}
