//! Tests of the cache folder's generations and their recovery.

use super::*;

fn names(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root)
        .expect("list")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Opens sled at `path`, waiting while a handle just dropped still holds
/// its lock (sled's background threads release it a moment later).
fn open(path: &Path) -> sled::Db {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match sled::Config::new().path(path).open() {
            Err(sled::Error::Io(_)) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            other => return other.expect("sled opens"),
        }
    }
}

#[test]
fn a_new_folder_starts_at_a_committed_first_generation() {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().join("cache");
    let dir = CacheDir::recover(&root).expect("recovers");
    assert_eq!(dir.live().generation(), Some(1));
    assert_eq!(dir.live_path(), root.join("gen-1"));
    assert_eq!(
        fs::read_to_string(root.join("CURRENT")).expect("CURRENT"),
        "gen-1\n"
    );
    assert_eq!(names(&root), ["CURRENT", "LOCK", "gen-1"]);
    drop(dir);
    let again = CacheDir::recover(&root).expect("recovers again");
    assert_eq!(again.live().generation(), Some(1), "no new generation");
}

#[test]
fn recovery_removes_unfinished_and_replaced_generations() {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().to_owned();
    let mut dir = CacheDir::recover(&root).expect("recovers");
    for number in [2, 3] {
        let db = open(&root.join(format!("gen-{number}")));
        db.insert("k", "v").expect("insert");
        db.flush().expect("flush");
    }
    dir.commit(3).expect("commit");
    drop(dir);
    // An unfinished compaction: a newer folder never committed, and the
    // temporary CURRENT of an interrupted commit.
    let unfinished = open(&root.join("gen-4"));
    unfinished.insert("half", "way").expect("insert");
    drop(unfinished);
    fs::write(root.join("CURRENT.tmp"), "gen-4\n").expect("write");
    fs::write(root.join("notes.txt"), "not the cache's").expect("write");

    let dir = CacheDir::recover(&root).expect("recovers");
    assert_eq!(dir.live().generation(), Some(3));
    assert_eq!(names(&root), ["CURRENT", "LOCK", "gen-3", "notes.txt"]);
    let db = open(dir.live_path());
    assert_eq!(db.get("k").expect("get").as_deref(), Some(&b"v"[..]));
    drop(db);
    assert_eq!(
        dir.next_generation_path().expect("next").0,
        4,
        "numbers are reused only once their folder is gone"
    );
}

#[test]
fn current_naming_a_missing_generation_is_an_error() {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().to_owned();
    drop(CacheDir::recover(&root).expect("recovers"));
    fs::write(root.join("CURRENT"), "gen-7\n").expect("write");
    match CacheDir::recover(&root) {
        Err(FolderError::MissingGeneration { generation: 7, .. }) => {}
        other => panic!("expected MissingGeneration, got {other:?}"),
    }
    let mut dir = {
        fs::write(root.join("CURRENT"), "gen-1\n").expect("write");
        CacheDir::recover(&root).expect("recovers")
    };
    assert!(matches!(
        dir.commit(9),
        Err(FolderError::MissingGeneration { generation: 9, .. })
    ));
    assert_eq!(dir.live().generation(), Some(1), "nothing committed");
}

#[test]
fn an_unreadable_current_falls_back_only_to_a_legacy_database() {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().to_owned();
    drop(CacheDir::recover(&root).expect("recovers"));
    fs::write(root.join("CURRENT"), "\u{0}garbage").expect("write");
    assert!(matches!(
        CacheDir::recover(&root),
        Err(FolderError::UnreadableCurrent { .. })
    ));

    let legacy = temp.path().join("legacy");
    let db = open(&legacy);
    db.insert("k", "v").expect("insert");
    drop(db);
    fs::write(legacy.join("CURRENT"), "gen-").expect("write");
    let dir = CacheDir::recover(&legacy).expect("recovers");
    assert_eq!(dir.live(), &LiveDb::Legacy(legacy.clone()));
}

#[test]
fn generations_with_data_and_no_current_are_an_error() {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().to_owned();
    let db = open(&root.join("gen-5"));
    db.insert("k", "v").expect("insert");
    drop(db);
    match CacheDir::recover(&root) {
        Err(FolderError::NoCurrent { generations, .. }) => assert_eq!(generations, [5]),
        other => panic!("expected NoCurrent, got {other:?}"),
    }
    // An empty one is an interrupted start of a new cache.
    fs::remove_dir_all(root.join("gen-5")).expect("remove");
    fs::create_dir(root.join("gen-2")).expect("create");
    let dir = CacheDir::recover(&root).expect("recovers");
    assert_eq!(
        dir.live().generation(),
        Some(1),
        "numbered after the removal"
    );
    assert_eq!(names(&root), ["CURRENT", "LOCK", "gen-1"]);
}

#[test]
fn a_second_process_is_told_the_folder_is_in_use() {
    let temp = tempfile::tempdir().expect("temp dir");
    let _dir = CacheDir::recover(temp.path()).expect("recovers");
    assert!(matches!(
        CacheDir::recover(temp.path()),
        Err(FolderError::Locked { .. })
    ));
}

#[test]
fn a_legacy_database_stays_live_until_a_generation_is_committed() {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().to_owned();
    let db = open(&root);
    db.open_tree("user.a")
        .expect("tree")
        .insert("k", "v")
        .expect("insert");
    db.flush().expect("flush");
    drop(db);
    // An interrupted first compaction left a copy that was never committed.
    drop(open(&root.join("gen-1")));
    let mut dir = CacheDir::recover(&root).expect("recovers");
    assert_eq!(dir.live(), &LiveDb::Legacy(root.clone()));
    assert!(!root.join("gen-1").exists(), "the uncommitted copy is gone");
    assert!(dir.live_folder_bytes() > 0);

    let (number, path) = dir.next_generation_path().expect("next");
    drop(open(&path));
    dir.commit(number).expect("commit");
    assert!(dir.remove_stale().is_empty());
    assert_eq!(names(&root), ["CURRENT", "LOCK", "gen-1"]);
}

thread_local! {
    /// The next folder sync on this thread fails.
    pub static FAIL_SYNCS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The next commit's sync after its rename fails.
    pub static FAIL_SYNC_AFTER_RENAME: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(unix)]
#[test]
fn a_commit_not_known_on_disk_keeps_the_previous_generation() {
    let temp = tempfile::tempdir().expect("temp dir");
    let root = temp.path().to_owned();
    let mut dir = CacheDir::recover(&root).expect("a new cache");
    let first = dir.live().generation().expect("gen-1");
    drop(open(dir.live_path()));
    let (number, path) = dir.next_generation_path().expect("next");
    drop(open(&path));
    // The rename lands, but the folder's sync after it fails.
    FAIL_SYNC_AFTER_RENAME.with(|fail| fail.set(true));
    dir.commit(number).expect("committed");
    FAIL_SYNCS.with(|fail| fail.set(true));
    let left = dir.remove_stale();
    assert!(
        root.join(format!("gen-{first}")).exists() && !left.is_empty(),
        "a power cut could bring back the CURRENT naming gen-{first}: it stays"
    );
    // Once a sync succeeds, the old generation goes.
    assert!(dir.remove_stale().is_empty());
    assert!(!root.join(format!("gen-{first}")).exists());
}
