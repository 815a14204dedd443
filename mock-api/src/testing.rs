//! The mock API as Larder's tests use it (the `testing` feature): the
//! [`instant`] configuration, and [`Controls`], the `/__admin/` controls
//! typed and called in process, for tests that run the server beside them.
//! The HTTP controls themselves are tested in tests/test_controls.rs.

use larder_protocol::{
    test_controls::{FaultKind, FaultRequest, FaultResource, FaultTarget, RequestStats},
    Role, RoleWidget, WidgetId,
};

use crate::{AppState, Config, RunningServer};

/// No delays and the test controls on; the rest as by default.
pub fn instant() -> Config {
    Config {
        delay_scale: 0.0,
        test_controls: true,
        ..Config::default()
    }
}

/// A server with the [`instant`] configuration on an ephemeral loopback
/// port.
pub async fn start_instant() -> std::io::Result<RunningServer> {
    RunningServer::start(instant()).await
}

/// The test controls of a server running in this process.
#[derive(Debug, Clone)]
pub struct Controls(AppState);

impl Controls {
    /// The controls of `server`.
    pub fn of(server: &RunningServer) -> Self {
        Self(server.state().clone())
    }

    /// Requests since start or the last [`Controls::reset`].
    pub fn stats(&self) -> RequestStats {
        self.0.stats().snapshot()
    }

    /// How many times `user_id` asked for `widget`.
    pub fn widget_requests(&self, user_id: &str, widget: WidgetId) -> u64 {
        self.stats()
            .count(user_id, &format!("GET /api/widgets/{}", widget.get()))
    }

    /// How many times `user_id` asked for role widget `widget`.
    pub fn role_requests(&self, user_id: &str, widget: RoleWidget) -> u64 {
        self.stats()
            .count(user_id, &format!("GET /{}", widget.path()))
    }

    /// Zeroes the counts.
    pub fn reset(&self) {
        self.0.stats().reset();
    }

    /// `widget`'s requests from everyone misbehave as `fault`, `times`
    /// times (until cleared when `None`).
    pub fn fault(&self, widget: WidgetId, fault: FaultKind, times: Option<u32>) {
        self.add_fault(FaultTarget::widget(widget.get()), None, fault, times);
    }

    /// Role widget `widget`'s requests from everyone misbehave as `fault`,
    /// `times` times (until cleared when `None`).
    pub fn role_fault(&self, widget: RoleWidget, fault: FaultKind, times: Option<u32>) {
        self.add_fault(FaultTarget::role(widget), None, fault, times);
    }

    /// Requests for `resource` (a post page's part, or a profile) from
    /// everyone misbehave as `fault`, `times` times.
    pub fn resource_fault(&self, resource: FaultResource, fault: FaultKind, times: Option<u32>) {
        self.add_fault(FaultTarget::resource(resource), None, fault, times);
    }

    /// From its next sign-in on, `username` has `role`.
    pub fn set_role(&self, username: &str, role: Role) {
        self.0.set_role(username, role);
    }

    /// As [`Controls::fault`], for `user_id`'s requests only.
    pub fn fault_for(&self, user_id: &str, widget: WidgetId, fault: FaultKind, times: Option<u32>) {
        self.add_fault(
            FaultTarget::widget(widget.get()),
            Some(user_id.to_owned()),
            fault,
            times,
        );
    }

    fn add_fault(
        &self,
        target: FaultTarget,
        user_id: Option<String>,
        fault: FaultKind,
        times: Option<u32>,
    ) {
        self.0.faults().add(FaultRequest {
            target,
            user_id,
            fault,
            times,
        });
    }

    /// Clears every fault.
    pub fn clear_faults(&self) {
        self.0.faults().clear();
    }

    /// Notification `notification_id` turns unread for `user_id`
    /// upstream, as another device would make it.
    pub fn unread(&self, user_id: &str, notification_id: &str) {
        self.0.mark_unread(user_id, notification_id);
    }

    /// Forgets every session: the next request with any token is a 401.
    pub fn forget_sessions(&self) {
        self.0.clear_sessions();
    }
}

#[cfg(test)]
mod tests {
    use larder_protocol::{LoginRequest, LoginResponse};

    use super::*;

    #[tokio::test]
    async fn faults_and_counts_reach_the_running_server() {
        let server = start_instant().await.expect("starts");
        let controls = Controls::of(&server);
        let http = reqwest::Client::new();
        let login: LoginResponse = http
            .post(format!("{}/auth/login", server.url()))
            .json(&LoginRequest {
                username: "kit".into(),
            })
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("a LoginResponse");
        let widget = WidgetId::new(3).expect("valid");
        let unavailable = FaultKind::Status {
            status: 503,
            retry_after_secs: None,
        };
        controls.fault_for(&login.user.id, widget, unavailable, Some(1));
        let mut statuses = Vec::new();
        for _ in 0..2 {
            let answer = http
                .get(format!(
                    "{}/api/widgets/3?userId={}",
                    server.url(),
                    login.user.id
                ))
                .bearer_auth(&login.token)
                .send()
                .await
                .expect("an answer");
            statuses.push(answer.status().as_u16());
        }
        assert_eq!(statuses, [503, 200], "the fault applied once");
        assert_eq!(controls.widget_requests(&login.user.id, widget), 2);
        controls.reset();
        assert_eq!(controls.widget_requests(&login.user.id, widget), 0);
    }
}
