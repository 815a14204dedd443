//! The cache database's tree names, and what they say about a partition:
//! its outbox's trees, whether anything is sealed under its key, a sample
//! of what is, and the trees that mark kept partitions. Plain sled, so the
//! store, the sealing and the retention rules can all ask without depending
//! on each other.

/// The tree that marks kept partitions (keys: partition names).
pub(super) const KEPT_TREE: &str = "kept";

/// The outbox's trees of a partition (`user.<hash>`): its waiting changes
/// and the records set aside.
pub(super) fn outbox_trees(partition: &str) -> [String; 2] {
    [
        partition.replacen("user.", "outbox.", 1),
        partition.replacen("user.", "outbox-aside.", 1),
    ]
}

/// Whether anything is sealed under `partition`'s key: a cache entry, a
/// waiting change or a record set aside.
pub(super) fn holds_sealed(db: &sled::Db, partition: &str) -> sled::Result<bool> {
    if !db.open_tree(partition)?.is_empty() {
        return Ok(true);
    }
    for tree in outbox_trees(partition) {
        if !db.open_tree(tree)?.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// One value sealed under `partition`'s key, if any: its key id tells
/// which key the partition's data is sealed under.
pub(super) fn sample_sealed(db: &sled::Db, partition: &str) -> Option<Vec<u8>> {
    let [outbox, aside] = outbox_trees(partition);
    [partition.to_owned(), outbox, aside]
        .iter()
        .find_map(|tree| {
            let (_, value) = db.open_tree(tree).ok()?.first().ok()??;
            Some(value.to_vec())
        })
}

/// Every partition (`user.<hash>`) with something sealed under its key, in
/// name order.
pub(super) fn sealed_partitions(db: &sled::Db) -> Vec<String> {
    let mut names: Vec<String> = db
        .tree_names()
        .into_iter()
        .filter_map(|name| {
            let name = String::from_utf8_lossy(&name).into_owned();
            ["user.", "outbox.", "outbox-aside."]
                .iter()
                .find_map(|prefix| name.strip_prefix(prefix))
                .map(|hash| format!("user.{hash}"))
        })
        .filter(|partition| holds_sealed(db, partition).unwrap_or(true))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Unmarks `partition` as kept (it is being purged).
pub(super) fn forget_kept(db: &sled::Db, partition: &str) -> sled::Result<()> {
    db.open_tree(KEPT_TREE)?.remove(partition)?;
    Ok(())
}
