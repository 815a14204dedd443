//! `cargo xtask check-platforms`: from a Linux machine, checks that the
//! workspace compiles for Windows and macOS. It runs `cargo check
//! --all-targets` (libraries, binaries, tests, benches) for each target, so
//! code written for one OS (a Unix-only API in a test, a `#[cfg(unix)]`
//! with no counterpart) fails here rather than on a Windows or Mac
//! machine. It type-checks only: nothing is linked or run. The Windows
//! test programs are built and run under Wine by [`crate::wine`].
//!
//! # What each target needs here
//! Build scripts still run in a `cargo check`, and some compile C for the
//! target through the `cc` crate, so each target needs a C compiler for it:
//! - **`x86_64-pc-windows-gnu`**: MinGW-w64's gcc ([`WINDOWS_PACKAGES`]),
//!   for ring's C and assembly (and the linker [`crate::wine`] uses), and
//!   NASM for aws-lc-sys's assembly. Every package but `ui` (wasm32 only)
//!   is checked.
//! - **`x86_64-apple-darwin`, `aarch64-apple-darwin`**: clang
//!   ([`APPLE_PACKAGES`]), since gcc cannot target Darwin: it rejects the
//!   `-arch` and `-mmacosx-version-min` flags that `cc` passes. clang alone
//!   builds `objc2-exception-helper` (Objective-C under tauri's macOS
//!   backend), which includes no header. Apple's SDK cannot be installed
//!   here, and two C dependencies need it:
//!   - **ring** (larder-core's AES-GCM, so the app too). Its C includes
//!     `<TargetConditionals.h>` and libc headers; with no SDK, clang falls
//!     back to glibc's headers in /usr/include and stops at "fatal error:
//!     'bits/libc-header-start.h' file not found". The check hands clang a
//!     sysroot of four stub headers ([`APPLE_STUB_HEADERS`]) that declare
//!     only what ring's C uses. `cargo check` never links, so objects built
//!     against them are never used: this checks the Rust of Larder and its
//!     dependencies for macOS, not ring's C (which ring's own CI builds on
//!     macOS).
//!   - **aws-lc-sys** (only in larder-aead-bench, through aws-lc-rs). Its C
//!     needs much of libc (`<stdio.h>`, pthreads) and CoreServices' headers,
//!     more than a stub should fake, so larder-aead-bench is left out on
//!     macOS.
//!
//! # Target folder
//! The checks share the workspace's target folder. Their artifacts live
//! under `<target>/<triple>/`, and the host build scripts and proc macros
//! they need are the host build's own. Measured on a 2-core machine: after
//! the checks and [`crate::wine`], a host `cargo test --no-run` compiled
//! nothing, and the checks then took 1.7 s; from cold, they took 253 s
//! after a host build in the same folder, against 324 s in a folder of
//! their own, which rebuilds every build script and proc macro.

use std::{path::PathBuf, process::Command};

use anyhow::{bail, Context, Result};

use crate::{
    process::{self, root},
    setup,
};

/// The Windows target: the GNU ABI, whose C compiler and linker Debian
/// packages (the MSVC one needs Microsoft's tools).
pub const WINDOWS_TARGET: &str = "x86_64-pc-windows-gnu";

/// Debian packages for [`WINDOWS_TARGET`]: MinGW-w64's 64-bit C compiler
/// and binutils, and NASM, which aws-lc-sys's build script (in
/// larder-aead-bench, through aws-lc-rs) calls for its x86_64 Windows
/// assembly and stops without. (The `mingw-w64` metapackage also brings
/// C++ and 32-bit compilers, which nothing here uses.)
pub const WINDOWS_PACKAGES: &[&str] = &["gcc-mingw-w64-x86-64", "nasm"];

/// Debian packages for the Apple targets: clang, which can target Darwin.
const APPLE_PACKAGES: &[&str] = &["clang"];

/// Headers that stand in for Apple's SDK while ring's C is compiled for a
/// `cargo check` (see the module docs): each declares only what ring 0.17
/// uses, and none of them is ever part of a linked program.
const APPLE_STUB_HEADERS: &[(&str, &str)] = &[
    (
        "TargetConditionals.h",
        "#define TARGET_OS_MAC 1\n#define TARGET_OS_OSX 1\n#define TARGET_OS_IPHONE 0\n\
         #define TARGET_OS_IOS 0\n#define TARGET_OS_TV 0\n#define TARGET_OS_WATCH 0\n\
         #define TARGET_OS_SIMULATOR 0\n",
    ),
    (
        "string.h",
        "#include <stddef.h>\nvoid *memcpy(void *, const void *, size_t);\n\
         void *memmove(void *, const void *, size_t);\nvoid *memset(void *, int, size_t);\n\
         int memcmp(const void *, const void *, size_t);\n",
    ),
    // Reached through clang's own <immintrin.h> on x86_64.
    (
        "stdlib.h",
        "#include <stddef.h>\nvoid *malloc(size_t);\nvoid free(void *);\n",
    ),
    ("assert.h", "#define assert(x) ((void)0)\n"),
];

/// One target to check.
struct Platform {
    triple: &'static str,
    /// Debian packages its build scripts need.
    packages: &'static [&'static str],
    /// Workspace packages left out, each for a reason in the module docs.
    exclude: &'static [&'static str],
    /// Whether C is compiled by clang against the stub sysroot.
    apple: bool,
}

const PLATFORMS: &[Platform] = &[
    Platform {
        triple: WINDOWS_TARGET,
        packages: WINDOWS_PACKAGES,
        exclude: &["ui"],
        apple: false,
    },
    Platform {
        triple: "x86_64-apple-darwin",
        packages: APPLE_PACKAGES,
        exclude: &["ui", "larder-aead-bench"],
        apple: true,
    },
    Platform {
        triple: "aarch64-apple-darwin",
        packages: APPLE_PACKAGES,
        exclude: &["ui", "larder-aead-bench"],
        apple: true,
    },
];

/// Installs what the checks need, then checks every target in turn.
pub fn check() -> Result<()> {
    if !cfg!(target_os = "linux") {
        bail!(
            "check-platforms cross-checks from Linux; on Windows and macOS the native \
             build (`cargo xtask test`) is that OS's check"
        );
    }
    let packages: Vec<&[&str]> = PLATFORMS.iter().map(|p| p.packages).collect();
    setup::ensure_system_packages(&packages)?;
    let triples: Vec<&str> = PLATFORMS.iter().map(|p| p.triple).collect();
    setup::ensure_rustup_targets(&triples)?;
    let sysroot = apple_stub_sysroot()?;
    for platform in PLATFORMS {
        let mut command = Command::new(process::cargo_bin());
        command
            .args(["check", "--keep-going", "--all-targets", "--workspace"])
            .args(["--target", platform.triple])
            .current_dir(root());
        for package in platform.exclude {
            command.args(["--exclude", package]);
        }
        if platform.apple {
            let var = platform.triple.replace('-', "_");
            command.env(format!("CC_{var}"), "clang").env(
                format!("CFLAGS_{var}"),
                format!("--sysroot={}", sysroot.display()),
            );
        }
        process::run(&mut command)?;
    }
    for platform in PLATFORMS {
        let left_out = if platform.exclude.is_empty() {
            String::new()
        } else {
            format!(" (all but {})", platform.exclude.join(", "))
        };
        println!("xtask: checked {}{left_out}", platform.triple);
    }
    Ok(())
}

/// Writes the stub headers into `<target>/platforms/apple-check-sysroot`
/// (rewriting a file only when it differs) and returns that folder.
fn apple_stub_sysroot() -> Result<PathBuf> {
    let sysroot = process::target_dir()?
        .join("platforms")
        .join("apple-check-sysroot");
    if sysroot.display().to_string().contains(char::is_whitespace) {
        // cc splits CFLAGS on whitespace.
        bail!(
            "the target folder's path has a space, which CFLAGS cannot carry: {}",
            sysroot.display()
        );
    }
    let include = sysroot.join("usr").join("include");
    std::fs::create_dir_all(&include).with_context(|| format!("creating {}", include.display()))?;
    for (name, text) in APPLE_STUB_HEADERS {
        let path = include.join(name);
        if std::fs::read_to_string(&path).is_ok_and(|old| old == *text) {
            continue;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(sysroot)
}
