//! The mock API's `/__admin/` test controls, for development and tests
//! only: request counts and injected faults.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `GET /__admin/stats`: requests since start or the last reset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestStats {
    pub total: u64,
    /// Keyed by "METHOD /path", for example "GET /api/widgets/3".
    pub by_route: BTreeMap<String, u64>,
    /// Keyed by user id, then by route as above. Requests without a live
    /// token are not attributed to a user.
    pub by_user: BTreeMap<String, BTreeMap<String, u64>>,
    /// Changes applied (a notification marked read), by user id: a replayed
    /// or refused request is counted above but not here.
    #[serde(default)]
    pub applied: BTreeMap<String, u64>,
    /// The changes applied, in order, by user id: `"<notification id>
    /// <idempotency key>"`.
    #[serde(default)]
    pub applied_log: BTreeMap<String, Vec<String>>,
}

impl RequestStats {
    /// Changes applied for `user_id`.
    pub fn applied(&self, user_id: &str) -> u64 {
        self.applied.get(user_id).copied().unwrap_or(0)
    }

    /// Requests from `user_id` to `route` ("GET /api/widgets/3").
    pub fn count(&self, user_id: &str, route: &str) -> u64 {
        self.by_user
            .get(user_id)
            .and_then(|routes| routes.get(route))
            .copied()
            .unwrap_or(0)
    }
}

/// How a route misbehaves on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum FaultKind {
    /// Answers with this status (500, 502, 503, 401 or 429). A 429 carries
    /// `Retry-After: retry_after_secs` (default 1).
    Status {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_secs: Option<u64>,
    },
    /// Waits `ms`, then answers with `status` (the same statuses as
    /// `Status`): a request that fails only after it has been in flight.
    LateStatus { status: u16, ms: u64 },
    /// 200 with a body that is not valid JSON.
    MalformedJson,
    /// 200 whose body stops mid-stream.
    Truncated,
    /// Waits this much longer before answering normally.
    Delay { ms: u64 },
    /// Reads the data at once, then waits `ms` before answering with it
    /// (a 200, never a 304): an answer that shows the state from before
    /// anything that happens while it is on its way.
    SlowAnswer { ms: u64 },
    /// Never answers.
    Hang,
    /// For a change (marking a notification of widget 4 read): the change
    /// is applied and remembered under its `Idempotency-Key`, then the
    /// connection is closed with no answer, as when a network drops a
    /// response. Widget reads ignore it.
    DropAfterCommit,
    /// For a change: answers this status without applying it (a 4xx the
    /// API refuses for good, or a 5xx). Widget reads ignore it.
    RefuseChange { status: u16 },
    /// For a change: answers 429 with `Retry-After: retry_after_secs`,
    /// without applying it. Widget reads ignore it.
    RateLimitChange { retry_after_secs: u64 },
    /// For a change: waits `ms`, then applies it and answers as usual (a
    /// change whose request is on its way for a while). Widget reads
    /// ignore it.
    DelayChange { ms: u64 },
}

/// `POST /__admin/unread`: a notification marked read turns unread again
/// upstream (as another device would make it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnreadRequest {
    pub user_id: String,
    pub notification_id: String,
}

/// The requests a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
pub enum FaultTarget {
    /// A dashboard widget's, 1 to 5.
    Widget { widget: u8 },
    /// A role widget's.
    RoleWidget { role_widget: crate::RoleWidget },
    /// A post page's part, or a profile's.
    Resource { resource: FaultResource },
}

/// The parts of a post's page (and profiles) a fault can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultResource {
    /// `GET /posts/:id`.
    Post,
    /// `GET /posts/:id/comments`.
    Comments,
    /// `GET /posts?tag=…`.
    Related,
    /// `GET /users/:id`.
    Profile,
}

impl FaultTarget {
    pub fn widget(id: u8) -> Self {
        Self::Widget { widget: id }
    }

    pub fn role(widget: crate::RoleWidget) -> Self {
        Self::RoleWidget {
            role_widget: widget,
        }
    }

    pub fn resource(resource: FaultResource) -> Self {
        Self::Resource { resource }
    }
}

/// `POST /__admin/roles`: from its next sign-in on, `username` has `role`
/// (as when an organisation promotes or demotes someone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleRequest {
    pub username: String,
    pub role: crate::Role,
}

/// `POST /__admin/faults`: make widget requests misbehave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRequest {
    /// Whose requests misbehave: `"widget": 1` to `5`, or `"roleWidget"`
    /// with a [`crate::RoleWidget`] name.
    #[serde(flatten)]
    pub target: FaultTarget,
    /// Only this user's requests; every user's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub fault: FaultKind,
    /// For this many requests; until cleared when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_use_the_documented_json() {
        let fault: FaultKind =
            serde_json::from_str(r#"{"kind": "status", "status": 429, "retryAfterSecs": 3}"#)
                .expect("valid");
        assert_eq!(
            fault,
            FaultKind::Status {
                status: 429,
                retry_after_secs: Some(3)
            }
        );
        let rule: FaultRequest =
            serde_json::from_str(r#"{"widget": 2, "userId": "u1", "fault": {"kind": "hang"}}"#)
                .expect("valid");
        assert_eq!(rule.times, None);
        assert_eq!(rule.target, FaultTarget::widget(2));
        let rule: FaultRequest = serde_json::from_str(
            r#"{"roleWidget": "team-members", "fault": {"kind": "status", "status": 503}}"#,
        )
        .expect("valid");
        assert_eq!(
            rule.target,
            FaultTarget::role(crate::RoleWidget::TeamMembers)
        );
        let json = serde_json::to_value(&rule).expect("serialise");
        assert_eq!(json["roleWidget"], "team-members");
        assert!(serde_json::from_str::<FaultRequest>(r#"{"fault": {"kind": "hang"}}"#).is_err());
    }
}
