//! The dashboard's role widgets: what only admins or only managers see,
//! besides the five widgets everyone has. Each is its own API resource, and
//! the API refuses it (403) to every other role.
//!
//! | widget | role | route |
//! |---|---|---|
//! | admin analytics | admin | `GET /api/admin/analytics` |
//! | user management | admin | `GET /api/admin/users` |
//! | system health | admin | `GET /api/admin/system-health` |
//! | team analytics | manager | `GET /api/team/analytics` |
//! | team members | manager | `GET /api/team/members` |

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::{health::SystemHealth, widgets::SeriesPoint, Envelope, Role};

/// One of the role widgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoleWidget {
    AdminAnalytics,
    UserManagement,
    SystemHealth,
    TeamAnalytics,
    TeamMembers,
}

/// Why a role widget name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleWidgetError {
    /// The refused name, cut to 32 characters.
    pub name: String,
}

impl fmt::Display for RoleWidgetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown role widget {:?}", self.name)
    }
}

impl std::error::Error for RoleWidgetError {}

impl RoleWidget {
    /// Every role widget, in the dashboard's order.
    pub const ALL: [RoleWidget; 5] = [
        Self::AdminAnalytics,
        Self::UserManagement,
        Self::SystemHealth,
        Self::TeamAnalytics,
        Self::TeamMembers,
    ];

    /// The one role that sees it.
    pub fn role(self) -> Role {
        match self {
            Self::AdminAnalytics | Self::UserManagement | Self::SystemHealth => Role::Admin,
            Self::TeamAnalytics | Self::TeamMembers => Role::Manager,
        }
    }

    /// The role widgets `role` sees, in the dashboard's order.
    pub fn for_role(role: Role) -> impl Iterator<Item = RoleWidget> {
        Self::ALL.into_iter().filter(move |w| w.role() == role)
    }

    /// Its name: in IPC, and the name its cache policy is published under.
    pub fn name(self) -> &'static str {
        match self {
            Self::AdminAnalytics => "admin-analytics",
            Self::UserManagement => "user-management",
            Self::SystemHealth => "system-health",
            Self::TeamAnalytics => "team-analytics",
            Self::TeamMembers => "team-members",
        }
    }

    /// Its cache key within the user's partition.
    pub fn key(self) -> &'static str {
        match self {
            Self::AdminAnalytics => "admin:analytics",
            Self::UserManagement => "admin:users",
            Self::SystemHealth => "admin:health",
            Self::TeamAnalytics => "team:analytics",
            Self::TeamMembers => "team:members",
        }
    }

    /// Its route, relative to the API's base.
    pub fn path(self) -> &'static str {
        match self {
            Self::AdminAnalytics => "api/admin/analytics",
            Self::UserManagement => "api/admin/users",
            Self::SystemHealth => "api/admin/system-health",
            Self::TeamAnalytics => "api/team/analytics",
            Self::TeamMembers => "api/team/members",
        }
    }

    /// Its title, as the dashboard shows it.
    pub fn title(self) -> &'static str {
        match self {
            Self::AdminAnalytics => "Admin analytics",
            Self::UserManagement => "User management",
            Self::SystemHealth => "System health",
            Self::TeamAnalytics => "Team analytics",
            Self::TeamMembers => "Team members",
        }
    }

    /// The widget a name ([`Self::name`]) or key ([`Self::key`]) stands for.
    pub fn parse(raw: &str) -> Result<Self, RoleWidgetError> {
        Self::ALL
            .into_iter()
            .find(|w| w.name() == raw || w.key() == raw)
            .ok_or_else(|| RoleWidgetError {
                name: raw.chars().take(32).collect(),
            })
    }
}

impl fmt::Display for RoleWidget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A role widget's content, tagged by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RoleData {
    AdminAnalytics(AdminAnalytics),
    UserManagement(UserDirectory),
    SystemHealth(SystemHealth),
    TeamAnalytics(TeamAnalytics),
    TeamMembers(TeamRoster),
}

impl RoleData {
    /// The widget this is the content of.
    pub fn widget(&self) -> RoleWidget {
        match self {
            Self::AdminAnalytics(_) => RoleWidget::AdminAnalytics,
            Self::UserManagement(_) => RoleWidget::UserManagement,
            Self::SystemHealth(_) => RoleWidget::SystemHealth,
            Self::TeamAnalytics(_) => RoleWidget::TeamAnalytics,
            Self::TeamMembers(_) => RoleWidget::TeamMembers,
        }
    }
}

/// A role widget's content with its freshness and origin.
pub type RoleEnvelope = Envelope<RoleData>;

/// `GET /api/admin/analytics`: the organisation's use of Larder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminAnalytics {
    pub total_users: u32,
    pub active_today: u32,
    /// Sign-ups per day over the last week.
    pub signups: Vec<SeriesPoint>,
    pub by_role: Vec<RoleCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleCount {
    pub role: Role,
    pub users: u32,
}

/// `GET /api/admin/users`: the organisation's accounts, newest activity
/// first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDirectory {
    /// Accounts in all, of which `users` lists the first.
    pub total: u32,
    pub users: Vec<ManagedUser>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedUser {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub status: AccountStatus,
    /// When they were last seen, in Unix milliseconds.
    pub last_seen: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    Invited,
    Suspended,
}

/// `GET /api/team/analytics`: the manager's team's delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamAnalytics {
    pub team: String,
    /// Tasks done per week, oldest first.
    pub velocity: Vec<SeriesPoint>,
    pub open_tasks: u32,
    pub done_this_week: u32,
    /// Share of the team's goals on track, 0 to 100.
    pub on_track_pct: u8,
}

/// `GET /api/team/members`: who is in the manager's team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamRoster {
    pub team: String,
    pub members: Vec<TeamMember>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamMember {
    pub id: String,
    pub name: String,
    pub title: String,
    pub presence: Presence,
    pub open_tasks: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Online,
    Away,
    Offline,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_sees_its_own_widgets() {
        let of = |role| RoleWidget::for_role(role).collect::<Vec<_>>();
        assert_eq!(
            of(Role::Admin),
            [
                RoleWidget::AdminAnalytics,
                RoleWidget::UserManagement,
                RoleWidget::SystemHealth
            ]
        );
        assert_eq!(
            of(Role::Manager),
            [RoleWidget::TeamAnalytics, RoleWidget::TeamMembers]
        );
        assert!(of(Role::Member).is_empty());
    }

    #[test]
    fn names_and_keys_parse_back_and_nothing_else_does() {
        for widget in RoleWidget::ALL {
            assert_eq!(RoleWidget::parse(widget.name()), Ok(widget));
            assert_eq!(RoleWidget::parse(widget.key()), Ok(widget));
            let json = serde_json::to_string(&widget).expect("serialise");
            assert_eq!(json, format!("\"{}\"", widget.name()));
        }
        for bad in ["", "admin", "Admin-Analytics", "widget:1", "team:"] {
            assert!(RoleWidget::parse(bad).is_err(), "{bad:?}");
        }
        let long = RoleWidget::parse(&"x".repeat(500)).expect_err("refused");
        assert_eq!(long.name.len(), 32);
    }
}
