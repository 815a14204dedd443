//! The names of the backend's commands. The Tauri handlers and the UI's
//! invoke bridge both use these constants, so a rename cannot break one side
//! silently.

/// The first call the UI makes: session and app state to hydrate from.
pub const BOOTSTRAP: &str = "bootstrap";
/// Signs in with a username (a first account, or one more beside those
/// signed in, then shown); returns the [`crate::Session`].
pub const SIGN_IN: &str = "sign_in";
/// Ends the shown account's session; returns the `Option<Session>` shown
/// next.
pub const SIGN_OUT: &str = "sign_out";
/// Tries again to resume a kept session whose secrets could not be read
/// (after the keychain is unlocked); returns a new [`crate::Bootstrap`].
pub const UNLOCK: &str = "unlock";
/// When no keychain answered at start: tries the keychain again; returns
/// [`crate::Bootstrap`], or `NoKeychain` again.
pub const RETRY_KEYCHAIN: &str = "retry_keychain";
/// When no keychain answered at start: keeps the keys in a protected file
/// from now on (remembered in the settings) and finishes starting; returns
/// [`crate::Bootstrap`].
pub const USE_FILE_SECRETS: &str = "use_file_secrets";
/// Returns one widget's [`crate::WidgetEnvelope`], from the cache when it
/// can.
pub const GET_WIDGET: &str = "get_widget";
/// Fetches one widget from the upstream now (Retry, refresh).
pub const REFRESH_WIDGET: &str = "refresh_widget";
/// Warms every dashboard widget in the background; progress arrives as
/// [`crate::events::PREWARM_PROGRESS`] events.
pub const PREWARM: &str = "prewarm";

/// A user's profile ([`crate::ProfileEnvelope`]); `userId`.
pub const GET_PROFILE: &str = "get_profile";
/// One page of a user's posts ([`crate::PostsEnvelope`]); `userId`, `page`.
pub const GET_POSTS: &str = "get_posts";
/// One page of a user's followers ([`crate::FollowersEnvelope`]); `userId`,
/// `page`.
pub const GET_FOLLOWERS: &str = "get_followers";
/// A post ([`crate::PostEnvelope`]); `id`.
pub const GET_POST: &str = "get_post";
/// One page of a post's comments ([`crate::CommentsEnvelope`]); `postId`,
/// `page`.
pub const GET_COMMENTS: &str = "get_comments";
/// The posts related to one by tag ([`crate::RelatedEnvelope`]); `tag`,
/// `exclude` (the post's id).
pub const GET_RELATED: &str = "get_related";
/// What the cache holds of a post's page ([`crate::PostPage`]), read
/// without any request; `id`.
pub const POST_PAGE: &str = "post_page";
/// Warms a post's whole page in the background (`id`), for the likely next
/// page; returns at once.
pub const PREWARM_POST: &str = "prewarm_post";
/// Marks a notification read (`id`) and returns widget 4's new envelope.
pub const MARK_NOTIFICATION_READ: &str = "mark_notification_read";

/// A role widget's [`crate::RoleEnvelope`] (`widget`, a
/// [`crate::RoleWidget`] name), from the cache when it can; refused to a
/// user of another role before anything is sent or read.
pub const GET_ROLE_WIDGET: &str = "get_role_widget";
/// A role widget, fetched from the upstream now (Retry).
pub const REFRESH_ROLE_WIDGET: &str = "refresh_role_widget";

/// The user's [`crate::Settings`].
pub const GET_SETTINGS: &str = "get_settings";
/// Validates, applies and persists new [`crate::Settings`].
pub const SAVE_SETTINGS: &str = "save_settings";

/// The signed-in user's cache entries ([`crate::CacheStats`]).
pub const CACHE_STATS: &str = "cache_stats";
/// Clears one entry (`key`) or, without a key, the user's whole cache.
pub const CLEAR_CACHE: &str = "clear_cache";
/// Sets the signed-in user's cache aside whole (when its key is gone or
/// does not match) and starts afresh ([`crate::SetAsideCache`]).
pub const SET_ASIDE_CACHE: &str = "set_aside_cache";

/// Tells the backend what the window shows and whether it is visible or
/// focused, for the automatic refresh.
pub const REPORT_SCREEN: &str = "report_screen";

/// The signed-in user's outbox: changes not yet confirmed by the API.
pub const OUTBOX: &str = "outbox";
/// Drops one waiting change (`id`) from the outbox and rolls it back.
pub const DISCARD_CHANGE: &str = "discard_change";
/// Opens a profile or a post (`target`) in a window of its own, or brings
/// its window forward when it is already open.
pub const OPEN_WINDOW: &str = "open_window";
/// Shows another signed-in account (`userId`) in every window; answers as
/// `bootstrap` does, for that account, from the cache alone.
pub const SWITCH_ACCOUNT: &str = "switch_account";

/// Every command, for registration checks.
pub const ALL: [&str; 30] = [
    BOOTSTRAP,
    SIGN_IN,
    SIGN_OUT,
    UNLOCK,
    RETRY_KEYCHAIN,
    USE_FILE_SECRETS,
    GET_WIDGET,
    REFRESH_WIDGET,
    PREWARM,
    GET_PROFILE,
    GET_POSTS,
    GET_FOLLOWERS,
    GET_POST,
    GET_COMMENTS,
    GET_RELATED,
    POST_PAGE,
    PREWARM_POST,
    MARK_NOTIFICATION_READ,
    GET_ROLE_WIDGET,
    REFRESH_ROLE_WIDGET,
    GET_SETTINGS,
    SAVE_SETTINGS,
    CACHE_STATS,
    CLEAR_CACHE,
    SET_ASIDE_CACHE,
    REPORT_SCREEN,
    OUTBOX,
    DISCARD_CHANGE,
    OPEN_WINDOW,
    SWITCH_ACCOUNT,
];
