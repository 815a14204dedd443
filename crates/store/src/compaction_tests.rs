//! Tests of copying and compacting the cache's database.

use std::collections::BTreeMap;

use rand::{rngs::StdRng, Rng, SeedableRng};

use super::*;
use crate::LiveDb;

fn open(path: &Path) -> sled::Result<sled::Db> {
    sled::Config::new()
        .path(path)
        .cache_capacity(crate::store::CACHE_CAPACITY_BYTES)
        .open()
}

/// [`open`] of a database just closed: sled's background threads release
/// its lock a moment after the last handle is dropped.
fn reopen(path: &Path) -> sled::Db {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match open(path) {
            Err(sled::Error::Io(_)) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            other => return other.expect("the database reopens"),
        }
    }
}

/// Every (tree, key) and value of `db`.
type Contents = BTreeMap<(Vec<u8>, Vec<u8>), Vec<u8>>;

fn contents(db: &sled::Db) -> Contents {
    let mut all = Contents::new();
    for name in db.tree_names() {
        for item in db.open_tree(&name).expect("tree").iter() {
            let (key, value) = item.expect("item");
            all.insert((name.to_vec(), key.to_vec()), value.to_vec());
        }
    }
    all
}

fn tree_names(db: &sled::Db) -> Vec<Vec<u8>> {
    let mut names: Vec<Vec<u8>> = db.tree_names().iter().map(|n| n.to_vec()).collect();
    names.sort();
    names
}

/// A database as Larder's: user partitions, the app partition, a value in
/// the default tree and an empty partition.
fn fill(db: &sled::Db, rng: &mut StdRng) {
    for user in 0..20 {
        let tree = db.open_tree(format!("user.{user:032x}")).expect("tree");
        for widget in 0..5 {
            let value: Vec<u8> = (0..rng.gen_range(1_000..8_000))
                .map(|_| rng.gen())
                .collect();
            tree.insert(format!("widget:{widget}"), value)
                .expect("insert");
        }
    }
    db.open_tree("~app")
        .expect("tree")
        .insert("session", &b"sealed"[..])
        .expect("insert");
    db.insert("schema", &b"1"[..]).expect("insert");
    db.open_tree("user.empty").expect("tree");
    db.flush().expect("flush");
}

#[test]
fn the_threshold_is_three_times_live_plus_the_floor() {
    assert!(!needs_compaction(FLOOR_BYTES, 0));
    assert!(needs_compaction(FLOOR_BYTES + 1, 0));
    assert!(!needs_compaction(3_000_000 + FLOOR_BYTES, 1_000_000));
    assert!(needs_compaction(3_000_001 + FLOOR_BYTES, 1_000_000));
    assert!(!needs_compaction(u64::MAX, u64::MAX), "no overflow");
}

#[test]
fn a_copy_keeps_every_tree_and_value() {
    let temp = tempfile::tempdir().expect("temp dir");
    let from = open(&temp.path().join("from")).expect("opens");
    fill(&from, &mut StdRng::seed_from_u64(1));
    let to = open(&temp.path().join("to")).expect("opens");
    let copied = copy_live(&from, &to).expect("copies");
    assert_eq!(copied, live_bytes(&from).expect("live bytes"));
    assert_eq!(contents(&to), contents(&from));
    assert_eq!(tree_names(&to), tree_names(&from), "the empty tree too");
    assert!(matches!(
        copy_live(&from, &to),
        Err(FolderError::DestinationNotEmpty { .. })
    ));
}

#[test]
fn a_legacy_database_moves_into_a_generation_with_every_value() {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().join("cache");
    let legacy = open(&root).expect("opens");
    fill(&legacy, &mut StdRng::seed_from_u64(2));
    let before = contents(&legacy);
    let names = tree_names(&legacy);
    drop(legacy);

    let mut dir = CacheDir::recover(&root).expect("recovers");
    assert_eq!(dir.live(), &LiveDb::Legacy(root.clone()));
    let live = reopen(dir.live_path());
    let (fresh, report) = compact(&mut dir, &live, open).expect("compacts");
    assert_eq!(report.generation, 1);
    assert_eq!(dir.live_path(), root.join("gen-1"));
    drop(live);
    assert!(dir.remove_stale().is_empty(), "the legacy files are gone");
    for legacy_file in ["conf", "db", "blobs"] {
        assert!(!root.join(legacy_file).exists(), "{legacy_file} is left");
    }
    assert_eq!(contents(&fresh), before);
    drop(fresh);
    drop(dir);

    let dir = CacheDir::recover(&root).expect("recovers after the move");
    assert_eq!(dir.live().generation(), Some(1));
    let reopened = reopen(dir.live_path());
    assert_eq!(contents(&reopened), before);
    assert_eq!(tree_names(&reopened), names);
}

#[test]
fn compacting_an_overwritten_database_brings_it_within_the_threshold() {
    const KEYS: usize = 128;
    const OVERWRITES: usize = 100_000;
    let temp = tempfile::tempdir().expect("temp dir");
    let mut dir = CacheDir::recover(temp.path()).expect("recovers");
    let live = open(dir.live_path()).expect("opens");
    let tree = live.open_tree("user.overwritten").expect("tree");
    let mut rng = StdRng::seed_from_u64(3);
    let mut body = vec![0u8; 8_000];
    rng.fill(&mut body[..]);
    let mut expected = BTreeMap::new();
    for write in 0..OVERWRITES {
        let key = format!("widget:{}", write % KEYS);
        // A distinct value each time: a header, then a slice of the body.
        let mut value = format!("{write}|").into_bytes();
        value.extend_from_slice(&body[..rng.gen_range(1_000..8_000)]);
        tree.insert(&key, value.clone()).expect("insert");
        expected.insert(key, value);
        // As the app does: its writes are flushed as they come.
        if write % 100 == 99 {
            live.flush().expect("flush");
        }
    }
    live.flush().expect("flush");
    let live_total = live_bytes(&live).expect("live bytes");
    let before = dir.live_folder_bytes();

    let (fresh, report) = compact(&mut dir, &live, open).expect("compacts");
    assert_eq!(report.live_bytes, live_total);
    assert_eq!(report.folder_bytes_before, before);
    assert!(
        !needs_compaction(report.folder_bytes_after, live_total),
        "{} bytes after compaction for {live_total} live",
        report.folder_bytes_after
    );
    drop((tree, live));
    assert!(dir.remove_stale().is_empty());
    let tree = fresh.open_tree("user.overwritten").expect("tree");
    assert_eq!(tree.len(), KEYS);
    for (key, value) in &expected {
        let stored = tree.get(key).expect("get").expect("present");
        assert!(stored == value[..], "{key} differs after compaction");
    }
    assert!(
        report.folder_bytes_after < before / 2,
        "{} bytes after, {before} before",
        report.folder_bytes_after
    );
}
