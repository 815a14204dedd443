//! The `#[tauri::command]` adapters. Each one takes the core's state, calls
//! one core method and maps the error to the wire's `CommandError`. Their
//! names match the constants in `larder_protocol::commands`, which the tests
//! check.

pub mod cache;
pub mod outbox;
pub mod posts;
pub mod profile;
pub mod screen;
pub mod session;
pub mod settings;
pub mod widgets;
pub mod windows;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod view_tests;

use tauri::{ipc::Invoke, Runtime};

/// The invoke handler with every command registered.
pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        session::bootstrap,
        session::unlock,
        session::retry_keychain,
        session::use_file_secrets,
        session::sign_in,
        session::sign_out,
        session::switch_account,
        widgets::get_widget,
        widgets::refresh_widget,
        widgets::prewarm,
        widgets::get_role_widget,
        widgets::refresh_role_widget,
        screen::report_screen,
        outbox::mark_notification_read,
        outbox::outbox,
        outbox::discard_change,
        profile::get_profile,
        profile::get_posts,
        profile::get_followers,
        posts::get_post,
        posts::get_comments,
        posts::get_related,
        posts::post_page,
        posts::prewarm_post,
        settings::get_settings,
        settings::save_settings,
        cache::cache_stats,
        cache::clear_cache,
        cache::set_aside_cache,
        windows::open_window,
    ]
}
