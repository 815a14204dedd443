//! Runs crates/core/tests/keychain.rs against a real Secret Service: on
//! Linux, inside a private `dbus-run-session` with gnome-keyring started on
//! a keyring folder of its own (a temporary `XDG_DATA_HOME`) and unlocked
//! with a throwaway password, so it never touches the user's own keyring.
//! Elsewhere there is no such private keychain to start (the OS keychain
//! needs a signed-in desktop session), so the task says it skips them and
//! why; the workspace test run has already listed them as ignored.

use std::process::Command;

use anyhow::Result;

use crate::process::{self, root};

pub fn run_test() -> Result<()> {
    if !cfg!(target_os = "linux") {
        println!(
            "xtask: skipping the keychain tests (crates/core/tests/keychain.rs): they need a \
             throwaway Secret Service in a private dbus-run-session, which only Linux has; \
             on {} the OS keychain needs a signed-in desktop session",
            std::env::consts::OS
        );
        return Ok(());
    }
    let cargo = process::cargo_bin();
    let keyrings = tempfile::tempdir()?;
    let script = format!(
        "export XDG_DATA_HOME='{}' && printf 'larder-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null \
         && '{cargo}' test -p larder-core --test keychain -- --ignored --test-threads=1",
        keyrings.path().display()
    );
    let mut command = Command::new("dbus-run-session");
    command
        .args(["--", "sh", "-c", &script])
        .current_dir(root());
    process::run(&mut command)
}
