//! Compaction while the app runs: the store swaps to a compacted database
//! under concurrent writers and readers, loses no write, shrinks an
//! overwritten folder, and reopens on the compacted generation. (The kill
//! test of the swap itself is compaction_crash.rs.)

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
};

use larder_store::{CacheEntry, CacheStore, OpenOutcome};

fn entry(key: u32, version: u32) -> CacheEntry {
    CacheEntry {
        payload: format!("k{key} v{version} ").repeat(200).into_bytes(),
        fetched_at_ms: u64::from(version),
        etag: None,
    }
}

#[test]
fn writes_during_compactions_are_all_kept_and_the_folder_shrinks() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("cache");
    let (store, outcome) = CacheStore::open(&dir).expect("opens");
    assert_eq!(outcome, OpenOutcome::Opened);
    // Sustained overwrites: 128 keys, 40 versions each.
    for version in 0..40 {
        for key in 0..128 {
            store
                .put("u_w", &format!("widget:{key}"), &entry(key, version))
                .expect("put");
        }
        store.flush().expect("flush");
    }
    let before = store.folder_bytes();

    // A writer and a reader keep going while the store compacts three times.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut last = HashMap::new();
            let mut version = 1_000;
            while !stop.load(Ordering::SeqCst) {
                for key in 0..128 {
                    store
                        .put("u_w", &format!("widget:{key}"), &entry(key, version))
                        .expect("a write during compaction");
                    last.insert(key, version);
                }
                version += 1;
            }
            last
        })
    };
    let reader = {
        let (store, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut reads = 0u64;
            while !stop.load(Ordering::SeqCst) {
                for key in 0..128 {
                    let got = store.get("u_w", &format!("widget:{key}")).expect("a read");
                    assert!(got.is_some(), "widget:{key} is never missing");
                    reads += 1;
                }
            }
            reads
        })
    };
    for _ in 0..3 {
        let report = store.compact().expect("compacts");
        assert!(report.live_bytes > 0);
    }
    stop.store(true, Ordering::SeqCst);
    let last = writer.join().expect("writer");
    assert!(reader.join().expect("reader") > 0);
    for (key, version) in &last {
        assert_eq!(
            store.get("u_w", &format!("widget:{key}")).expect("get"),
            Some(entry(*key, *version)),
            "the last write to widget:{key} is kept"
        );
    }
    store.compact().expect("compacts");
    let after = store.folder_bytes();
    assert!(
        after < before,
        "an overwritten folder shrinks: {before} bytes before, {after} after"
    );
    store.flush().expect("flush");
    drop(store);

    // The compacted generation is the one that opens, with every value.
    let (reopened, outcome) = CacheStore::open(&dir).expect("reopens");
    assert_eq!(outcome, OpenOutcome::Opened, "no rebuild");
    for (key, version) in &last {
        assert_eq!(
            reopened.get("u_w", &format!("widget:{key}")).expect("get"),
            Some(entry(*key, *version))
        );
    }
    let generations = std::fs::read_dir(&dir)
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("gen-"))
        .count();
    assert_eq!(generations, 1, "old generations are removed");
}
