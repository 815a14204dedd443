//! The five dashboard widgets: their ids, cache policy names and payloads.
//!
//! Each payload has the shape a real dashboard would show, so the UI renders
//! real content and the cache stores realistic sizes.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// One of the dashboard's five widgets, 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct WidgetId(u8);

/// Why a widget id was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetIdError {
    /// The refused id, cut to 32 characters so a huge one stays printable.
    pub id: String,
}

impl fmt::Display for WidgetIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown widget id {:?}", self.id)
    }
}

impl std::error::Error for WidgetIdError {}

impl WidgetId {
    /// All widgets, in the dashboard's display order.
    /// The notifications widget, the one that mark-as-read changes.
    pub const NOTIFICATIONS: WidgetId = WidgetId(4);

    pub const ALL: [WidgetId; 5] = [
        WidgetId(1),
        WidgetId(2),
        WidgetId(3),
        WidgetId(4),
        WidgetId(5),
    ];

    pub fn new(id: u8) -> Result<Self, WidgetIdError> {
        if (1..=5).contains(&id) {
            Ok(Self(id))
        } else {
            Err(WidgetIdError { id: id.to_string() })
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// The widget's title, as the dashboard shows it.
    pub fn title(self) -> &'static str {
        match self.0 {
            1 => "Profile",
            2 => "Recent activity",
            3 => "Analytics",
            4 => "Notifications & tasks",
            _ => "Key figures",
        }
    }

    /// The name the API publishes this widget's cache policy under
    /// (`widget:<id>`), which the backend and the UI both look up.
    pub fn policy_name(self) -> String {
        format!("widget:{}", self.0)
    }
}

impl FromStr for WidgetId {
    type Err = WidgetIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<u8>()
            .ok()
            .and_then(|n| WidgetId::new(n).ok())
            .ok_or_else(|| WidgetIdError {
                id: s.chars().take(32).collect(),
            })
    }
}

impl<'de> Deserialize<'de> for WidgetId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = u8::deserialize(deserializer)?;
        WidgetId::new(n).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for WidgetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Answer to `GET /api/widgets/:id?userId=…`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WidgetResponse {
    pub widget_id: WidgetId,
    pub user_id: String,
    /// When the upstream generated the data, in Unix milliseconds.
    pub generated_at: u64,
    pub data: WidgetData,
}

/// A widget's content, tagged by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WidgetData {
    Profile(ProfileSummary),
    Activity(ActivityFeed),
    Analytics(AnalyticsSeries),
    Notifications(NotificationCenter),
    Kpis(KpiBoard),
}

/// Widget 1: who the user is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSummary {
    pub display_name: String,
    pub title: String,
    pub team: String,
    pub location: String,
    /// Year and month, for example "2021-04".
    pub member_since: String,
    /// How complete the profile is, 0 to 100.
    pub completeness: u8,
}

/// Widget 2: what happened recently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityFeed {
    pub items: Vec<ActivityItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityItem {
    pub id: String,
    /// Who did it.
    pub actor: String,
    /// What they did, for example "commented on".
    pub verb: String,
    /// What they did it to.
    pub target: String,
    /// When, in Unix milliseconds.
    pub at: u64,
}

/// Widget 3: a time series, the slow report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsSeries {
    pub metric: String,
    pub unit: String,
    pub points: Vec<SeriesPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesPoint {
    /// The x-axis label, for example "Mon".
    pub label: String,
    pub value: f64,
}

/// Widget 4: notifications and tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationCenter {
    pub notifications: Vec<Notification>,
    pub tasks: Vec<Task>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: String,
    pub title: String,
    pub body: String,
    pub read: bool,
    pub at: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub id: String,
    pub title: String,
    /// Due date, for example "2026-11-30".
    pub due: String,
    pub done: bool,
}

/// Widget 5: key figures as tiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KpiBoard {
    pub tiles: Vec<Kpi>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Kpi {
    pub label: String,
    pub value: f64,
    pub unit: String,
    /// Change against the previous period, in percent.
    pub delta_pct: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_the_five_ids() {
        for n in 1..=5 {
            assert_eq!(n.to_string().parse::<WidgetId>().map(WidgetId::get), Ok(n));
        }
        for bad in ["0", "6", "-1", "abc", "", "1.0", "256"] {
            assert!(bad.parse::<WidgetId>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn huge_ids_are_cut_in_the_error() {
        let err = "9".repeat(5000).parse::<WidgetId>().expect_err("refused");
        assert_eq!(err.id.len(), 32);
    }

    #[test]
    fn deserialising_validates() {
        assert!(serde_json::from_str::<WidgetId>("7").is_err());
        assert_eq!(
            serde_json::from_str::<WidgetId>("3").expect("valid").get(),
            3
        );
    }

    #[test]
    fn the_notifications_widget_and_policy_names() {
        assert_eq!(WidgetId::NOTIFICATIONS.title(), "Notifications & tasks");
        assert_eq!(WidgetId::ALL[2].policy_name(), "widget:3");
    }

    #[test]
    fn data_is_tagged_by_kind() {
        let data = WidgetData::Kpis(KpiBoard { tiles: vec![] });
        let json = serde_json::to_value(&data).expect("serialise");
        assert_eq!(json["kind"], "kpis");
    }
}
