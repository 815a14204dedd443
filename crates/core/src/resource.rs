//! The resources Larder caches: the five widgets, the role widgets (each
//! for admins or for managers only), per user a profile and pages of posts
//! and followers, and per post the post, pages of its comments and the
//! posts related to it by tag. A [`Resource`] knows its cache key, the
//! name its policy is published under, its URL, and how to check that a
//! body really is what was asked for, so nothing unreadable is cached.

use larder_protocol::{
    profile::{is_plain_id, PAGE_MAX},
    Comment, Follower, Page, Post, RelatedPosts, RoleData, RoleWidget, UserProfile, WidgetId,
    WidgetResponse,
};
use serde::de::DeserializeOwned;

use crate::CoreError;

/// Items per page of posts or followers.
pub const PAGE_SIZE: u32 = 10;

/// A cacheable resource. Ids inside are validated on construction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Resource {
    Widget(WidgetId),
    /// A widget only one role sees (the API answers 403 to the others).
    Role(RoleWidget),
    Profile {
        user_id: String,
    },
    Posts {
        user_id: String,
        page: u32,
    },
    Followers {
        user_id: String,
        page: u32,
    },
    Post {
        id: String,
    },
    Comments {
        post_id: String,
        page: u32,
    },
    /// Posts tagged `tag`, without `exclude` (the post they relate to).
    Related {
        tag: String,
        exclude: String,
    },
}

fn user_id(id: &str) -> Result<String, CoreError> {
    if is_plain_id(id) {
        Ok(id.to_owned())
    } else {
        Err(CoreError::InvalidUserId(id.chars().take(64).collect()))
    }
}

fn post_id(id: &str) -> Result<String, CoreError> {
    if is_plain_id(id) {
        Ok(id.to_owned())
    } else {
        Err(CoreError::InvalidPostId(id.chars().take(64).collect()))
    }
}

fn tag(tag: &str) -> Result<String, CoreError> {
    if is_plain_id(tag) {
        Ok(tag.to_owned())
    } else {
        Err(CoreError::InvalidTag(tag.chars().take(64).collect()))
    }
}

fn page(page: i64) -> Result<u32, CoreError> {
    u32::try_from(page)
        .ok()
        .filter(|p| (1..=PAGE_MAX).contains(p))
        .ok_or(CoreError::InvalidPage(page))
}

impl Resource {
    pub fn profile(id: &str) -> Result<Self, CoreError> {
        Ok(Self::Profile {
            user_id: user_id(id)?,
        })
    }

    pub fn posts(id: &str, number: i64) -> Result<Self, CoreError> {
        Ok(Self::Posts {
            user_id: user_id(id)?,
            page: page(number)?,
        })
    }

    pub fn followers(id: &str, number: i64) -> Result<Self, CoreError> {
        Ok(Self::Followers {
            user_id: user_id(id)?,
            page: page(number)?,
        })
    }

    pub fn post(id: &str) -> Result<Self, CoreError> {
        Ok(Self::Post { id: post_id(id)? })
    }

    pub fn comments(id: &str, number: i64) -> Result<Self, CoreError> {
        Ok(Self::Comments {
            post_id: post_id(id)?,
            page: page(number)?,
        })
    }

    pub fn related(of_tag: &str, exclude: &str) -> Result<Self, CoreError> {
        Ok(Self::Related {
            tag: tag(of_tag)?,
            exclude: post_id(exclude)?,
        })
    }

    /// The resource a cache key names, if it names one; the inverse of
    /// [`Self::key`]. Anything else (`../x`, unknown kinds) is `None`.
    pub fn from_key(key: &str) -> Option<Self> {
        let mut parts = key.split(':');
        let kind = parts.next()?;
        let first = parts.next()?;
        let second = parts.next();
        if parts.next().is_some() {
            return None;
        }
        let number = |raw: Option<&str>| raw?.parse::<i64>().ok();
        let resource = match (kind, second) {
            ("widget", None) => Self::Widget(first.parse::<WidgetId>().ok()?),
            ("admin" | "team", None) => Self::Role(RoleWidget::parse(key).ok()?),
            ("profile", None) => Self::profile(first).ok()?,
            ("posts", Some(_)) => Self::posts(first, number(second)?).ok()?,
            ("followers", Some(_)) => Self::followers(first, number(second)?).ok()?,
            ("post", None) => Self::post(first).ok()?,
            ("comments", Some(_)) => Self::comments(first, number(second)?).ok()?,
            ("related", Some(exclude)) => Self::related(first, exclude).ok()?,
            _ => return None,
        };
        // Only the canonical spelling (`widget:3`, not `widget:03`).
        (resource.key() == key).then_some(resource)
    }

    /// The key within the signed-in user's partition.
    pub fn key(&self) -> String {
        match self {
            Self::Widget(id) => format!("widget:{id}"),
            Self::Role(widget) => widget.key().into(),
            Self::Profile { user_id } => format!("profile:{user_id}"),
            Self::Posts { user_id, page } => format!("posts:{user_id}:{page}"),
            Self::Followers { user_id, page } => format!("followers:{user_id}:{page}"),
            Self::Post { id } => format!("post:{id}"),
            Self::Comments { post_id, page } => format!("comments:{post_id}:{page}"),
            Self::Related { tag, exclude } => format!("related:{tag}:{exclude}"),
        }
    }

    /// Whether it is part of a dashboard: a widget or a role widget.
    pub fn is_dashboard(&self) -> bool {
        matches!(self, Self::Widget(_) | Self::Role(_))
    }

    /// The name the API publishes this resource's cache policy under.
    pub fn policy_name(&self) -> String {
        match self {
            Self::Widget(id) => id.policy_name(),
            Self::Role(widget) => widget.name().into(),
            Self::Profile { .. } => "profile".into(),
            Self::Posts { .. } => "posts".into(),
            Self::Followers { .. } => "followers".into(),
            Self::Post { .. } => "post".into(),
            Self::Comments { .. } => "comments".into(),
            Self::Related { .. } => "related".into(),
        }
    }

    /// The path (relative to the API base) and query, for `signed_in` user.
    pub(crate) fn path_and_query(&self, signed_in: &str) -> (String, Vec<(&'static str, String)>) {
        let paged = |page: &u32| vec![("page", page.to_string()), ("limit", PAGE_SIZE.to_string())];
        match self {
            Self::Widget(id) => (
                format!("api/widgets/{id}"),
                vec![("userId", signed_in.to_owned())],
            ),
            Self::Role(widget) => (widget.path().into(), vec![]),
            Self::Profile { user_id } => (format!("users/{user_id}"), vec![]),
            Self::Posts { user_id, page } => (format!("users/{user_id}/posts"), paged(page)),
            Self::Followers { user_id, page } => {
                (format!("users/{user_id}/followers"), paged(page))
            }
            Self::Post { id } => (format!("posts/{id}"), vec![]),
            Self::Comments { post_id, page } => {
                (format!("posts/{post_id}/comments"), paged(page))
            }
            Self::Related { tag, exclude } => (
                "posts".into(),
                vec![("tag", tag.clone()), ("exclude", exclude.clone())],
            ),
        }
    }

    /// Checks that `body` decodes as this resource for `signed_in` user.
    pub fn check_body(&self, body: &[u8], signed_in: &str) -> Result<(), CoreError> {
        let mismatch = |what: &str| {
            Err(CoreError::InvalidResponse(format!(
                "asked for {}, got {what}",
                self.key()
            )))
        };
        match self {
            Self::Widget(id) => {
                let got: WidgetResponse = decode(body)?;
                if got.widget_id != *id || got.user_id != signed_in {
                    return mismatch(&format!("widget {} of another user", got.widget_id));
                }
            }
            Self::Role(widget) => {
                decode_role(*widget, body)?;
            }
            Self::Profile { user_id } => {
                let got: UserProfile = decode(body)?;
                if got.id != *user_id {
                    return mismatch("another user's profile");
                }
            }
            Self::Posts { page, .. } => {
                let got: Page<Post> = decode(body)?;
                if got.page != *page {
                    return mismatch(&format!("page {}", got.page));
                }
            }
            Self::Followers { page, .. } => {
                let got: Page<Follower> = decode(body)?;
                if got.page != *page {
                    return mismatch(&format!("page {}", got.page));
                }
            }
            Self::Post { id } => {
                let got: Post = decode(body)?;
                if got.id != *id {
                    return mismatch(&format!("post {:?}", got.id));
                }
            }
            Self::Comments { page, .. } => {
                let got: Page<Comment> = decode(body)?;
                if got.page != *page {
                    return mismatch(&format!("page {}", got.page));
                }
            }
            Self::Related { tag, .. } => {
                let got: RelatedPosts = decode(body)?;
                if got.tag != *tag {
                    return mismatch(&format!("posts tagged {:?}", got.tag));
                }
            }
        }
        Ok(())
    }
}

/// Decodes a JSON body; a body that does not decode is `InvalidResponse`.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, CoreError> {
    serde_json::from_slice(body).map_err(|err| CoreError::InvalidResponse(err.to_string()))
}

/// Decodes a role widget's body (each route answers its own untagged
/// type) as `widget`'s data; anything else is `InvalidResponse`.
pub fn decode_role(widget: RoleWidget, body: &[u8]) -> Result<RoleData, CoreError> {
    decode_role_value(widget, decode(body)?)
}

/// [`decode_role`], from JSON already parsed.
pub fn decode_role_value(
    widget: RoleWidget,
    value: serde_json::Value,
) -> Result<RoleData, CoreError> {
    use serde::Deserialize;
    let data = match widget {
        RoleWidget::AdminAnalytics => Deserialize::deserialize(value).map(RoleData::AdminAnalytics),
        RoleWidget::UserManagement => Deserialize::deserialize(value).map(RoleData::UserManagement),
        RoleWidget::SystemHealth => Deserialize::deserialize(value).map(RoleData::SystemHealth),
        RoleWidget::TeamAnalytics => Deserialize::deserialize(value).map(RoleData::TeamAnalytics),
        RoleWidget::TeamMembers => Deserialize::deserialize(value).map(RoleData::TeamMembers),
    };
    data.map_err(|err| CoreError::InvalidResponse(format!("{widget}: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_pages_are_validated() {
        assert!(matches!(
            Resource::profile("../etc"),
            Err(CoreError::InvalidUserId(_))
        ));
        assert!(matches!(
            Resource::profile(""),
            Err(CoreError::InvalidUserId(_))
        ));
        assert!(matches!(
            Resource::profile("ü"),
            Err(CoreError::InvalidUserId(_))
        ));
        assert!(matches!(
            Resource::posts("u_1", 0),
            Err(CoreError::InvalidPage(0))
        ));
        assert!(matches!(
            Resource::posts("u_1", -3),
            Err(CoreError::InvalidPage(-3))
        ));
        assert!(matches!(
            Resource::followers("u_1", i64::MAX),
            Err(CoreError::InvalidPage(_))
        ));
        let posts = Resource::posts("u_1", 2).expect("valid");
        assert_eq!(posts.key(), "posts:u_1:2");
        assert_eq!(posts.policy_name(), "posts");
    }

    #[test]
    fn keys_round_trip_and_nothing_else_parses() {
        for key in [
            "widget:1",
            "widget:5",
            "profile:u_1",
            "posts:u_1:2",
            "followers:u-x:9",
            "admin:health",
            "admin:analytics",
            "admin:users",
            "team:analytics",
            "team:members",
            "post:u_1-p3",
            "comments:u_1-p3:2",
            "related:focus:u_1-p3",
        ] {
            let resource = Resource::from_key(key).expect(key);
            assert_eq!(resource.key(), key);
        }
        for bad in [
            "",
            "widget",
            "widget:6",
            "widget:03",
            "posts:u_1",
            "posts:u_1:0",
            "profile:../x",
            "profile:a:b",
            "cache:x",
            "followers:u:1:2",
            "admin:other",
            "team:health",
            "admin:members",
            "team",
            "system-health",
            "post:a:b",
            "post:../x",
            "comments:u_1-p1",
            "comments:u_1-p1:0",
            "related:focus",
            "related:a b:u_1-p1",
        ] {
            assert_eq!(Resource::from_key(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_body_for_something_else_is_refused() {
        let profile = Resource::profile("u_1").expect("valid");
        assert!(matches!(
            profile.check_body(b"{\"nope\":1}", "u_1"),
            Err(CoreError::InvalidResponse(_))
        ));
        let page = Resource::posts("u_1", 2).expect("valid");
        let body = br#"{"items":[],"page":1,"limit":10,"total":0,"hasMore":false}"#;
        assert!(matches!(
            page.check_body(body, "u_1"),
            Err(CoreError::InvalidResponse(_))
        ));
        let body = br#"{"items":[],"page":2,"limit":10,"total":0,"hasMore":false}"#;
        assert!(page.check_body(body, "u_1").is_ok());
        let health = br#"{"status":"ok","uptimeSecs":5,"activeSessions":1,"requestsServed":2,"version":"1"}"#;
        let as_health = Resource::Role(RoleWidget::SystemHealth);
        assert!(as_health.check_body(health, "u_1").is_ok());
        let as_members = Resource::Role(RoleWidget::TeamMembers);
        assert!(matches!(
            as_members.check_body(health, "u_1"),
            Err(CoreError::InvalidResponse(_))
        ));
        assert_eq!(
            decode_role(RoleWidget::SystemHealth, health)
                .ok()
                .map(|d| d.widget()),
            Some(RoleWidget::SystemHealth)
        );
    }
}
