//! `GET /config`: the public app configuration: feature flags, the default
//! cache policy per resource and the theme.

use std::collections::BTreeMap;

use axum::{routing::get, Json, Router};
use larder_protocol::{AppConfig, CachePolicy, RoleWidget, Theme, WidgetId};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/config", get(config))
}

async fn config() -> Json<AppConfig> {
    Json(app_config())
}

/// The published config. The TTL is 10 minutes everywhere; the
/// slow analytics report stays fresh longer, since it is costly to rebuild.
pub fn app_config() -> AppConfig {
    let policy = |stale_secs| CachePolicy {
        stale_secs,
        ttl_secs: 600,
    };
    let mut cache = BTreeMap::new();
    for widget in WidgetId::ALL {
        cache.insert(
            widget.policy_name(),
            policy(crate::data::stale_secs(widget)),
        );
    }
    for widget in RoleWidget::ALL {
        cache.insert(
            widget.name().to_owned(),
            policy(crate::role_data::stale_secs(widget)),
        );
    }
    cache.insert("profile".into(), policy(60));
    cache.insert("posts".into(), policy(60));
    cache.insert("followers".into(), policy(120));
    // A post changes little; its comments more often.
    cache.insert("post".into(), policy(300));
    cache.insert("comments".into(), policy(60));
    cache.insert("related".into(), policy(300));
    let feature_flags = [
        ("prewarm", true),
        ("liveUpdates", true),
        ("adminWidget", true),
    ]
    .into_iter()
    .map(|(name, on)| (name.to_owned(), on))
    .collect();
    AppConfig {
        feature_flags,
        cache,
        theme: Theme::Light,
        idempotency_key_ttl_secs: crate::idempotency::KEY_TTL.as_secs(),
    }
}
