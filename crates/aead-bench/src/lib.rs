//! Nothing but a home for `benches/aead.rs`: the AEAD behind Larder's
//! encrypted cache measured side by side with the alternatives. Run it with
//! `cargo bench -p larder-aead-bench`.
