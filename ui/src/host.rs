//! What the UI needs from its host page, apart from the backend: the time,
//! the window title, the theme attribute and the refresh shortcut. Natively
//! (in component tests) these are inert.

/// Now, in Unix milliseconds.
pub fn now_ms() -> u64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Date::now() as u64;
    #[cfg(not(target_arch = "wasm32"))]
    return std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default();
}

/// Formats Unix milliseconds as a short "HH:MM" in UTC.
pub fn clock_time(ms: u64) -> String {
    let minutes = (ms / 60_000) % (24 * 60);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Waits `duration` on the page's timer. Natively (in component tests) the
/// clock never ticks: it waits forever.
pub async fn sleep(duration: std::time::Duration) {
    #[cfg(target_arch = "wasm32")]
    wasmtimer::tokio::sleep(duration).await;
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = duration;
        std::future::pending::<()>().await;
    }
}

/// "HH:MM" of `ms` in the user's time zone.
pub fn local_clock(ms: u64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
        format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
    }
    // Natively (the backend's first frame) the system's time zone, which
    // is the webview's too.
    #[cfg(not(target_arch = "wasm32"))]
    {
        use chrono::{Local, TimeZone, Timelike};
        match Local.timestamp_millis_opt(ms as i64).single() {
            Some(time) => format!("{:02}:{:02}", time.hour(), time.minute()),
            None => clock_time(ms),
        }
    }
}

/// The date of `ms` in the user's time zone, "YYYY-MM-DD".
pub fn local_date(ms: u64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
        format!(
            "{:04}-{:02}-{:02}",
            date.get_full_year(),
            date.get_month() + 1,
            date.get_date()
        )
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use chrono::{Local, TimeZone};
        match Local.timestamp_millis_opt(ms as i64).single() {
            Some(time) => time.format("%Y-%m-%d").to_string(),
            None => String::new(),
        }
    }
}

/// The path the window was opened on: `/` for the main window,
/// `/post/<id>` or `/profile/<id>` for a view's own window. The router
/// keeps its history in memory from there (a window never navigates its
/// page), so this is read once, at start.
pub fn initial_path() -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(path) = web_sys::window().and_then(|w| w.location().pathname().ok()) {
        return path;
    }
    "/".to_owned()
}

/// Sets the document's and the native window's title.
pub fn set_title(title: &str) {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsValue;
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(title);
        }
        // window.__TAURI__.window.getCurrentWindow().setTitle(title)
        let set = || -> Result<(), JsValue> {
            let window = web_sys::window().ok_or(JsValue::NULL)?;
            let tauri = js_sys::Reflect::get(&window, &"__TAURI__".into())?;
            let module = js_sys::Reflect::get(&tauri, &"window".into())?;
            let current: js_sys::Function =
                js_sys::Reflect::get(&module, &"getCurrentWindow".into())?.into();
            let handle = current.call0(&module)?;
            let set_title: js_sys::Function =
                js_sys::Reflect::get(&handle, &"setTitle".into())?.into();
            set_title.call1(&handle, &JsValue::from_str(title))?;
            Ok(())
        };
        if let Err(err) = set() {
            web_sys::console::warn_1(&format!("cannot set the window title: {err:?}").into());
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = title;
}

/// Tells the page that the live UI has rendered the view the window opens
/// on (and marks the moment in the page's performance timeline), once: `first-frame.js` then swaps it in for the backend's first
/// frame (see `crate::prerender`) and replays what the user did meanwhile.
/// Later calls do nothing; natively (in component tests) nothing happens.
pub fn reveal_live_ui() {
    #[cfg(target_arch = "wasm32")]
    {
        thread_local!(static REVEALED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
        if REVEALED.with(|revealed| revealed.replace(true)) {
            return;
        }
        // The moment, for `cargo xtask ui-bench`'s "interactive".
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark(LIVE_EVENT);
        }
        let event = web_sys::Event::new(LIVE_EVENT);
        if let (Some(document), Ok(event)) = (web_sys::window().and_then(|w| w.document()), event) {
            let _ = document.dispatch_event(&event);
        }
    }
}

/// Marks the moment `name` in the page's performance timeline, for
/// `cargo xtask ui-bench`'s account of where a launch's time goes;
/// natively (in component tests) nothing happens.
pub fn mark(name: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = name;
}

/// The event [`reveal_live_ui`] dispatches on the document.
pub const LIVE_EVENT: &str = "larder-live";

/// Sets `data-theme` on the root element (the stylesheet keys off it).
pub fn apply_theme(theme: larder_protocol::Theme) {
    #[cfg(target_arch = "wasm32")]
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme_name(theme));
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = theme;
}

/// Sets `data-platform` on the root element: the stylesheet picks the
/// platform's UI font by it. The first frame carries the same attribute
/// (see [`platform_name`]), so the font never changes at the takeover.
pub fn apply_platform() {
    #[cfg(target_arch = "wasm32")]
    if let Some(window) = web_sys::window() {
        let agent = window.navigator().user_agent().unwrap_or_default();
        if let Some(root) = window.document().and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-platform", platform_of_agent(&agent));
        }
    }
}

/// The platform the page runs on, named as the stylesheet names it, from
/// the webview's user agent (WKWebView says "Macintosh", WebView2
/// "Windows"; anything else is taken as Linux).
pub fn platform_of_agent(agent: &str) -> &'static str {
    if agent.contains("Macintosh") || agent.contains("Mac OS X") {
        "macos"
    } else if agent.contains("Windows") {
        "windows"
    } else {
        "linux"
    }
}

/// This build's platform, named as [`platform_of_agent`] names it: the
/// first frame is rendered natively, where the target is known.
pub fn platform_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "macos"
    } else if cfg!(target_os = "windows") {
        "windows"
    } else {
        "linux"
    }
}

/// The root element's `data-theme` for `theme`.
pub fn theme_name(theme: larder_protocol::Theme) -> &'static str {
    match theme {
        larder_protocol::Theme::Light => "light",
        larder_protocol::Theme::Dark => "dark",
    }
}

/// Calls `on_refresh` on Ctrl+R or Cmd+R (instead of reloading the page)
/// until the returned guard is dropped.
pub fn on_refresh_shortcut(on_refresh: impl FnMut() + 'static) -> ShortcutGuard {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        let mut on_refresh = on_refresh;
        let handler = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(
            move |event: web_sys::KeyboardEvent| {
                let modifier = event.ctrl_key() || event.meta_key();
                if modifier && event.key().eq_ignore_ascii_case("r") {
                    event.prevent_default();
                    on_refresh();
                }
            },
        );
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let _ = document
                .add_event_listener_with_callback("keydown", handler.as_ref().unchecked_ref());
        }
        ShortcutGuard {
            handler: Some(handler),
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = on_refresh;
        ShortcutGuard {}
    }
}

/// Removes the shortcut's listener when dropped.
pub struct ShortcutGuard {
    #[cfg(target_arch = "wasm32")]
    handler: Option<wasm_bindgen::closure::Closure<dyn FnMut(web_sys::KeyboardEvent)>>,
}

impl Drop for ShortcutGuard {
    fn drop(&mut self) {
        #[cfg(target_arch = "wasm32")]
        if let (Some(handler), Some(document)) = (
            self.handler.take(),
            web_sys::window().and_then(|w| w.document()),
        ) {
            use wasm_bindgen::JsCast;
            let _ = document
                .remove_event_listener_with_callback("keydown", handler.as_ref().unchecked_ref());
        }
    }
}

/// Whether the window is shown and whether it has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowState {
    pub visible: bool,
    pub focused: bool,
}

/// The window's state now (visible and focused outside a browser).
pub fn window_state() -> WindowState {
    #[cfg(target_arch = "wasm32")]
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        return WindowState {
            visible: !document.hidden(),
            focused: document.has_focus().unwrap_or(true),
        };
    }
    WindowState {
        visible: true,
        focused: true,
    }
}

/// Calls `on_change` with the window's state whenever it is shown, hidden,
/// focused or blurred, until the guard is dropped.
pub fn on_window_state_change(on_change: impl FnMut(WindowState) + 'static) -> ListenerGuard {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        let on_change = std::rc::Rc::new(std::cell::RefCell::new(on_change));
        let mut listeners = Vec::new();
        let window = web_sys::window();
        let document = window.as_ref().and_then(|w| w.document());
        let targets: [(Option<web_sys::EventTarget>, &'static str); 3] = [
            (document.map(Into::into), "visibilitychange"),
            (window.clone().map(Into::into), "focus"),
            (window.map(Into::into), "blur"),
        ];
        for (target, event) in targets {
            let Some(target) = target else { continue };
            let on_change = on_change.clone();
            let handler = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                let mut state = window_state();
                // The blur event fires before the document loses the focus.
                if event == "blur" {
                    state.focused = false;
                }
                (on_change.borrow_mut())(state);
            });
            let _ =
                target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
            listeners.push((target, event, handler));
        }
        ListenerGuard { listeners }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = on_change;
        ListenerGuard {}
    }
}

/// Removes its listeners when dropped.
pub struct ListenerGuard {
    #[cfg(target_arch = "wasm32")]
    #[allow(clippy::type_complexity)]
    listeners: Vec<(
        web_sys::EventTarget,
        &'static str,
        wasm_bindgen::closure::Closure<dyn FnMut(web_sys::Event)>,
    )>,
}

impl Drop for ListenerGuard {
    fn drop(&mut self) {
        #[cfg(target_arch = "wasm32")]
        for (target, event, handler) in self.listeners.drain(..) {
            use wasm_bindgen::JsCast;
            let _ =
                target.remove_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        }
    }
}

#[cfg(test)]
#[path = "host_tests.rs"]
mod tests;
