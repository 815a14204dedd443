//! Profile data: a user's profile, their posts and their followers, with
//! page-based pagination; and a post's own page: the post, its comments
//! and the posts related to it by tag.

use serde::{Deserialize, Serialize};

use crate::Role;

/// The most items a page may hold.
pub const PAGE_LIMIT_MAX: u32 = 100;

/// `GET /users/:id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub organization_id: String,
    pub bio: String,
    pub location: String,
    /// Year and month, for example "2021-04".
    pub joined: String,
    pub post_count: u32,
    pub follower_count: u32,
}

/// One of a user's posts (`GET /posts/:id`, and in lists).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Post {
    /// Unique across users: `<author id>-p<n>`.
    pub id: String,
    /// Who wrote it (a user id).
    #[serde(default)]
    pub author_id: String,
    /// What it is about, one word: related posts share it.
    #[serde(default)]
    pub tag: String,
    pub title: String,
    pub excerpt: String,
    /// Unix milliseconds.
    pub created_at: u64,
    pub likes: u32,
}

/// A comment on a post (`GET /posts/:id/comments`, paged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    pub id: String,
    pub author_name: String,
    pub body: String,
    /// Unix milliseconds.
    pub created_at: u64,
}

/// `GET /posts?tag=…&exclude=…`: other posts with the same tag, newest
/// first, at most [`RELATED_MAX`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedPosts {
    pub tag: String,
    pub items: Vec<Post>,
}

/// The most related posts a post's page shows.
pub const RELATED_MAX: usize = 5;

/// Someone who follows a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Follower {
    pub id: String,
    pub name: String,
    pub title: String,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// 1-based.
    pub page: u32,
    pub limit: u32,
    /// Items in the whole list.
    pub total: u32,
    pub has_more: bool,
}

/// The highest page number a command accepts.
pub const PAGE_MAX: u32 = 100_000;
/// The longest user or notification id accepted.
pub const ID_MAX_CHARS: usize = 64;

/// Whether `id` can be a user or notification id: 1 to 64 ASCII letters,
/// digits, `_` or `-`. Anything else (`../`, spaces, Unicode) never reaches
/// a URL or a cache key.
pub fn is_plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= ID_MAX_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ids() {
        assert!(is_plain_id("u_00ab"));
        assert!(is_plain_id("n1"));
        for bad in ["", "../x", "a/b", "a b", "é", "a%2e", &"a".repeat(65)] {
            assert!(!is_plain_id(bad), "{bad:?}");
        }
    }
}
