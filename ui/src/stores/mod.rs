//! Signal stores, hydrated from the `bootstrap` payload and provided through
//! context, each view hydrating only its own part:
//!
//! - [`global`]: session, config, settings, connectivity (at the root);
//! - [`layout`]: what the signed-in views share (at the shell), and the
//!   one hydration path of the cached widgets;
//! - [`views`]: one store per view (at each view's root);
//! - [`opening`]: what the first payload held of the view a window opened
//!   on (at the root, taken by that view).
//!
//! Each accessor panics with the name of the missing provider, so a
//! component used outside its scope fails loudly in development.

pub mod global;
pub mod layout;
pub mod opening;
pub mod views;

pub use global::{use_global_store, GlobalStore};
pub use layout::{use_layout_store, use_refresh_tick, LayoutSeed, LayoutStore};
pub use opening::Opening;
pub use views::{
    use_dashboard_store, use_post_store, use_profile_store, DashboardStore, PostStore, ProfileStore,
};
