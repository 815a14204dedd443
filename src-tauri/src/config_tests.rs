//! Guards on the Tauri surface, read from tauri.conf.json itself: a strict
//! CSP with no remote origins, one capability for the main window that
//! grants Larder's own commands by name (each of them) plus an explicit
//! short list of core permissions, no wildcards, and no remote URL with IPC
//! access.
//!
//! Tauri merges tauri.<platform>.conf.json over tauri.conf.json (a JSON
//! merge patch) when it builds for that platform. Those files may only set
//! a short list of bundle keys, each names its bundle targets, and merging
//! one changes nothing outside `bundle`, so none can loosen the CSP or the
//! capabilities.

use serde_json::Value;

const CONFIG: &str = include_str!("../../tauri.conf.json");

/// The core permissions the UI needs, and nothing else.
const CORE_PERMISSIONS: [&str; 3] = [
    "core:event:allow-listen",
    "core:event:allow-unlisten",
    "core:window:allow-set-title",
];

fn config() -> Value {
    serde_json::from_str(CONFIG).expect("tauri.conf.json is JSON")
}

/// Every string anywhere in `value`.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

#[test]
fn the_csp_is_strict_and_names_no_remote_origin() {
    let config = config();
    let csp = config["app"]["security"]["csp"]
        .as_str()
        .expect("a CSP string, never null");
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    assert!(
        directives.contains(&"script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(directives.contains(&"default-src 'self'"), "{csp}");
    // The first frame carries the stylesheet inside the page
    // (`first_frame.rs`); without inline styles it would paint unstyled.
    assert!(
        directives.contains(&"style-src 'self' 'unsafe-inline'"),
        "{csp}"
    );
    for directive in &directives {
        for source in directive.split_whitespace().skip(1) {
            let local = source.starts_with('\'')
                || matches!(source, "ipc:" | "data:" | "http://ipc.localhost");
            assert!(local, "{source:?} in {directive:?} is not local");
        }
    }
    assert!(!csp.contains('*'), "no wildcard in the CSP");
    assert_ne!(
        config["app"]["security"]["dangerousDisableAssetCspModification"],
        Value::Bool(true)
    );
}

#[test]
fn one_capability_grants_exactly_larder_and_a_few_core_permissions() {
    let config = config();
    let capabilities = config["app"]["security"]["capabilities"]
        .as_array()
        .expect("capabilities inline");
    assert_eq!(capabilities.len(), 1);
    let capability = &capabilities[0];
    // The main window and the views' own windows, by their labels' forms.
    assert_eq!(
        capability["windows"],
        serde_json::json!(["main", "post-*", "profile-*"])
    );
    for kind in [
        larder_protocol::WindowKind::Post,
        larder_protocol::WindowKind::Profile,
    ] {
        let label = larder_protocol::WindowTarget::new(kind, "u-1")
            .expect("an id")
            .label();
        let prefix = label.split('-').next().expect("a prefix");
        assert!(
            capability["windows"]
                .as_array()
                .expect("a list")
                .contains(&serde_json::json!(format!("{prefix}-*"))),
            "{label} is granted"
        );
    }
    assert!(capability.get("remote").is_none(), "no remote URL gets IPC");
    assert!(capability.get("webviews").is_none());
    let granted: Vec<&str> = capability["permissions"]
        .as_array()
        .expect("a permission list")
        .iter()
        .map(|p| p.as_str().expect("plain permission identifiers"))
        .collect();
    let mut expected: Vec<String> = larder_protocol::commands::ALL
        .iter()
        .map(|command| format!("allow-{}", command.replace('_', "-")))
        .collect();
    expected.extend(CORE_PERMISSIONS.map(str::to_owned));
    let mut sorted: Vec<String> = granted.iter().map(|p| p.to_string()).collect();
    sorted.sort();
    expected.sort();
    assert_eq!(sorted, expected);
    assert!(
        granted
            .iter()
            .all(|p| !p.contains('*') && !p.ends_with(":default")),
        "{granted:?}"
    );
}

#[test]
fn no_remote_content_is_loaded() {
    let config = config();
    let mut all = Vec::new();
    strings(&config["app"], &mut all);
    for value in &all {
        let remote = value.starts_with("http://") || value.starts_with("https://");
        let allowed_in_csp = value.contains("http://ipc.localhost");
        assert!(
            !remote || allowed_in_csp,
            "remote URL in app config: {value}"
        );
    }
    for window in config["app"]["windows"].as_array().expect("windows") {
        let url = window["url"].as_str().unwrap_or("index.html");
        assert!(!url.contains("://"), "window loads {url}");
    }
    assert_eq!(
        config["build"]["frontendDist"], "ui/dist",
        "bundled assets only"
    );
}

/// Each platform file, and the bundle targets it must name.
const PLATFORM_CONFIGS: [(&str, &str, &[&str]); 3] = [
    (
        "tauri.linux.conf.json",
        include_str!("../../tauri.linux.conf.json"),
        &["deb"],
    ),
    (
        "tauri.windows.conf.json",
        include_str!("../../tauri.windows.conf.json"),
        &["msi", "nsis"],
    ),
    (
        "tauri.macos.conf.json",
        include_str!("../../tauri.macos.conf.json"),
        &["app", "dmg"],
    ),
];

/// The keys each platform file may set inside its own section of `bundle`
/// (`bundle.windows`, `bundle.macOS`): installer and signing settings only.
/// A `signCommand`, for one, would run a command of its own at build time.
fn allowed_section(file: &str) -> Option<(&'static str, &'static [&'static str])> {
    match file {
        "tauri.windows.conf.json" => Some((
            "windows",
            &[
                "webviewInstallMode",
                "certificateThumbprint",
                "digestAlgorithm",
                "timestampUrl",
                "tsp",
            ],
        )),
        "tauri.macos.conf.json" => Some((
            "macOS",
            &[
                "minimumSystemVersion",
                "signingIdentity",
                "hardenedRuntime",
                "providerShortName",
            ],
        )),
        _ => None,
    }
}

fn parse(file: &str, text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("{file} is not JSON: {err}"))
}

/// RFC 7396 JSON merge patch, as Tauri applies a platform file: objects
/// merge key by key, `null` removes a key, anything else replaces.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(map) = target {
        for (key, value) in patch {
            if value.is_null() {
                map.remove(key);
            } else {
                merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

#[test]
fn platform_files_set_only_installer_keys_and_their_own_targets() {
    assert!(
        config()["bundle"].get("targets").is_none(),
        "each platform's targets come from its own file"
    );
    for (file, text, targets) in PLATFORM_CONFIGS {
        let patch = parse(file, text);
        let top: Vec<&String> = patch.as_object().expect("an object").keys().collect();
        assert_eq!(top, ["bundle"], "{file} sets only bundle keys");
        let bundle = patch["bundle"].as_object().expect("a bundle object");
        assert_eq!(
            bundle["targets"],
            serde_json::json!(targets),
            "{file}'s bundle targets"
        );
        let section = allowed_section(file);
        for (key, value) in bundle {
            if key == "targets" {
                continue;
            }
            let (name, keys) = section
                .filter(|(name, _)| name == key)
                .unwrap_or_else(|| panic!("{file} may not set bundle.{key}"));
            for inner in value.as_object().expect("a section object").keys() {
                assert!(
                    keys.contains(&inner.as_str()),
                    "{file} may not set bundle.{name}.{inner}"
                );
            }
        }
        let hardened = &patch["bundle"]["macOS"]["hardenedRuntime"];
        assert!(
            hardened.is_null() || *hardened == Value::Bool(true),
            "{file} keeps the hardened runtime"
        );
    }
}

#[test]
fn merging_a_platform_file_changes_nothing_outside_the_bundle() {
    let base = config();
    for (file, text, _) in PLATFORM_CONFIGS {
        let mut merged = base.clone();
        merge_patch(&mut merged, &parse(file, text));
        let mut outside = merged.clone();
        let mut base_outside = base.clone();
        for value in [&mut outside, &mut base_outside] {
            value.as_object_mut().expect("an object").remove("bundle");
        }
        assert_eq!(
            outside, base_outside,
            "{file} changes something outside bundle"
        );
        assert_eq!(
            merged["app"]["security"], base["app"]["security"],
            "{file} leaves the CSP and the capabilities as they are"
        );
    }
}
