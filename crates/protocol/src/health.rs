//! The admins' system health (`GET /api/admin/system-health`): what the
//! system health widget shows. The API answers 403 to anyone but admins.

use serde::{Deserialize, Serialize};

/// `GET /api/admin/system-health` (admins only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemHealth {
    pub status: String,
    pub uptime_secs: u64,
    pub active_sessions: u32,
    pub requests_served: u64,
    pub version: String,
}
