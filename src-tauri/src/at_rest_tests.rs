//! Nothing readable is left lying around: after signing in and filling the
//! dashboard and a profile, no file under the app's data folder holds the
//! session token or any of the payloads' text. Runs the real stores
//! (tauri-plugin-store, the file secret store, the encrypted sled cache)
//! against the real mock API, and reads the files once they are closed.

use std::{path::Path, sync::Arc};

use larder_core::{FileSecrets, Larder, SecretStore, SessionPersistence};
use larder_protocol::{WidgetData, WidgetId};

use crate::test_support::TestShell;

/// Every file under `dir`, with its bytes.
fn files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("readable file");
                out.push((path, bytes));
            }
        }
    }
    out
}

#[test]
fn no_token_or_payload_text_is_stored_in_the_clear() {
    let shell = TestShell::new();
    let paths = &shell.paths;
    let secrets: Arc<dyn SecretStore> = Arc::new(FileSecrets::open(&paths.secrets).expect("opens"));
    let sessions = Arc::new(
        crate::persistence::session_file::open(shell.app.handle(), paths, secrets.clone())
            .expect("store"),
    );
    let larder =
        Larder::open_with(shell.client(), &paths.cache, sessions.clone(), secrets).expect("opens");

    let mut needles: Vec<String> = Vec::new();
    tauri::async_runtime::block_on(async {
        let user = larder.sign_in("nora").await.expect("sign in").user;
        for id in WidgetId::ALL {
            let envelope = larder.get_widget(id).await.expect("widget");
            match envelope.data.data {
                WidgetData::Activity(feed) => {
                    needles.extend(feed.items.into_iter().map(|i| i.target))
                }
                WidgetData::Notifications(center) => {
                    needles.extend(center.notifications.into_iter().map(|n| n.title))
                }
                WidgetData::Profile(profile) => needles.push(profile.title),
                _ => {}
            }
        }
        let profile = larder.get_profile(&user.id).await.expect("profile");
        needles.push(profile.data.bio);
        let posts = larder.get_posts(&user.id, 1).await.expect("posts");
        needles.extend(posts.data.items.into_iter().map(|p| p.title));
    });
    larder.flush().expect("flushed");
    let token = sessions
        .token(&larder.session().expect("signed in").user.id)
        .expect("read")
        .expect("a kept token");
    needles.push(token);
    needles.retain(|n| n.len() >= 6);
    assert!(needles.len() > 10, "enough to look for: {needles:?}");
    // Windows enforces the cache's and sled's exclusive locks on reads:
    // the stores are closed first, and reopening the cache (which waits for
    // their locks) proves it.
    drop(larder);
    drop(sessions);
    drop(larder_store::CacheStore::open(&paths.cache).expect("the closed cache reopens"));

    let files = files(shell.data.path());
    assert!(
        files.iter().any(|(p, _)| p.starts_with(&paths.cache)),
        "the cache is there"
    );
    for (path, bytes) in &files {
        for needle in &needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{} holds {needle:?} in the clear",
                path.display()
            );
        }
    }
}
