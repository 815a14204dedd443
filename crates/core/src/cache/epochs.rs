//! Each user's session epoch, for the engine's fence: a fetch started
//! under one of a user's epochs is written only while that epoch is still
//! theirs. Epochs are numbered across users, so one names one session of
//! one user, and ending one user's never ends another's.

use std::collections::HashMap;

/// Every user's current session epoch (0 before their first session).
#[derive(Debug, Default)]
pub(super) struct Epochs {
    last: u64,
    current: HashMap<String, u64>,
}

impl Epochs {
    /// `user_id`'s current epoch.
    pub(super) fn of(&self, user_id: &str) -> u64 {
        self.current.get(user_id).copied().unwrap_or(0)
    }

    /// Ends `user_id`'s current epoch and returns their new one.
    pub(super) fn end(&mut self, user_id: &str) -> u64 {
        self.last += 1;
        self.current.insert(user_id.to_owned(), self.last);
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ending_one_users_epoch_leaves_the_others() {
        let mut epochs = Epochs::default();
        assert_eq!(epochs.of("ada"), 0);
        let ada = epochs.end("ada");
        let bob = epochs.end("bob");
        assert_ne!(ada, bob, "an epoch names one session of one user");
        assert_eq!(epochs.of("ada"), ada, "bob's sign-in left ada's");
        let ada_again = epochs.end("ada");
        assert!(ada_again > bob);
        assert_eq!(epochs.of("bob"), bob);
    }
}
