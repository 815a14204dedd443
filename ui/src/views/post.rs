//! The post view, `/post/:id`: data that can only be asked for once other
//! data is known. The post and its comments (which need only the id) start
//! at once; as soon as the post is known, its author and the posts related
//! by its tag start, in parallel; as soon as those are known, each related
//! post's author's name. Every part sits behind its own error and suspense
//! boundaries with its own Retry, so a slow or failing part holds back only
//! what depends on it. Each part is read through the backend's cache, so a
//! warm open paints every part at once and sends nothing; hovering a link
//! to a post warms its page ahead (the likely next page).

use dioxus::prelude::*;
use dioxus_query::prelude::*;
use larder_protocol::{
    CommandError, CommentsEnvelope, PostEnvelope, PostPage, ProfileEnvelope, RelatedEnvelope,
};

pub use super::links::PostLink;
use super::links::ProfileLink;
use crate::{
    backend,
    stores::{use_global_store, use_post_store, use_refresh_tick, Opening, PostStore},
    widgets::{
        island::{error_message, Island},
        suspension::{result, seeded_or_settled, use_suspension},
        UI_STALE_TIME,
    },
};

/// The viewer, the post and the part's attempt.
type PostKeys = (String, String, u32);

/// What the cache held of the page when the view opened (one call that
/// sends nothing): every part paints from it in the view's first render,
/// and each query's first run answers from it instead of asking.
#[derive(Clone, Copy, PartialEq)]
pub struct Seed(CopyValue<PostPage>);

/// One seed per view; equality is identity, which is reflexive.
impl Eq for Seed {}

/// The queries' keys tell their entries apart; the seed is the same for
/// every entry of a view, so it hashes as nothing.
impl std::hash::Hash for Seed {
    fn hash<H: std::hash::Hasher>(&self, _state: &mut H) {}
}

impl Seed {
    fn post(self) -> Option<PostEnvelope> {
        self.0.peek().post.clone()
    }

    fn comments(self, page: u32) -> Option<CommentsEnvelope> {
        (page == 1)
            .then(|| self.0.peek().comments.clone())
            .flatten()
    }

    fn related(self) -> Option<RelatedEnvelope> {
        self.0.peek().related.clone()
    }

    fn author(self, user_id: &str) -> Option<ProfileEnvelope> {
        let page = self.0.peek();
        page.author
            .iter()
            .chain(&page.related_authors)
            .find(|author| author.data.id == user_id)
            .cloned()
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FetchPost(Seed);

impl QueryCapability for FetchPost {
    type Ok = PostEnvelope;
    type Err = CommandError;
    type Keys = PostKeys;

    async fn run(&self, (_, id, attempt): &PostKeys) -> Result<PostEnvelope, CommandError> {
        match self.0.post().filter(|_| *attempt == 0) {
            Some(seeded) => Ok(seeded),
            None => backend::get_post(id).await,
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FetchComments(Seed);

impl QueryCapability for FetchComments {
    type Ok = CommentsEnvelope;
    type Err = CommandError;
    /// As [`PostKeys`], plus the page.
    type Keys = (String, String, u32, u32);

    async fn run(
        &self,
        (_, id, attempt, page): &Self::Keys,
    ) -> Result<CommentsEnvelope, CommandError> {
        match self.0.comments(*page).filter(|_| *attempt == 0) {
            Some(seeded) => Ok(seeded),
            None => backend::get_comments(id, *page).await,
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FetchRelated(Seed);

impl QueryCapability for FetchRelated {
    type Ok = RelatedEnvelope;
    type Err = CommandError;
    /// The viewer, the tag, the post left out and the attempt.
    type Keys = (String, String, String, u32);

    async fn run(
        &self,
        (_, tag, exclude, attempt): &Self::Keys,
    ) -> Result<RelatedEnvelope, CommandError> {
        match self.0.related().filter(|_| *attempt == 0) {
            Some(seeded) => Ok(seeded),
            None => backend::get_related(tag, exclude).await,
        }
    }
}

/// A profile: the post's author, or a related post's.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FetchAuthor(Seed);

impl QueryCapability for FetchAuthor {
    type Ok = ProfileEnvelope;
    type Err = CommandError;
    /// The viewer, the author and the part's attempt.
    type Keys = (String, String, u32);

    async fn run(&self, (_, user, attempt): &Self::Keys) -> Result<ProfileEnvelope, CommandError> {
        match self.0.author(user).filter(|_| *attempt == 0) {
            Some(seeded) => Ok(seeded),
            None => backend::get_profile(user).await,
        }
    }
}

#[component]
pub fn PostView(id: String) -> Element {
    let store = PostStore::provide();
    use_refresh_tick(move || store.retry_all());
    // In a window opened on this post, what the cache held of it then.
    let opening = use_hook(|| {
        let this_post = |page: &PostPage| page.post.as_ref().is_some_and(|p| p.data.id == id);
        Opening::take(this_post).map(|page| (id.clone(), page))
    });
    let opened = opening.clone();
    // What the cache holds of the page, in one call that sends nothing
    // (none when the window opened on it).
    let cached = use_resource(use_reactive!(|id| {
        let opened = opened.clone();
        async move {
            match opened.filter(|(opened, _)| *opened == id) {
                Some((_, page)) => page,
                None => backend::post_page(&id).await.unwrap_or_default(),
            }
        }
    }));
    let seed = cached.read().clone().or_else(|| {
        opening
            .filter(|(opened, _)| *opened == id)
            .map(|(_, page)| page)
    });
    let Some(seed) = seed else {
        return rsx! { main { class: "post-view", "data-testid": "post-view", "aria-busy": "true" } };
    };
    rsx! { PostParts { key: "{id}", id: id.clone(), seed } }
}

/// The page's parts, hydrated from `seed`.
#[component]
pub fn PostParts(id: String, seed: PostPage) -> Element {
    let seed = use_context_provider(|| Seed(CopyValue::new(seed)));
    let store = use_post_store();
    let viewer = use_global_store().viewer_id();
    let post_query = use_query(
        Query::new((viewer, id.clone(), *store.post.read()), FetchPost(seed))
            .stale_time(UI_STALE_TIME),
    );
    use_context_provider(|| post_query);
    // What depends on the post starts as soon as it is known.
    let post = match result(&post_query).or_else(|| seed.post().map(Ok)) {
        Some(Ok(envelope)) => Ok(Some(envelope.data)),
        Some(Err(_)) => Err(()),
        None => Ok(None),
    };
    let pages = *store.comment_pages.read();
    rsx! {
        main { class: "post-view", "data-testid": "post-view",
            Island { on_retry: move |_| retry(store.post), PostBody {} }
            div { class: "profile-columns",
                section { class: "panel",
                    h2 { "Comments" }
                    for page in 1..=pages {
                        Island { key: "{page}", on_retry: move |_| retry(store.comments),
                            CommentsPage { id: id.clone(), page, last: page == pages }
                        }
                    }
                }
                section { class: "panel",
                    h2 { "Author" }
                    match &post {
                        Ok(Some(post)) => rsx! {
                            Island { on_retry: move |_| retry(store.author),
                                Author { author_id: post.author_id.clone() }
                            }
                        },
                        other => rsx! { Waiting { failed: other.is_err() } },
                    }
                    h2 { "Related posts" }
                    match &post {
                        Ok(Some(post)) => rsx! {
                            Island { on_retry: move |_| retry(store.related),
                                Related { tag: post.tag.clone(), exclude: post.id.clone() }
                            }
                        },
                        other => rsx! { Waiting { failed: other.is_err() } },
                    }
                }
            }
        }
    }
}

fn retry(mut attempt: Signal<u32>) {
    attempt += 1;
}

/// A part that needs the post: waiting while it loads, or saying it cannot
/// load without it.
#[component]
fn Waiting(failed: bool) -> Element {
    rsx! {
        p { class: "muted small", "data-testid": "waiting-for-post",
            if failed { "Shown once the post loads." } else { "Waiting for the post…" }
        }
    }
}

#[component]
fn PostBody() -> Element {
    let query = use_context::<UseQuery<FetchPost>>();
    let seed = use_context::<Seed>();
    let post = seeded_or_settled(query, seed.post(), use_suspension())??.data;
    let title = format!("{} · Larder", post.title);
    use_effect(use_reactive!(|title| crate::host::set_title(&title)));
    rsx! {
        article { class: "panel post-body", "data-testid": "post-body",
            h1 { "data-testid": "post-title", "{post.title}" }
            p { class: "muted small",
                span { class: "tag", "data-testid": "post-tag", "#{post.tag}" }
                " · ♥ {post.likes} · {crate::host::local_date(post.created_at)}"
            }
            p { "{post.excerpt}" }
        }
    }
}

#[component]
fn CommentsPage(id: String, page: u32, last: bool) -> Element {
    let store = use_post_store();
    let viewer = use_global_store().viewer_id();
    let seed = use_context::<Seed>();
    let query = use_query(
        Query::new(
            (viewer, id, *store.comments.read(), page),
            FetchComments(seed),
        )
        .stale_time(UI_STALE_TIME),
    );
    let comments = seeded_or_settled(query, seed.comments(page), use_suspension())??.data;
    rsx! {
        if page == 1 && comments.total == 0 {
            p { class: "muted small", "data-testid": "no-comments", "No comments yet." }
        }
        ul { class: "comments",
            for comment in comments.items {
                li { key: "{comment.id}", class: "comment", "data-testid": "comment",
                    p { strong { "{comment.author_name}" } span { class: "muted small", " · {crate::host::local_clock(comment.created_at)}" } }
                    p { "{comment.body}" }
                }
            }
        }
        if last && comments.has_more {
            button {
                class: "secondary",
                "data-testid": "more-comments",
                onclick: move |_| {
                    let mut pages = store.comment_pages;
                    pages += 1;
                },
                "More comments"
            }
        }
    }
}

/// `user_id`'s profile, with the part's attempt in its key: the seed's
/// before the query has answered.
fn use_author(
    user_id: String,
    attempt: Signal<u32>,
) -> Result<Result<ProfileEnvelope, CommandError>, RenderError> {
    let viewer = use_global_store().viewer_id();
    let seed = use_context::<Seed>();
    let suspension = use_suspension();
    let seeded = seed.author(&user_id);
    let query = use_query(
        Query::new((viewer, user_id, *attempt.read()), FetchAuthor(seed)).stale_time(UI_STALE_TIME),
    );
    seeded_or_settled(query, seeded, suspension)
}

#[component]
fn Author(author_id: String) -> Element {
    let store = use_post_store();
    let author = use_author(author_id, store.author)??.data;
    rsx! {
        div { class: "author", "data-testid": "post-author",
            ProfileLink { user_id: author.id.clone(), strong { "{author.name}" } }
            p { class: "muted small", "{author.bio}" }
        }
    }
}

#[component]
fn Related(tag: String, exclude: String) -> Element {
    let store = use_post_store();
    let viewer = use_global_store().viewer_id();
    let seed = use_context::<Seed>();
    let query = use_query(
        Query::new(
            (viewer, tag, exclude, *store.related.read()),
            FetchRelated(seed),
        )
        .stale_time(UI_STALE_TIME),
    );
    let related = seeded_or_settled(query, seed.related(), use_suspension())??.data;
    rsx! {
        if related.items.is_empty() {
            p { class: "muted small", "Nothing else tagged #{related.tag} yet." }
        }
        ul { class: "related",
            for post in related.items {
                li { key: "{post.id}", "data-testid": "related-post",
                    PostLink { post: post.clone(), "{post.title}" }
                    span { class: "muted small", " by " }
                    AuthorName { author_id: post.author_id.clone() }
                }
            }
        }
    }
}

/// A related post's author's name: its own small island, so a slow or
/// failing name holds back nothing else.
#[component]
fn AuthorName(author_id: String) -> Element {
    let store = use_post_store();
    rsx! {
        ErrorBoundary {
            handle_error: move |errors: ErrorContext| rsx! {
                span { class: "muted small", "data-testid": "author-name-error", title: "{error_message(&errors)}",
                    "unknown "
                    button { class: "link", "data-testid": "retry",
                        onclick: move |_| {
                            errors.clear_errors();
                            retry(store.related_authors);
                        },
                        "Retry"
                    }
                }
            },
            SuspenseBoundary {
                fallback: |_| rsx! { span { class: "muted small", "data-testid": "author-name-loading", "…" } },
                AuthorNameText { author_id }
            }
        }
    }
}

#[component]
fn AuthorNameText(author_id: String) -> Element {
    let store = use_post_store();
    let author = use_author(author_id, store.related_authors)??.data;
    rsx! { span { class: "small", "data-testid": "related-author", "{author.name}" } }
}

#[cfg(test)]
#[path = "post_tests.rs"]
mod tests;
