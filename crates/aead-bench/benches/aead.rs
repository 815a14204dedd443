//! The AEAD behind Larder's encrypted cache, against the alternatives,
//! measured side by side in one run: seal and open of 1 KB, 8 KB and 64 KB
//! values with 32 bytes of associated data (the size of a cache value's
//! context), for
//!
//! - Larder's own `secrets::seal` / `secrets::open` as the cache calls them
//!   (`ring` 0.17; a key schedule, a random nonce, the version byte and the
//!   key id on every call);
//! - `aes-gcm` 0.10 with the key prepared once (runtime CPU detection);
//! - `aes-gcm` 0.11 (`aes` 0.9 with VAES backends, `polyval` 0.7 hashing four
//!   blocks at a time; runtime CPU detection);
//! - `ring` 0.17 and `aws-lc-rs` 1 (`aead::AES_256_GCM`, `LessSafeKey`);
//! - `chacha20poly1305` 0.10, for reference.
//!
//! Every operation goes from a borrowed slice to an owned `Vec` (plaintext
//! in, ciphertext and tag out, and back), as the cache needs, so copies and
//! allocations are counted alike for all. Apart from Larder's own row the
//! nonce is fixed: fine for timing, never for real use. Before timing, every
//! AES-256-GCM candidate must produce the same bytes for the same input.
//!
//! The cases run interleaved, in rounds, so that a busy neighbour on the
//! machine slows them all alike. Each sample times a batch of operations
//! that takes at least 20 µs; the tables give the p50 and mean per
//! operation and the throughput at the p50 (1 GB = 10^9 bytes).
//!
//! `cargo bench -p larder-aead-bench` prints Markdown tables. Built
//! with `RUSTFLAGS="-C target-cpu=native"` (or explicit `-C target-feature`s),
//! the RustCrypto crates skip their runtime checks; the header says which
//! target features this build was compiled with.

use std::{
    hint::black_box,
    time::{Duration, Instant},
};

use larder_store::secrets::{self, SecretKey};

/// Value sizes, with their labels.
const SIZES: [(&str, usize); 3] = [("1 KB", 1024), ("8 KB", 8 * 1024), ("64 KB", 64 * 1024)];
/// Associated data per value.
const AAD_LEN: usize = 32;
/// Warm-up per case, before any round.
const WARM_UP: Duration = Duration::from_millis(100);
/// Interleaved rounds, each running every case for `ROUND_TIME`.
const ROUNDS: usize = 10;
const ROUND_TIME: Duration = Duration::from_millis(40);
/// The shortest batch worth timing with `Instant`.
const MIN_BATCH_TIME: Duration = Duration::from_micros(20);

const KEY: [u8; 32] = [0x42; 32];
const NONCE: [u8; 12] = [0x24; 12];

/// One AEAD as the cache would use it.
trait Candidate {
    fn name(&self) -> &'static str;
    fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8>;
    /// `None` when the value does not authenticate.
    fn open(&self, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>>;
    /// Whether `seal` is plain AES-256-GCM under `KEY` and `NONCE`, so its
    /// output can be compared byte for byte with the others'.
    fn is_plain_aes_gcm(&self) -> bool {
        true
    }
}

/// Larder's `secrets::seal` / `secrets::open`, exactly as the cache calls
/// them.
struct LarderCipher(SecretKey);

impl Candidate for LarderCipher {
    fn name(&self) -> &'static str {
        "Larder's seal/open (ring, key id, random nonce)"
    }
    fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        secrets::seal(&self.0, aad, plaintext).expect("seal")
    }
    fn open(&self, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        secrets::open(&self.0, aad, sealed).ok()
    }
    fn is_plain_aes_gcm(&self) -> bool {
        false
    }
}

/// A RustCrypto AEAD behind its `Aead` trait (`aead` 0.5 or 0.6; the call
/// shapes are the same).
macro_rules! rust_crypto {
    ($ty:ident, $label:literal, $krate:ident, $cipher:ident, $plain:literal) => {
        struct $ty($krate::$cipher);

        impl $ty {
            fn new() -> Self {
                use $krate::aead::KeyInit;
                Self($krate::$cipher::new(&KEY.into()))
            }
        }

        impl Candidate for $ty {
            fn name(&self) -> &'static str {
                $label
            }
            fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
                use $krate::aead::{Aead, Payload};
                let payload = Payload {
                    msg: plaintext,
                    aad,
                };
                self.0.encrypt(&NONCE.into(), payload).expect("seal")
            }
            fn open(&self, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
                use $krate::aead::{Aead, Payload};
                let payload = Payload { msg: sealed, aad };
                self.0.decrypt(&NONCE.into(), payload).ok()
            }
            fn is_plain_aes_gcm(&self) -> bool {
                $plain
            }
        }
    };
}

rust_crypto!(AesGcm010, "aes-gcm 0.10", aes_gcm_010, Aes256Gcm, true);
rust_crypto!(AesGcm011, "aes-gcm 0.11", aes_gcm_011, Aes256Gcm, true);
rust_crypto!(
    ChaCha,
    "chacha20poly1305 0.10 (not AES)",
    chacha20poly1305,
    ChaCha20Poly1305,
    false
);

/// `ring` or `aws-lc-rs`: the same `aead` API.
macro_rules! ring_like {
    ($ty:ident, $label:literal, $krate:ident) => {
        struct $ty($krate::aead::LessSafeKey);

        impl $ty {
            fn new() -> Self {
                use $krate::aead::{LessSafeKey, UnboundKey, AES_256_GCM};
                let key = UnboundKey::new(&AES_256_GCM, &KEY).expect("a 256-bit key");
                Self(LessSafeKey::new(key))
            }
        }

        impl Candidate for $ty {
            fn name(&self) -> &'static str {
                $label
            }
            fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
                use $krate::aead::{Aad, Nonce};
                let tag_len = self.0.algorithm().tag_len();
                let mut out = Vec::with_capacity(plaintext.len() + tag_len);
                out.extend_from_slice(plaintext);
                self.0
                    .seal_in_place_append_tag(
                        Nonce::assume_unique_for_key(NONCE),
                        Aad::from(aad),
                        &mut out,
                    )
                    .expect("seal");
                out
            }
            fn open(&self, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
                use $krate::aead::{Aad, Nonce};
                let mut buf = sealed.to_vec();
                let len = self
                    .0
                    .open_in_place(
                        Nonce::assume_unique_for_key(NONCE),
                        Aad::from(aad),
                        &mut buf,
                    )
                    .ok()?
                    .len();
                buf.truncate(len);
                Some(buf)
            }
        }
    };
}

ring_like!(Ring, "ring 0.17", ring);
ring_like!(AwsLc, "aws-lc-rs 1", aws_lc_rs);

/// `len` bytes that vary (the ciphers don't care, but the copies do not get
/// to be cleverer than they would be on real values).
fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Seal,
    Open,
}

/// One (candidate, size, operation) to time.
struct Case<'a> {
    candidate: &'a dyn Candidate,
    size: usize,
    op: Op,
    input: Vec<u8>,
    aad: Vec<u8>,
    batch: usize,
    /// Nanoseconds per operation, one per timed batch.
    samples: Vec<f64>,
}

impl Case<'_> {
    fn one(&self) {
        let out = match self.op {
            Op::Seal => self
                .candidate
                .seal(black_box(&self.aad), black_box(&self.input)),
            Op::Open => self
                .candidate
                .open(black_box(&self.aad), black_box(&self.input))
                .expect("open"),
        };
        black_box(out);
    }

    fn time_batch(&self) -> Duration {
        let started = Instant::now();
        for _ in 0..self.batch {
            self.one();
        }
        started.elapsed()
    }

    /// Runs for `WARM_UP`, sizing the batch on the way.
    fn warm_up(&mut self) {
        let started = Instant::now();
        while started.elapsed() < WARM_UP {
            if self.time_batch() < MIN_BATCH_TIME {
                self.batch *= 2;
            }
        }
    }

    fn round(&mut self) {
        let started = Instant::now();
        while started.elapsed() < ROUND_TIME {
            let elapsed = self.time_batch();
            self.samples
                .push(elapsed.as_nanos() as f64 / self.batch as f64);
        }
    }

    /// (p50, mean) in nanoseconds per operation.
    fn stats(&self) -> (f64, f64) {
        let mut sorted = self.samples.clone();
        sorted.sort_by(f64::total_cmp);
        let p50 = sorted[sorted.len() / 2];
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        (p50, mean)
    }
}

/// Checks that every candidate opens what it sealed and refuses another
/// context, and that the AES-256-GCM ones all agree on the bytes.
fn check(candidates: &[&dyn Candidate]) {
    let plaintext = data(64 * 1024 + 5, 1);
    let aad = data(AAD_LEN, 2);
    let mut reference: Option<Vec<u8>> = None;
    for candidate in candidates {
        let sealed = candidate.seal(&aad, &plaintext);
        let opened = candidate.open(&aad, &sealed);
        assert_eq!(
            opened.as_deref(),
            Some(&plaintext[..]),
            "{}",
            candidate.name()
        );
        let refused = candidate.open(&aad[1..], &sealed);
        assert!(
            refused.is_none(),
            "{} opened under another context",
            candidate.name()
        );
        if candidate.is_plain_aes_gcm() {
            match &reference {
                None => reference = Some(sealed),
                Some(bytes) => assert_eq!(bytes, &sealed, "{} disagrees", candidate.name()),
            }
        }
    }
}

/// `(name, compiled in, present on this CPU)` for an x86 feature.
macro_rules! feature {
    ($name:tt) => {{
        #[cfg(target_arch = "x86_64")]
        let present = std::arch::is_x86_feature_detected!($name);
        #[cfg(not(target_arch = "x86_64"))]
        let present = false;
        ($name, cfg!(target_feature = $name), present)
    }};
}

/// Which of the x86 features that decide these crates' code paths this
/// build was compiled with, and which the CPU has.
fn machine_line() -> String {
    let features = [
        feature!("aes"),
        feature!("pclmulqdq"),
        feature!("avx2"),
        feature!("vaes"),
        feature!("vpclmulqdq"),
        feature!("avx512f"),
    ];
    let list = |pick: fn(&(&str, bool, bool)) -> bool| {
        let names: Vec<&str> = features.iter().filter(|f| pick(f)).map(|f| f.0).collect();
        if names.is_empty() {
            "none of them".to_string()
        } else {
            names.join(", ")
        }
    };
    format!(
        "Compiled with target features: {}. The CPU has: {}.",
        list(|f| f.1),
        list(|f| f.2)
    )
}

fn main() {
    let larder = LarderCipher(SecretKey::from_bytes(&KEY).expect("a 256-bit key"));
    let (aes010, aes011, ring, aws_lc, chacha) = (
        AesGcm010::new(),
        AesGcm011::new(),
        Ring::new(),
        AwsLc::new(),
        ChaCha::new(),
    );
    let candidates: [&dyn Candidate; 6] = [&larder, &aes010, &aes011, &ring, &aws_lc, &chacha];
    check(&candidates);

    let mut cases = Vec::new();
    for (_, size) in SIZES {
        let plaintext = data(size, 3);
        let aad = data(AAD_LEN, 4);
        for &candidate in &candidates {
            let sealed = candidate.seal(&aad, &plaintext);
            for (op, input) in [(Op::Seal, plaintext.clone()), (Op::Open, sealed)] {
                cases.push(Case {
                    candidate,
                    size,
                    op,
                    input,
                    aad: aad.clone(),
                    batch: 1,
                    samples: Vec::new(),
                });
            }
        }
    }
    for case in &mut cases {
        case.warm_up();
    }
    for _ in 0..ROUNDS {
        for case in &mut cases {
            case.round();
        }
    }

    println!("{}", machine_line());
    println!(
        "{ROUNDS} interleaved rounds of {} ms per case after {} ms of warm-up; \
         associated data {AAD_LEN} B.",
        ROUND_TIME.as_millis(),
        WARM_UP.as_millis()
    );
    for (label, size) in SIZES {
        println!("\n### {label}\n");
        println!(
            "| AEAD | seal p50 µs | seal mean µs | seal GB/s | open p50 µs | open mean µs \
             | open GB/s | open vs aes-gcm 0.10 |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        let stats = |candidate: &dyn Candidate, op: Op| {
            cases
                .iter()
                .find(|c| c.size == size && c.op == op && c.candidate.name() == candidate.name())
                .expect("a measured case")
                .stats()
        };
        let (baseline_open, _) = stats(&aes010, Op::Open);
        for &candidate in &candidates {
            let (seal_p50, seal_mean) = stats(candidate, Op::Seal);
            let (open_p50, open_mean) = stats(candidate, Op::Open);
            println!(
                "| {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2}x |",
                candidate.name(),
                seal_p50 / 1e3,
                seal_mean / 1e3,
                size as f64 / seal_p50,
                open_p50 / 1e3,
                open_mean / 1e3,
                size as f64 / open_p50,
                baseline_open / open_p50,
            );
        }
    }
}
