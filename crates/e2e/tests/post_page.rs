//! A post's page in the real webview, reached from the profile's posts:
//! the post, its comments, its author, the related posts and each one's
//! author, every part its own island. A part whose request never answers
//! holds back only what depends on it; a failing one recovers with its own
//! Retry; a warm open, after a restart, paints every part and sends
//! nothing; and offline, every part is read from the cache.

use anyhow::{Context, Result};
use larder_e2e::Harness;
use larder_protocol::test_controls::{FaultKind, FaultResource};
use mock_api::{testing::Controls, RunningServer};

/// The post page's requests so far (posts, comments, related, profiles).
fn page_requests(api: &RunningServer) -> u64 {
    Controls::of(api)
        .stats()
        .by_route
        .iter()
        .filter(|(route, _)| route.starts_with("GET /posts") || route.starts_with("GET /users/"))
        .map(|(_, n)| n)
        .sum()
}

/// Signed in as `name`, on the profile, then on the first post's page.
async fn open_first_post(app: &Harness, name: &str) -> Result<()> {
    app.sign_in(name).await?;
    app.wait_until("the dashboard", || app.all_ready(&[1, 2, 3, 4, 5]))
        .await?;
    open_first_post_again(app).await
}

async fn open_first_post_again(app: &Harness) -> Result<()> {
    // The whole profile first: a part that arrives later moves the posts,
    // and a click aimed at one would land elsewhere.
    app.open_own_profile(1).await?;
    // A DOM click, not a pointer one: the pointer's hover warms the page,
    // and a part failing in that warming raises the degraded banner, which
    // can move the link out from under a pointer click aimed at it.
    app.script("document.querySelector('[data-testid=post] [data-testid=post-link]').click()")
        .await?;
    app.by_test_id("post-view").await?;
    Ok(())
}

/// Whether every part of the page shows its data.
async fn whole_page(app: &Harness) -> Result<bool> {
    let related = app.count_test_id("related-post").await?;
    Ok(app.has_test_id("post-title").await?
        && app.has_test_id("post-author").await?
        && (app.count_test_id("comment").await? > 0 || app.has_test_id("no-comments").await?)
        && related > 0
        && app.count_test_id("related-author").await? == related)
}

#[tokio::test]
async fn the_page_is_built_part_by_part_and_a_warm_open_sends_nothing() -> Result<()> {
    let api = Harness::quick_api().await?;
    let app = Harness::launch(&[("LARDER_API_URL", &api.url())]).await?;
    open_first_post(&app, "pia").await?;
    app.wait_until("every part of the page", || whole_page(&app))
        .await?;
    let author = app.by_test_id("post-author").await?.text().await?;
    assert!(author.contains("pia"), "the post's author: {author}");

    // A restart: opening the same page again paints every part from the
    // cache and asks the API for none of them.
    let before = page_requests(&api);
    let app = app.relaunch(&[]).await?;
    app.wait_until("the dashboard", || app.all_ready(&[1, 2, 3, 4, 5]))
        .await?;
    open_first_post_again(&app).await?;
    app.wait_until("every part, warm", || whole_page(&app))
        .await?;
    assert_eq!(page_requests(&api), before, "a warm page sends nothing");

    // Offline, after another restart: every part is read from the cache.
    drop(api);
    let app = app.relaunch(&[]).await?;
    app.wait_until("the cached dashboard", || app.all_ready(&[1, 2, 3, 4, 5]))
        .await?;
    open_first_post_again(&app).await?;
    app.wait_until("every part, offline", || whole_page(&app))
        .await?;
    app.close().await
}

#[tokio::test]
async fn a_part_that_never_answers_holds_back_only_what_depends_on_it() -> Result<()> {
    let api = Harness::quick_api().await?;
    let controls = Controls::of(&api);
    controls.resource_fault(FaultResource::Related, FaultKind::Hang, None);
    controls.resource_fault(
        FaultResource::Comments,
        FaultKind::Status {
            status: 503,
            retry_after_secs: None,
        },
        None,
    );
    let app = Harness::launch(&[("LARDER_API_URL", &api.url())]).await?;
    open_first_post(&app, "quinn").await?;
    app.wait_until("the post and its author", || async {
        Ok(app.has_test_id("post-title").await? && app.has_test_id("post-author").await?)
    })
    .await?;
    // The comments failed on their own, with their own Retry.
    app.wait_until("the comments' error", || async {
        Ok(app.count_test_id("retry").await? == 1)
    })
    .await?;
    assert_eq!(app.count_test_id("related-post").await?, 0, "still loading");

    controls.clear_faults();
    app.click("[data-testid=retry]").await?;
    app.wait_until("the comments after Retry", || async {
        Ok(app.count_test_id("comment").await? > 0 || app.has_test_id("no-comments").await?)
    })
    .await?;
    let title = app.by_test_id("post-title").await?.text().await?;
    anyhow::ensure!(!title.is_empty(), "the post stays shown");
    app.close().await.context("closing")
}
