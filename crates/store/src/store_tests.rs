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
        .sweep(100_000, &|_, _| Some(std::time::Duration::from_secs(60)))
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

fn encrypted(dir: &Path, secrets: &std::sync::Arc<crate::MemorySecrets>) -> CacheStore {
    let keys = crate::CacheKeys::new(secrets.clone());
    CacheStore::open_encrypted(&dir.join("cache"), keys)
        .expect("opens")
        .0
}

#[test]
fn a_value_in_a_newer_frame_schema_is_kept_not_dropped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let secrets = std::sync::Arc::new(crate::MemorySecrets::default());
    let store = encrypted(dir.path(), &secrets);
    store.put("alice", "widget:1", &entry("a")).expect("put");
    // A frame from a newer Larder: schema 2, whole (its checksum matches),
    // sealed under the right key.
    let mut frame = entry("newer").encode().expect("encoded");
    frame[4..6].copy_from_slice(&2u16.to_le_bytes());
    let body = frame.len() - 4;
    let checksum = crc32fast::hash(&frame[..body]);
    frame[body..].copy_from_slice(&checksum.to_le_bytes());
    let partition = partition_name("alice");
    let secret = store
        .sealer
        .read_key(&store.live.db(), &partition)
        .expect("key")
        .expect("encrypted");
    let sealed = crate::secrets::seal(
        &secret,
        &crate::sealing::Sealer::context(&partition, b"widget:2"),
        &frame,
    )
    .expect("sealed");
    store
        .live
        .db()
        .open_tree(&partition)
        .expect("tree")
        .insert("widget:2", sealed)
        .expect("written");
    assert!(matches!(
        store.get("alice", "widget:2"),
        Err(StoreError::UnknownSchema(2))
    ));
    assert!(matches!(
        store.put("alice", "widget:2", &entry("older")),
        Err(StoreError::UnknownSchema(2))
    ));
    store.sweep(u64::MAX, &|_, _| None).expect("swept");
    assert_eq!(store.stored_count("alice").expect("count"), 2, "kept");
}

#[test]
fn a_value_sealed_under_another_key_is_never_overwritten() {
    use crate::SecretStore;
    let dir = tempfile::tempdir().expect("temp dir");
    let secrets = std::sync::Arc::new(crate::MemorySecrets::default());
    let store = encrypted(dir.path(), &secrets);
    store
        .put("alice", "widget:1", &entry("only copy"))
        .expect("put");
    drop(store);
    // The keychain answers with another key (restored from a backup, say).
    let name = crate::secrets::cache_key_name(&partition_name("alice"));
    let original = secrets.get(&name).expect("get").expect("there");
    secrets
        .set(&name, crate::secrets::SecretKey::random().as_bytes())
        .expect("set");
    let store = encrypted(dir.path(), &secrets);
    let mismatch = |result| {
        matches!(
            result,
            Err(StoreError::Secret(crate::SecretError::Mismatch { .. }))
        )
    };
    assert!(mismatch(store.get("alice", "widget:1").map(drop)));
    assert!(
        mismatch(store.put("alice", "widget:1", &entry("refetched"))),
        "a retry must not overwrite the only copy, nor seal beside it under another key"
    );
    assert!(mismatch(store.put("alice", "widget:2", &entry("new"))));
    drop(store);
    secrets.set(&name, &original).expect("set");
    let store = encrypted(dir.path(), &secrets);
    assert_eq!(
        store.get("alice", "widget:1").expect("get"),
        Some(entry("only copy"))
    );
}

#[test]
fn a_single_value_sealed_under_another_key_is_kept_when_refetched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let secrets = std::sync::Arc::new(crate::MemorySecrets::default());
    let store = encrypted(dir.path(), &secrets);
    store.put("alice", "widget:1", &entry("mine")).expect("put");
    // widget:2 holds a value sealed under some other key (a partition
    // restored from elsewhere, say).
    let partition = partition_name("alice");
    let other = crate::secrets::SecretKey::random();
    let frame = entry("theirs").encode().expect("encoded");
    let sealed = crate::secrets::seal(
        &other,
        &crate::sealing::Sealer::context(&partition, b"widget:2"),
        &frame,
    )
    .expect("sealed");
    store
        .live
        .db()
        .open_tree(&partition)
        .expect("tree")
        .insert("widget:2", sealed.clone())
        .expect("written");
    assert!(matches!(
        store.get("alice", "widget:2"),
        Err(StoreError::WrongKey)
    ));
    assert!(matches!(
        store.put("alice", "widget:2", &entry("refetched")),
        Err(StoreError::WrongKey)
    ));
    let kept = store
        .live
        .db()
        .open_tree(&partition)
        .expect("tree")
        .get("widget:2")
        .expect("read");
    assert_eq!(kept.as_deref(), Some(&sealed[..]), "untouched");
}

#[test]
fn an_io_error_at_open_moves_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cache");
    {
        let (store, _) = CacheStore::open(&path).expect("opens");
        store.put("alice", "widget:1", &entry("x")).expect("put");
        store.flush().expect("flush");
    }
    let current = std::fs::read_to_string(path.join("CURRENT")).expect("CURRENT");
    let generation = path.join(current.trim());
    let siblings = || {
        std::fs::read_dir(dir.path())
            .expect("list")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    };
    // sled's data file cannot be opened as a file now (an I/O error, as a
    // full disk or a permission would give): unavailable, nothing moved.
    let data = generation.join("db");
    let saved = std::fs::read(&data).expect("read");
    std::fs::remove_file(&data).expect("removed");
    std::fs::create_dir(&data).expect("a folder in its place");
    match CacheStore::open(&path) {
        Err(StoreError::Unavailable { .. }) => {}
        other => panic!("expected Unavailable, got {:?}", other.map(|(_, o)| o)),
    }
    assert_eq!(siblings(), ["cache"], "nothing moved aside");
    std::fs::remove_dir(&data).expect("folder gone");
    std::fs::write(&data, saved).expect("restored");
    // CURRENT cannot be read now: the same.
    let current_path = path.join("CURRENT");
    let saved = std::fs::read(&current_path).expect("read");
    std::fs::remove_file(&current_path).expect("removed");
    std::fs::create_dir(&current_path).expect("a folder in its place");
    assert!(matches!(
        CacheStore::open(&path),
        Err(StoreError::Layout(_))
    ));
    assert_eq!(siblings(), ["cache"], "nothing moved aside");
    std::fs::remove_dir(&current_path).expect("folder gone");
    std::fs::write(&current_path, saved).expect("restored");
    // Once the cause is gone, everything is there.
    let (store, outcome) = CacheStore::open(&path).expect("opens");
    assert_eq!(outcome, OpenOutcome::Opened);
    assert_eq!(
        store.get("alice", "widget:1").expect("get"),
        Some(entry("x"))
    );
}
