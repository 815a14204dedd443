//! Property-based fuzzing of everything Larder decodes from outside: cache
//! entry frames, sealed values, and API response bodies. No input may make
//! them panic; anything accepted must be exactly what was written.
//!
//! The normal test run tries 256 cases per property. For a longer run:
//! `PROPTEST_CASES=200000 cargo test --release -p larder-core --test fuzz`
//! (`cargo xtask fuzz`).

use larder_core::Resource;
use larder_protocol::{Username, WidgetId};
use larder_store::{
    secrets::{open, seal, OpenError, SecretKey},
    CacheEntry,
};
use proptest::prelude::*;

fn entry() -> impl Strategy<Value = CacheEntry> {
    (
        proptest::collection::vec(any::<u8>(), 0..2048),
        any::<u64>(),
        // An empty ETag is stored as none (the client never keeps one).
        proptest::option::of("[ -~]{1,64}"),
    )
        .prop_map(|(payload, fetched_at_ms, etag)| CacheEntry {
            payload,
            fetched_at_ms,
            etag,
        })
}

/// A real widget body from mock-api's generator.
fn widget_body(widget: u8, name: &str) -> (Vec<u8>, String) {
    let user = mock_api::data::user_for(&Username::parse(name).expect("valid"));
    let widget = WidgetId::new(widget).expect("valid");
    let response = mock_api::data::widget_response(&user, widget, 1_800_000_000_000);
    (serde_json::to_vec(&response).expect("encodes"), user.id)
}

proptest! {
    // Cases come from PROPTEST_CASES (default 256); failures are reported,
    // not written into the source tree.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn frames_round_trip(entry in entry()) {
        let bytes = entry.encode().expect("encodes");
        prop_assert_eq!(CacheEntry::decode(&bytes).expect("decodes"), entry);
    }

    #[test]
    fn any_bytes_decode_or_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = CacheEntry::decode(&bytes);
    }

    #[test]
    fn damaged_frames_are_refused(entry in entry(), at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let mut bytes = entry.encode().expect("encodes");
        let i = at.index(bytes.len());
        bytes[i] ^= 1 << bit;
        prop_assert!(CacheEntry::decode(&bytes).is_err());
    }

    #[test]
    fn sealed_values_resist_tampering(
        plaintext in proptest::collection::vec(any::<u8>(), 0..1024),
        context in proptest::collection::vec(any::<u8>(), 0..64),
        noise in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let key = SecretKey::random();
        let sealed = seal(&key, &context, &plaintext).expect("seals");
        prop_assert_eq!(open(&key, &context, &sealed), Ok(plaintext));
        prop_assert!(open(&key, &context, &noise).is_err());
        let mut other = context.clone();
        other.push(0);
        // The right key proves a value bound to another context damaged.
        prop_assert_eq!(open(&key, &other, &sealed), Err(OpenError::Damaged));
        // Another key is recognised as such and never called damage.
        prop_assert_eq!(open(&SecretKey::random(), &context, &sealed), Err(OpenError::WrongKey));
    }

    #[test]
    fn api_bodies_never_panic_the_decoder(
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        widget in 1u8..=5,
    ) {
        let resource = Resource::Widget(WidgetId::new(widget).expect("valid"));
        prop_assert!(resource.check_body(&body, "u_1").is_err());
        for other in [Resource::profile("u_1"), Resource::posts("u_1", 1), Resource::followers("u_1", 1)] {
            let _ = other.expect("valid").check_body(&body, "u_1");
        }
    }

    #[test]
    fn damaged_real_bodies_are_refused_or_still_well_formed(
        widget in 1u8..=5,
        name in "[a-z]{1,12}",
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let (body, user) = widget_body(widget, &name);
        let resource = Resource::Widget(WidgetId::new(widget).expect("valid"));
        prop_assert!(resource.check_body(&body, &user).is_ok());
        prop_assert!(resource.check_body(&body, "u_someone_else").is_err(), "another user's body");
        let mut damaged = body.clone();
        let i = at.index(damaged.len());
        damaged[i] = byte;
        if resource.check_body(&damaged, &user).is_ok() {
            // Accepted only if it still is this user's widget as JSON.
            let parsed: larder_protocol::WidgetResponse =
                serde_json::from_slice(&damaged).expect("accepted bodies decode");
            prop_assert_eq!(parsed.user_id, user.clone());
        }
        let truncated = &body[..cut.index(body.len())];
        prop_assert!(resource.check_body(truncated, &user).is_err(), "a cut body");
    }
}
