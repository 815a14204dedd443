//! The operations a history is made of, and how a seed chooses them.

use rand::{rngs::StdRng, Rng};

use crate::net::KeychainMode;

/// The simulated users: two plain users, an admin and a manager (who also
/// read their role's widgets). Any of them may get another role.
pub const USERS: [&str; 4] = ["ann", "bob", "admin-cy", "manager-di"];

/// The roles a user can be given, by index.
pub const ROLES: [larder_protocol::Role; 3] = [
    larder_protocol::Role::Member,
    larder_protocol::Role::Admin,
    larder_protocol::Role::Manager,
];

/// A fault the mock API is told to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Widget `widget` answers `status` (500, 502, 503).
    Status { widget: u8, status: u16 },
    /// Widget `widget` answers 429 with `Retry-After: secs`.
    RateLimited { widget: u8, secs: u64 },
    /// Widget `widget` never answers.
    Hang { widget: u8 },
    /// Widget `widget` answers data from before anything that happens in
    /// the next `ms`.
    SlowAnswer { widget: u8, ms: u64 },
    /// The next change is applied, and its answer lost.
    DropAfterCommit,
    /// The next change is refused with `status`, not applied.
    RefuseChange { status: u16 },
    /// The next change is applied after `ms`.
    DelayChange { ms: u64 },
    /// The next change gets a 429 with `Retry-After: secs`.
    RateLimitChange { secs: u64 },
}

/// One step of a history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Signs in as `USERS[user]` (signing out whoever is signed in, keeping
    /// or not as the settings say).
    SignIn(u8),
    /// Signs `USERS[user]` in beside the accounts signed in (shown next).
    AddAccount(u8),
    /// Shows signed-in account `USERS[user]` (refused if it is not).
    Switch(u8),
    /// Signs out, with keep-cache-on-sign-out set to `keep` first.
    SignOut {
        keep: bool,
    },
    /// Reads widget 1 to 5 through the cache.
    Read(u8),
    /// Refreshes widget 1 to 5 (Retry, Ctrl+R).
    Refresh(u8),
    /// Reads role widget `RoleWidget::ALL[n]` (refused to other roles).
    RoleRead(u8),
    /// From their next sign-in on, `USERS[user]` has `ROLES[role]`.
    SetRole {
        user: u8,
        role: u8,
    },
    /// Reads the signed-in user's own profile and posts page `page`.
    Profile(u8),
    /// Marks notification n1 to n5 read.
    MarkRead(u8),
    /// Discards the `n`th waiting change (modulo how many wait).
    Discard(u8),
    /// Clears the signed-in user's whole cache.
    ClearCache,
    /// Clears widget 1 to 5 from the cache.
    ClearKey(u8),
    /// Sets the signed-in user's cache aside and starts afresh (the way out
    /// when its key is gone).
    SetAside,
    /// Sets the TTL override, in seconds (0: none).
    SetTtl(u64),
    /// Sets the cache limit, in MiB, and applies it.
    SetLimit(u64),
    /// The protected file starts answering this way.
    FileStore(KeychainMode),
    /// The user chooses the other secret store (keychain or protected
    /// file); the app restarts with it and adopts the keys left behind.
    SwitchStore,
    /// The OS minimises (or restores) the window, whatever the page says.
    Minimise(bool),
    /// Shows the dashboard (window 0, the main one) or the signed-in
    /// user's profile (window 1, a window of its own), or hides it.
    Screen {
        window: u8,
        visible: bool,
    },
    /// Closes window 1.
    CloseWindow,
    NetDown,
    NetUp,
    Fault(Fault),
    ClearFaults,
    /// Lets `ms` pass on both clocks (background work runs).
    Sleep(u64),
    /// Moves the wall clock `secs` ahead at once (the computer slept).
    Jump(u64),
    /// The keychain starts answering this way.
    Keychain(KeychainMode),
    /// The API forgets every session: the next request gets a 401.
    RevokeSessions,
    /// The process dies and starts again over the same folder.
    Crash,
    /// Compacts the cache now.
    Compact,
    /// Runs the sweeper's pass now.
    Sweep,
    /// Evicts down to a few kilobytes now (the size limit's pass, with a
    /// limit far below what the settings allow).
    Evict,
}

fn widget(rng: &mut StdRng) -> u8 {
    rng.gen_range(1..=5)
}

/// A history of `len` operations chosen by `rng`.
pub fn history(rng: &mut StdRng, len: usize) -> Vec<Op> {
    (0..len).map(|_| choose(rng)).collect()
}

fn choose(rng: &mut StdRng) -> Op {
    let roll = rng.gen_range(0..100);
    match roll {
        0..=3 => Op::SignIn(rng.gen_range(0..USERS.len() as u8)),
        4..=5 => Op::AddAccount(rng.gen_range(0..USERS.len() as u8)),
        6 => Op::Switch(rng.gen_range(0..USERS.len() as u8)),
        7..=9 => Op::SignOut { keep: rng.gen() },
        10..=21 => Op::Read(widget(rng)),
        22..=25 => Op::Refresh(widget(rng)),
        26 => Op::RoleRead(rng.gen_range(0..5)),
        27 if rng.gen_bool(0.7) => Op::RoleRead(rng.gen_range(0..5)),
        27 => Op::SetRole {
            user: rng.gen_range(0..USERS.len() as u8),
            role: rng.gen_range(0..ROLES.len() as u8),
        },
        28..=30 => Op::Profile(rng.gen_range(1..=3)),
        31..=40 => Op::MarkRead(rng.gen_range(1..=5)),
        41..=44 => Op::Discard(rng.gen()),
        45 if rng.gen_bool(0.5) => Op::ClearCache,
        45 => Op::SetAside,
        46 => Op::ClearKey(widget(rng)),
        47 => Op::SetTtl([0, 10, 60, 3600, 7 * 86_400][rng.gen_range(0..5)]),
        48 => Op::SetLimit([16, 256][rng.gen_range(0..2)]),
        49 if rng.gen_bool(0.8) => Op::Screen {
            window: rng.gen_range(0..2),
            visible: rng.gen(),
        },
        49 => Op::CloseWindow,
        50 => Op::Minimise(rng.gen()),
        51..=54 => Op::NetDown,
        55..=58 => Op::NetUp,
        59..=65 => Op::Fault(fault(rng)),
        66 => Op::ClearFaults,
        67..=78 => Op::Sleep([50, 500, 2_000, 30_000, 120_000][rng.gen_range(0..5)]),
        79..=81 => Op::Jump([60, 3_600, 86_400, 3 * 86_400][rng.gen_range(0..4)]),
        82..=85 => Op::Keychain(
            [
                KeychainMode::Normal,
                KeychainMode::Normal,
                KeychainMode::Locked,
                KeychainMode::NotFound,
                KeychainMode::OtherKey,
            ][rng.gen_range(0..5)],
        ),
        86 if rng.gen_bool(0.5) => Op::RevokeSessions,
        86 => Op::SwitchStore,
        87 => Op::FileStore(
            [
                KeychainMode::Normal,
                KeychainMode::NotFound,
                KeychainMode::OtherKey,
            ][rng.gen_range(0..3)],
        ),
        88..=90 => Op::Crash,
        91..=92 => Op::Compact,
        93..=95 => Op::Sweep,
        _ => Op::Evict,
    }
}

fn fault(rng: &mut StdRng) -> Fault {
    match rng.gen_range(0..8) {
        0 => Fault::Status {
            widget: widget(rng),
            status: [500, 502, 503][rng.gen_range(0..3)],
        },
        1 => Fault::RateLimited {
            widget: widget(rng),
            secs: rng.gen_range(1..=5),
        },
        2 => Fault::Hang {
            widget: widget(rng),
        },
        3 => Fault::SlowAnswer {
            widget: widget(rng),
            ms: rng.gen_range(100..=3_000),
        },
        4 => Fault::DropAfterCommit,
        5 => Fault::RefuseChange {
            status: [403, 503][rng.gen_range(0..2)],
        },
        6 => Fault::RateLimitChange {
            secs: [2, 45][rng.gen_range(0..2)],
        },
        _ => Fault::DelayChange {
            ms: rng.gen_range(100..=3_000),
        },
    }
}
