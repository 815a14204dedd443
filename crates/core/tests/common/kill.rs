//! The kill tests' one loop: how many kills and the seed of their timings
//! (from the environment, so a failure can be replayed), and a child (the
//! test binary itself) read line by line, then killed with no warning.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use rand::{rngs::StdRng, Rng, SeedableRng};

/// The one variable that makes a re-executed test binary a kill test's
/// child: its arguments, one `name=value` per line.
pub const CHILD_VAR: &str = "LARDER_KILL_CHILD";

/// A kill test's child's arguments, from [`CHILD_VAR`].
#[derive(Debug)]
pub struct ChildArgs(HashMap<String, String>);

impl ChildArgs {
    /// This process's arguments when it is a kill test's child; `None` in
    /// a normal test run, where the child's test does nothing.
    pub fn of_this_process() -> Option<Self> {
        let text = std::env::var(CHILD_VAR).ok()?;
        Some(Self(
            text.lines()
                .filter_map(|line| line.split_once('='))
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
        ))
    }

    /// Argument `name`, which the parent always passes.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .get(name)
            .unwrap_or_else(|| panic!("the child's {name} is given"))
    }
}

/// Whether this process is a kill test's child (whose parent tests then
/// return at once).
pub fn is_child() -> bool {
    std::env::var_os(CHILD_VAR).is_some()
}

/// How many kills a kill test makes, and the seed of their timings.
#[derive(Debug, Clone, Copy)]
pub struct KillPlan {
    pub kills: u32,
    pub seed: u64,
}

impl KillPlan {
    /// `<prefix>_KILLS` kills (`default` when unset) and `<prefix>_SEED`
    /// (a random seed when unset, printed so a failing run can be
    /// replayed).
    pub fn from_env(prefix: &str, default: u32) -> Self {
        let number = |name: String| {
            std::env::var(&name).ok().map(|n| {
                n.trim()
                    .parse::<u64>()
                    .unwrap_or_else(|_| panic!("{name} is a number"))
            })
        };
        let kills = number(format!("{prefix}_KILLS")).map_or(default, |n| {
            u32::try_from(n).unwrap_or_else(|_| panic!("{prefix}_KILLS is too large"))
        });
        assert!(kills >= 1, "{prefix}_KILLS must be at least 1");
        let seed = number(format!("{prefix}_SEED")).unwrap_or_else(|| rand::thread_rng().gen());
        eprintln!("{kills} kills, seed {seed} (replay with {prefix}_SEED={seed})");
        Self { kills, seed }
    }

    /// The source of the kills' timings.
    pub fn rng(&self) -> StdRng {
        StdRng::seed_from_u64(self.seed)
    }
}

/// A child started by a kill test: the test binary itself, running only
/// `test` with `env`, its stdout read line by line on a thread (so the
/// child never blocks on a full pipe).
pub struct KillableChild {
    pub child: std::process::Child,
    pub lines: std::sync::mpsc::Receiver<String>,
    pub reader: std::thread::JoinHandle<()>,
}

/// Re-executes this test binary as a child running only `test`, with
/// `args` (see [`ChildArgs`]).
pub fn spawn_self(test: &str, args: &[(&str, String)]) -> KillableChild {
    use std::io::{BufRead, BufReader};
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut command = std::process::Command::new(exe);
    command
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit());
    let args: Vec<String> = args
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    command.env(CHILD_VAR, args.join("\n"));
    // Wine's process creation fails now and then with "Internal error"
    // (os error 1359) under load; a real failure to start fails every try.
    let mut tries = 0;
    let mut child = loop {
        tries += 1;
        match command.spawn() {
            Ok(child) => break child,
            Err(err) if tries < 5 => {
                eprintln!("the child did not start ({err}); trying again");
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            Err(err) => panic!("the child does not start: {err}"),
        }
    };
    let stdout = child.stdout.take().expect("piped stdout");
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    KillableChild {
        child,
        lines,
        reader,
    }
}

/// Whether a child reaped after `Child::kill` was really killed, rather
/// than ending on its own first: on Unix it died of SIGKILL; on Windows
/// `TerminateProcess` gave it exit code 1, which a Rust test binary never
/// returns by itself (0 when its tests pass, 101 when one fails).
pub fn was_killed(status: std::process::ExitStatus) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        status.signal() == Some(9)
    }
    #[cfg(not(unix))]
    {
        status.code() == Some(1)
    }
}

impl KillableChild {
    /// Hands each line the child prints to `note` until `until` holds for
    /// one; false when `timeout` passes first.
    pub fn read_until(
        &self,
        timeout: Duration,
        note: &mut dyn FnMut(&str),
        until: &mut dyn FnMut(&str) -> bool,
    ) -> bool {
        let by = Instant::now() + timeout;
        loop {
            match self
                .lines
                .recv_timeout(by.saturating_duration_since(Instant::now()))
            {
                Ok(line) => {
                    note(&line);
                    if until(&line) {
                        return true;
                    }
                }
                Err(_) => return false,
            }
        }
    }

    /// Kills the child now (SIGKILL on Unix, TerminateProcess on Windows:
    /// no destructor, no flush), reaps it, and hands every line it printed
    /// before dying to `note`. Returns how it ended.
    pub fn kill(mut self, note: &mut dyn FnMut(&str)) -> std::process::ExitStatus {
        self.child.kill().expect("the child is killed");
        let status = self.child.wait().expect("the child is reaped");
        self.reader.join().expect("the reader thread");
        for line in self.lines.try_iter() {
            note(&line);
        }
        status
    }
}
