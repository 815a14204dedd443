//! The settings view: the API URL, the cache's stale time, TTL and size
//! limit, keep-cache-on-sign-out, where keys are kept, and the theme. The backend checks and persists
//! them (tauri-plugin-store); a refused field is named in the message and
//! nothing is saved.

use dioxus::prelude::*;
use larder_protocol::{CommandError, SecretStoreChoice, Settings, Theme};

use crate::{backend, stores::use_global_store};

/// The form's fields, as typed.
#[derive(Clone, PartialEq)]
pub struct Draft {
    pub api_url: String,
    pub stale_secs: String,
    pub ttl_secs: String,
    pub cache_limit_mib: String,
    pub keep_cache: bool,
    /// Refresh what is on screen by itself while the window is visible.
    pub auto_refresh: bool,
    /// Keys in a protected file rather than the system keychain.
    pub file_secrets: bool,
    pub dark: bool,
}

impl Default for Draft {
    /// The form for the default settings.
    fn default() -> Self {
        Self::from_settings(&Settings::default())
    }
}

impl Draft {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            api_url: settings.api_url.clone().unwrap_or_default(),
            stale_secs: settings
                .stale_secs
                .map(|s| s.to_string())
                .unwrap_or_default(),
            ttl_secs: settings.ttl_secs.map(|s| s.to_string()).unwrap_or_default(),
            cache_limit_mib: settings
                .cache_limit_mib
                .map(|s| s.to_string())
                .unwrap_or_default(),
            keep_cache: settings.keep_cache_on_sign_out,
            auto_refresh: settings.auto_refresh(),
            file_secrets: settings.secret_store == Some(SecretStoreChoice::File),
            dark: settings.theme == Theme::Dark,
        }
    }

    /// The settings this draft asks for; empty fields keep the defaults.
    pub fn to_settings(&self) -> Result<Settings, String> {
        let number = |raw: &str, name: &str, unit: &str| -> Result<Option<u64>, String> {
            let raw = raw.trim();
            if raw.is_empty() {
                return Ok(None);
            }
            raw.parse::<u64>()
                .map(Some)
                .map_err(|_| format!("{name} must be a whole number of {unit}"))
        };
        let seconds = |raw: &str, name: &str| number(raw, name, "seconds");
        let api_url = self.api_url.trim();
        let settings = Settings {
            api_url: (!api_url.is_empty()).then(|| api_url.to_owned()),
            stale_secs: seconds(&self.stale_secs, "The stale time")?,
            ttl_secs: seconds(&self.ttl_secs, "The TTL")?,
            cache_limit_mib: number(&self.cache_limit_mib, "The cache size limit", "MiB")?,
            keep_cache_on_sign_out: self.keep_cache,
            // On is the default, so it is saved only when turned off.
            auto_refresh: (!self.auto_refresh).then_some(false),
            secret_store: self.file_secrets.then_some(SecretStoreChoice::File),
            theme: if self.dark { Theme::Dark } else { Theme::Light },
        };
        settings.validate().map_err(|err| err.to_string())?;
        Ok(settings)
    }
}

#[component]
pub fn SettingsView() -> Element {
    let store = use_global_store();
    // A saved API URL left out at start is shown as saved, to be fixed.
    let refused_url = store
        .refused_settings
        .read()
        .iter()
        .find(|r| r.field == "apiUrl")
        .cloned();
    let stored_url = refused_url.as_ref().map(|r| r.stored.clone());
    let mut draft = use_signal(move || {
        let mut draft = Draft::from_settings(&store.settings.peek());
        if let Some(stored) = stored_url {
            draft.api_url = stored;
        }
        draft
    });
    let mut message = use_signal(|| None::<(bool, String)>);
    use_effect(|| crate::host::set_title("Settings · Larder"));

    let save = move |event: FormEvent| {
        event.prevent_default();
        let settings = match draft.read().to_settings() {
            Ok(settings) => settings,
            Err(err) => return message.set(Some((false, err))),
        };
        let mut current = store.settings;
        spawn(async move {
            match backend::save_settings(&settings).await {
                Ok(saved) => {
                    let mut refused = store.refused_settings;
                    refused.set(Vec::new());
                    let url_changed = saved.api_url != current.peek().api_url;
                    let store_changed = saved.secret_store != current.peek().secret_store;
                    current.set(saved);
                    let note = if url_changed || store_changed {
                        "Saved. The change applies when Larder restarts."
                    } else {
                        "Saved."
                    };
                    message.set(Some((true, note.to_owned())));
                }
                Err(CommandError::InvalidSetting { error }) => {
                    message.set(Some((false, format!("{}: {}", error.field, error.message))))
                }
                Err(err) => message.set(Some((false, err.to_string()))),
            }
        });
    };

    let d = draft.read().clone();
    rsx! {
        main { class: "panel settings", "data-testid": "settings-view",
            h1 { "Settings" }
            form { onsubmit: save,
                label { r#for: "api-url", "API URL" }
                input { id: "api-url", "data-testid": "setting-api-url", r#type: "url",
                    placeholder: "the built-in API", value: "{d.api_url}",
                    "aria-invalid": refused_url.is_some(),
                    "aria-describedby": "api-url-help",
                    oninput: move |e| draft.write().api_url = e.value() }
                if let Some(refused) = &refused_url {
                    p { id: "api-url-help", class: "form-error", "data-testid": "setting-api-url-refused",
                        "The saved URL cannot be used ({refused.message}); {store.api_url} is in use until you fix it, or empty it, and save." }
                } else {
                    p { id: "api-url-help", class: "muted small", "Empty uses the API built into Larder. Applies at the next start." }
                }
                label { r#for: "stale", "Fresh for (seconds)" }
                input { id: "stale", "data-testid": "setting-stale", inputmode: "numeric",
                    placeholder: "as the API publishes", value: "{d.stale_secs}",
                    oninput: move |e| draft.write().stale_secs = e.value() }
                label { r#for: "ttl", "Keep for at most (seconds, TTL)" }
                input { id: "ttl", "data-testid": "setting-ttl", inputmode: "numeric",
                    placeholder: "600", value: "{d.ttl_secs}",
                    oninput: move |e| draft.write().ttl_secs = e.value() }
                label { r#for: "cache-limit", "Cache size limit (MiB)" }
                input { id: "cache-limit", "data-testid": "setting-cache-limit", inputmode: "numeric",
                    placeholder: "256", value: "{d.cache_limit_mib}",
                    oninput: move |e| draft.write().cache_limit_mib = e.value() }
                p { class: "muted small",
                    "Past it, the data you used least recently goes first; your own dashboard is always kept." }
                label { class: "check",
                    input { r#type: "checkbox", "data-testid": "setting-keep-cache", checked: d.keep_cache,
                        onchange: move |e| draft.write().keep_cache = e.checked() }
                    "Keep my cached data after signing out, for offline use"
                }
                label { class: "check",
                    input { r#type: "checkbox", "data-testid": "setting-auto-refresh", checked: d.auto_refresh,
                        onchange: move |e| draft.write().auto_refresh = e.checked() }
                    "Refresh what is on screen by itself (turn off on a metered connection)"
                }
                label { class: "check",
                    input { r#type: "checkbox", "data-testid": "setting-file-secrets", checked: d.file_secrets,
                        onchange: move |e| draft.write().file_secrets = e.checked() }
                    "Keep my keys in a protected file on this computer instead of the system keychain"
                }
                p { class: "muted small", "data-testid": "secret-store-explained",
                    if d.file_secrets { "{SecretStoreChoice::File.explain()}" } else { "{SecretStoreChoice::Keychain.explain()}" }
                    " Applies at the next start, which moves the keys over."
                }
                label { class: "check",
                    input { r#type: "checkbox", "data-testid": "setting-dark", checked: d.dark,
                        onchange: move |e| draft.write().dark = e.checked() }
                    "Dark theme"
                }
                button { r#type: "submit", "data-testid": "save-settings", "Save" }
                if let Some((ok, text)) = message() {
                    p { class: if ok { "form-ok" } else { "form-error" }, role: "status", "data-testid": "settings-message", "{text}" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_round_trip_and_refuse_bad_numbers() {
        let settings = Settings {
            api_url: Some("http://127.0.0.1:8787".into()),
            stale_secs: Some(20),
            ttl_secs: Some(120),
            cache_limit_mib: Some(512),
            keep_cache_on_sign_out: true,
            auto_refresh: Some(false),
            secret_store: Some(SecretStoreChoice::File),
            theme: Theme::Dark,
        };
        assert_eq!(Draft::from_settings(&settings).to_settings(), Ok(settings));
        let cleartext = Draft {
            api_url: "http://api.example.com".into(),
            ..Draft::default()
        };
        assert!(cleartext
            .to_settings()
            .expect_err("refused")
            .contains("apiUrl"));
        let tiny = Draft {
            cache_limit_mib: "1".into(),
            ..Draft::default()
        };
        assert!(tiny
            .to_settings()
            .expect_err("refused")
            .contains("cacheLimitMib"));
        let bad = Draft {
            ttl_secs: "soon".into(),
            ..Draft::default()
        };
        assert!(bad.to_settings().expect_err("refused").contains("TTL"));
        let out_of_range = Draft {
            ttl_secs: "5".into(),
            ..Draft::default()
        };
        assert!(out_of_range
            .to_settings()
            .expect_err("refused")
            .contains("ttlSecs"));
        assert_eq!(Draft::default().to_settings(), Ok(Settings::default()));
    }

    #[test]
    fn a_saved_url_that_cannot_be_used_is_shown_as_saved_and_marked() {
        fn app() -> Element {
            let boot = larder_protocol::Bootstrap {
                session: None,
                locked: None,
                api_url: "http://127.0.0.1:4000".into(),
                embedded_api: true,
                config: Default::default(),
                settings: Settings::default(),
                connectivity: larder_protocol::Connectivity::Online,
                prewarm: Default::default(),
                widgets: Vec::new(),
                role_widgets: Vec::new(),
                outbox: Default::default(),
                post_page: None,
                profile_page: None,
                refused: Vec::new(),
                cache_rebuilt: None,
                refused_settings: vec![larder_protocol::RefusedSetting {
                    field: "apiUrl".into(),
                    stored: "https://".into(),
                    message: "the URL has no host".into(),
                }],
            };
            crate::stores::GlobalStore::provide(&boot);
            rsx! { SettingsView {} }
        }
        let html = crate::test_render::render(app);
        assert!(html.contains(r#"value="https://""#), "{html}");
        assert!(
            html.contains(r#"aria-invalid=true"#) || html.contains(r#"aria-invalid="true""#),
            "{html}"
        );
        assert!(html.contains("setting-api-url-refused"), "{html}");
        assert!(html.contains("the URL has no host"), "{html}");
        assert!(html.contains("http://127.0.0.1:4000 is in use"), "{html}");
    }
}
