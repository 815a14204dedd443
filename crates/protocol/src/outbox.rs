//! Changes made offline or not yet confirmed by the API: the outbox the
//! backend keeps durably and sends in order, exactly once each (every change
//! carries its own `Idempotency-Key`).

use serde::{Deserialize, Serialize};

/// What a change does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum ChangeKind {
    /// Marks notification `notification_id` (widget 4) read.
    MarkNotificationRead { notification_id: String },
}

impl ChangeKind {
    /// A short description for a person: "mark “n2” read".
    pub fn describe(&self) -> String {
        match self {
            Self::MarkNotificationRead { notification_id } => {
                format!("marking notification {notification_id} read")
            }
        }
    }
}

/// One change waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingChange {
    /// The change's `Idempotency-Key`: a random UUID, also its id here.
    pub id: String,
    /// Its place in the user's outbox: changes are sent in this order.
    pub seq: u64,
    pub change: ChangeKind,
    /// When it was made, in Unix milliseconds.
    pub created_at: u64,
    /// Attempts to send it so far.
    pub tries: u32,
    /// Why the last attempt did not get through, if one failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// The signed-in user's outbox, as pushed with `outbox-changed` and
/// answered by the `outbox` command.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outbox {
    pub changes: Vec<PendingChange>,
    /// Records that could not be read (damaged), kept aside and never sent.
    pub set_aside: usize,
}

/// What discarding a waiting change did, as the `discard_change` command
/// answers it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Discarded {
    /// The outbox left.
    pub outbox: Outbox,
    /// The change had already been sent at least once (its request was on
    /// its way, or an earlier attempt's answer never came back), so the
    /// API may still apply it; otherwise it was withdrawn before it was
    /// ever sent, and never will be.
    pub may_still_arrive: bool,
}

/// A change the API refused for good: it was rolled back in the cache.
/// Pushed with `change-refused`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusedChange {
    pub change: PendingChange,
    /// The API's reason.
    pub reason: String,
}
