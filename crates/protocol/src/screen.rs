//! What the window shows, as the UI reports it (`report_screen`), so the
//! backend keeps exactly that fresh while the window is visible and polls
//! nothing while it is hidden.

use serde::{Deserialize, Serialize};

/// The window's state and the view on screen.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScreenReport {
    /// The window is shown (not hidden or minimised).
    pub visible: bool,
    /// The window has the keyboard focus. Gaining it revalidates what is on
    /// screen and stale at once.
    pub focused: bool,
    pub view: ScreenView,
}

/// The view on screen, as far as the automatic refresh cares.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ScreenView {
    /// Nothing that is refreshed automatically (sign-in, settings, …).
    #[default]
    Other,
    /// The dashboard: the five widgets, and the user's role's widgets.
    Dashboard,
    /// A profile, its first page of posts and of followers.
    #[serde(rename_all = "camelCase")]
    Profile { user_id: String },
    /// A post's page: the post, its first page of comments, and what
    /// depends on the post (its author, the related posts and theirs).
    #[serde(rename_all = "camelCase")]
    Post { post_id: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_read_as_the_ui_sends_them() {
        let report: ScreenReport = serde_json::from_str(
            r#"{"visible": true, "focused": false, "view": {"kind": "profile", "userId": "u1"}}"#,
        )
        .expect("valid");
        assert_eq!(
            report.view,
            ScreenView::Profile {
                user_id: "u1".into()
            }
        );
        assert!(serde_json::from_str::<ScreenReport>(r#"{"visible": "yes"}"#).is_err());
    }
}
