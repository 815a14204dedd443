//! Tracks whether the upstream can be reached, from the outcome of every
//! real request the client makes: an answer below 500 means online, a 5xx
//! or a timeout means degraded, and a failure to connect means offline.

use larder_protocol::Connectivity;
use tokio::sync::watch;

/// The shared connectivity state. Cheap to clone; every clone sees the same
/// state.
#[derive(Debug, Clone)]
pub struct ConnectivityMonitor {
    state: watch::Sender<Connectivity>,
}

impl Default for ConnectivityMonitor {
    fn default() -> Self {
        Self {
            state: watch::channel(Connectivity::Online).0,
        }
    }
}

impl ConnectivityMonitor {
    pub fn current(&self) -> Connectivity {
        *self.state.borrow()
    }

    pub fn is_offline(&self) -> bool {
        self.current() == Connectivity::Offline
    }

    /// Every change from now on.
    pub fn subscribe(&self) -> watch::Receiver<Connectivity> {
        self.state.subscribe()
    }

    /// Records an HTTP answer with `status`.
    pub fn record_status(&self, status: u16) {
        self.set(if status >= 500 {
            Connectivity::Degraded
        } else {
            Connectivity::Online
        });
    }

    /// Records a request that got no whole answer.
    pub fn record_failure(&self, err: &crate::transport::TransportError) {
        use crate::transport::TransportError;
        match err {
            // Something answered the connection, but too slowly.
            TransportError::TimedOut(_) => self.set(Connectivity::Degraded),
            // Refused, DNS, reset: no API at all.
            TransportError::NoAnswer(_) => self.set(Connectivity::Offline),
            // The API answered; its body broke off on the way.
            TransportError::BrokenBody { status, .. } => self.record_status(*status),
        }
    }

    /// Sets the state, notifying subscribers only when it changes.
    pub fn set(&self, next: Connectivity) {
        let changed = self.state.send_if_modified(|state| {
            let changed = *state != next;
            *state = next;
            changed
        });
        if changed {
            tracing::info!(connectivity = ?next, "connectivity changed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_states_and_only_changes_notify() {
        let monitor = ConnectivityMonitor::default();
        let mut changes = monitor.subscribe();
        monitor.record_status(200);
        assert!(!changes.has_changed().expect("open"));
        monitor.record_status(503);
        assert_eq!(monitor.current(), Connectivity::Degraded);
        assert!(changes.has_changed().expect("open"));
        changes.mark_unchanged();
        monitor.record_status(404);
        assert_eq!(monitor.current(), Connectivity::Online);
        monitor.set(Connectivity::Offline);
        assert!(monitor.is_offline());
    }
}
