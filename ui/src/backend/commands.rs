//! One typed wrapper per backend command, named as the command.

use larder_protocol::{
    commands, Bootstrap, CacheStats, CommandError, CommentsEnvelope, FollowersEnvelope,
    PostEnvelope, PostPage, PostsEnvelope, ProfileEnvelope, RelatedEnvelope, RoleEnvelope,
    RoleWidget, Session, Settings, WidgetEnvelope, WidgetId,
};
use serde::Serialize;

use super::invoke;

/// No arguments.
#[derive(Serialize)]
struct NoArgs {}

#[derive(Serialize)]
struct Widget {
    id: u8,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserPage<'a> {
    user_id: &'a str,
    page: u32,
}

pub async fn bootstrap() -> Result<Bootstrap, CommandError> {
    invoke(commands::BOOTSTRAP, &NoArgs {}).await
}

/// Tries again to resume a kept session whose token could not be read.
pub async fn unlock() -> Result<Bootstrap, CommandError> {
    invoke(commands::UNLOCK, &NoArgs {}).await
}

/// When no keychain answered at start: tries it again.
pub async fn retry_keychain() -> Result<Bootstrap, CommandError> {
    invoke(commands::RETRY_KEYCHAIN, &NoArgs {}).await
}

/// When no keychain answered at start: keeps the keys in a protected file.
pub async fn use_file_secrets() -> Result<Bootstrap, CommandError> {
    invoke(commands::USE_FILE_SECRETS, &NoArgs {}).await
}

pub async fn sign_in(username: &str) -> Result<Session, CommandError> {
    #[derive(Serialize)]
    struct Args<'a> {
        username: &'a str,
    }
    invoke(commands::SIGN_IN, &Args { username }).await
}

/// Signs the shown account out; the answer is the session shown next (if
/// another account is signed in).
pub async fn sign_out() -> Result<Option<Session>, CommandError> {
    invoke(commands::SIGN_OUT, &NoArgs {}).await
}

/// Shows another signed-in account; the answer is its snapshot, from the
/// cache alone.
pub async fn switch_account(user_id: &str) -> Result<Bootstrap, CommandError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Args<'a> {
        user_id: &'a str,
    }
    invoke(commands::SWITCH_ACCOUNT, &Args { user_id }).await
}

pub async fn get_widget(id: WidgetId) -> Result<WidgetEnvelope, CommandError> {
    invoke(commands::GET_WIDGET, &Widget { id: id.get() }).await
}

pub async fn refresh_widget(id: WidgetId) -> Result<WidgetEnvelope, CommandError> {
    invoke(commands::REFRESH_WIDGET, &Widget { id: id.get() }).await
}

pub async fn mark_notification_read(id: &str) -> Result<WidgetEnvelope, CommandError> {
    #[derive(Serialize)]
    struct Args<'a> {
        id: &'a str,
    }
    invoke(commands::MARK_NOTIFICATION_READ, &Args { id }).await
}

#[derive(Serialize)]
struct Role {
    widget: &'static str,
}

/// A role widget of the signed-in user's role.
pub async fn get_role_widget(widget: RoleWidget) -> Result<RoleEnvelope, CommandError> {
    let args = Role {
        widget: widget.name(),
    };
    invoke(commands::GET_ROLE_WIDGET, &args).await
}

/// A role widget, fetched from the upstream now (Retry).
pub async fn refresh_role_widget(widget: RoleWidget) -> Result<RoleEnvelope, CommandError> {
    let args = Role {
        widget: widget.name(),
    };
    invoke(commands::REFRESH_ROLE_WIDGET, &args).await
}

pub async fn get_profile(user_id: &str) -> Result<ProfileEnvelope, CommandError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Args<'a> {
        user_id: &'a str,
    }
    invoke(commands::GET_PROFILE, &Args { user_id }).await
}

pub async fn get_posts(user_id: &str, page: u32) -> Result<PostsEnvelope, CommandError> {
    invoke(commands::GET_POSTS, &UserPage { user_id, page }).await
}

pub async fn get_followers(user_id: &str, page: u32) -> Result<FollowersEnvelope, CommandError> {
    invoke(commands::GET_FOLLOWERS, &UserPage { user_id, page }).await
}

#[derive(Serialize)]
struct Id<'a> {
    id: &'a str,
}

pub async fn get_post(id: &str) -> Result<PostEnvelope, CommandError> {
    invoke(commands::GET_POST, &Id { id }).await
}

pub async fn get_comments(post_id: &str, page: u32) -> Result<CommentsEnvelope, CommandError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Args<'a> {
        post_id: &'a str,
        page: u32,
    }
    invoke(commands::GET_COMMENTS, &Args { post_id, page }).await
}

pub async fn get_related(tag: &str, exclude: &str) -> Result<RelatedEnvelope, CommandError> {
    #[derive(Serialize)]
    struct Args<'a> {
        tag: &'a str,
        exclude: &'a str,
    }
    invoke(commands::GET_RELATED, &Args { tag, exclude }).await
}

/// What the cache holds of post `id`'s page, read without any request.
pub async fn post_page(id: &str) -> Result<PostPage, CommandError> {
    invoke(commands::POST_PAGE, &Id { id }).await
}

/// Warms post `id`'s whole page in the background (the likely next page).
pub async fn prewarm_post(id: &str) -> Result<(), CommandError> {
    invoke(commands::PREWARM_POST, &Id { id }).await
}

/// Opens `target` in a window of its own, or brings that window forward.
pub async fn open_window(target: &larder_protocol::WindowTarget) -> Result<(), CommandError> {
    invoke(commands::OPEN_WINDOW, target).await
}

pub async fn save_settings(settings: &Settings) -> Result<Settings, CommandError> {
    #[derive(Serialize)]
    struct Args<'a> {
        settings: &'a Settings,
    }
    invoke(commands::SAVE_SETTINGS, &Args { settings }).await
}

pub async fn cache_stats() -> Result<CacheStats, CommandError> {
    invoke(commands::CACHE_STATS, &NoArgs {}).await
}

pub async fn clear_cache(key: Option<&str>) -> Result<(), CommandError> {
    #[derive(Serialize)]
    struct Args<'a> {
        key: Option<&'a str>,
    }
    invoke(commands::CLEAR_CACHE, &Args { key }).await
}

/// Sets the user's cache aside whole (its key is gone or does not match)
/// and starts afresh.
pub async fn set_aside_cache() -> Result<larder_protocol::SetAsideCache, CommandError> {
    invoke(commands::SET_ASIDE_CACHE, &NoArgs {}).await
}

/// Tells the backend what the window shows, for the automatic refresh.
pub async fn report_screen(report: &larder_protocol::ScreenReport) -> Result<(), CommandError> {
    #[derive(Serialize)]
    struct Args<'a> {
        report: &'a larder_protocol::ScreenReport,
    }
    invoke(commands::REPORT_SCREEN, &Args { report }).await
}

/// The signed-in user's outbox.
pub async fn outbox() -> Result<larder_protocol::Outbox, CommandError> {
    invoke(commands::OUTBOX, &NoArgs {}).await
}

/// Drops one waiting change and rolls it back; says whether the API may
/// still apply it.
pub async fn discard_change(id: &str) -> Result<larder_protocol::Discarded, CommandError> {
    #[derive(Serialize)]
    struct Args<'a> {
        id: &'a str,
    }
    invoke(commands::DISCARD_CHANGE, &Args { id }).await
}
