//! Tests of the store: isolation, partition names, damage, reopening, rebuilds, sweeping and the lock.
use super::*;

fn entry(payload: &str) -> CacheEntry {
    CacheEntry {
        payload: payload.as_bytes().to_vec(),
        fetched_at_ms: 42,
        etag: Some("\"e\"".into()),
    }
}

fn store() -> (tempfile::TempDir, CacheStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, outcome) = CacheStore::open(&dir.path().join("cache")).expect("opens");
    assert_eq!(outcome, OpenOutcome::Opened);
    (dir, store)
}

#[test]
fn users_are_isolated() {
    let (_dir, store) = store();
    store.put("alice", "widget:1", &entry("a")).expect("put");
    store.put("bob", "widget:1", &entry("b")).expect("put");
    assert_eq!(
        store.get("alice", "widget:1").expect("get"),
        Some(entry("a"))
    );
    assert_eq!(store.get("bob", "widget:1").expect("get"), Some(entry("b")));
    assert_eq!(store.get("carol", "widget:1").expect("get"), None);
    store.purge_user("alice").expect("purge");
    assert_eq!(store.get("alice", "widget:1").expect("get"), None);
    assert_eq!(store.get("bob", "widget:1").expect("get"), Some(entry("b")));
}

#[test]
fn partitions_never_carry_the_raw_id() {
    let name = partition_name("../../etc/passwd\u{0}");
    assert!(name.starts_with("user.") && name.len() == 37, "{name}");
    assert!(name[5..].chars().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(partition_name("alice"), partition_name("bob"));
}

#[test]
fn a_damaged_entry_reads_as_missing_and_is_dropped() {
    let (_dir, store) = store();
    store.put("alice", "widget:2", &entry("good")).expect("put");
    let tree = store.partition("alice").expect("tree");
    let mut bytes = tree
        .get("widget:2")
        .expect("get")
        .expect("present")
        .to_vec();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    tree.insert("widget:2", bytes).expect("insert");
    // As after a restart: nothing of it in memory.
    store.hot.remove_partition(&partition_name("alice"));
    assert_eq!(store.get("alice", "widget:2").expect("get"), None);
    assert!(tree.get("widget:2").expect("get").is_none(), "dropped");
}

#[test]
fn entries_survive_a_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cache");
    {
        let (store, _) = CacheStore::open(&path).expect("opens");
        store.put("alice", "widget:5", &entry("kpis")).expect("put");
        store.flush().expect("flush");
    }
    let (store, outcome) = CacheStore::open(&path).expect("reopens");
    assert_eq!(outcome, OpenOutcome::Opened);
    assert_eq!(
        store.entries("alice").expect("entries"),
        vec![("widget:5".into(), entry("kpis"))]
    );
}

#[test]
fn a_corrupted_database_is_moved_aside_and_rebuilt() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cache");
    {
        let (store, _) = CacheStore::open(&path).expect("opens");
        store.put("alice", "widget:1", &entry("x")).expect("put");
        store.flush().expect("flush");
    }
    // Overwrite sled's config file of the live generation with garbage.
    let current = std::fs::read_to_string(path.join("CURRENT")).expect("CURRENT");
    std::fs::write(
        path.join(current.trim()).join("conf"),
        b"\xff\xfe not a sled config",
    )
    .expect("write");
    let (store, outcome) = CacheStore::open(&path).expect("rebuilt, not failed");
    let OpenOutcome::Rebuilt { moved_to } = outcome else {
        panic!("expected a rebuild, got {outcome:?}");
    };
    assert!(moved_to.exists(), "the damaged copy is kept for inspection");
    assert_eq!(store.get("alice", "widget:1").expect("get"), None);
    store
        .put("alice", "widget:1", &entry("y"))
        .expect("the new cache works");
}

#[test]
fn sweeping_removes_only_entries_past_the_horizon() {
    let (_dir, store) = store();
    let at = |ms| CacheEntry {
        fetched_at_ms: ms,
        ..entry("x")
    };
    store.put("alice", "old", &at(1_000)).expect("put");
    store.put("bob", "old", &at(2_000)).expect("put");
    store.put("bob", "new", &at(90_000)).expect("put");
    let removed = store
        .sweep(100_000, std::time::Duration::from_secs(60))
        .expect("sweep");
    assert_eq!(removed, 2);
    assert_eq!(store.get("alice", "old").expect("get"), None);
    assert_eq!(store.get("bob", "new").expect("get"), Some(at(90_000)));
}

#[test]
fn a_second_opener_is_told_the_cache_is_in_use() {
    let (dir, _store) = store();
    match CacheStore::open(&dir.path().join("cache")) {
        Err(StoreError::Locked { .. }) => {}
        other => panic!("expected Locked, got {other:?}"),
    }
}
