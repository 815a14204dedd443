//! Keeping several accounts: adding, showing, removing, and moving the one
//! session an older Larder kept to the list, token included.

use std::sync::Mutex;

use larder_protocol::Role;

use super::*;
use crate::MemorySecrets;

fn user(id: &str) -> User {
    User {
        id: id.to_owned(),
        name: format!("name of {id}"),
        role: Role::Member,
        organization_id: "org".to_owned(),
    }
}

fn session(id: &str, token: &str) -> PersistedSession {
    PersistedSession {
        user: user(id),
        token: token.to_owned(),
    }
}

/// A list that starts in the one-session form of an older Larder.
#[derive(Debug)]
struct OldForm {
    accounts: Mutex<KeptAccounts>,
    single: Mutex<bool>,
}

impl AccountList for OldForm {
    fn read(&self) -> (KeptAccounts, bool) {
        (
            self.accounts.lock().expect("lock").clone(),
            *self.single.lock().expect("lock"),
        )
    }

    fn write(&self, accounts: &KeptAccounts) -> Result<(), CoreError> {
        *self.accounts.lock().expect("lock") = accounts.clone();
        *self.single.lock().expect("lock") = false;
        Ok(())
    }
}

#[test]
fn accounts_are_added_shown_and_removed_each_with_its_own_token() {
    let secrets = Arc::new(MemorySecrets::default());
    let kept = KeptSessions::new(Box::<MemoryAccounts>::default(), secrets.clone());
    kept.save(&session("u1", "tok-1")).expect("saved");
    kept.save(&session("u2", "tok-2")).expect("saved");
    let accounts = kept.kept();
    assert_eq!(accounts.users, vec![user("u1"), user("u2")]);
    assert_eq!(accounts.shown.as_deref(), Some("u2"), "the newest is shown");
    assert_eq!(kept.token("u1").expect("read").as_deref(), Some("tok-1"));
    assert_eq!(kept.token("u2").expect("read").as_deref(), Some("tok-2"));

    kept.show("u1").expect("shown");
    assert_eq!(kept.kept().shown.as_deref(), Some("u1"));
    kept.show("nobody").expect("ignored");
    assert_eq!(kept.kept().shown.as_deref(), Some("u1"), "only a kept one");

    // A new token for a kept account replaces it in place.
    kept.save(&session("u1", "tok-1b")).expect("saved");
    assert_eq!(kept.kept().users.len(), 2);
    assert_eq!(kept.token("u1").expect("read").as_deref(), Some("tok-1b"));

    kept.remove("u1").expect("removed");
    assert_eq!(kept.kept().users, vec![user("u2")]);
    assert_eq!(kept.kept().shown.as_deref(), Some("u2"), "the one left");
    assert_eq!(kept.token("u1").expect("read"), None);
    assert_eq!(kept.token("u2").expect("read").as_deref(), Some("tok-2"));
    kept.remove("u2").expect("removed");
    assert_eq!(kept.kept(), KeptAccounts::default());
}

#[test]
fn a_session_kept_by_an_older_larder_survives_the_upgrade() {
    let secrets = Arc::new(MemorySecrets::default());
    secrets.set(SESSION_TOKEN, b"tok-old").expect("kept");
    let list = OldForm {
        accounts: Mutex::new(KeptAccounts::default().with(&user("u1"))),
        single: Mutex::new(true),
    };
    let kept = KeptSessions::new(Box::new(list), secrets.clone());
    assert_eq!(kept.kept().users, vec![user("u1")], "readable before");
    assert_eq!(kept.token("u1").expect("read").as_deref(), Some("tok-old"));
    assert_eq!(secrets.get(SESSION_TOKEN).expect("read"), None, "moved");
    // Added beside it, the old account keeps its token.
    kept.save(&session("u2", "tok-2")).expect("saved");
    assert_eq!(kept.token("u1").expect("read").as_deref(), Some("tok-old"));
}

#[test]
fn an_upgrade_cut_short_finishes_next_time() {
    let secrets = Arc::new(MemorySecrets::default());
    // The token was copied, the old name deleted, the list not rewritten.
    secrets
        .set(&KeptSessions::token_name("u1"), b"tok-old")
        .expect("copied");
    let list = OldForm {
        accounts: Mutex::new(KeptAccounts::default().with(&user("u1"))),
        single: Mutex::new(true),
    };
    let kept = KeptSessions::new(Box::new(list), secrets);
    assert_eq!(kept.token("u1").expect("read").as_deref(), Some("tok-old"));
}

#[test]
fn memory_sessions_keep_accounts_like_the_shell_does() {
    let kept = MemorySessions::default();
    kept.save(&session("u1", "tok-1")).expect("saved");
    kept.save(&session("u2", "tok-2")).expect("saved");
    kept.remove("u2").expect("removed");
    assert_eq!(kept.kept().shown.as_deref(), Some("u1"));
    assert_eq!(kept.token("u2").expect("read"), None);
    assert_eq!(kept.token("u1").expect("read").as_deref(), Some("tok-1"));
}
