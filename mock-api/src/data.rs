//! Deterministic data: user ids and roles derived from usernames, and widget
//! payloads that depend only on (user, widget, minute). The same request in
//! the same minute gives the same bytes (so ETags match); a new minute gives
//! new numbers (so revalidation can show a change).
//!
//! Everything the server knows of a widget is here: its payload, its
//! delay and how long it stays fresh.

use larder_protocol::widgets::{
    ActivityFeed, ActivityItem, AnalyticsSeries, Kpi, KpiBoard, Notification, NotificationCenter,
    ProfileSummary, SeriesPoint, Task,
};
use larder_protocol::{Role, User, Username, WidgetData, WidgetId, WidgetResponse};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sha2::{Digest, Sha256};

/// A 64-bit digest of `parts`, used for ids and seeds (each part is
/// length-prefixed, so ("ab", "c") and ("a", "bc") differ).
pub fn digest64(parts: &[&[u8]]) -> u64 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let out = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&out[..8]);
    u64::from_le_bytes(first)
}

/// The user a username signs in as: the id is stable for the name, and the
/// role follows its prefix ("admin…" is an admin, "manager…" a manager).
pub fn user_for(username: &Username) -> User {
    let name = username.as_str();
    let id = digest64(&[b"user", name.as_bytes()]);
    let lower = name.to_lowercase();
    let role = if lower.starts_with("admin") {
        Role::Admin
    } else if lower.starts_with("manager") {
        Role::Manager
    } else {
        Role::Member
    };
    User {
        id: format!("u_{id:016x}"),
        name: name.to_owned(),
        role,
        organization_id: format!("org_{}", id % 7 + 1),
    }
}

/// The wall-clock time in Unix milliseconds.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

/// A fresh random opaque token.
pub fn new_token() -> String {
    let bytes: [u8; 24] = rand::thread_rng().gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The delay of `widget` at scale 1.0, in milliseconds: 1 s, 3 s, 15 s
/// (the slow report), 6 s and 1 s.
pub fn base_delay_ms(widget: WidgetId) -> u64 {
    match widget.get() {
        2 => 3_000,
        3 => 15_000,
        4 => 6_000,
        _ => 1_000,
    }
}

/// How long `widget` stays fresh, as `/config` publishes it: the slow
/// analytics report longest, since it is costly to rebuild; the activity
/// feed and notifications shortest.
pub fn stale_secs(widget: WidgetId) -> u64 {
    match widget.get() {
        2 | 4 => 30,
        3 => 120,
        _ => 60,
    }
}

/// Widget `widget`'s payload for `user` in the minute that holds `now_ms`.
pub fn widget_response(user: &User, widget: WidgetId, now_ms: u64) -> WidgetResponse {
    let minute = now_ms / 60_000;
    let seed = digest64(&[user.id.as_bytes(), &[widget.get()], &minute.to_le_bytes()]);
    let mut rng = StdRng::seed_from_u64(seed);
    // `generatedAt` is the start of the minute, so the body (and its ETag)
    // stays identical for the whole minute.
    let generated_at = minute * 60_000;
    let data = match widget.get() {
        1 => WidgetData::Profile(profile(user, &mut rng)),
        2 => WidgetData::Activity(activity(generated_at, &mut rng)),
        3 => WidgetData::Analytics(analytics(&mut rng)),
        4 => WidgetData::Notifications(notifications(generated_at, &mut rng)),
        _ => WidgetData::Kpis(kpis(&mut rng)),
    };
    WidgetResponse {
        widget_id: widget,
        user_id: user.id.clone(),
        generated_at,
        data,
    }
}

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

fn profile(user: &User, rng: &mut StdRng) -> ProfileSummary {
    // The stable parts come from the user id, not the minute's seed.
    let mut stable = StdRng::seed_from_u64(digest64(&[b"profile", user.id.as_bytes()]));
    let title = match user.role {
        Role::Admin => "Workspace administrator",
        Role::Manager => "Engineering manager",
        Role::Member => pick(
            &mut stable,
            &["Data analyst", "Product designer", "Support lead"],
        ),
    };
    ProfileSummary {
        display_name: user.name.clone(),
        title: title.to_owned(),
        team: pick(
            &mut stable,
            &["Platform", "Growth", "Finance", "Operations"],
        )
        .to_owned(),
        location: pick(
            &mut stable,
            &["Lisbon", "Toronto", "Osaka", "Nairobi", "Berlin"],
        )
        .to_owned(),
        member_since: format!(
            "{}-{:02}",
            stable.gen_range(2016..2026),
            stable.gen_range(1..=12)
        ),
        completeness: rng.gen_range(60..=100),
    }
}

fn activity(now_ms: u64, rng: &mut StdRng) -> ActivityFeed {
    const ACTORS: &[&str] = &["Ana", "Bilal", "Chen", "Dana", "Emeka", "Freya"];
    const VERBS: &[&str] = &["commented on", "approved", "updated", "shared", "closed"];
    const TARGETS: &[&str] = &[
        "Q4 budget",
        "Onboarding checklist",
        "Release 2.3 notes",
        "Churn report",
        "Hiring plan",
        "Vendor contract",
    ];
    let mut at = now_ms;
    let items = (0..8)
        .map(|i| {
            at = at.saturating_sub(rng.gen_range(60_000..3_600_000));
            ActivityItem {
                id: format!("act_{now_ms}_{i}"),
                actor: pick(rng, ACTORS).to_owned(),
                verb: pick(rng, VERBS).to_owned(),
                target: pick(rng, TARGETS).to_owned(),
                at,
            }
        })
        .collect();
    ActivityFeed { items }
}

fn analytics(rng: &mut StdRng) -> AnalyticsSeries {
    const DAYS: [&str; 14] = [
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
        "Sun",
    ];
    let mut value: f64 = rng.gen_range(800.0..1600.0);
    let points = DAYS
        .iter()
        .map(|day| {
            value = (value * rng.gen_range(0.85..1.2)).round();
            SeriesPoint {
                label: (*day).to_owned(),
                value,
            }
        })
        .collect();
    AnalyticsSeries {
        metric: "Active sessions".to_owned(),
        unit: "sessions".to_owned(),
        points,
    }
}

fn notifications(now_ms: u64, rng: &mut StdRng) -> NotificationCenter {
    const TITLES: &[&str] = &[
        "New comment on Q4 budget",
        "Deploy finished",
        "Invoice overdue",
        "You were mentioned",
        "Weekly report ready",
    ];
    const TASKS: &[&str] = &[
        "Review pull request",
        "Approve expenses",
        "Prepare sprint demo",
        "Reply to customer",
    ];
    let notifications = (0..5)
        .map(|i| Notification {
            id: format!("n{}", i + 1),
            title: pick(rng, TITLES).to_owned(),
            body: "Open Larder to see the details.".to_owned(),
            // The newest is always unread, so every minute's payload has
            // something to mark read; the rest are read at random.
            read: rng.gen_bool(0.3) && i > 0,
            at: now_ms.saturating_sub(i * 900_000),
        })
        .collect();
    let tasks = (0..4)
        .map(|i| Task {
            id: format!("t{}", i + 1),
            title: pick(rng, TASKS).to_owned(),
            due: due_date(now_ms, rng.gen_range(-3..=10)),
            done: rng.gen_bool(0.25),
        })
        .collect();
    NotificationCenter {
        notifications,
        tasks,
    }
}

/// The UTC date `days` after the one that holds `now_ms`, as
/// "YYYY-MM-DD": tasks fall due around now, some overdue, some today.
fn due_date(now_ms: u64, days: i64) -> String {
    let now = chrono::DateTime::from_timestamp_millis(i64::try_from(now_ms).unwrap_or(i64::MAX))
        .unwrap_or_default();
    let due = now.date_naive() + chrono::Duration::days(days);
    due.format("%Y-%m-%d").to_string()
}

fn kpis(rng: &mut StdRng) -> KpiBoard {
    let tiles = [
        ("Revenue", "k€", 80.0..160.0),
        ("Active users", "", 1_000.0..9_000.0),
        ("Conversion", "%", 1.0..6.0),
        ("NPS", "", 20.0..70.0),
    ]
    .into_iter()
    .map(|(label, unit, range)| Kpi {
        label: label.to_owned(),
        value: (rng.gen_range(range) * 10.0_f64).round() / 10.0,
        unit: unit.to_owned(),
        delta_pct: (rng.gen_range(-12.0..15.0_f64) * 10.0).round() / 10.0,
    })
    .collect();
    KpiBoard { tiles }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> User {
        user_for(&Username::parse(name).expect("valid"))
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(user("alice").id, user("alice").id);
        assert_ne!(user("alice").id, user("bob").id);
    }

    #[test]
    fn roles_follow_the_prefix() {
        assert_eq!(user("admin-root").role, Role::Admin);
        assert_eq!(user("Manager Mia").role, Role::Manager);
        assert_eq!(user("alice").role, Role::Member);
    }

    #[test]
    fn payloads_are_deterministic_per_minute() {
        let alice = user("alice");
        let w = WidgetId::new(3).expect("valid");
        let a = widget_response(&alice, w, 60_000 * 100 + 5);
        let b = widget_response(&alice, w, 60_000 * 100 + 59_000);
        let c = widget_response(&alice, w, 60_000 * 101);
        assert_eq!(a, b);
        assert_ne!(a.data, c.data);
        assert_ne!(a, widget_response(&user("bob"), w, 60_000 * 100));
    }

    #[test]
    fn every_minute_has_an_unread_notification() {
        let alice = user("alice");
        for minute in 0..2_000 {
            let response = widget_response(&alice, WidgetId::NOTIFICATIONS, 60_000 * minute);
            let WidgetData::Notifications(center) = response.data else {
                panic!("widget 4 holds notifications");
            };
            assert!(
                center.notifications.iter().any(|n| !n.read),
                "minute {minute} has nothing to mark read"
            );
        }
    }

    #[test]
    fn tokens_are_random() {
        assert_ne!(new_token(), new_token());
        assert_eq!(new_token().len(), 48);
    }
}
