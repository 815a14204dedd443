//! The profile view's pagination and title, a live update pushed after a
//! background revalidation, and mark-as-read, in the real webview.

use anyhow::Result;
use larder_e2e::Harness;
use larder_protocol::Username;
use serde_json::json;

/// The ids of the notifications with a "Mark as read" button.
#[tokio::test]
async fn the_profile_loads_more_posts_and_names_the_window() -> Result<()> {
    let api = mock_api::testing::start_instant().await?;
    let app = Harness::launch(&[("LARDER_API_URL", &api.url())]).await?;
    app.sign_in("kate").await?;
    app.by_test_id("nav-profile").await?.click().await?;
    assert_eq!(app.by_test_id("profile-name").await?.text().await?, "kate");
    app.wait_until("the first page of posts", || async {
        Ok(app.count_test_id("post").await? == 10)
    })
    .await?;
    app.wait_until("the followers", || async {
        Ok(app.count_test_id("follower").await? > 0)
    })
    .await?;
    app.wait_until("the title", || async {
        Ok(app.client.title().await? == "kate · Larder")
    })
    .await?;

    app.by_test_id("load-more").await?.click().await?;
    app.wait_until("the second page", || async {
        Ok(app.count_test_id("post").await? == 20)
    })
    .await?;
    app.close().await
}

#[tokio::test]
async fn a_revalidation_pushes_new_data_into_the_widget() -> Result<()> {
    let api = mock_api::testing::start_instant().await?;
    let app = Harness::signed_in(&api, "liam").await?;
    let unread = app.unread_notifications().await?;
    assert!(
        unread.len() >= 2,
        "the test needs two unread notifications: {unread:?}"
    );

    // Upstream, the first becomes read behind the app's back; every cached
    // value is stale from now on, so the next read revalidates in the
    // background, and the changed widget is pushed to the window.
    let user = mock_api::data::user_for(&Username::parse("liam")?);
    api.state().mark_read(&user.id, &unread[0]);
    app.invoke("save_settings", json!({ "settings": { "staleSecs": 0 } }))
        .await?;
    app.invoke("prewarm", json!({})).await?;
    let pushed = format!("mark-read-{}", unread[0]);
    app.wait_until("the pushed update to show it read", || async {
        Ok(!app.has_test_id(&pushed).await?)
    })
    .await?;

    // Mark as read from the widget itself.
    let button = format!("mark-read-{}", unread[1]);
    app.by_test_id(&button).await?.click().await?;
    app.wait_until("it to be read", || async {
        Ok(!app.has_test_id(&button).await?)
    })
    .await?;
    app.close().await
}
