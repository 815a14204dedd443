//! The profile view, `/profile/:user_id`: the profile, the posts with "load
//! more", and the followers. The three parts fetch in parallel, each behind
//! its own error and suspense boundaries, so one failing or slow part holds
//! back no other. The window title follows the profile's name. Each post
//! links to its own page (warmed while the link is hovered).

use dioxus::prelude::*;
use dioxus_query::prelude::*;
use larder_protocol::{CommandError, FollowersEnvelope, PostsEnvelope, ProfileEnvelope};

use crate::{
    backend,
    stores::{use_global_store, use_profile_store, use_refresh_tick, ProfileStore},
    widgets::island::Island,
};

use crate::widgets::{suspension::use_suspension, UI_STALE_TIME};

/// The viewer, the profile's user and the refresh generation.
type ProfileKeys = (String, String, u32);

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FetchProfile;

impl QueryCapability for FetchProfile {
    type Ok = ProfileEnvelope;
    type Err = CommandError;
    type Keys = ProfileKeys;

    async fn run(&self, (_, user, _): &ProfileKeys) -> Result<ProfileEnvelope, CommandError> {
        backend::get_profile(user).await
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FetchPosts;

impl QueryCapability for FetchPosts {
    type Ok = PostsEnvelope;
    type Err = CommandError;
    /// As [`ProfileKeys`], plus the page.
    type Keys = (String, String, u32, u32);

    async fn run(&self, (_, user, _, page): &Self::Keys) -> Result<PostsEnvelope, CommandError> {
        backend::get_posts(user, *page).await
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FetchFollowers;

impl QueryCapability for FetchFollowers {
    type Ok = FollowersEnvelope;
    type Err = CommandError;
    type Keys = ProfileKeys;

    async fn run(&self, (_, user, _): &ProfileKeys) -> Result<FollowersEnvelope, CommandError> {
        backend::get_followers(user, 1).await
    }
}

#[component]
pub fn ProfileView(user_id: String) -> Element {
    let store = ProfileStore::provide();
    use_refresh_tick(move || {
        let mut generation = store.generation;
        generation += 1;
    });
    let pages = *store.post_pages.read();
    rsx! {
        main { class: "profile-view", "data-testid": "profile-view",
            Isolated { ProfileHeader { user_id: user_id.clone() } }
            div { class: "profile-columns",
                section { class: "panel",
                    h2 { "Posts" }
                    for page in 1..=pages {
                        Isolated { key: "{page}", PostsPage { user_id: user_id.clone(), page, last: page == pages } }
                    }
                }
                section { class: "panel",
                    h2 { "Followers" }
                    Isolated { Followers { user_id: user_id.clone() } }
                }
            }
        }
    }
}

/// An [`Island`] whose Retry refetches the view's parts.
#[component]
fn Isolated(children: Element) -> Element {
    let store = use_profile_store();
    rsx! {
        Island {
            on_retry: move |_| {
                let mut generation = store.generation;
                generation += 1;
            },
            {children}
        }
    }
}

fn keys(user_id: &str) -> ProfileKeys {
    let viewer = use_global_store().viewer_id();
    let store = use_profile_store();
    let generation = *store.generation.read();
    (viewer, user_id.to_owned(), generation)
}

#[component]
fn ProfileHeader(user_id: String) -> Element {
    let query = use_query(Query::new(keys(&user_id), FetchProfile).stale_time(UI_STALE_TIME));
    let profile = use_suspension().until_settled(query)??.data;
    let title = format!("{} · Larder", profile.name);
    use_effect(use_reactive!(|title| crate::host::set_title(&title)));
    rsx! {
        section { class: "panel profile-header", "data-testid": "profile-header",
            h1 { "data-testid": "profile-name", "{profile.name}" }
            p { class: "muted", "{profile.bio}" }
            p { class: "muted small",
                "{profile.location} · joined {profile.joined} · {profile.post_count} posts · {profile.follower_count} followers"
            }
        }
    }
}

#[component]
fn PostsPage(user_id: String, page: u32, last: bool) -> Element {
    let (viewer, user, generation) = keys(&user_id);
    let store = use_profile_store();
    let query = use_query(
        Query::new((viewer, user, generation, page), FetchPosts).stale_time(UI_STALE_TIME),
    );
    let posts = use_suspension().until_settled(query)??.data;
    rsx! {
        ul { class: "posts",
            for post in posts.items {
                li { key: "{post.id}", class: "post", "data-testid": "post",
                    p { class: "post-title",
                        super::post::PostLink { post: post.clone(), "{post.title}" }
                    }
                    p { class: "muted small", "{post.excerpt}" }
                    p { class: "muted small", "♥ {post.likes} · {crate::host::clock_time(post.created_at)}" }
                }
            }
        }
        if last && posts.has_more {
            button {
                class: "secondary",
                "data-testid": "load-more",
                onclick: move |_| {
                    let mut pages = store.post_pages;
                    pages += 1;
                },
                "Load more"
            }
        }
    }
}

#[component]
fn Followers(user_id: String) -> Element {
    let query = use_query(Query::new(keys(&user_id), FetchFollowers).stale_time(UI_STALE_TIME));
    let followers = use_suspension().until_settled(query)??.data;
    rsx! {
        p { class: "muted small", "{followers.total} followers" }
        ul { class: "followers",
            for follower in followers.items {
                li { key: "{follower.id}", "data-testid": "follower",
                    span { "{follower.name}" }
                    span { class: "muted small", " · {follower.title}" }
                }
            }
        }
    }
}
