//! The simulation's seeds as part of the test suite: every history of
//! seeds 0 to 1,999 keeps every invariant.

#[test]
fn two_thousand_seeds_keep_every_invariant() {
    if let Err(report) = larder_sim::run_seeds(0, 2_000) {
        panic!("{report}");
    }
}

#[test]
fn a_seed_fixes_its_history() {
    assert_eq!(larder_sim::history_of(7), larder_sim::history_of(7));
    assert_ne!(larder_sim::history_of(7), larder_sim::history_of(8));
}
