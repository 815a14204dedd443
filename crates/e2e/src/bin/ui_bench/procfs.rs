//! What `/proc` says of the app's processes (Linux): which process runs a
//! program, when it started, and the memory of it and its children.

use std::{path::Path, time::Duration};

use anyhow::{Context, Result};

/// The newest process running `program`.
pub fn newest_pid(program: &Path) -> Result<u32> {
    let app = std::fs::canonicalize(program)?;
    let mut newest = None::<(u64, u32)>;
    for entry in std::fs::read_dir("/proc")? {
        let path = entry?.path();
        let Some(pid) = path
            .file_name()
            .and_then(|n| n.to_str()?.parse::<u32>().ok())
        else {
            continue;
        };
        if std::fs::read_link(path.join("exe")).ok().as_deref() != Some(app.as_path()) {
            continue;
        }
        let start = stat_field(pid, 19)?.parse::<u64>()?;
        if newest.is_none_or(|(s, _)| start > s) {
            newest = Some((start, pid));
        }
    }
    Ok(newest.context("the app process was not found")?.1)
}

/// Field `n` (counted from 0 after the parenthesised name, so the state
/// is 0 and the parent is 1) of `/proc/<pid>/stat`.
pub fn stat_field(pid: u32, n: usize) -> Result<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit_once(')').context("stat")?.1;
    Ok(after
        .split_whitespace()
        .nth(n)
        .context("a stat field")?
        .to_owned())
}

/// `pid` and every process beneath it, each with its name and PSS in KiB
/// (from `smaps_rollup`).
pub fn process_tree_pss(pid: u32) -> Result<Vec<(String, u64)>> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc")? {
        let Some(child) = entry?
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if let Ok(parent) = stat_field(child, 1).and_then(|p| Ok(p.parse::<u32>()?)) {
            parents.push((child, parent));
        }
    }
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    let mut sizes = Vec::new();
    for pid in tree {
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .unwrap_or_default()
            .trim()
            .to_owned();
        let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
            continue;
        };
        let pss = rollup
            .lines()
            .find_map(|line| line.strip_prefix("Pss:"))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap_or(0);
        sizes.push((name, pss));
    }
    Ok(sizes)
}

/// Prints `program`'s memory by process, after a moment for the page to
/// settle.
pub async fn report_memory(program: &Path, what: &str) -> Result<()> {
    tokio::time::sleep(Duration::from_secs(2)).await;
    let sizes = process_tree_pss(newest_pid(program)?)?;
    let total: u64 = sizes.iter().map(|(_, kib)| kib).sum();
    let parts: Vec<String> = sizes
        .iter()
        .filter(|(_, kib)| *kib > 0)
        .map(|(name, kib)| format!("{name} {:.1}", *kib as f64 / 1024.0))
        .collect();
    println!(
        "memory, {what}: {:.1} MiB PSS in all ({})",
        total as f64 / 1024.0,
        parts.join(", ")
    );
    Ok(())
}

/// The Unix time in ms at which `program`'s newest process started: its
/// start in `/proc/<pid>/stat` (clock ticks since boot) set against
/// `/proc/uptime` read now, on the same clock. (`btime` in `/proc/stat` is
/// whole seconds, too coarse for this.)
pub fn started_ms(program: &Path) -> Result<f64> {
    // sysconf(_SC_CLK_TCK) is 100 on Linux's usual configurations.
    let ticks_per_sec = 100.0;
    let start: f64 = stat_field(newest_pid(program)?, 19)?.parse()?;
    let start_secs = start / ticks_per_sec;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")?
        .split_whitespace()
        .next()
        .context("uptime")?
        .parse()?;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs_f64()
        * 1000.0;
    Ok(now_ms - (uptime - start_secs) * 1000.0)
}
