//! What the simulation expects of Larder, and the model of what the user
//! saw and did that the checks compare against.
//!
//! Checked after every step:
//! 1. for the signed-in, locked or kept user, every dashboard entry fetched
//!    once is still stored (readable, or kept unreadable behind a locked or
//!    wrong key), whatever its age, until the user clears it or signs out
//!    without keeping it;
//! 3. no partition's key is replaced while sealed data exists for it;
//! 4. nothing is written for an ended session: a signed-out user's cache
//!    only shrinks until they sign in again;
//! 5. no user's data sits in another user's partition;
//! 6. after a compaction the folder is at most 3× the live bytes plus the
//!    floor;
//!
//! and no task panics. At the end of a history (network healed, time
//! passed): 2. every recorded change was applied exactly once, refused with
//! a `change-refused` event, or discarded by the user (or by a sign-out);
//! never applied twice; one discarded before it was ever sent is never
//! applied.

use std::{
    cell::Cell,
    collections::{BTreeMap, BTreeSet},
};

use larder_core::Larder;
use larder_protocol::User;
use larder_store::{compaction, store::partition_name, CompactionReport};

use crate::net::Secrets;

/// What became of a recorded change, as far as the user was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Waiting in the outbox.
    Waiting,
    /// Discarded by the user; the answer said whether it may still arrive.
    Discarded { may_still_arrive: bool },
    /// Discarded by signing out (the window asked first).
    SignedOut,
    /// The API refused it for good, and the user was told.
    Refused,
    /// Set aside with the cache, by the user's choice; it may have been
    /// sent before.
    SetAside,
}

thread_local! {
    /// Panics on this thread (every task of a simulated process runs on it).
    pub static PANICS: Cell<u64> = const { Cell::new(0) };
}

/// Counts panics per thread, then reports them as usual.
pub fn count_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.with(|count| count.set(count.get() + 1));
            previous(info);
        }));
    });
}

/// A change the user made.
#[derive(Debug, Clone)]
struct Change {
    user: String,
    notification: String,
    fate: Fate,
}

/// A signed-out user's cache as it was when the session ended.
type Snapshot = BTreeMap<String, u64>;

/// What the user saw and did, and the first breach found.
#[derive(Debug, Default)]
pub struct Model {
    /// User ids by name, as the API gave them.
    pub ids: BTreeMap<String, String>,
    /// Dashboard keys each user has seen, by user id.
    seen: BTreeMap<String, BTreeSet<String>>,
    /// Users whose session ended, with their cache at that moment.
    ended: BTreeMap<String, Snapshot>,
    /// The account shown, as last observed.
    current: Option<String>,
    /// Every account signed in, as last observed.
    accounts: BTreeSet<String>,
    /// The accounts shown at some moment of the current step: what the
    /// windows may be told of.
    shown_in_step: BTreeSet<String>,
    /// Every change recorded, by id (its Idempotency-Key).
    changes: BTreeMap<String, Change>,
    /// The first breach of an invariant.
    pub breach: Option<String>,
}

impl Model {
    pub fn breach(&mut self, what: String) {
        self.breach.get_or_insert(what);
    }

    pub fn signed_in(&mut self, user: &User) {
        // Another role's widgets are no longer the user's to see: their
        // going is no loss.
        if let Some(seen) = self.seen.get_mut(&user.id) {
            seen.retain(|key| {
                larder_protocol::RoleWidget::parse(key).map_or(true, |w| w.role() == user.role)
            });
        }
        self.ids.insert(user.name.clone(), user.id.clone());
        self.ended.remove(&user.id);
        self.current = Some(user.id.clone());
        self.accounts.insert(user.id.clone());
        self.shown_in_step.insert(user.id.clone());
    }

    /// Notes the account `larder` shows now as shown during this step.
    pub fn shown_now(&mut self, larder: &Larder) {
        if let Some(session) = larder.session() {
            self.shown_in_step.insert(session.user.id);
        }
    }

    /// Something the windows were told. A value of one account is named by
    /// it, holds nobody else's data, and is told only of an account shown
    /// during the step: no account's data reaches another's window.
    pub fn told(&mut self, event: &larder_core::CoreEvent) {
        use larder_core::CoreEvent;
        let (user, text) = match event {
            CoreEvent::WidgetUpdated(p) => (&p.user, serde_json::to_string(&p.value)),
            CoreEvent::RoleWidgetUpdated(p) => (&p.user, serde_json::to_string(&p.value)),
            CoreEvent::OutboxChanged(p) => (&p.user, serde_json::to_string(&p.value)),
            CoreEvent::ChangeRefused(p) => (&p.user, serde_json::to_string(&p.value)),
            _ => return,
        };
        // The outbox emptied once nobody is signed in.
        if user.is_empty() {
            return;
        }
        if !self.shown_in_step.contains(user) {
            self.breach(format!(
                "{}'s {} reached the windows while they showed {:?}",
                name_of(&self.ids, user),
                event.name(),
                self.shown_in_step
                    .iter()
                    .map(|id| name_of(&self.ids, id))
                    .collect::<Vec<_>>()
            ));
        }
        let text = text.unwrap_or_default();
        if let Some((other, _)) = self
            .ids
            .iter()
            .find(|(_, id)| *id != user && text.contains(id.as_str()))
        {
            self.breach(format!(
                "{}'s {} carried {other}'s data",
                name_of(&self.ids, user),
                event.name()
            ));
        }
    }

    /// `key` was shown to the signed-in user.
    pub fn saw(&mut self, larder: &Larder, key: &str) {
        if let Some(session) = larder.session() {
            self.seen
                .entry(session.user.id)
                .or_default()
                .insert(key.to_owned());
        }
    }

    /// The signed-in user cleared `key` (every key when `None`).
    pub fn cleared(&mut self, larder: &Larder, key: Option<&str>) {
        let Some(session) = larder.session() else {
            return;
        };
        let seen = self.seen.entry(session.user.id).or_default();
        match key {
            Some(key) => {
                seen.remove(key);
            }
            None => seen.clear(),
        }
    }

    pub fn recorded(&mut self, user: &str, id: &str, notification: &str) {
        let change = Change {
            user: user.to_owned(),
            notification: notification.to_owned(),
            fate: Fate::Waiting,
        };
        if self.changes.insert(id.to_owned(), change).is_some() {
            self.breach(format!("change id {id} was given out twice"));
        }
    }

    pub fn fate(&mut self, id: &str, fate: Fate) {
        if let Some(change) = self.changes.get_mut(id) {
            if change.fate == Fate::Waiting {
                change.fate = fate;
            }
        }
    }

    /// The signed-in user set their cache aside, waiting changes included.
    pub fn set_aside(&mut self, larder: &Larder) {
        let Some(session) = larder.session() else {
            return;
        };
        self.seen.remove(&session.user.id);
        let user = session.user.id;
        for change in self.changes.values_mut() {
            if change.user == user && change.fate == Fate::Waiting {
                change.fate = Fate::SetAside;
            }
        }
    }

    pub fn signed_out(&mut self, larder: &Larder, user: &str, keep: bool) {
        self.current = None;
        self.accounts.remove(user);
        if !keep {
            self.seen.remove(user);
        }
        match snapshot(larder, user) {
            Some(now) => self.ended.insert(user.to_owned(), now),
            None => self.ended.remove(user),
        };
    }

    pub fn compacted(&mut self, report: &CompactionReport) {
        if compaction::needs_compaction(report.folder_bytes_after, report.live_bytes) {
            self.breach(format!(
                "after a compaction the folder holds {} bytes for {} live bytes",
                report.folder_bytes_after, report.live_bytes
            ));
        }
    }

    /// The users (by name) whose outbox still holds changes.
    pub fn users_with_waiting_changes(&self, larder: &Larder) -> Vec<String> {
        let store = larder.engine().store();
        self.ids
            .iter()
            .filter(|(_, id)| store.outbox_is_empty(id).is_ok_and(|empty| !empty))
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// The checks that hold after every step.
    pub fn observe(&mut self, larder: &Larder, secrets: &Secrets) {
        if PANICS.with(Cell::get) > 0 {
            self.breach("a task panicked".into());
        }
        // A session restored (an unlock) begins here; one the API ended
        // (401) ends here, its cache kept.
        if let Some(session) = larder.session() {
            if self.current.as_deref() != Some(session.user.id.as_str()) {
                self.signed_in(&session.user);
            }
        }
        let session = larder.session();
        let now: BTreeSet<String> = session
            .iter()
            .flat_map(|s| s.accounts.iter().map(|u| u.id.clone()))
            .collect();
        if session.is_none() {
            self.current = None;
        }
        for was in self.accounts.clone() {
            if now.contains(&was) {
                continue;
            }
            self.accounts.remove(&was);
            if let Some(now) = snapshot(larder, &was) {
                self.ended.insert(was.clone(), now);
            }
        }
        self.accounts.extend(now.iter().cloned());
        self.shown_in_step = self.current.iter().cloned().collect();
        // Nothing discarded, refused or sent ever comes back to the outbox.
        for waiting in larder.outbox().map(|o| o.changes).unwrap_or_default() {
            let fate = self.changes.get(&waiting.id).map(|change| change.fate);
            if !matches!(fate, Some(Fate::Waiting)) {
                self.breach.get_or_insert(format!(
                    "change {} is waiting again after it was {fate:?}",
                    waiting.id
                ));
            }
        }
        if let Some(partition) = secrets.replaced().first() {
            self.breach(format!(
                "the key of {partition} was replaced over sealed data"
            ));
        }
        let store = larder.engine().store();
        let kept: BTreeSet<String> = store
            .kept_partitions()
            .unwrap_or_default()
            .into_iter()
            .collect();
        // No widget of another role than the signed-in user's stays in
        // their cache.
        if let Some(session) = larder.session() {
            for widget in larder_protocol::RoleWidget::ALL {
                if widget.role() != session.user.role
                    && matches!(store.get(&session.user.id, widget.key()), Ok(Some(_)))
                {
                    self.breach(format!(
                        "{widget} stays in the cache of a {:?}",
                        session.user.role
                    ));
                }
            }
        }
        let locked = larder.locked().map(|l| l.user.id);
        for (user, seen) in &self.seen {
            let protected = now.contains(user)
                || locked.as_deref() == Some(user.as_str())
                || kept.contains(&partition_name(user));
            if !protected {
                continue;
            }
            for key in seen {
                if let Ok(None) = store.get(user, key) {
                    self.breach.get_or_insert(format!(
                        "{key} of {} was shown, then lost",
                        name_of(&self.ids, user)
                    ));
                }
            }
        }
        for (user, before) in &self.ended {
            let Some(after) = snapshot(larder, user) else {
                continue;
            };
            let grew = after.iter().find(|(key, at)| before.get(*key) != Some(*at));
            if let Some((key, _)) = grew {
                self.breach.get_or_insert(format!(
                    "{key} of {} was written after the session ended",
                    name_of(&self.ids, user)
                ));
            }
        }
        for (name, user) in &self.ids {
            let Ok(entries) = store.entries(user) else {
                continue;
            };
            for (key, entry) in entries {
                let text = String::from_utf8_lossy(&entry.payload);
                if let Some((other, _)) = self
                    .ids
                    .iter()
                    .find(|(other, id)| *other != name && text.contains(id.as_str()))
                {
                    self.breach
                        .get_or_insert(format!("{key} in {name}'s cache holds {other}'s data"));
                }
            }
        }
    }

    /// The end-of-history check of every recorded change against the
    /// API's log of applied changes (`"<notification> <key>"` by user), and
    /// what it shows in effect (read notifications, by user). A change the
    /// client reconciled with the API's state instead of sending (older
    /// than the key lifetime, or refused after an attempt that may have
    /// applied it) is one already in effect: it needs no sending.
    pub fn check_changes(
        &mut self,
        applied: &BTreeMap<String, Vec<String>>,
        in_effect: &BTreeMap<String, BTreeSet<String>>,
    ) {
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        for line in applied.values().flatten() {
            let key = line.split(' ').nth(1).unwrap_or_default().to_owned();
            *count.entry(key).or_default() += 1;
        }
        for (key, times) in &count {
            if !self.changes.contains_key(key) {
                self.breach(format!("the API applied change {key}, which nobody made"));
            } else if *times > 1 {
                self.breach(format!("change {key} was applied {times} times"));
            }
        }
        let changes: Vec<(String, Change)> = self
            .changes
            .iter()
            .map(|(id, change)| (id.clone(), change.clone()))
            .collect();
        for (id, change) in changes {
            let applied = count.contains_key(&id);
            let who = name_of(&self.ids, &change.user);
            let in_effect = in_effect
                .get(&change.user)
                .is_some_and(|read| read.contains(&change.notification));
            match change.fate {
                Fate::Waiting if !applied && !in_effect => {
                    self.breach(format!("{who}'s change {id} was never applied"));
                }
                Fate::Discarded {
                    may_still_arrive: false,
                } if applied => {
                    self.breach(format!(
                        "{who}'s change {id} was discarded before it was sent, yet applied"
                    ));
                }
                Fate::Refused if applied => {
                    self.breach(format!("{who}'s change {id} was refused, yet applied"));
                }
                _ => {}
            }
        }
    }
}

fn name_of(ids: &BTreeMap<String, String>, user: &str) -> String {
    ids.iter()
        .find(|(_, id)| id.as_str() == user)
        .map_or_else(|| user.to_owned(), |(name, _)| name.clone())
}

/// `user`'s readable entries, by key, with when each was fetched; `None`
/// when the partition's key cannot be read now.
fn snapshot(larder: &Larder, user: &str) -> Option<Snapshot> {
    let entries = larder.engine().store().entries(user).ok()?;
    Some(
        entries
            .into_iter()
            .map(|(key, entry)| (key, entry.fetched_at_ms))
            .collect(),
    )
}
