//! The outbox against the real mock API (behind a link that can be cut, for
//! offline): changes made offline wait and are applied exactly once when
//! the API is back (counted with the test controls), a dropped answer is
//! retried under the same key, 409 and 422 are handled as the
//! Idempotency-Key draft says, the order holds over 100 changes, a final
//! 4xx rolls the change back and says why, a 5xx keeps it, a 401 keeps it
//! for the same user's next sign-in, sign-out discards what waits, and an
//! unknown notification is refused with nothing queued.

use std::time::Duration;

use larder_core::CoreError;
use larder_protocol::{test_controls::FaultKind, WidgetData, WidgetEnvelope, WidgetId};
use mock_api::idempotency::fingerprint;

mod common;
use common::signed_in::fixture;

#[tokio::test]
async fn an_offline_change_waits_and_is_applied_once_when_the_api_is_back() {
    let f = fixture("ada").await;
    f.go_offline().await;
    let mut announced = f.larder.outbox_changes();
    let shown = f.larder.mark_notification_read("n2").await.expect("kept");
    assert_eq!(shown.pending, ["n2"]);
    assert_eq!(
        announced.borrow().value.changes.len(),
        1,
        "the window is told"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        f.larder.outbox().expect("outbox").changes.len(),
        1,
        "still waiting"
    );
    assert_eq!(f.stats().applied(&f.user), 0);

    f.link.set_cut(false);
    f.outbox_len_becomes(0).await;
    tokio::time::timeout(
        Duration::from_secs(10),
        announced.wait_for(|outbox| outbox.value.changes.is_empty()),
    )
    .await
    .expect("the window is told it was sent")
    .expect("announcements go on");
    assert_eq!(f.stats().applied(&f.user), 1, "applied once");
    assert!(f.notification_read_upstream("n2").await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(f.stats().applied(&f.user), 1, "and only once");
}

#[tokio::test]
async fn a_dropped_answer_is_retried_with_the_same_key_and_applied_once() {
    let f = fixture("bea").await;
    f.fault(FaultKind::DropAfterCommit, 1);
    f.larder.mark_notification_read("n1").await.expect("kept");
    f.outbox_len_becomes(0).await;
    let stats = f.stats();
    let route = "POST /api/widgets/4/notifications/n1/read";
    assert_eq!(stats.count(&f.user, route), 2, "sent twice");
    assert_eq!(stats.applied(&f.user), 1, "applied once");
}

#[tokio::test]
async fn a_key_still_in_flight_waits_and_a_reused_key_is_refused() {
    let f = fixture("cy").await;
    f.go_offline().await;
    f.larder.mark_notification_read("n1").await.expect("kept");
    let waiting = f.larder.outbox().expect("outbox").changes[0].clone();
    // The API is still processing this key (409): the change waits.
    let path = "/api/widgets/4/notifications/n1/read";
    let state = f.api.state();
    state
        .idempotency()
        .begin(&f.user, &waiting.id, fingerprint("POST", path, b""))
        .expect("fresh");
    f.link.set_cut(false);
    for _ in 0..200 {
        if f.larder.outbox().expect("outbox").changes[0]
            .last_error
            .is_some()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let tried = f.larder.outbox().expect("outbox").changes[0].clone();
    assert!(
        tried
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("409")),
        "{tried:?}"
    );
    // Once the API has answered it, the retry gets that answer.
    state
        .idempotency()
        .finish(&f.user, &waiting.id, 204, Vec::new());
    f.outbox_len_becomes(0).await;
    assert_eq!(f.stats().applied(&f.user), 0, "the API applied it itself");

    // A key the API saw for another request: 422, final, rolled back.
    let mut refused = f.larder.refused_changes();
    f.go_offline().await;
    f.larder.mark_notification_read("n3").await.expect("kept");
    let waiting = f.larder.outbox().expect("outbox").changes[0].clone();
    let other = fingerprint("POST", "/api/widgets/4/notifications/n5/read", b"");
    state
        .idempotency()
        .begin(&f.user, &waiting.id, other)
        .expect("fresh");
    state
        .idempotency()
        .finish(&f.user, &waiting.id, 204, Vec::new());
    f.link.set_cut(false);
    let refusal = tokio::time::timeout(Duration::from_secs(10), refused.recv())
        .await
        .expect("refused in time")
        .expect("open");
    assert_eq!(refusal.value.change.id, waiting.id);
    assert!(
        refusal.value.reason.contains("422"),
        "{}",
        refusal.value.reason
    );
    f.outbox_len_becomes(0).await;
}

#[tokio::test]
async fn a_hundred_changes_are_applied_once_each_in_order() {
    let f = fixture("dov").await;
    f.go_offline().await;
    let mut expected = Vec::new();
    for i in 0..100 {
        let id = format!("n{}", i % 5 + 1);
        f.larder.mark_notification_read(&id).await.expect("kept");
        expected.push(id);
    }
    let keys: Vec<String> = f
        .larder
        .outbox()
        .expect("outbox")
        .changes
        .iter()
        .map(|c| c.id.clone())
        .collect();
    assert_eq!(keys.len(), 100);
    f.link.set_cut(false);
    f.outbox_len_becomes(0).await;
    let log = f.stats().applied_log.remove(&f.user).unwrap_or_default();
    let applied: Vec<(String, String)> = log
        .iter()
        .map(|entry| {
            let (id, key) = entry.split_once(' ').expect("id and key");
            (id.to_owned(), key.to_owned())
        })
        .collect();
    assert_eq!(
        applied.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
        expected,
        "in the order made"
    );
    assert_eq!(
        applied
            .iter()
            .map(|(_, key)| key.clone())
            .collect::<Vec<_>>(),
        keys,
        "each under its own key, once"
    );
}

#[tokio::test]
async fn a_5xx_keeps_the_change_until_it_is_discarded() {
    let f = fixture("eli").await;
    // A 503 keeps it, with the attempt recorded.
    f.fault(FaultKind::RefuseChange { status: 503 }, 10);
    f.larder.mark_notification_read("n4").await.expect("kept");
    for _ in 0..200 {
        let outbox = f.larder.outbox().expect("outbox");
        if outbox
            .changes
            .first()
            .is_some_and(|c| c.last_error.is_some())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let kept = f.larder.outbox().expect("outbox").changes[0].clone();
    assert!(kept.last_error.is_some(), "{kept:?}");
    let discarded = f.larder.discard_change(&kept.id).expect("discarded");
    assert!(discarded.outbox.changes.is_empty());
    assert!(
        discarded.may_still_arrive,
        "tried once already, so the API may have it"
    );
    assert!(matches!(
        f.larder.discard_change(&kept.id),
        Err(CoreError::UnknownChange(_))
    ));
}

#[tokio::test]
async fn a_final_refusal_rolls_the_change_back_and_says_why() {
    let f = fixture("eve").await;
    let widget = || async {
        f.larder
            .get_widget(WidgetId::NOTIFICATIONS)
            .await
            .expect("widget 4")
    };
    let target = unread(&widget().await).expect("an unread notification");
    // A 403 is final: rolled back in the cached widget, and reported.
    let mut refused = f.larder.refused_changes();
    let mut updates = f.larder.cache_updates();
    f.fault(FaultKind::RefuseChange { status: 403 }, 1);
    let shown = f
        .larder
        .mark_notification_read(&target)
        .await
        .expect("kept");
    assert_eq!(shown.pending, std::slice::from_ref(&target));
    assert_eq!(
        read_state(&shown, &target),
        Some(true),
        "shown read at once"
    );
    let refusal = tokio::time::timeout(Duration::from_secs(10), refused.recv())
        .await
        .expect("refused in time")
        .expect("open");
    assert!(
        refusal.value.reason.contains("403"),
        "{}",
        refusal.value.reason
    );
    // The window is sent the rolled-back widget without asking for it.
    let announced = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let update = updates.recv().await.expect("open");
            if update.key == "widget:4" {
                return update;
            }
        }
    })
    .await
    .expect("widget 4 announced after the refusal");
    assert_eq!(announced.user_id, f.user);
    f.outbox_len_becomes(0).await;
    let after = widget().await;
    assert!(after.pending.is_empty(), "no longer shown as waiting");
    assert_eq!(
        read_state(&after, &target),
        Some(false),
        "rolled back: unread again"
    );
    assert_eq!(f.stats().applied(&f.user), 0);
}

#[tokio::test]
async fn an_acknowledged_change_gives_way_to_newer_data() {
    let f = fixture("fay").await;
    let widget = f
        .larder
        .get_widget(WidgetId::NOTIFICATIONS)
        .await
        .expect("widget 4");
    let target = unread(&widget).expect("an unread notification");
    f.larder
        .mark_notification_read(&target)
        .await
        .expect("kept");
    f.outbox_len_becomes(0).await;
    assert!(f.notification_read_upstream(&target).await, "applied");
    // Later another device marks it unread: data fetched after the
    // acknowledgement is what shows, not the acknowledgement.
    f.unread_upstream(&target);
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert!(
        !f.notification_read_upstream(&target).await,
        "unread again, as the API says"
    );
}

/// The first unread notification of widget 4's `envelope`.
fn unread(envelope: &WidgetEnvelope) -> Option<String> {
    match &envelope.data.data {
        WidgetData::Notifications(center) => center
            .notifications
            .iter()
            .find(|n| !n.read)
            .map(|n| n.id.clone()),
        _ => None,
    }
}

/// Whether notification `id` of widget 4's `envelope` is read.
fn read_state(envelope: &WidgetEnvelope, id: &str) -> Option<bool> {
    match &envelope.data.data {
        WidgetData::Notifications(center) => center
            .notifications
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.read),
        _ => None,
    }
}

#[tokio::test]
async fn a_rejected_session_keeps_the_change_for_the_same_users_next_sign_in() {
    let f = fixture("fen").await;
    f.go_offline().await;
    f.larder.mark_notification_read("n1").await.expect("kept");
    // The API forgets every session: the next request gets a 401.
    f.api.state().clear_sessions();
    f.link.set_cut(false);
    for _ in 0..200 {
        if f.larder.session().is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(f.larder.session().is_none(), "the session ended");
    assert_eq!(f.stats().applied(&f.user), 0);
    f.larder.sign_in("fen").await.expect("signed in again");
    f.outbox_len_becomes(0).await;
    assert_eq!(f.stats().applied(&f.user), 1);
}

#[tokio::test]
async fn signing_out_discards_what_waits_and_unknown_notifications_are_refused() {
    let f = fixture("gus").await;
    assert!(matches!(
        f.larder.mark_notification_read("n9").await,
        Err(CoreError::InvalidNotificationId(_))
    ));
    assert!(
        f.larder.outbox().expect("outbox").changes.is_empty(),
        "nothing queued"
    );
    f.go_offline().await;
    f.larder.mark_notification_read("n1").await.expect("kept");
    f.larder.mark_notification_read("n2").await.expect("kept");
    assert_eq!(f.larder.sign_out().await, 2, "both discarded");
    f.link.set_cut(false);
    f.larder.sign_in("gus").await.expect("signed in again");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(f.larder.outbox().expect("outbox").changes.is_empty());
    assert_eq!(f.stats().applied(&f.user), 0, "never sent");
}
