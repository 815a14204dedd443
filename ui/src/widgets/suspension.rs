//! Suspending a component until its dioxus-query query settles, in place of
//! dioxus-query's own `UseQuery::suspend`.
//!
//! dioxus-query 0.9 keeps the task a component suspends on in the query's
//! shared data, spawned in that component's scope. When the component goes
//! while the query still loads (the user leaves the dashboard while a slow
//! widget loads), the task goes with it but its id stays behind, and the
//! next component to suspend on that query suspends on the dead id: dioxus
//! treats that as a bug ("Suspended on a task that no longer exists") and
//! the whole UI stops. It also wakes that task with `notify_waiters`, which
//! a task not yet polled never hears. Hand-written here because the fix
//! needs nothing dioxus-query exposes beyond its state.
//!
//! Here each component owns its suspension: at most one task, spawned by
//! the render that first suspends and suspended on again by the renders
//! after it (dioxus counts it once), which ends when the query has a
//! result. It hears that through a reactive context, which queues a change
//! that happens before the task first runs, so none is missed; and it goes
//! with its component, leaving nothing behind in the query.

use dioxus::{
    core::{ReactiveContext, SuspendedFuture, Task},
    prelude::*,
};
use dioxus_query::prelude::*;
use futures_util::StreamExt;

/// A component's one suspension. Get it with [`use_suspension`].
#[derive(Clone, Copy)]
pub struct Suspension(CopyValue<Option<Task>>);

/// The calling component's suspension. This is a hook.
pub fn use_suspension() -> Suspension {
    Suspension(use_hook(|| CopyValue::new(None::<Task>)))
}

/// The query's result if it has one: settled, or loading again after one.
/// Reading it subscribes the caller.
pub fn result<Q: QueryCapability>(query: &UseQuery<Q>) -> Option<Result<Q::Ok, Q::Err>>
where
    Q::Ok: Clone,
    Q::Err: Clone,
{
    match &*query.read().state() {
        QueryStateData::Settled { res, .. } | QueryStateData::Loading { res: Some(res) } => {
            Some(res.clone())
        }
        QueryStateData::Pending | QueryStateData::Loading { res: None } => None,
    }
}

impl Suspension {
    /// The query's result, or `Err(Suspended)` until it has one. Reading it
    /// subscribes the calling component, as `UseQuery::read` does.
    pub fn until_settled<Q: QueryCapability>(
        self,
        query: UseQuery<Q>,
    ) -> Result<Result<Q::Ok, Q::Err>, RenderError>
    where
        Q::Ok: Clone,
        Q::Err: Clone,
    {
        let Suspension(mut waiting) = self;
        if let Some(res) = result(&query) {
            // Normally the task ended already; it is cleared as it ends,
            // so an id found here is always a live task's, never one
            // dioxus may have given to another.
            if let Some(task) = waiting.write_unchecked().take() {
                task.cancel();
            }
            return Ok(res);
        }
        let live = *waiting.peek();
        let task = match live {
            Some(task) => task,
            None => {
                let task = spawn(async move {
                    let (context, mut changed) = ReactiveContext::new();
                    loop {
                        // Checked and subscribed in one step: a change
                        // after it is queued on `changed`.
                        if context.reset_and_run_in(|| result(&query).is_some()) {
                            break;
                        }
                        if changed.next().await.is_none() {
                            break;
                        }
                    }
                    waiting.set(None);
                });
                waiting.set(Some(task));
                task
            }
        };
        Err(RenderError::Suspended(SuspendedFuture::new(task)))
    }
}

/// The query's result; before it has one, the seed's value (painted in
/// this same render); without either, suspends (on the component's own
/// `suspension`, a hook taken on every render) until it settles.
pub fn seeded_or_settled<Q: QueryCapability>(
    query: UseQuery<Q>,
    seeded: Option<Q::Ok>,
    suspension: Suspension,
) -> Result<Result<Q::Ok, Q::Err>, RenderError>
where
    Q::Ok: Clone,
    Q::Err: Clone,
{
    if let Some(res) = result(&query) {
        return Ok(res);
    }
    match seeded {
        Some(value) => Ok(Ok(value)),
        None => suspension.until_settled(query),
    }
}
