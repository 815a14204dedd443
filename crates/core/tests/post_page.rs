//! A post's page against the real mock API: each part is asked for once
//! its input is known and read through the cache, so a cold page asks once
//! per key and a warm one nothing; warming a page ahead of time fetches
//! every part, dependents included; a failing part fails alone; bad ids are
//! refused before anything is sent; and what is on screen grows with what
//! the cache learns of the post.

use std::{collections::BTreeMap, sync::Arc};

use futures_util::future::join;
use larder_core::{CoreError, Larder};
use larder_protocol::{test_controls::FaultKind, Freshness, ScreenReport, ScreenView, Source};
use mock_api::{testing::Controls, RunningServer};

mod common;
use common::{eventually, Machine, ManualClock};

const NOW: u64 = 1_800_000_000_000;

async fn signed_in() -> (RunningServer, Larder, String, tempfile::TempDir) {
    let api = common::quick_api().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let larder =
        Machine::with_keychain().larder(&api.url(), dir.path(), Arc::new(ManualClock::at(NOW)));
    let user = larder.sign_in("alice").await.expect("signs in").user.id;
    common::prewarmed(&larder).await;
    (api, larder, user, dir)
}

/// The post page's requests so far, by route, without the user's id.
fn page_requests(api: &RunningServer) -> BTreeMap<String, u64> {
    Controls::of(api)
        .stats()
        .by_route
        .into_iter()
        .filter(|(route, _)| route.starts_with("GET /posts") || route.starts_with("GET /users/"))
        .collect()
}

/// Reads post `id`'s whole page as the UI does: the post and its comments
/// at once, then its author and related posts, then their authors.
async fn read_page(larder: &Larder, id: &str) -> Vec<Source> {
    let (post, comments) = join(larder.get_post(id), larder.get_comments(id, 1)).await;
    let post = post.expect("the post");
    let (author, related) = join(
        larder.get_profile(&post.data.author_id),
        larder.get_related(&post.data.tag, &post.data.id),
    )
    .await;
    let related = related.expect("related posts");
    let mut sources = vec![post.source, comments.expect("comments").source];
    sources.push(author.expect("the author").source);
    sources.push(related.source);
    for other in &related.data.items {
        let author = larder
            .get_profile(&other.author_id)
            .await
            .expect("their author");
        sources.push(author.source);
    }
    sources
}

#[tokio::test]
async fn a_cold_page_asks_once_per_part_and_a_warm_one_nothing() {
    let (api, larder, user, _dir) = signed_in().await;
    let id = format!("{user}-p1");
    Controls::of(&api).reset();
    let nothing = larder.cached_post_page(&id).expect("a valid id");
    assert_eq!(
        nothing,
        larder_protocol::PostPage::default(),
        "nothing cached yet"
    );
    let cold = read_page(&larder, &id).await;
    assert!(
        cold.iter().take(4).all(|s| *s == Source::Network),
        "{cold:?}"
    );
    let requests = page_requests(&api);
    assert!(
        requests.values().all(|n| *n == 1),
        "one request per key: {requests:?}"
    );
    assert_eq!(requests[&format!("GET /posts/{id}")], 1);
    assert_eq!(requests[&format!("GET /posts/{id}/comments")], 1);
    assert_eq!(requests["GET /posts"], 1, "the related posts");

    let warm = read_page(&larder, &id).await;
    assert!(warm.iter().all(|s| *s == Source::Cache), "{warm:?}");
    assert_eq!(page_requests(&api), requests, "nothing more, warm");

    // What a warm view hydrates from, in one read that sends nothing.
    let cached = larder.cached_post_page(&id).expect("a valid id");
    let related = cached
        .related
        .as_ref()
        .expect("related posts")
        .data
        .items
        .clone();
    assert_eq!(
        cached.post.as_ref().map(|p| p.data.id.as_str()),
        Some(id.as_str())
    );
    assert!(cached.comments.is_some() && cached.author.is_some());
    for other in &related {
        assert!(
            cached
                .related_authors
                .iter()
                .any(|a| a.data.id == other.author_id),
            "{}'s author",
            other.id
        );
    }
    assert_eq!(page_requests(&api), requests, "nothing sent for it");
    assert!(matches!(
        larder.cached_post_page("../x"),
        Err(CoreError::InvalidPostId(_))
    ));
}

#[tokio::test]
async fn warming_a_page_ahead_fetches_every_part_so_opening_it_sends_nothing() {
    let (api, larder, user, _dir) = signed_in().await;
    let id = format!("{user}-p2");
    Controls::of(&api).reset();
    larder.prewarm_post(&id).expect("starts");
    // The post, its comments, author and related posts, and theirs.
    eventually("the page to be warm", || async {
        let requests = page_requests(&api);
        requests.contains_key("GET /posts") && requests.len() >= 5 && larder.post_page_ready(&id)
    })
    .await;
    let before = page_requests(&api);
    let sources = read_page(&larder, &id).await;
    assert!(sources.iter().all(|s| *s == Source::Cache), "{sources:?}");
    assert_eq!(page_requests(&api), before);
    assert!(matches!(
        larder.prewarm_post("../etc"),
        Err(CoreError::InvalidPostId(_))
    ));
}

#[tokio::test]
async fn a_failing_part_fails_alone_and_a_retry_recovers_it() {
    let (api, larder, user, _dir) = signed_in().await;
    let id = format!("{user}-p1");
    Controls::of(&api).resource_fault(
        larder_protocol::test_controls::FaultResource::Comments,
        FaultKind::Status {
            status: 503,
            retry_after_secs: None,
        },
        None,
    );
    let post = larder.get_post(&id).await.expect("the post");
    assert!(matches!(
        larder.get_comments(&id, 1).await,
        Err(CoreError::UpstreamStatus { status: 503, .. })
    ));
    larder
        .get_related(&post.data.tag, &id)
        .await
        .expect("related posts do not depend on comments");
    larder
        .get_profile(&post.data.author_id)
        .await
        .expect("nor the author");
    Controls::of(&api).clear_faults();
    let comments = larder.get_comments(&id, 1).await.expect("Retry");
    assert_eq!(comments.state, Freshness::Fresh);
}

#[tokio::test]
async fn bad_ids_and_tags_are_refused_before_anything_is_sent() {
    let (api, larder, _user, _dir) = signed_in().await;
    Controls::of(&api).reset();
    for bad in ["", "../x", "a b", "é", &"p".repeat(65)] {
        assert!(
            matches!(larder.get_post(bad).await, Err(CoreError::InvalidPostId(_))),
            "{bad:?}"
        );
        assert!(matches!(
            larder.get_comments(bad, 1).await,
            Err(CoreError::InvalidPostId(_))
        ));
        assert!(matches!(
            larder.get_related(bad, "u_1-p1").await,
            Err(CoreError::InvalidTag(_))
        ));
    }
    assert!(matches!(
        larder.get_comments("u_1-p1", 0).await,
        Err(CoreError::InvalidPage(0))
    ));
    assert_eq!(Controls::of(&api).stats().total, 0);
}

#[tokio::test]
async fn what_is_on_screen_grows_with_what_the_cache_knows_of_the_post() {
    let (_api, larder, user, _dir) = signed_in().await;
    let id = format!("{user}-p3");
    let report = ScreenReport {
        visible: true,
        focused: true,
        view: ScreenView::Post {
            post_id: id.clone(),
        },
    };
    larder
        .report_screen("main", report)
        .expect("a valid report");
    let keys = |larder: &Larder| {
        larder
            .screen()
            .items
            .iter()
            .map(|r| r.key())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys(&larder),
        [format!("post:{id}"), format!("comments:{id}:1")]
    );
    let post = larder.get_post(&id).await.expect("the post").data;
    let related = larder
        .get_related(&post.tag, &id)
        .await
        .expect("related")
        .data;
    let shown = keys(&larder);
    assert!(
        shown.contains(&format!("profile:{user}")),
        "the author: {shown:?}"
    );
    assert!(
        shown.contains(&format!("related:{}:{id}", post.tag)),
        "{shown:?}"
    );
    for other in related.items {
        assert!(
            shown.contains(&format!("profile:{}", other.author_id)),
            "{shown:?}"
        );
    }
    let bad = ScreenReport {
        visible: true,
        focused: true,
        view: ScreenView::Post {
            post_id: "../x".into(),
        },
    };
    assert!(matches!(
        larder.report_screen("main", bad),
        Err(CoreError::InvalidPostId(_))
    ));
}
