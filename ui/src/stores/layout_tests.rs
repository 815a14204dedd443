//! The layout store's granularity, proven with render counts of the real
//! components: a new value for one widget re-renders that widget's slot
//! only, and the derived values (unread, tasks due) re-render their
//! readers only when they change; a seed is taken only by a layout of its
//! own account.

use std::cell::Cell;

use dioxus::prelude::*;
use larder_protocol::{
    widgets::NotificationCenter, Bootstrap, Connectivity, Envelope, Freshness, Outbox, Session,
    Settings, Source, Username, WidgetData, WidgetEnvelope, WidgetId,
};

use super::{tasks_due_of, unread_of, LayoutSeed, LayoutStore};
use crate::{
    render_count,
    stores::{DashboardStore, GlobalStore},
    views::shell::{TasksDue, UnreadCount},
    widgets::WidgetSlot,
};

const NOW: u64 = 1_800_000_000_000;

thread_local! {
    /// The store the test shell provided, for the test to change.
    static LAYOUT: Cell<Option<LayoutStore>> = const { Cell::new(None) };
}

fn envelope(id: WidgetId, fetched_at: u64) -> WidgetEnvelope {
    let user = mock_api::data::user_for(&Username::parse("alice").expect("valid"));
    Envelope {
        data: mock_api::data::widget_response(&user, id, NOW),
        fetched_at,
        state: Freshness::Fresh,
        source: Source::Cache,
        error: None,
        pending: Vec::new(),
    }
}

fn root() -> Element {
    let boot = alices_boot();
    GlobalStore::provide(&boot);
    LayoutSeed::provide(&boot);
    rsx! { TestShell {} }
}

/// Alice's first payload: her five widgets cached.
fn alices_boot() -> Bootstrap {
    let user = mock_api::data::user_for(&Username::parse("alice").expect("valid"));
    Bootstrap {
        session: Some(Session::alone(user)),
        locked: None,
        api_url: "http://127.0.0.1:4000".into(),
        embedded_api: true,
        config: mock_api::routes::config::app_config(),
        settings: Settings::default(),
        connectivity: Connectivity::Online,
        prewarm: Default::default(),
        widgets: WidgetId::ALL.map(|id| envelope(id, NOW)).to_vec(),
        role_widgets: Vec::new(),
        outbox: Outbox::default(),
        post_page: None,
        profile_page: None,
        refused: Vec::new(),
        cache_rebuilt: None,
        refused_settings: Vec::new(),
    }
}

/// The signed-in layout's stores, the top bar's counts and the five slots.
#[component]
fn TestShell() -> Element {
    let user = crate::stores::use_global_store().viewer_id();
    let layout = LayoutStore::provide(&user);
    LAYOUT.with(|cell| cell.set(Some(layout)));
    DashboardStore::provide();
    rsx! {
        UnreadCount {}
        TasksDue {}
        for id in WidgetId::ALL {
            WidgetSlot { key: "{id}", id }
        }
    }
}

/// Widget 4's envelope with `change` made to its payload, fetched later.
fn notifications_changed(change: impl FnOnce(&mut NotificationCenter)) -> WidgetEnvelope {
    let mut next = envelope(WidgetId::NOTIFICATIONS, NOW + 60_000);
    if let WidgetData::Notifications(center) = &mut next.data.data {
        change(center);
    }
    next
}

/// Offers `envelope` to the store and renders what changed; returns the
/// renders it caused, by component.
fn renders_after(dom: &mut VirtualDom, envelope: WidgetEnvelope) -> Vec<(String, usize)> {
    let layout = LAYOUT.with(Cell::get).expect("the shell rendered");
    render_count::take();
    dom.in_runtime(|| layout.offer(envelope));
    dom.render_immediate(&mut dioxus::dioxus_core::NoOpMutations);
    let mut renders: Vec<_> = render_count::take().into_iter().collect();
    renders.sort();
    renders
}

#[test]
fn a_change_re_renders_only_the_components_that_read_it() {
    let mut dom = VirtualDom::new(root);
    dom.rebuild_in_place();
    // Let the slots' first query runs (answered by the hydration) settle.
    for _ in 0..3 {
        dom.render_immediate(&mut dioxus::dioxus_core::NoOpMutations);
    }
    let html = dioxus_ssr::render(&dom);
    let unread = |html: &str| html.contains(r#"data-testid="unread-count""#);
    assert!(
        unread(&html),
        "widget 4 always has an unread notification: {html}"
    );

    // Widget 2 changes: its slot re-renders, and nothing else.
    let renders = renders_after(
        &mut dom,
        envelope(WidgetId::new(2).expect("2"), NOW + 60_000),
    );
    let names: Vec<&str> = renders.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["content-2", "slot-2"], "{renders:?}");

    // Widget 4 changes but its unread notifications and due tasks do not:
    // the counts in the top bar stay as they are.
    let renders = renders_after(
        &mut dom,
        notifications_changed(|center| center.tasks[0].title.push_str(" (edited)")),
    );
    let names: Vec<&str> = renders.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        ["content-4", "notifications", "slot-4"],
        "{renders:?}"
    );

    // Every notification read: the unread count re-renders, and so does the
    // widget; no other slot and not the tasks due.
    let renders = renders_after(
        &mut dom,
        notifications_changed(|center| {
            center
                .notifications
                .iter_mut()
                .for_each(|note| note.read = true)
        }),
    );
    let names: Vec<&str> = renders.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        ["content-4", "notifications", "slot-4", "unread-count"],
        "{renders:?}"
    );
    assert!(!unread(&dioxus_ssr::render(&dom)), "none unread now");
}

#[test]
fn the_derived_values_follow_the_rules() {
    let mut center = match envelope(WidgetId::NOTIFICATIONS, NOW).data.data {
        WidgetData::Notifications(center) => center,
        _ => unreachable!("widget 4 holds notifications"),
    };
    center
        .notifications
        .iter_mut()
        .enumerate()
        .for_each(|(i, note)| note.read = i % 2 == 1);
    assert_eq!(unread_of(Some(&center)), ["n1", "n3", "n5"]);
    assert!(unread_of(None).is_empty());
    for (i, task) in center.tasks.iter_mut().enumerate() {
        task.due = ["2026-12-02", "2026-12-03", "2026-12-03", "2026-12-04"][i].into();
        task.done = i == 2;
    }
    // Overdue and due today, open: t1 and t2; t3 is done, t4 not yet due.
    assert_eq!(tasks_due_of(Some(&center), "2026-12-03"), 2);
    assert_eq!(tasks_due_of(None, "2026-12-03"), 0);
}

thread_local! {
    /// Whether the layout the test mounted started with widget 1.
    static SEEDED: Cell<Option<bool>> = const { Cell::new(None) };
}

/// A layout of `user`'s, noting whether it started from the seed.
#[component]
fn LayoutOf(user: String) -> Element {
    let layout = LayoutStore::provide(&user);
    SEEDED.with(|cell| cell.set(Some(layout.widget(WidgetId::ALL[0]).peek().is_some())));
    rsx! {}
}

#[test]
fn a_seed_is_taken_only_by_a_layout_of_its_account() {
    fn seeded(user: String) -> bool {
        let mut dom = VirtualDom::new_with_props(
            |props: LayoutOfProps| {
                let boot = alices_boot();
                GlobalStore::provide(&boot);
                LayoutSeed::provide(&boot);
                rsx! { LayoutOf { user: props.user } }
            },
            LayoutOfProps { user },
        );
        dom.rebuild_in_place();
        SEEDED.with(Cell::take).expect("the layout rendered")
    }
    let alice = mock_api::data::user_for(&Username::parse("alice").expect("valid"));
    assert!(seeded(alice.id), "alice's own");
    assert!(
        !seeded("u_bob".to_owned()),
        "another account's layout starts empty"
    );
}
