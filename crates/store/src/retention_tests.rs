//! Setting a partition aside: its data is moved whole, and the user starts
//! afresh under a key that works.

use std::sync::Arc;

use super::*;
use crate::{CacheEntry, SecretStore};

#[test]
fn a_partition_whose_key_is_gone_can_be_set_aside_and_started_afresh() {
    let dir = tempfile::tempdir().expect("temp dir");
    let secrets = Arc::new(crate::MemorySecrets::default());
    let open = || {
        let keys = crate::CacheKeys::new(secrets.clone());
        CacheStore::open_encrypted(&dir.path().join("cache"), keys)
            .expect("opens")
            .0
    };
    let store = open();
    let entry = |text: &str| CacheEntry {
        payload: text.as_bytes().to_vec(),
        fetched_at_ms: 1,
        etag: None,
    };
    store.put("u", "widget:1", &entry("old")).expect("put");
    store.put("u", "widget:2", &entry("old too")).expect("put");
    store
        .outbox_append("u", |seq| larder_protocol::PendingChange {
            id: "c".into(),
            seq,
            change: larder_protocol::ChangeKind::MarkNotificationRead {
                notification_id: "n1".into(),
            },
            created_at: 1,
            tries: 0,
            last_error: None,
        })
        .expect("recorded");
    drop(store);
    // The key is gone from the keychain: nothing can be read or written.
    let partition = crate::store::partition_name("u");
    secrets
        .delete(&crate::secrets::cache_key_name(&partition))
        .expect("deleted");
    let store = open();
    assert!(store.get("u", "widget:1").is_err());
    assert!(store.put("u", "widget:1", &entry("new")).is_err());
    let before = store.live.db().tree_names().len();

    let moved = store.set_aside("u", 42).expect("set aside");
    assert_eq!(
        moved,
        SetAside {
            entries: 2,
            changes: 1
        }
    );
    // Kept whole, under names Larder never reads.
    let db = store.live.db();
    let kept = db
        .open_tree(format!("set-aside.42.{partition}"))
        .expect("tree");
    assert_eq!(kept.len(), 2);
    assert!(db.tree_names().len() >= before);
    // Afresh: a new key, and the user's data works again.
    store.put("u", "widget:1", &entry("new")).expect("put");
    assert_eq!(store.get("u", "widget:1").expect("get"), Some(entry("new")));
    assert!(store.outbox_records("u").expect("read").changes.is_empty());
    assert_eq!(kept.len(), 2, "the old data is still there");
}
