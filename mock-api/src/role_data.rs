//! Deterministic payloads of the role widgets (admin analytics, user
//! management, team analytics, team members): they depend only on (user,
//! widget, minute), as the dashboard widgets' do, so the same request in the
//! same minute gives the same bytes and ETag. System health is the one role
//! widget built from the server's live state (see `routes::role_widgets`).
//!
//! Also each role widget's delay and how long it stays fresh.

use larder_protocol::{
    roles::{
        AccountStatus, AdminAnalytics, ManagedUser, Presence, RoleCount, TeamAnalytics, TeamMember,
        TeamRoster, UserDirectory,
    },
    widgets::SeriesPoint,
    Role, RoleWidget, User,
};
use rand::{rngs::StdRng, Rng, SeedableRng};

use crate::data::digest64;

/// The delay of `widget` at scale 1.0, in milliseconds: the analytics
/// reports are the slow ones.
pub fn base_delay_ms(widget: RoleWidget) -> u64 {
    match widget {
        RoleWidget::AdminAnalytics => 2_000,
        RoleWidget::UserManagement => 1_500,
        RoleWidget::SystemHealth => 500,
        RoleWidget::TeamAnalytics => 2_500,
        RoleWidget::TeamMembers => 1_000,
    }
}

/// How long `widget` stays fresh, as `/config` publishes it: the reports
/// longest, the live health shortest.
pub fn stale_secs(widget: RoleWidget) -> u64 {
    match widget {
        RoleWidget::AdminAnalytics | RoleWidget::TeamAnalytics => 120,
        RoleWidget::UserManagement | RoleWidget::TeamMembers => 60,
        RoleWidget::SystemHealth => 30,
    }
}

/// The seed for `widget` of `user` in the minute that holds `now_ms`.
fn rng(user: &User, widget: RoleWidget, now_ms: u64) -> StdRng {
    let minute = now_ms / 60_000;
    StdRng::seed_from_u64(digest64(&[
        user.id.as_bytes(),
        widget.name().as_bytes(),
        &minute.to_le_bytes(),
    ]))
}

/// What stays the same for a user whatever the minute (names, team).
fn stable(user: &User, what: &str) -> StdRng {
    StdRng::seed_from_u64(digest64(&[b"role", what.as_bytes(), user.id.as_bytes()]))
}

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

const FIRST_NAMES: &[&str] = &[
    "Ana", "Bilal", "Chen", "Dana", "Emeka", "Freya", "Goran", "Hana", "Ivo", "Jia", "Kofi", "Lena",
];
const LAST_NAMES: &[&str] = &[
    "Silva", "Khan", "Wei", "Novak", "Obi", "Berg", "Ito", "Moreau", "Reyes", "Sato",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn person(rng: &mut StdRng) -> String {
    format!("{} {}", pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES))
}

/// The admin's organisation's use of Larder.
pub fn admin_analytics(user: &User, now_ms: u64) -> AdminAnalytics {
    let mut rng = rng(user, RoleWidget::AdminAnalytics, now_ms);
    let total_users = rng.gen_range(180..420);
    let admins = rng.gen_range(2..6);
    let managers = rng.gen_range(10..30);
    AdminAnalytics {
        total_users,
        active_today: rng.gen_range(total_users / 3..total_users),
        signups: WEEKDAYS
            .iter()
            .map(|day| SeriesPoint {
                label: (*day).to_owned(),
                value: f64::from(rng.gen_range(0u32..12)),
            })
            .collect(),
        by_role: vec![
            RoleCount {
                role: Role::Admin,
                users: admins,
            },
            RoleCount {
                role: Role::Manager,
                users: managers,
            },
            RoleCount {
                role: Role::Member,
                users: total_users - admins - managers,
            },
        ],
    }
}

/// The admin's organisation's accounts, most recently seen first.
pub fn user_directory(user: &User, now_ms: u64) -> UserDirectory {
    let mut names = stable(user, "directory");
    let mut rng = rng(user, RoleWidget::UserManagement, now_ms);
    let generated_at = now_ms / 60_000 * 60_000;
    let mut last_seen = generated_at;
    let users = (0..8)
        .map(|i| {
            last_seen = last_seen.saturating_sub(rng.gen_range(60_000..7_200_000));
            let role = match i {
                0 => Role::Admin,
                1 | 2 => Role::Manager,
                _ => Role::Member,
            };
            ManagedUser {
                id: format!("u_dir_{:x}_{i}", digest64(&[user.id.as_bytes()]) % 4096),
                name: person(&mut names),
                role,
                status: match rng.gen_range(0..10) {
                    0 => AccountStatus::Suspended,
                    1 | 2 => AccountStatus::Invited,
                    _ => AccountStatus::Active,
                },
                last_seen,
            }
        })
        .collect();
    UserDirectory {
        total: names.gen_range(180..420),
        users,
    }
}

/// The manager's team.
fn team_name(user: &User) -> String {
    let mut stable = stable(user, "team");
    pick(
        &mut stable,
        &["Platform", "Growth", "Finance", "Operations", "Mobile"],
    )
    .to_owned()
}

/// The manager's team's delivery over the last eight weeks.
pub fn team_analytics(user: &User, now_ms: u64) -> TeamAnalytics {
    let mut rng = rng(user, RoleWidget::TeamAnalytics, now_ms);
    let mut done: f64 = rng.gen_range(12.0..30.0);
    let velocity = (1..=8)
        .map(|week| {
            done = (done * rng.gen_range(0.8..1.25)).round();
            SeriesPoint {
                label: format!("W{week}"),
                value: done,
            }
        })
        .collect();
    TeamAnalytics {
        team: team_name(user),
        velocity,
        open_tasks: rng.gen_range(8..60),
        done_this_week: done as u32,
        on_track_pct: rng.gen_range(55..=100),
    }
}

/// The manager's team's members.
pub fn team_roster(user: &User, now_ms: u64) -> TeamRoster {
    let mut names = stable(user, "roster");
    let mut rng = rng(user, RoleWidget::TeamMembers, now_ms);
    const TITLES: &[&str] = &[
        "Engineer",
        "Senior engineer",
        "Designer",
        "Analyst",
        "QA engineer",
    ];
    let members = (0..6)
        .map(|i| TeamMember {
            id: format!("u_team_{:x}_{i}", digest64(&[user.id.as_bytes()]) % 4096),
            name: person(&mut names),
            title: pick(&mut names, TITLES).to_owned(),
            presence: match rng.gen_range(0..3) {
                0 => Presence::Online,
                1 => Presence::Away,
                _ => Presence::Offline,
            },
            open_tasks: rng.gen_range(0..12),
        })
        .collect();
    TeamRoster {
        team: team_name(user),
        members,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manager() -> User {
        crate::data::user_for(&larder_protocol::Username::parse("manager-mo").expect("valid"))
    }

    #[test]
    fn payloads_are_deterministic_per_user_and_minute() {
        let (mo, other) = (
            manager(),
            crate::data::user_for(&larder_protocol::Username::parse("manager-kim").expect("valid")),
        );
        let t = 1_800_000_000_000;
        assert_eq!(
            team_roster(&mo, t),
            team_roster(&mo, t + 59_000 - t % 60_000)
        );
        assert_eq!(team_analytics(&mo, t), team_analytics(&mo, t));
        assert_ne!(team_roster(&mo, t), team_roster(&other, t));
        assert_eq!(user_directory(&mo, t), user_directory(&mo, t));
        assert_eq!(admin_analytics(&mo, t), admin_analytics(&mo, t));
        // The team and the names stay the same from minute to minute.
        let later = team_roster(&mo, t + 3_600_000);
        assert_eq!(later.team, team_roster(&mo, t).team);
        let names = |r: &TeamRoster| r.members.iter().map(|m| m.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&later), names(&team_roster(&mo, t)));
    }

    #[test]
    fn the_role_counts_add_up() {
        let analytics = admin_analytics(&manager(), 1_800_000_000_000);
        let sum: u32 = analytics.by_role.iter().map(|r| r.users).sum();
        assert_eq!(sum, analytics.total_users);
        assert!(analytics.active_today <= analytics.total_users);
    }
}
