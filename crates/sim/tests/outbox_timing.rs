//! The outbox's backoff on the simulation's paused clock: a new change
//! wakes the sender, but what is backing off stays backed off.

use larder_sim::{
    ops::{Fault, Op},
    world::World,
};

/// Runs `test` on a single-threaded runtime whose clock moves only when
/// every task waits, as the simulation's do.
fn on_paused_clock(test: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime")
        .block_on(test);
}

fn posts(world: &World) -> u64 {
    world
        .api
        .stats()
        .snapshot()
        .by_route
        .iter()
        .filter(|(route, _)| route.starts_with("POST /api/widgets/4/"))
        .map(|(_, n)| n)
        .sum()
}

#[test]
fn a_backoff_holds_when_a_new_change_wakes_the_sender() {
    on_paused_clock(async {
        let mut world = World::new(1).expect("world");
        let process = world.start().expect("started");
        world.apply(&process, Op::SignIn(0)).await;
        // Every try of the first send (the client's own three) gets a 503.
        for _ in 0..3 {
            world
                .apply(&process, Op::Fault(Fault::RefuseChange { status: 503 }))
                .await;
        }
        world.apply(&process, Op::MarkRead(1)).await;
        for _ in 0..1000 {
            let failed = process
                .larder
                .outbox()
                .expect("outbox")
                .changes
                .first()
                .is_some_and(|change| change.last_error.is_some());
            if failed {
                break;
            }
            World::settle().await;
        }
        let tried = posts(&world);
        assert_eq!(tried, 3, "three tries, then the sender backs off");
        // A new change wakes the sender within the 2 s backoff: nothing is
        // sent before it ends, then both go.
        world.apply(&process, Op::MarkRead(2)).await;
        world.apply(&process, Op::Sleep(1_000)).await;
        assert_eq!(posts(&world), tried, "the backoff held");
        world.apply(&process, Op::Sleep(5_000)).await;
        assert_eq!(posts(&world), tried + 2, "then both were sent");
    });
}

#[test]
fn a_retry_after_holds_the_change_that_long() {
    on_paused_clock(async {
        let mut world = World::new(2).expect("world");
        let process = world.start().expect("started");
        world.apply(&process, Op::SignIn(0)).await;
        // Longer than the client's own 30 s budget: it hands the wait to
        // the outbox.
        world
            .apply(&process, Op::Fault(Fault::RateLimitChange { secs: 45 }))
            .await;
        world.apply(&process, Op::MarkRead(1)).await;
        let tried = posts(&world);
        assert_eq!(tried, 1);
        world.apply(&process, Op::Sleep(40_000)).await;
        assert_eq!(posts(&world), tried, "nothing before Retry-After");
        world.apply(&process, Op::Sleep(10_000)).await;
        assert_eq!(posts(&world), tried + 1, "sent once it passed");
    });
}
