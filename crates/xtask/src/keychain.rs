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
    let script = with_unlocked_keyring(
        keyrings.path(),
        &format!("'{cargo}' test -p larder-core --test keychain -- --ignored --test-threads=1"),
    );
    let mut command = Command::new("dbus-run-session");
    command
        .args(["--", "sh", "-c", &script])
        .current_dir(root());
    process::run(&mut command)
}

/// A shell script for `dbus-run-session` that starts gnome-keyring on a
/// keyring folder of its own in `keyrings`, unlocked with the throwaway
/// password "larder-test", waits until the Secret Service answers with its
/// default collection unlocked, then runs `then`.
///
/// The daemon forks before it has claimed its name. A call addressed to
/// `org.freedesktop.secrets` before then would start a second, locked
/// daemon through D-Bus activation, so the script first asks the bus
/// itself (`NameHasOwner`, which activates nothing) until the name is
/// owned, and only then asks the daemon whether its collection is
/// unlocked. Each wait gives up after 30 s, with a message.
pub fn with_unlocked_keyring(keyrings: &std::path::Path, then: &str) -> String {
    format!(
        "export XDG_DATA_HOME='{}' && \
         printf 'larder-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
         tries=0 && \
         until dbus-send --session --print-reply --dest=org.freedesktop.DBus \
               /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
               string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; do \
           tries=$((tries + 1)); \
           if [ $tries -ge 300 ]; then echo 'xtask: the throwaway keyring never claimed its D-Bus name' >&2; exit 1; fi; \
           sleep 0.1; \
         done && \
         tries=0 && \
         until dbus-send --session --print-reply --dest=org.freedesktop.secrets \
               /org/freedesktop/secrets/aliases/default org.freedesktop.DBus.Properties.Get \
               string:org.freedesktop.Secret.Collection string:Locked 2>/dev/null | grep -q 'boolean false'; do \
           tries=$((tries + 1)); \
           if [ $tries -ge 300 ]; then echo 'xtask: the throwaway keyring did not come up unlocked' >&2; exit 1; fi; \
           sleep 0.1; \
         done && \
         {then}",
        keyrings.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn the_keyring_script_is_valid_sh_and_waits_for_an_unlocked_keyring() {
        let script = with_unlocked_keyring(std::path::Path::new("/tmp/keyrings"), "true");
        let checked = Command::new("sh")
            .args(["-n", "-c", &script])
            .status()
            .expect("sh");
        assert!(checked.success(), "sh -n rejected:\n{script}");
        let owned = script.find("NameHasOwner").expect("a wait for the name");
        let unlocked = script
            .find("--dest=org.freedesktop.secrets")
            .expect("a wait for the unlocked collection");
        assert!(script.find("gnome-keyring-daemon").expect("a daemon") < owned);
        // Nothing is addressed to the Secret Service before its name is
        // owned: that call would activate a second, locked daemon.
        assert!(
            owned < unlocked,
            "the daemon is asked before its name is owned"
        );
        assert!(unlocked < script.rfind("true").expect("the command"));
    }
}
