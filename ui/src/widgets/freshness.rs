//! How fresh a widget's data looks to the user: the `data-freshness` test
//! handle and the badge's words ("updated 3 min ago", "stale", "offline,
//! showing data from 14:02").

use std::time::Duration;

use dioxus::prelude::*;
use larder_protocol::{CommandError, Connectivity, Envelope, Freshness as Stored};

/// The state the badge shows. Not the protocol's `Freshness` (fresh,
/// stale, expired, as the backend judged a value): this is what the user
/// is told, which also knows about being offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadgeState {
    Fresh,
    Stale,
    /// Served from the cache because the API cannot be reached.
    Offline,
}

impl BadgeState {
    /// Classifies `envelope` now: offline when the app is offline or the
    /// value stands in for an unreachable API; stale when the backend said
    /// so or it has aged past `stale_after` since; fresh otherwise.
    pub fn of<T>(
        envelope: &Envelope<T>,
        connectivity: Connectivity,
        now_ms: u64,
        stale_after: Duration,
    ) -> Self {
        let unreachable = matches!(envelope.error, Some(CommandError::Unreachable { .. }));
        if connectivity == Connectivity::Offline || unreachable {
            return Self::Offline;
        }
        let age = Duration::from_millis(now_ms.saturating_sub(envelope.fetched_at));
        if envelope.state != Stored::Fresh || age >= stale_after {
            Self::Stale
        } else {
            Self::Fresh
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fresh => "fresh",
            Self::Stale => "stale",
            Self::Offline => "offline",
        }
    }

    /// The badge's words for data fetched at `fetched_at`.
    pub fn label(self, fetched_at: u64, now_ms: u64) -> String {
        let ago = ago(now_ms.saturating_sub(fetched_at));
        match self {
            Self::Fresh => format!("updated {ago}"),
            Self::Stale => format!("stale · updated {ago}"),
            Self::Offline => format!(
                "offline, showing data from {}",
                crate::host::local_clock(fetched_at)
            ),
        }
    }
}

/// "just now", "3 min ago", "2 h ago", "4 d ago".
fn ago(ms: u64) -> String {
    let secs = ms / 1000;
    match secs {
        0..=59 => "just now".into(),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        _ => format!("{} d ago", secs / 86_400),
    }
}

/// What a widget's badge shows: its state, when the data was fetched, and
/// the clock it is read against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Badge {
    pub state: BadgeState,
    pub fetched_at: u64,
    pub now_ms: u64,
}

/// The badge beside a widget's title.
#[component]
pub fn FreshnessBadge(badge: Badge) -> Element {
    let label = badge.state.label(badge.fetched_at, badge.now_ms);
    rsx! {
        span { class: "badge badge-{badge.state.as_str()}", "data-testid": "freshness", "{label}" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use larder_protocol::Source;

    fn envelope(state: Stored, error: Option<CommandError>) -> Envelope<()> {
        Envelope {
            data: (),
            fetched_at: 1_000_000,
            state,
            source: Source::Cache,
            error,
            pending: Vec::new(),
        }
    }

    #[test]
    fn classifies_by_state_age_and_connectivity() {
        let thirty = Duration::from_secs(30);
        let online = Connectivity::Online;
        let fresh = envelope(Stored::Fresh, None);
        assert_eq!(
            BadgeState::of(&fresh, online, 1_010_000, thirty),
            BadgeState::Fresh
        );
        assert_eq!(
            BadgeState::of(&fresh, online, 1_031_000, thirty),
            BadgeState::Stale,
            "aged"
        );
        assert_eq!(
            BadgeState::of(&envelope(Stored::Expired, None), online, 1_000_000, thirty),
            BadgeState::Stale
        );
        assert_eq!(
            BadgeState::of(&fresh, Connectivity::Offline, 1_000_000, thirty),
            BadgeState::Offline
        );
        let unreachable = envelope(
            Stored::Stale,
            Some(CommandError::Unreachable {
                message: "x".into(),
            }),
        );
        assert_eq!(
            BadgeState::of(&unreachable, online, 1_000_000, thirty),
            BadgeState::Offline
        );
        assert_eq!(
            BadgeState::of(&fresh, Connectivity::Degraded, 1_000_000, thirty),
            BadgeState::Fresh
        );
    }

    #[test]
    fn labels_say_when() {
        assert_eq!(BadgeState::Fresh.label(0, 5_000), "updated just now");
        assert_eq!(BadgeState::Fresh.label(0, 180_000), "updated 3 min ago");
        assert_eq!(
            BadgeState::Stale.label(0, 7_200_000),
            "stale · updated 2 h ago"
        );
        let offline = BadgeState::Offline.label((14 * 60 + 2) * 60_000, 0);
        assert_eq!(offline, "offline, showing data from 14:02");
    }
}
