//! What each window shows ([`Larder::report_screen`], from its page) and
//! whether the OS shows it ([`Larder::report_window`], from the native
//! window's events), and the automatic refresh that keeps what is on screen
//! fresh while some window shows it (see [`crate::auto_refresh`]);
//! [`Larder`] is the schedule's target, through the cache engine like every
//! read.
//!
//! Each window is reported under its own label. The schedule sees them
//! combined: what any visible window shows is kept fresh, each item once,
//! and nothing is polled while every window is hidden or minimised. A
//! closed window is forgotten ([`Larder::forget_window`]).
//!
//! The page alone cannot tell: `document.hidden` stays false for a
//! minimised window on Windows and on GNOME/Wayland. A window counts as
//! visible only when its page says so *and* the OS shows it unminimised;
//! the focus is the OS's once it has reported (the page's until then).

use std::{collections::BTreeMap, time::Duration};

use futures_util::future::BoxFuture;
use larder_protocol::{Role, ScreenReport, ScreenView, WidgetId};

use super::Larder;
use crate::{auto_refresh, CoreError, Resource};

/// The resources a view shows to a user of `role` (`None`: nobody is
/// signed in); a post's page shows what depends on the post as far as the
/// cache (`larder`) knows it.
fn items(
    larder: &Larder,
    view: &ScreenView,
    role: Option<Role>,
) -> Result<Vec<Resource>, CoreError> {
    Ok(match view {
        ScreenView::Post { post_id } => larder.post_page_items(post_id)?,
        ScreenView::Other => Vec::new(),
        ScreenView::Dashboard => match role {
            Some(role) => super::roles::dashboard(role).collect(),
            None => WidgetId::ALL.into_iter().map(Resource::Widget).collect(),
        },
        ScreenView::Profile { user_id } => vec![
            Resource::profile(user_id)?,
            Resource::posts(user_id, 1)?,
            Resource::followers(user_id, 1)?,
        ],
    })
}

/// What the OS says of the native window, from its events (minimised or
/// restored, hidden or shown, focus).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NativeWindow {
    pub minimized: bool,
    /// Not hidden (a hidden window has no taskbar entry either).
    pub shown: bool,
    pub focused: bool,
}

/// The two reports one window's state is made of.
#[derive(Debug, Default)]
pub(super) struct ScreenInputs {
    page_visible: bool,
    page_focused: bool,
    items: Vec<Resource>,
    /// The view the page reported, for items that follow the cache (a
    /// post's page).
    view: ScreenView,
    /// `None` until the native window's first event.
    native: Option<NativeWindow>,
}

impl ScreenInputs {
    /// Whether the window is visible, and focused.
    fn combined(&self) -> (bool, bool) {
        let shown = self.native.is_none_or(|n| n.shown && !n.minimized);
        let visible = self.page_visible && shown;
        let focused = visible && self.native.map_or(self.page_focused, |n| n.focused);
        (visible, focused)
    }
}

/// Every open window's inputs, by label (ordered, so the combined items
/// come in the same order every time).
pub(super) type Windows = BTreeMap<String, ScreenInputs>;

/// What the schedule sees of `windows` together: visible and focused when
/// any one is, and the items of the visible ones, each once.
fn combine(windows: &Windows) -> (bool, bool, Vec<Resource>) {
    let (mut visible, mut focused, mut items) = (false, false, Vec::<Resource>::new());
    for inputs in windows.values() {
        let (shown, has_focus) = inputs.combined();
        visible |= shown;
        focused |= has_focus;
        if shown {
            for item in &inputs.items {
                if !items.contains(item) {
                    items.push(item.clone());
                }
            }
        }
    }
    (visible, focused, items)
}

impl Larder {
    /// Records what window `window` shows and whether its page says it is
    /// visible or focused. A window gaining the focus revalidates what is
    /// on screen and stale. A profile id that is not valid is refused and
    /// changes nothing.
    pub fn report_screen(&self, window: &str, report: ScreenReport) -> Result<(), CoreError> {
        let role = self.read_session().map(|session| session.user.role);
        let items = items(self, &report.view, role)?;
        self.update_screen(window, |inputs| {
            inputs.page_visible = report.visible;
            inputs.page_focused = report.focused;
            inputs.items = items;
            inputs.view = report.view;
        });
        Ok(())
    }

    /// Recomputes what is on screen where it follows the cache: a post's
    /// page, once its post or related posts are known.
    pub(super) fn refresh_screen_items(&self) {
        let posts: Vec<(String, ScreenView)> = self
            .inner
            .screen_inputs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .filter(|(_, inputs)| matches!(inputs.view, ScreenView::Post { .. }))
            .map(|(label, inputs)| (label.clone(), inputs.view.clone()))
            .collect();
        let role = self.read_session().map(|session| session.user.role);
        for (window, view) in posts {
            if let Ok(items) = items(self, &view, role) {
                self.update_screen(&window, |inputs| {
                    if inputs.view == view {
                        inputs.items = items;
                    }
                });
            }
        }
    }

    /// Forgets what every window showed: the account shown changed, so
    /// what they showed was another account's, and nothing of it is kept
    /// fresh while each window reports its new view.
    pub(super) fn forget_screen_views(&self) {
        let mut windows = self
            .inner
            .screen_inputs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for inputs in windows.values_mut() {
            inputs.items.clear();
            inputs.view = ScreenView::Other;
        }
        self.publish_screen(&windows, false);
    }

    /// Records window `window`'s native state, from its events.
    pub fn report_window(&self, window: &str, native: NativeWindow) {
        self.update_screen(window, |inputs| inputs.native = Some(native));
    }

    /// Forgets window `window`, which has closed: what it showed is no
    /// longer on screen.
    pub fn forget_window(&self, window: &str) {
        let mut windows = self
            .inner
            .screen_inputs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.remove(window).is_some() {
            self.publish_screen(&windows, false);
        }
    }

    beneath_the_facade! {
        /// The window as the automatic refresh sees it.
        pub fn screen(&self) -> auto_refresh::Screen {
            self.inner.screen.borrow().clone()
        }
    }

    fn update_screen(&self, window: &str, change: impl FnOnce(&mut ScreenInputs)) {
        let mut windows = self
            .inner
            .screen_inputs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let inputs = windows.entry(window.to_owned()).or_default();
        let (_, had_focus) = inputs.combined();
        change(inputs);
        let (_, has_focus) = inputs.combined();
        self.publish_screen(&windows, has_focus && !had_focus);
    }

    /// Hands `windows` combined to the schedule; `gained_focus`: a window
    /// has just gained the focus.
    fn publish_screen(&self, windows: &Windows, gained_focus: bool) {
        let (visible, focused, items) = combine(windows);
        self.inner.screen.send_if_modified(|screen| {
            let next = auto_refresh::Screen {
                visible,
                focused,
                focus_count: screen.focus_count + u64::from(gained_focus),
                items,
            };
            let changed = *screen != next;
            *screen = next;
            changed
        });
    }

    /// Runs the automatic refresh until the returned task is aborted.
    pub(super) fn spawn_auto_refresh(&self) -> tokio::task::JoinHandle<()> {
        let target = std::sync::Arc::new(self.clone());
        let screen = self.inner.screen.subscribe();
        let clock = self.inner.engine.clock();
        tokio::spawn(auto_refresh::run(target, screen, clock))
    }
}

impl auto_refresh::Target for Larder {
    fn enabled(&self) -> bool {
        self.settings().auto_refresh()
            && self.read_session().is_some()
            && !self.inner.client.connectivity().is_offline()
    }

    fn fetched(&self, item: &Resource) -> Option<(u64, Duration)> {
        // The stored entry's time only: a peek would count a cache hit.
        let entry = self.stored(&self.read_session()?, item)?;
        let policy = self.policy_for(&item.policy_name());
        Some((entry.fetched_at_ms, policy.stale_after))
    }

    fn revalidate(&self, item: Resource) -> BoxFuture<'static, ()> {
        let larder = self.clone();
        Box::pin(async move {
            let Ok(session) = larder.signed_in() else {
                return;
            };
            let key = item.key();
            let fetch = larder.fetch_fn(&session, item);
            let result = larder
                .inner
                .engine
                .refresh_since(session.epoch, &session.user.id, &key, fetch, 0)
                .await;
            // A 401 ends the session here as on any read; the rest waits for
            // the next stale period (or the focus) to try again.
            if let Err(err) = larder.check_session(&session, result) {
                tracing::debug!(%err, key = %crate::log_key(&key), "an automatic refresh failed");
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(visible: bool) -> ScreenInputs {
        ScreenInputs {
            page_visible: visible,
            page_focused: visible,
            ..ScreenInputs::default()
        }
    }

    const RESTORED: NativeWindow = NativeWindow {
        minimized: false,
        shown: true,
        focused: true,
    };

    #[test]
    fn the_page_decides_until_the_native_window_reports() {
        assert_eq!(page(true).combined(), (true, true));
        assert_eq!(page(false).combined(), (false, false));
    }

    #[test]
    fn a_minimised_or_hidden_window_is_not_visible_whatever_the_page_says() {
        for native in [
            NativeWindow {
                minimized: true,
                ..RESTORED
            },
            NativeWindow {
                shown: false,
                ..RESTORED
            },
        ] {
            let inputs = ScreenInputs {
                native: Some(native),
                ..page(true)
            };
            assert_eq!(inputs.combined(), (false, false), "{native:?}");
        }
    }

    #[test]
    fn the_os_has_the_last_word_on_focus_and_the_page_on_visibility() {
        let unfocused = ScreenInputs {
            native: Some(NativeWindow {
                focused: false,
                ..RESTORED
            }),
            ..page(true)
        };
        assert_eq!(unfocused.combined(), (true, false));
        let focused_natively = ScreenInputs {
            native: Some(RESTORED),
            page_focused: false,
            ..page(true)
        };
        assert_eq!(focused_natively.combined(), (true, true));
        let page_hidden = ScreenInputs {
            native: Some(RESTORED),
            ..page(false)
        };
        assert_eq!(page_hidden.combined(), (false, false));
    }
}
