//! `larder-sim`: runs the deterministic simulation over a range of seeds
//! (`--seeds N`, from `--from S`), shrinking and printing any failure.

use std::time::Instant;

fn main() {
    let mut seeds: u64 = 2_000;
    let mut from: u64 = 0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().and_then(|v| v.parse::<u64>().ok());
        match (arg.as_str(), value) {
            ("--seeds", Some(n)) => seeds = n,
            ("--from", Some(n)) => from = n,
            _ => {
                eprintln!("usage: larder-sim [--seeds N] [--from SEED]");
                std::process::exit(2);
            }
        }
    }
    let started = Instant::now();
    match larder_sim::run_seeds(from, seeds) {
        Ok(()) => println!(
            "larder-sim: {seeds} seeds from {from} passed in {:.1} s",
            started.elapsed().as_secs_f64()
        ),
        Err(report) => {
            eprintln!("{report}");
            std::process::exit(1);
        }
    }
}
