//! The views that open in a window of their own (`open_window`): a profile
//! or a post, beside the dashboard. Each such window's label names its view
//! (`post-<id>`, `profile-<id>`), so opening the same view again brings
//! its window forward instead of opening a second one, and the backend
//! knows from the label alone what a window shows.

use serde::{Deserialize, Serialize};

/// The kind of view a window opens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    Profile,
    Post,
}

impl WindowKind {
    /// The kind named `name` (`post`, `profile`), as in its routes and
    /// labels; `None` for any other name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "post" => Some(Self::Post),
            "profile" => Some(Self::Profile),
            _ => None,
        }
    }

    /// The kind's name in its routes and labels.
    pub fn name(self) -> &'static str {
        match self {
            Self::Profile => "profile",
            Self::Post => "post",
        }
    }
}

/// A view that can have a window of its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowTarget {
    pub kind: WindowKind,
    /// The user id (a profile) or the post id, 1 to 64 of `A-Za-z0-9_-`.
    pub id: String,
}

/// The longest id a window's view can have.
const ID_MAX: usize = 64;

impl WindowTarget {
    /// A target for `kind`'s `id`, or `None` when `id` is not a plain id
    /// (1 to 64 of `A-Za-z0-9_-`), which keeps every label valid.
    pub fn new(kind: WindowKind, id: &str) -> Option<Self> {
        let plain = (1..=ID_MAX).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plain.then(|| Self {
            kind,
            id: id.to_owned(),
        })
    }

    /// The window's label: `post-<id>` or `profile-<id>`.
    pub fn label(&self) -> String {
        format!("{}-{}", self.kind.name(), self.id)
    }

    /// The target a window labelled `label` shows; `None` for any other
    /// window (the main one).
    pub fn from_label(label: &str) -> Option<Self> {
        let (kind, id) = label.split_once('-')?;
        Self::new(WindowKind::from_name(kind)?, id)
    }

    /// The view at the UI's route `path` (`/post/<id>`, `/profile/<id>`);
    /// `None` for any other path.
    pub fn from_path(path: &str) -> Option<Self> {
        let (kind, id) = path.strip_prefix('/')?.split_once('/')?;
        Self::new(WindowKind::from_name(kind)?, id)
    }

    /// The UI's route for the view: `/post/<id>` or `/profile/<id>`.
    pub fn path(&self) -> String {
        format!("/{}/{}", self.kind.name(), self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_names_its_view_and_reads_back() {
        let post = WindowTarget::new(WindowKind::Post, "u-ada-p3").expect("plain");
        assert_eq!(post.label(), "post-u-ada-p3");
        assert_eq!(post.path(), "/post/u-ada-p3");
        assert_eq!(
            WindowTarget::from_label("post-u-ada-p3"),
            Some(post.clone())
        );
        let profile = WindowTarget::new(WindowKind::Profile, "u_1").expect("plain");
        assert_eq!(
            WindowTarget::from_label(&profile.label()),
            Some(profile.clone())
        );
        assert_eq!(WindowTarget::from_path("/profile/u_1"), Some(profile));
        assert_eq!(WindowTarget::from_path(&post.path()), Some(post));
    }

    #[test]
    fn other_windows_and_bad_ids_are_no_target() {
        for label in [
            "main",
            "post",
            "post-",
            "postx-1",
            "profile-a b",
            "post-../x",
        ] {
            assert_eq!(WindowTarget::from_label(label), None, "{label}");
        }
        for path in [
            "/",
            "/dashboard",
            "/post/",
            "/post/a/b",
            "/settings/x",
            "post/x",
        ] {
            assert_eq!(WindowTarget::from_path(path), None, "{path}");
        }
        assert_eq!(WindowTarget::new(WindowKind::Post, ""), None);
        assert_eq!(WindowTarget::new(WindowKind::Post, &"a".repeat(65)), None);
        assert!(WindowTarget::new(WindowKind::Post, &"a".repeat(64)).is_some());
    }

    #[test]
    fn targets_read_as_the_ui_sends_them() {
        let target: WindowTarget =
            serde_json::from_str(r#"{"kind": "profile", "id": "u1"}"#).expect("valid");
        assert_eq!(target.kind, WindowKind::Profile);
        assert!(
            serde_json::from_str::<WindowTarget>(r#"{"kind": "settings", "id": "x"}"#).is_err()
        );
    }
}
