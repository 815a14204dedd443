//! Whether the app a [`crate::Harness`] drives is still running, for a
//! failure message: when WebDriver stops answering, a test should say
//! whether the app's process is gone (it crashed or exited) or still there
//! (its page or main thread stopped answering), not only time out.
//!
//! The app runs two levels beneath the harness's tauri-driver (tauri-driver
//! starts the platform's WebDriver, which starts the app), so it is looked
//! for among the driver's descendants. Only Linux exposes that through
//! `/proc`; elsewhere the answer is "not known".

use std::path::Path;

/// What is known of the app's process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppProcess {
    /// A process running the app is among the driver's descendants.
    Running,
    /// None is: the app has exited or crashed.
    Gone,
    /// This platform gives no way to tell.
    Unknown,
}

impl std::fmt::Display for AppProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Running => "the app's process is still running",
            Self::Gone => "the app's process is gone: it exited or crashed (its output is above)",
            Self::Unknown => "whether the app's process still runs is not known on this platform",
        })
    }
}

/// Whether a process running `app` descends from the process `driver`.
pub fn app_process(driver: u32, app: &Path) -> AppProcess {
    #[cfg(target_os = "linux")]
    {
        linux::app_process(driver, app)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (driver, app);
        AppProcess::Unknown
    }
}

/// The value of the environment variable `name` in each WebKit web
/// process beneath `driver`, as each was started: `None` where this
/// platform gives no way to tell (only Linux's `/proc` does, and only
/// WebKitGTK has web processes of its own).
pub fn web_process_env(driver: u32, name: &str) -> Option<Vec<Option<String>>> {
    #[cfg(target_os = "linux")]
    {
        Some(linux::web_process_env(driver, name))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (driver, name);
        None
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::{collections::HashMap, path::Path};

    use super::AppProcess;

    pub(super) fn app_process(driver: u32, app: &Path) -> AppProcess {
        let Ok(app) = std::fs::canonicalize(app) else {
            return AppProcess::Unknown;
        };
        let Some(descendants) = descendants(driver) else {
            return AppProcess::Unknown;
        };
        let running = descendants.into_iter().any(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe")).ok().as_deref() == Some(app.as_path())
                // A zombie has exited already.
                && state(pid) != Some('Z')
        });
        if running {
            AppProcess::Running
        } else {
            AppProcess::Gone
        }
    }

    pub(super) fn web_process_env(driver: u32, name: &str) -> Vec<Option<String>> {
        let prefix = format!("{name}=");
        descendants(driver)
            .unwrap_or_default()
            .into_iter()
            .filter(|pid| {
                std::fs::read_link(format!("/proc/{pid}/exe"))
                    .is_ok_and(|exe| exe.ends_with("WebKitWebProcess"))
            })
            .filter_map(|pid| std::fs::read(format!("/proc/{pid}/environ")).ok())
            .map(|environ| {
                environ
                    .split(|&byte| byte == 0)
                    .filter_map(|entry| std::str::from_utf8(entry).ok())
                    .find_map(|entry| entry.strip_prefix(&prefix).map(str::to_owned))
            })
            .collect()
    }

    /// Every process beneath `driver`, or `None` when `/proc` cannot be
    /// read.
    fn descendants(driver: u32) -> Option<Vec<u32>> {
        let mut parent_of = HashMap::new();
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            if let Some(parent) = parent(pid) {
                parent_of.insert(pid, parent);
            }
        }
        let descends = |mut pid: u32| {
            // Bounded: a chain of parents ends at 1 (or 0) long before this.
            for _ in 0..64 {
                match parent_of.get(&pid) {
                    Some(&parent) if parent == driver => return true,
                    Some(&parent) if parent > 1 => pid = parent,
                    _ => return false,
                }
            }
            false
        };
        Some(
            parent_of
                .keys()
                .copied()
                .filter(|&pid| descends(pid))
                .collect(),
        )
    }

    /// `/proc/<pid>/stat` after the parenthesised name: the state, then
    /// the parent.
    fn stat(pid: u32) -> Option<String> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        Some(stat.rsplit_once(')')?.1.to_owned())
    }

    fn parent(pid: u32) -> Option<u32> {
        stat(pid)?.split_whitespace().nth(1)?.parse().ok()
    }

    fn state(pid: u32) -> Option<char> {
        stat(pid)?.split_whitespace().next()?.chars().next()
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::{os::unix::process::CommandExt, process::Command};

    use super::*;

    #[test]
    fn a_grandchild_running_the_program_is_found_and_its_end_is_seen() {
        // sh (the "driver") starts sleep (the "app") beneath a second sh,
        // all in a process group of their own.
        let mut driver = Command::new("sh")
            .args(["-c", "sh -c 'sleep 30; true'; true"])
            .process_group(0)
            .spawn()
            .expect("sh");
        let sleep = which("sleep");
        let found = (0..100).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(20));
            app_process(driver.id(), &sleep) == AppProcess::Running
        });
        assert!(found, "the grandchild running sleep was not found");
        assert_eq!(
            app_process(driver.id(), &which("cat")),
            AppProcess::Gone,
            "no descendant runs cat"
        );
        let group = nix::unistd::Pid::from_raw(driver.id() as i32);
        nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL).expect("the group");
        let _ = driver.wait();
        let gone = (0..100).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(20));
            app_process(driver.id(), &sleep) == AppProcess::Gone
        });
        assert!(gone, "the grandchild's end was not seen");
    }

    fn which(program: &str) -> std::path::PathBuf {
        let out = Command::new("sh")
            .args(["-c", &format!("command -v {program}")])
            .output()
            .expect("sh");
        std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    }
}
