//! The accounts in `session.json` through the real tauri-plugin-store: a
//! file an older Larder wrote (one `user`, its token under
//! `session-token`) is read as a list of one, its token moved to the
//! account's own entry, and the file rewritten in the current form; the
//! current form round-trips; a file that does not decode is read as
//! nothing kept, and nothing is lost by reading it.

use std::sync::Arc;

use larder_core::{
    secrets::SESSION_TOKEN, FileSecrets, PersistedSession, SecretStore, SessionPersistence,
};
use larder_protocol::{Role, User};

use crate::test_support::TestShell;

fn user(id: &str) -> User {
    User {
        id: id.to_owned(),
        name: format!("name of {id}"),
        role: Role::Member,
        organization_id: "org".to_owned(),
    }
}

#[test]
fn a_session_kept_by_an_older_larder_is_moved_to_the_list_of_accounts() {
    let shell = TestShell::new();
    let paths = &shell.paths;
    let old = serde_json::json!({ "user": user("u1") });
    std::fs::write(&paths.session, old.to_string()).expect("written");
    let secrets: Arc<dyn SecretStore> = Arc::new(FileSecrets::open(&paths.secrets).expect("opens"));
    secrets.set(SESSION_TOKEN, b"tok-old").expect("kept");

    let kept = super::open(shell.app.handle(), paths, secrets.clone()).expect("store");
    assert_eq!(kept.kept().users, vec![user("u1")], "read before any move");
    assert_eq!(kept.token("u1").expect("read").as_deref(), Some("tok-old"));
    assert_eq!(secrets.get(SESSION_TOKEN).expect("read"), None, "moved");
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&paths.session).expect("read")).expect("json");
    assert_eq!(file["accounts"][0]["id"], "u1", "{file}");
    assert_eq!(file["shown"], "u1", "{file}");
    assert!(file.get("user").is_none(), "the old form is gone: {file}");

    kept.save(&PersistedSession {
        user: user("u2"),
        token: "tok-2".into(),
    })
    .expect("saved");
    drop(kept);
    let reopened = super::open(shell.app.handle(), paths, secrets).expect("store");
    assert_eq!(reopened.kept().users, vec![user("u1"), user("u2")]);
    assert_eq!(reopened.kept().shown.as_deref(), Some("u2"));
    assert_eq!(
        reopened.token("u1").expect("read").as_deref(),
        Some("tok-old")
    );
}

#[test]
fn a_list_that_does_not_decode_is_read_as_nothing_kept() {
    let shell = TestShell::new();
    let paths = &shell.paths;
    let bad = serde_json::json!({ "accounts": "not a list", "shown": 7 });
    std::fs::write(&paths.session, bad.to_string()).expect("written");
    let secrets: Arc<dyn SecretStore> = Arc::new(FileSecrets::open(&paths.secrets).expect("opens"));
    let kept = super::open(shell.app.handle(), paths, secrets).expect("store");
    assert!(kept.kept().users.is_empty());
    assert_eq!(kept.token("u1").expect("read"), None);
}
