//! The role widgets' content, one pure component per kind over its payload:
//! admin analytics, user management and system health for admins, team
//! analytics and team members for managers.

use dioxus::prelude::*;
use larder_protocol::{
    health::SystemHealth,
    roles::{AccountStatus, AdminAnalytics, Presence, TeamAnalytics, TeamRoster, UserDirectory},
    widgets::SeriesPoint,
    Role, RoleData,
};

/// Renders a role widget's payload with the component for its kind.
#[component]
pub fn RoleView(data: RoleData) -> Element {
    match data {
        RoleData::AdminAnalytics(analytics) => rsx! { AdminAnalyticsView { analytics } },
        RoleData::UserManagement(directory) => rsx! { UserDirectoryView { directory } },
        RoleData::SystemHealth(health) => rsx! { HealthTiles { health } },
        RoleData::TeamAnalytics(team) => rsx! { TeamAnalyticsView { team } },
        RoleData::TeamMembers(roster) => rsx! { TeamRosterView { roster } },
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "Admin",
        Role::Manager => "Manager",
        Role::Member => "Member",
    }
}

/// A small bar chart: each point's bar as a share of the largest.
#[component]
fn Bars(points: Vec<SeriesPoint>, label: String) -> Element {
    let max = points.iter().map(|p| p.value).fold(0.0_f64, f64::max);
    rsx! {
        div { class: "bars", role: "img", "aria-label": "{label}",
            for point in points {
                div { key: "{point.label}", class: "bar",
                    div {
                        class: "bar-fill",
                        style: "height: {bar_height(point.value, max)}%",
                        title: "{point.value}",
                    }
                    span { class: "muted small", "{point.label}" }
                }
            }
        }
    }
}

/// A bar's height in percent of the chart, at least 2 so a zero shows.
fn bar_height(value: f64, max: f64) -> u32 {
    if max <= 0.0 || !value.is_finite() {
        return 2;
    }
    ((value / max * 100.0).round() as u32).clamp(2, 100)
}

#[component]
fn AdminAnalyticsView(analytics: AdminAnalytics) -> Element {
    rsx! {
        div { class: "tiles",
            div { class: "tile", p { class: "muted small", "Users" } p { class: "tile-value", "{analytics.total_users}" } }
            div { class: "tile", p { class: "muted small", "Active today" } p { class: "tile-value", "{analytics.active_today}" } }
        }
        p { class: "muted small", "Sign-ups this week" }
        Bars { points: analytics.signups, label: "Sign-ups per day" }
        ul { class: "by-role",
            for count in analytics.by_role {
                li { key: "{role_name(count.role)}", "{role_name(count.role)}s: {count.users}" }
            }
        }
    }
}

fn status_name(status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::Active => "active",
        AccountStatus::Invited => "invited",
        AccountStatus::Suspended => "suspended",
    }
}

#[component]
fn UserDirectoryView(directory: UserDirectory) -> Element {
    let shown = directory.users.len();
    rsx! {
        ul { class: "directory",
            for user in directory.users {
                li { key: "{user.id}",
                    span { class: "who", "{user.name}" }
                    span { class: "muted small", "{role_name(user.role)}" }
                    span { class: "status status-{status_name(user.status)}", "{status_name(user.status)}" }
                    span { class: "muted small", "seen {crate::host::local_clock(user.last_seen)}" }
                }
            }
        }
        p { class: "muted small", "{shown} of {directory.total} accounts" }
    }
}

/// The health figures as tiles.
#[component]
pub fn HealthTiles(health: SystemHealth) -> Element {
    let minutes = health.uptime_secs / 60;
    rsx! {
        div { class: "tiles",
            div { class: "tile", p { class: "muted small", "Status" } p { class: "tile-value", "{health.status}" } }
            div { class: "tile", p { class: "muted small", "Uptime" } p { class: "tile-value", "{minutes} min" } }
            div { class: "tile", p { class: "muted small", "Sessions" } p { class: "tile-value", "{health.active_sessions}" } }
            div { class: "tile", p { class: "muted small", "Requests" } p { class: "tile-value", "{health.requests_served}" } }
        }
    }
}

#[component]
fn TeamAnalyticsView(team: TeamAnalytics) -> Element {
    rsx! {
        p { class: "muted small", "Team {team.team}" }
        div { class: "tiles",
            div { class: "tile", p { class: "muted small", "Done this week" } p { class: "tile-value", "{team.done_this_week}" } }
            div { class: "tile", p { class: "muted small", "Open tasks" } p { class: "tile-value", "{team.open_tasks}" } }
            div { class: "tile", p { class: "muted small", "Goals on track" } p { class: "tile-value", "{team.on_track_pct}%" } }
        }
        p { class: "muted small", "Tasks done per week" }
        Bars { points: team.velocity, label: "Tasks done per week" }
    }
}

fn presence_name(presence: Presence) -> &'static str {
    match presence {
        Presence::Online => "online",
        Presence::Away => "away",
        Presence::Offline => "offline",
    }
}

#[component]
fn TeamRosterView(roster: TeamRoster) -> Element {
    rsx! {
        p { class: "muted small", "Team {roster.team}" }
        ul { class: "directory",
            for member in roster.members {
                li { key: "{member.id}",
                    span { class: "presence presence-{presence_name(member.presence)}", title: "{presence_name(member.presence)}" }
                    span { class: "who", "{member.name}" }
                    span { class: "muted small", "{member.title}" }
                    span { class: "muted small", "{member.open_tasks} open" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use larder_protocol::{RoleWidget, Username};

    fn user(name: &str) -> larder_protocol::User {
        mock_api::data::user_for(&Username::parse(name).expect("valid"))
    }

    #[test]
    fn every_kind_renders_its_payload() {
        let now = 1_800_000_000_000;
        let (admin, manager) = (user("admin-ann"), user("manager-mo"));
        let analytics = mock_api::role_data::admin_analytics(&admin, now);
        let html = dioxus_ssr::render_element(
            rsx! { RoleView { data: RoleData::AdminAnalytics(analytics.clone()) } },
        );
        assert!(
            html.contains(&format!(">{}<", analytics.total_users)),
            "{html}"
        );
        assert_eq!(html.matches("class=\"bar\"").count(), 7);
        let directory = mock_api::role_data::user_directory(&admin, now);
        let html = dioxus_ssr::render_element(
            rsx! { RoleView { data: RoleData::UserManagement(directory.clone()) } },
        );
        assert!(html.contains(&directory.users[0].name), "{html}");
        assert!(html.contains(&format!("of {} accounts", directory.total)));
        let team = mock_api::role_data::team_analytics(&manager, now);
        let html = dioxus_ssr::render_element(
            rsx! { RoleView { data: RoleData::TeamAnalytics(team.clone()) } },
        );
        assert!(html.contains(&format!("{}%", team.on_track_pct)), "{html}");
        assert_eq!(html.matches("class=\"bar\"").count(), 8);
        let roster = mock_api::role_data::team_roster(&manager, now);
        let html = dioxus_ssr::render_element(
            rsx! { RoleView { data: RoleData::TeamMembers(roster.clone()) } },
        );
        assert_eq!(html.matches("class=\"who\"").count(), roster.members.len());
        let health = SystemHealth {
            status: "ok".into(),
            uptime_secs: 600,
            active_sessions: 3,
            requests_served: 42,
            version: "1".into(),
        };
        let data = RoleData::SystemHealth(health);
        assert_eq!(data.widget(), RoleWidget::SystemHealth);
        let html = dioxus_ssr::render_element(rsx! { RoleView { data } });
        assert!(
            html.contains("10 min") && html.contains(">3<") && html.contains(">42<"),
            "{html}"
        );
    }

    #[test]
    fn bars_scale_to_the_largest_and_a_zero_still_shows() {
        assert_eq!(bar_height(5.0, 10.0), 50);
        assert_eq!(bar_height(0.0, 10.0), 2);
        assert_eq!(bar_height(3.0, 0.0), 2);
        assert_eq!(bar_height(f64::NAN, 10.0), 2);
        assert_eq!(bar_height(10.0, 10.0), 100);
    }
}
