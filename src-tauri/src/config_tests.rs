//! Guards on the Tauri surface, read from tauri.conf.json itself: a strict
//! CSP with no remote origins, one capability for the main window that
//! grants Larder's own commands by name (each of them) plus an explicit
//! short list of core permissions, no wildcards, and no remote URL with IPC
//! access.

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
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
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
