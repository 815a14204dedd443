//! The cache inspector: the signed-in user's entries (key, size, age,
//! state, hits), clearing one or all, prewarm progress and connectivity,
//! and the outbox: the changes waiting to sync.

use dioxus::prelude::*;
use larder_protocol::{CacheStats, CommandError, Connectivity, LockReason};

use crate::{
    backend,
    stores::{use_global_store, use_layout_store},
};

#[component]
pub fn CacheInspector() -> Element {
    let store = use_global_store();
    let layout = use_layout_store();
    let mut version = use_signal(|| 0u32);
    let stats = use_resource(move || async move {
        let _ = (version(), layout.refresh.read());
        backend::cache_stats().await
    });
    use_effect(|| crate::host::set_title("Cache · Larder"));
    let clear = move |key: Option<String>| {
        spawn(async move {
            if let Err(err) = backend::clear_cache(key.as_deref()).await {
                web_sys::console::warn_1(&err.to_string().into());
            }
            version += 1;
        });
    };
    let progress = *store.prewarm.read();
    let connectivity = match *store.connectivity.read() {
        Connectivity::Online => "online",
        Connectivity::Degraded => "degraded",
        Connectivity::Offline => "offline",
    };
    rsx! {
        main { class: "panel cache-inspector", "data-testid": "cache-view",
            h1 { "Cache" }
            p { class: "muted",
                "Connectivity: "
                strong { "data-testid": "cache-connectivity", "{connectivity}" }
                " · prewarm: {progress.warmed} of {progress.total} warmed"
                if progress.failed > 0 { ", {progress.failed} failed" }
            }
            match &*stats.read() {
                None => rsx! { p { class: "muted", "Reading the cache…" } },
                Some(Err(err @ CommandError::CacheLocked {
                    reason: LockReason::KeyMissing | LockReason::WrongKey,
                })) => rsx! {
                    SetAside { problem: err.to_string(), on_done: move |_| version += 1 }
                },
                Some(Err(err)) => rsx! { p { class: "form-error", role: "alert", "{err}" } },
                Some(Ok(stats)) => rsx! {
                    CacheTable { stats: stats.clone(), on_clear: clear }
                },
            }
            super::outbox::OutboxList { outbox: layout.outbox.read().clone() }
        }
    }
}

/// The entries as a table; `on_clear(None)` clears everything.
#[component]
pub fn CacheTable(stats: CacheStats, on_clear: EventHandler<Option<String>>) -> Element {
    let kib = |bytes: u64| format!("{:.1} KiB", bytes as f64 / 1024.0);
    rsx! {
        table { class: "cache-table",
            thead { tr { th { "Key" } th { "Size" } th { "Age" } th { "State" } th { "Hits" } th {} } }
            tbody {
                for entry in stats.entries.clone() {
                    tr { key: "{entry.key}", "data-testid": "cache-row", "data-key": "{entry.key}",
                        td { code { "{entry.key}" } }
                        td { "{kib(entry.bytes)}" }
                        td { "{entry.age_secs} s" }
                        td { "{entry.state:?}" }
                        td { "{entry.hits}" }
                        td {
                            button { class: "link", "data-testid": "clear-entry",
                                onclick: {
                                    let key = entry.key.clone();
                                    move |_| on_clear.call(Some(key.clone()))
                                },
                                "Clear"
                            }
                        }
                    }
                }
            }
        }
        p { class: "muted small", "{stats.entries.len()} entries, {kib(stats.total_bytes)}" }
        button { class: "secondary", "data-testid": "clear-all", onclick: move |_| on_clear.call(None), "Clear all" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use larder_protocol::{CacheEntryInfo, Freshness};

    #[test]
    fn lists_every_entry() {
        let html = crate::test_render::render(
            || rsx! { CacheTable { stats: sample(), on_clear: |_| {} } },
        );
        assert!(
            html.contains("widget:3") && html.contains("2.0 KiB") && html.contains("Stale"),
            "{html}"
        );
        assert!(html.contains(">7<") && html.contains("1 entries"), "{html}");
    }

    fn sample() -> CacheStats {
        CacheStats {
            entries: vec![CacheEntryInfo {
                key: "widget:3".into(),
                bytes: 2048,
                age_secs: 12,
                state: Freshness::Stale,
                hits: 7,
            }],
            total_bytes: 2048,
        }
    }
}

/// The way out when the cache's key is gone or does not match: set the old
/// data aside (kept whole, never deleted) and start afresh.
#[component]
fn SetAside(problem: String, on_done: EventHandler<()>) -> Element {
    let mut said = use_signal(|| None::<String>);
    rsx! {
        section { class: "set-aside", role: "alert", "data-testid": "set-aside",
            p { class: "form-error", "{problem}" }
            p { class: "muted",
                "If the key will not come back, Larder can set this cache aside, kept whole on this computer, and start afresh."
            }
            if let Some(said) = said() {
                p { "data-testid": "set-aside-result", "{said}" }
            }
            button {
                onclick: move |_| {
                    spawn(async move {
                        match backend::set_aside_cache().await {
                            Ok(moved) => {
                                said.set(Some(format!(
                                    "Set aside {} entries and {} changes that had not reached the server; starting afresh.",
                                    moved.entries, moved.changes
                                )));
                                on_done.call(());
                            }
                            Err(err) => said.set(Some(err.to_string())),
                        }
                    });
                },
                "Set this cache aside and start afresh"
            }
        }
    }
}
