//! Injected faults (`POST /__admin/faults`): rules that make a widget's
//! requests misbehave, for one user or all, a number of times or until
//! cleared.

use std::sync::{Mutex, PoisonError};

use larder_protocol::test_controls::{FaultKind, FaultRequest, FaultTarget};

#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<FaultRequest>>,
}

impl Faults {
    pub fn add(&self, rule: FaultRequest) {
        self.lock().push(rule);
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The fault for a read of `widget`, if a rule matches; consumes one
    /// use of a counted rule. The newest matching rule wins. Faults meant
    /// for changes are left alone.
    pub fn take(&self, target: FaultTarget, user_id: &str) -> Option<FaultKind> {
        self.take_where(target, user_id, |fault| !for_changes(fault))
    }

    /// The fault for a change to `widget` (only [`FaultKind::DropAfterCommit`],
    /// [`FaultKind::RefuseChange`] and [`FaultKind::DelayChange`] apply to
    /// changes), consumed as
    /// [`Self::take`] does.
    pub fn take_for_change(&self, target: FaultTarget, user_id: &str) -> Option<FaultKind> {
        self.take_where(target, user_id, for_changes)
    }

    fn take_where(
        &self,
        target: FaultTarget,
        user_id: &str,
        applies: impl Fn(&FaultKind) -> bool,
    ) -> Option<FaultKind> {
        let mut rules = self.lock();
        let index = rules.iter().rposition(|rule| {
            rule.target == target
                && rule.user_id.as_deref().is_none_or(|u| u == user_id)
                && rule.times != Some(0)
                && applies(&rule.fault)
        })?;
        let rule = &mut rules[index];
        let fault = rule.fault.clone();
        if let Some(times) = rule.times.as_mut() {
            *times -= 1;
            if *times == 0 {
                rules.remove(index);
            }
        }
        Some(fault)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<FaultRequest>> {
        self.rules.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether `fault` is meant for changes rather than reads.
fn for_changes(fault: &FaultKind) -> bool {
    matches!(
        fault,
        FaultKind::DropAfterCommit
            | FaultKind::RefuseChange { .. }
            | FaultKind::RateLimitChange { .. }
            | FaultKind::DelayChange { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(user: Option<&str>, times: Option<u32>) -> FaultRequest {
        FaultRequest {
            target: FaultTarget::widget(2),
            user_id: user.map(str::to_owned),
            fault: FaultKind::MalformedJson,
            times,
        }
    }

    #[test]
    fn counted_rules_run_out() {
        let faults = Faults::default();
        faults.add(rule(None, Some(2)));
        assert!(faults.take(FaultTarget::widget(2), "u1").is_some());
        assert!(faults.take(FaultTarget::widget(2), "u2").is_some());
        assert!(faults.take(FaultTarget::widget(2), "u1").is_none());
    }

    #[test]
    fn rules_match_widget_and_user_until_cleared() {
        let faults = Faults::default();
        faults.add(rule(Some("u1"), None));
        assert!(faults.take(FaultTarget::widget(3), "u1").is_none());
        assert!(faults.take(FaultTarget::widget(2), "u2").is_none());
        for _ in 0..5 {
            assert!(faults.take(FaultTarget::widget(2), "u1").is_some());
        }
        let health = FaultTarget::role(larder_protocol::RoleWidget::SystemHealth);
        assert!(
            faults.take(health, "u1").is_none(),
            "a role widget is its own target"
        );
        faults.clear();
        assert!(faults.take(FaultTarget::widget(2), "u1").is_none());
    }
}
