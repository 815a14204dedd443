//! What a data command returns: the payload plus when it was fetched, how
//! fresh it is and where it came from. One vocabulary (fresh, stale, expired;
//! cache, network) is used by the backend, the protocol and the UI.

use serde::{Deserialize, Serialize};

use crate::{CommandError, Follower, Page, Post, UserProfile, WidgetResponse};

/// How fresh a value is against its resource's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Freshness {
    /// Within the stale time: served as is.
    Fresh,
    /// Past the stale time but within the TTL: served, and revalidated.
    Stale,
    /// Past the TTL: only served when the upstream cannot be reached.
    Expired,
}

/// Where the value was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Cache,
    Network,
}

/// A value with its freshness and origin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope<T> {
    pub data: T,
    /// When the value was fetched from the upstream, in Unix milliseconds.
    pub fetched_at: u64,
    pub state: Freshness,
    pub source: Source,
    /// Set when the value is served despite an upstream error (stale-if-error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<CommandError>,
    /// Items shown with a change that has not reached the API yet (for
    /// widget 4, notification ids marked read): the data already shows the
    /// change, and the UI marks them "waiting to sync".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<String>,
}

/// The envelope of one dashboard widget.
pub type WidgetEnvelope = Envelope<WidgetResponse>;
/// The envelope of a user's profile.
pub type ProfileEnvelope = Envelope<UserProfile>;
/// The envelope of one page of a user's posts.
pub type PostsEnvelope = Envelope<Page<Post>>;
/// The envelope of a post.
pub type PostEnvelope = Envelope<Post>;
/// The envelope of one page of a post's comments.
pub type CommentsEnvelope = Envelope<Page<crate::Comment>>;
/// The envelope of a post's related posts.
pub type RelatedEnvelope = Envelope<crate::RelatedPosts>;
/// What the cache already holds of a post's page, read without any
/// request (`post_page`): the view hydrates every part from it at once, and
/// asks only for what is missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostPage {
    pub post: Option<PostEnvelope>,
    /// The first page of comments.
    pub comments: Option<CommentsEnvelope>,
    /// The post's author (known only with the post).
    pub author: Option<ProfileEnvelope>,
    /// The related posts (known only with the post).
    pub related: Option<RelatedEnvelope>,
    /// The related posts' authors that are cached.
    #[serde(default)]
    pub related_authors: Vec<ProfileEnvelope>,
}

/// What the cache holds of a profile's page (`/profile/:id`): its
/// profile, first page of posts and first page of followers, each `None`
/// when not cached. A window opened on the profile paints from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfilePage {
    pub user_id: String,
    pub profile: Option<ProfileEnvelope>,
    pub posts: Option<PostsEnvelope>,
    pub followers: Option<FollowersEnvelope>,
}

/// The envelope of one page of a user's followers.
pub type FollowersEnvelope = Envelope<Page<Follower>>;

/// One cached entry, as the cache inspector lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheEntryInfo {
    /// The resource, for example `widget:3`.
    pub key: String,
    /// Stored size, in bytes.
    pub bytes: u64,
    /// Time since it was fetched or last confirmed, in seconds.
    pub age_secs: u64,
    pub state: Freshness,
    /// Reads served from this entry since the app started.
    pub hits: u64,
}

/// What setting the signed-in user's cache aside moved: kept whole, never
/// read again, so the user can start afresh.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetAsideCache {
    /// Cache entries moved.
    pub entries: usize,
    /// Waiting changes moved with them: they will not be sent.
    pub changes: usize,
}

/// The signed-in user's cache.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheStats {
    pub entries: Vec<CacheEntryInfo>,
    pub total_bytes: u64,
}
