//! A post's page, built from data that can only be asked for once other
//! data is known: the post first (its comments need only its id); then,
//! once the post is known, its author's profile and the posts related by
//! its tag; then each related post's author. Each part is its own cached
//! resource, read through the cache like every read, so a warm page sends
//! nothing, a part offline is read from the cache, and flights are shared.
//! The UI starts each part as soon as its input is known; the backend
//! keeps what is on screen fresh, dependents included, and can warm a
//! whole page before it is opened (the likely next page).

use futures_util::future::{join, join_all};
use larder_protocol::{
    CommentsEnvelope, Post, PostEnvelope, PostPage, RelatedEnvelope, RelatedPosts,
};
use serde::de::DeserializeOwned;

use super::Larder;
use crate::{resource::decode, CoreError, Resource};

impl Larder {
    /// Post `id`, through the cache.
    #[tracing::instrument(skip_all)]
    pub async fn get_post(&self, id: &str) -> Result<PostEnvelope, CoreError> {
        let read = self.read_resource(Resource::post(id)?).await;
        if read.is_ok() {
            self.refresh_screen_items();
        }
        read
    }

    /// Page `page` (from 1) of post `id`'s comments, through the cache.
    #[tracing::instrument(skip(self, id))]
    pub async fn get_comments(&self, id: &str, page: i64) -> Result<CommentsEnvelope, CoreError> {
        self.read_resource(Resource::comments(id, page)?).await
    }

    /// The posts tagged `tag` other than `exclude`, through the cache.
    #[tracing::instrument(skip_all)]
    pub async fn get_related(&self, tag: &str, exclude: &str) -> Result<RelatedEnvelope, CoreError> {
        let read = self.read_resource(Resource::related(tag, exclude)?).await;
        if read.is_ok() {
            self.refresh_screen_items();
        }
        read
    }

    /// `resource`'s cached value for the signed-in user, read without a
    /// request and without counting a hit.
    fn cached<T: DeserializeOwned>(&self, resource: &Resource) -> Option<T> {
        decode(&self.stored(&self.read_session()?, resource)?.payload).ok()
    }

    /// What post `id`'s page shows, as far as the cache knows it: the post
    /// and its first page of comments; with the post cached, its author and
    /// its related posts; with those cached, their authors.
    pub(super) fn post_page_items(&self, id: &str) -> Result<Vec<Resource>, CoreError> {
        let post_resource = Resource::post(id)?;
        let mut items = vec![post_resource.clone(), Resource::comments(id, 1)?];
        let Some(post) = self.cached::<Post>(&post_resource) else {
            return Ok(items);
        };
        items.extend(Resource::profile(&post.author_id).ok());
        let Ok(related) = Resource::related(&post.tag, &post.id) else {
            return Ok(items);
        };
        items.push(related.clone());
        if let Some(related) = self.cached::<RelatedPosts>(&related) {
            for other in related.items {
                if let Ok(author) = Resource::profile(&other.author_id) {
                    if !items.contains(&author) {
                        items.push(author);
                    }
                }
            }
        }
        Ok(items)
    }

    /// What the cache holds of post `id`'s page, read without any request:
    /// the view paints every part from it at once, and asks only for what
    /// is missing. An invalid id is refused.
    pub fn cached_post_page(&self, id: &str) -> Result<PostPage, CoreError> {
        self.signed_in()?;
        let post: Option<PostEnvelope> = self.peeked(&Resource::post(id)?);
        let mut page = PostPage {
            comments: self.peeked(&Resource::comments(id, 1)?),
            ..PostPage::default()
        };
        if let Some(post) = &post {
            let data = &post.data;
            page.author = Resource::profile(&data.author_id)
                .ok()
                .and_then(|author| self.peeked(&author));
            page.related = Resource::related(&data.tag, &data.id)
                .ok()
                .and_then(|related| self.peeked(&related));
        }
        if let Some(related) = &page.related {
            let mut seen = Vec::new();
            for other in &related.data.items {
                if seen.contains(&other.author_id) {
                    continue;
                }
                seen.push(other.author_id.clone());
                if let Some(author) = Resource::profile(&other.author_id)
                    .ok()
                    .and_then(|author| self.peeked(&author))
                {
                    page.related_authors.push(author);
                }
            }
        }
        page.post = post;
        Ok(page)
    }

    beneath_the_facade! {
        /// Whether every part of post `id`'s page is cached: the post, its
        /// first comments, its author, its related posts and their authors.
        pub fn post_page_ready(&self, id: &str) -> bool {
            let Ok(items) = self.post_page_items(id) else {
                return false;
            };
            let Some(session) = self.read_session() else {
                return false;
            };
            let store = self.inner.engine.store();
            // Without the related posts cached, their authors are not known.
            items.iter().any(|item| matches!(item, Resource::Related { .. }))
                && items
                    .iter()
                    .all(|item| matches!(store.get(&session.user.id, &item.key()), Ok(Some(_))))
        }
    }

    /// Warms post `id`'s whole page in the background, each part as soon
    /// as its input is known, so opening it next paints every part at once
    /// and sends nothing. Fresh parts are not fetched again. Returns at
    /// once; an invalid id is refused.
    pub fn prewarm_post(&self, id: &str) -> Result<(), CoreError> {
        self.signed_in()?;
        Resource::post(id)?;
        let (larder, id) = (self.clone(), id.to_owned());
        tokio::spawn(async move {
            if let Err(err) = larder.warm_post_page(&id).await {
                tracing::debug!(%err, "a post's page could not be warmed");
            }
        });
        Ok(())
    }

    async fn warm_post_page(&self, id: &str) -> Result<(), CoreError> {
        let (post, _comments) = join(self.get_post(id), self.get_comments(id, 1)).await;
        let post = post?.data;
        let (_author, related) = join(
            self.get_profile(&post.author_id),
            self.get_related(&post.tag, &post.id),
        )
        .await;
        // Each related post shows its author's name.
        let authors: Vec<String> = related?
            .data
            .items
            .into_iter()
            .map(|other| other.author_id)
            .collect();
        join_all(authors.iter().map(|author| self.get_profile(author))).await;
        Ok(())
    }
}
