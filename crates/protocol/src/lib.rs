//! Every type that crosses Larder's boundaries: the HTTP contract with the
//! upstream API and the IPC contract between the desktop backend and the UI.
//!
//! The crate depends on serde only, so it builds for the native backend, the
//! mock API and the wasm32 UI alike, and the three can never drift apart.
//!
//! # Layout
//! - [`health`]: the admins' system health (one of the role widgets).
//! - [`roles`]: the widgets only admins or only managers see.
//! - [`test_controls`]: the mock API's `/__admin/` test controls.
//! - [`auth`]: usernames (and their validation), users, login and sessions.
//! - [`config`]: the API's published config (flags, cache policy, theme).
//! - [`profile`]: profiles, posts, followers and pages.
//! - [`bootstrap`]: the first payload the UI hydrates from.
//! - [`connectivity`]: online, degraded or offline.
//! - [`settings`]: the user's settings and their limits.
//! - [`outbox`]: changes waiting to be sent, exactly once each.
//! - [`screen`]: what each window shows, for the automatic refresh.
//! - [`window`]: the views that open in a window of their own.
//! - [`widgets`]: the five dashboard widgets, their ids and payloads.
//! - [`envelope`]: what a command returns for cached data: the data plus its
//!   freshness and origin.
//! - [`events`]: what the backend pushes to windows (updates, progress).
//! - [`error`]: the HTTP error body and the typed command error.
//! - [`commands`]: the command names, shared by handlers and the invoke bridge.

pub mod auth;
pub mod bootstrap;
pub mod commands;
pub mod config;
pub mod connectivity;
pub mod envelope;
pub mod error;
pub mod events;
pub mod health;
pub mod outbox;
pub mod profile;
pub mod roles;
pub mod screen;
pub mod settings;
pub mod test_controls;
pub mod widgets;
pub mod window;

pub use auth::{LoginRequest, LoginResponse, Role, Session, User, Username, UsernameError};
pub use bootstrap::{Bootstrap, LockedSession};
pub use config::{AppConfig, CachePolicy, Theme};
pub use connectivity::Connectivity;
pub use envelope::{
    CacheEntryInfo, CacheStats, CommentsEnvelope, Envelope, FollowersEnvelope, Freshness,
    PostEnvelope, PostPage, PostsEnvelope, ProfileEnvelope, ProfilePage, RelatedEnvelope,
    SetAsideCache, Source, WidgetEnvelope,
};
pub use error::{ApiErrorBody, CommandError, LockReason};
pub use outbox::{ChangeKind, Discarded, Outbox, PendingChange, RefusedChange};
pub use profile::{Comment, Follower, Page, Post, RelatedPosts, UserProfile};
pub use roles::{RoleData, RoleEnvelope, RoleWidget, RoleWidgetError};
pub use screen::{ScreenReport, ScreenView};
pub use settings::{RefusedSetting, SecretStoreChoice, Settings, SettingsError};
pub use widgets::{WidgetData, WidgetId, WidgetIdError, WidgetResponse};
pub use window::{WindowKind, WindowTarget};
