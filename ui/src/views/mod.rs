//! One module per route, plus the signed-in layout.

pub mod accounts;
pub mod cache;
pub mod dashboard;
pub mod links;
pub mod locked;
pub mod no_keychain;
pub mod outbox;
pub mod post;
pub mod profile;
pub mod settings;
pub mod shell;
pub mod sign_in;

pub use cache::CacheInspector;
pub use dashboard::Dashboard;
pub use locked::Locked;
pub use no_keychain::NoKeychain;
pub use post::PostView;
pub use profile::ProfileView;
pub use settings::SettingsView;
pub use shell::Shell;
pub use sign_in::{AddAccount, SignIn};
