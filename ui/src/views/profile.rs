//! The profile view, `/profile/:user_id`: the profile, the posts with "load
//! more", and the followers. The three parts fetch in parallel, each behind
//! its own error and suspense boundaries, so one failing or slow part holds
//! back no other. The window title follows the profile's name. Each post
//! links to its own page (warmed while the link is hovered). In a window
//! opened on the profile, every part paints in the first render from what
//! the cache held when the window opened (`bootstrap`'s `profile_page`),
//! and no part asks again until the view refreshes.

use dioxus::prelude::*;
use dioxus_query::prelude::*;
use larder_protocol::{
    CommandError, FollowersEnvelope, PostsEnvelope, ProfileEnvelope, ProfilePage,
};

use crate::{
    backend,
    stores::{use_global_store, use_profile_store, use_refresh_tick, Opening, ProfileStore},
    widgets::island::Island,
};

use crate::widgets::{
    suspension::{seeded_or_settled, use_suspension},
    UI_STALE_TIME,
};

/// The viewer, the profile's user and the refresh generation.
type ProfileKeys = (String, String, u32);

/// What the cache held of the profile when its window opened; empty in
/// the main window. Each part's first run (generation 0) answers from it.
#[derive(Clone, Copy, PartialEq)]
pub struct Seed(CopyValue<Option<ProfilePage>>);

/// One seed per view; equality is identity, which is reflexive.
impl Eq for Seed {}

/// The queries' keys tell their entries apart: the seed hashes as nothing.
impl std::hash::Hash for Seed {
    fn hash<H: std::hash::Hasher>(&self, _state: &mut H) {}
}

impl Seed {
    /// The seed's part `part`, for user `user`'s first generation only.
    fn part<T>(
        self,
        user: &str,
        generation: u32,
        part: impl FnOnce(&ProfilePage) -> Option<T>,
    ) -> Option<T> {
        let page = self.0.peek();
        let page = page
            .as_ref()
            .filter(|page| page.user_id == user && generation == 0)?;
        part(page)
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FetchProfile(Seed);

impl QueryCapability for FetchProfile {
    type Ok = ProfileEnvelope;
    type Err = CommandError;
    type Keys = ProfileKeys;

    async fn run(&self, (_, user, gen): &ProfileKeys) -> Result<ProfileEnvelope, CommandError> {
        match self.0.part(user, *gen, |page| page.profile.clone()) {
            Some(seeded) => Ok(seeded),
            None => backend::get_profile(user).await,
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FetchPosts(Seed);

impl QueryCapability for FetchPosts {
    type Ok = PostsEnvelope;
    type Err = CommandError;
    /// As [`ProfileKeys`], plus the page.
    type Keys = (String, String, u32, u32);

    async fn run(&self, (_, user, gen, page): &Self::Keys) -> Result<PostsEnvelope, CommandError> {
        let seeded = (*page == 1)
            .then(|| self.0.part(user, *gen, |seed| seed.posts.clone()))
            .flatten();
        match seeded {
            Some(seeded) => Ok(seeded),
            None => backend::get_posts(user, *page).await,
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FetchFollowers(Seed);

impl QueryCapability for FetchFollowers {
    type Ok = FollowersEnvelope;
    type Err = CommandError;
    type Keys = ProfileKeys;

    async fn run(&self, (_, user, gen): &ProfileKeys) -> Result<FollowersEnvelope, CommandError> {
        match self.0.part(user, *gen, |page| page.followers.clone()) {
            Some(seeded) => Ok(seeded),
            None => backend::get_followers(user, 1).await,
        }
    }
}

#[component]
pub fn ProfileView(user_id: String) -> Element {
    let store = ProfileStore::provide();
    let _seed = use_context_provider(|| {
        let this_profile = |page: &ProfilePage| page.user_id == user_id;
        Seed(CopyValue::new(Opening::take(this_profile)))
    });
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
    let seed = use_context::<Seed>();
    let keys = keys(&user_id);
    let seeded = seed.part(&user_id, keys.2, |page| page.profile.clone());
    let query = use_query(Query::new(keys, FetchProfile(seed)).stale_time(UI_STALE_TIME));
    let profile = seeded_or_settled(query, seeded, use_suspension())??.data;
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
    let seed = use_context::<Seed>();
    let seeded = (page == 1)
        .then(|| seed.part(&user, generation, |seed| seed.posts.clone()))
        .flatten();
    let query = use_query(
        Query::new((viewer, user, generation, page), FetchPosts(seed)).stale_time(UI_STALE_TIME),
    );
    let posts = seeded_or_settled(query, seeded, use_suspension())??.data;
    rsx! {
        ul { class: "posts",
            for post in posts.items {
                li { key: "{post.id}", class: "post", "data-testid": "post",
                    p { class: "post-title",
                        super::links::PostLink { post: post.clone(), "{post.title}" }
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
    let seed = use_context::<Seed>();
    let keys = keys(&user_id);
    let seeded = seed.part(&user_id, keys.2, |page| page.followers.clone());
    let query = use_query(Query::new(keys, FetchFollowers(seed)).stale_time(UI_STALE_TIME));
    let followers = seeded_or_settled(query, seeded, use_suspension())??.data;
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
