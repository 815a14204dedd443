//! Snapshot, then what came after: the backend's pushed events are
//! subscribed before the first payload (`bootstrap`) is asked for, and
//! kept until the stores that apply them exist, so no update sent between
//! the snapshot and the subscription is missed. This matters most in a
//! window opened while the others are busy (a revalidation or a change
//! made elsewhere arrives while it loads).
//!
//! Each event goes to one [`Audience`]: the global store (session,
//! connectivity, prewarm) or the signed-in layout's (widgets, role
//! widgets, the outbox, refused changes). While an audience is not
//! attached (before the first, between a layout and the next after a
//! switch of account) its events wait, in order, the newest
//! [`KEPT_AT_MOST`]; attaching replays them. The layout's events each name
//! their account ([`ForUser`]), and a layout applies only its own
//! account's: a new account's layout starts from its own snapshot and
//! what came after for it, never from what another account's was told.

use std::{cell::RefCell, future::Future, pin::Pin, rc::Rc};

use larder_protocol::{
    events::{self, ForUser, PrewarmProgress},
    Connectivity, Outbox, RefusedChange, RoleEnvelope, Session, WidgetEnvelope,
};

/// The most events kept for an audience not attached; older ones go
/// first (a layout's snapshot is newer than them anyway).
const KEPT_AT_MOST: usize = 256;
use serde::de::DeserializeOwned;

use super::events::{listen, Subscription};

/// An event from the backend, decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Pushed {
    Session(Option<Session>),
    Connectivity(Connectivity),
    Prewarm(PrewarmProgress),
    Widget(ForUser<WidgetEnvelope>),
    RoleWidget(ForUser<RoleEnvelope>),
    Outbox(ForUser<Outbox>),
    Refused(ForUser<RefusedChange>),
}

/// Who applies an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The global store, provided once the first payload has arrived.
    Global,
    /// The signed-in layout's store, provided by the shell.
    Layout,
}

impl Pushed {
    fn audience(&self) -> Audience {
        match self {
            Self::Session(_) | Self::Connectivity(_) | Self::Prewarm(_) => Audience::Global,
            _ => Audience::Layout,
        }
    }

    /// The account a layout's event belongs to; `None` for the global
    /// store's.
    pub fn user(&self) -> Option<&str> {
        match self {
            Self::Widget(pushed) => Some(&pushed.user),
            Self::RoleWidget(pushed) => Some(&pushed.user),
            Self::Outbox(pushed) => Some(&pushed.user),
            Self::Refused(pushed) => Some(&pushed.user),
            _ => None,
        }
    }
}

type Handler = Rc<RefCell<dyn FnMut(Pushed)>>;

/// Where an audience's events go now.
enum Sink {
    /// Not attached: kept, in order.
    Waiting(Vec<Pushed>),
    Attached {
        handler: Handler,
        generation: u64,
    },
}

struct Feed {
    started: bool,
    subscriptions: Vec<Subscription>,
    global: Sink,
    layout: Sink,
    generation: u64,
}

impl Feed {
    fn sink(&mut self, audience: Audience) -> &mut Sink {
        match audience {
            Audience::Global => &mut self.global,
            Audience::Layout => &mut self.layout,
        }
    }
}

thread_local! {
    static FEED: RefCell<Feed> = const {
        RefCell::new(Feed {
            started: false,
            subscriptions: Vec::new(),
            global: Sink::Waiting(Vec::new()),
            layout: Sink::Waiting(Vec::new()),
            generation: 0,
        })
    };
}

type Subscribing = Pin<Box<dyn Future<Output = Option<Subscription>>>>;

fn subscribe<T: DeserializeOwned + 'static>(
    event: &'static str,
    wrap: fn(T) -> Pushed,
) -> Subscribing {
    Box::pin(listen(event, move |payload: T| deliver(wrap(payload))))
}

/// Subscribes to every pushed event, once per page; later calls return at
/// once. Await it before asking for the snapshot.
pub async fn start() {
    if FEED.with(|feed| std::mem::replace(&mut feed.borrow_mut().started, true)) {
        return;
    }
    let subscribing: Vec<Subscribing> = vec![
        subscribe(events::SESSION_CHANGED, Pushed::Session),
        subscribe(events::CONNECTIVITY_CHANGED, Pushed::Connectivity),
        subscribe(events::PREWARM_PROGRESS, Pushed::Prewarm),
        subscribe(events::WIDGET_UPDATED, Pushed::Widget),
        subscribe(events::ROLE_WIDGET_UPDATED, Pushed::RoleWidget),
        subscribe(events::OUTBOX_CHANGED, Pushed::Outbox),
        subscribe(events::CHANGE_REFUSED, Pushed::Refused),
    ];
    let subscriptions = futures_util::future::join_all(subscribing).await;
    FEED.with(|feed| {
        feed.borrow_mut()
            .subscriptions
            .extend(subscriptions.into_iter().flatten())
    });
}

/// Hands `pushed` to its audience, or keeps it for it.
fn deliver(pushed: Pushed) {
    let handler = FEED.with(|feed| {
        let mut feed = feed.borrow_mut();
        match feed.sink(pushed.audience()) {
            Sink::Waiting(kept) => {
                if kept.len() == KEPT_AT_MOST {
                    kept.remove(0);
                }
                kept.push(pushed.clone());
                None
            }
            Sink::Attached { handler, .. } => Some(handler.clone()),
        }
    });
    // Called with the feed released: the handler may attach or detach.
    if let Some(handler) = handler {
        (handler.borrow_mut())(pushed);
    }
}

/// `audience`'s events go to `on_pushed` from now on, starting with those
/// kept for it, until the returned guard is dropped.
pub fn attach(audience: Audience, on_pushed: impl FnMut(Pushed) + 'static) -> Attachment {
    let handler: Handler = Rc::new(RefCell::new(on_pushed));
    let (kept, generation) = FEED.with(|feed| {
        let mut feed = feed.borrow_mut();
        feed.generation += 1;
        let generation = feed.generation;
        let previous = std::mem::replace(
            feed.sink(audience),
            Sink::Attached {
                handler: handler.clone(),
                generation,
            },
        );
        match previous {
            Sink::Waiting(kept) => (kept, generation),
            _ => (Vec::new(), generation),
        }
    });
    for pushed in kept {
        (handler.borrow_mut())(pushed);
    }
    Attachment {
        audience,
        generation,
    }
}

/// An attached audience; dropping it detaches it.
pub struct Attachment {
    audience: Audience,
    generation: u64,
}

impl Drop for Attachment {
    fn drop(&mut self) {
        FEED.with(|feed| {
            let mut feed = feed.borrow_mut();
            let sink = feed.sink(self.audience);
            // A newer attachment (a remounted view) keeps its place.
            if matches!(sink, Sink::Attached { generation, .. } if *generation == self.generation) {
                *sink = Sink::Waiting(Vec::new());
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn online() -> Pushed {
        Pushed::Connectivity(Connectivity::Online)
    }

    fn offline() -> Pushed {
        Pushed::Connectivity(Connectivity::Offline)
    }

    #[test]
    fn what_came_before_attaching_is_replayed_in_order_then_delivered_live() {
        deliver(offline());
        deliver(online());
        deliver(Pushed::Outbox(ForUser::new("u1", Outbox::default())));
        let seen = Rc::new(RefCell::new(Vec::new()));
        let global = {
            let seen = seen.clone();
            attach(Audience::Global, move |pushed| {
                seen.borrow_mut().push(pushed)
            })
        };
        assert_eq!(
            *seen.borrow(),
            vec![offline(), online()],
            "kept, in order; the layout's not"
        );
        deliver(offline());
        assert_eq!(seen.borrow().len(), 3, "live");

        // Detached: kept for the next attachment (after a switch of
        // account, the next layout), not told to the old one.
        drop(global);
        deliver(online());
        let later = Rc::new(RefCell::new(Vec::new()));
        let _global = {
            let later = later.clone();
            attach(Audience::Global, move |pushed| {
                later.borrow_mut().push(pushed)
            })
        };
        assert_eq!(*later.borrow(), vec![online()]);
        deliver(offline());
        assert_eq!(*later.borrow(), vec![online(), offline()]);
        assert_eq!(seen.borrow().len(), 3, "the old one hears nothing more");
    }

    #[test]
    fn an_audience_not_attached_keeps_only_the_newest() {
        let outbox = |n: usize| Pushed::Outbox(ForUser::new(format!("u{n}"), Outbox::default()));
        for n in 0..KEPT_AT_MOST + 10 {
            deliver(outbox(n));
        }
        let seen = Rc::new(RefCell::new(Vec::new()));
        let _layout = {
            let seen = seen.clone();
            attach(Audience::Layout, move |pushed| {
                seen.borrow_mut().push(pushed)
            })
        };
        let seen = seen.borrow();
        assert_eq!(seen.len(), KEPT_AT_MOST);
        assert_eq!(seen.first(), Some(&outbox(10)));
        assert_eq!(seen.last(), Some(&outbox(KEPT_AT_MOST + 9)));
        assert_eq!(seen[0].user(), Some("u10"));
    }

    #[test]
    fn an_old_attachment_dropped_late_leaves_the_new_one_in_place() {
        let seen = Rc::new(RefCell::new(0));
        let old = attach(Audience::Layout, |_| {});
        let _new = {
            let seen = seen.clone();
            attach(Audience::Layout, move |_| *seen.borrow_mut() += 1)
        };
        drop(old);
        deliver(Pushed::Outbox(ForUser::new("u1", Outbox::default())));
        assert_eq!(*seen.borrow(), 1);
    }
}
