//! Deterministic data of a post's page: a post by its id, its comments,
//! and the posts related to it by tag, drawn from the community's authors
//! (a fixed set of users whose profiles always exist, so a related post's
//! author can always be looked up). Like the profile data it depends only
//! on ids and the day, so pages are stable and can be cached.
//!
//! Also each route's delay, for the nested page's waterfall.

use larder_protocol::{profile::RELATED_MAX, Comment, Page, Post, RelatedPosts, User, Username};
use rand::{rngs::StdRng, Rng, SeedableRng};

use crate::{
    data::digest64,
    profile_data::{page_of, post_at, post_total},
};

/// The community's authors: always known to the API.
const AUTHORS: &[&str] = &[
    "Ana Silva",
    "Bilal Khan",
    "Chen Wei",
    "Dana Levi",
    "Emeka Obi",
    "Freya Berg",
];

/// How many of each community author's newest posts are searched for
/// related ones.
const RECENT: u32 = 12;

/// The community's authors as users.
pub fn community() -> impl Iterator<Item = User> {
    AUTHORS.iter().filter_map(|name| {
        Username::parse(name)
            .ok()
            .map(|name| crate::data::user_for(&name))
    })
}

/// A post's delay at scale 1.0, in milliseconds, by route: the post, its
/// comments, the related posts.
pub const POST_DELAY_MS: u64 = 300;
pub const COMMENTS_DELAY_MS: u64 = 800;
pub const RELATED_DELAY_MS: u64 = 1_200;

/// The author id and 0-based index in `id` (`<author id>-p<n>`).
pub fn parse_post_id(id: &str) -> Option<(&str, u32)> {
    let (author, number) = id.rsplit_once("-p")?;
    let n: u32 = number.parse().ok().filter(|n| *n >= 1)?;
    (number == n.to_string()).then_some((author, n - 1))
}

/// The post `id` of `author` (already known to exist), if it has one.
pub fn post(author: &User, id: &str, now_ms: u64) -> Option<Post> {
    let (author_id, i) = parse_post_id(id)?;
    let total = post_total(author_id);
    (author_id == author.id && i < total).then(|| post_at(author_id, i, total, now_ms))
}

/// Page `page` of `post_id`'s comments, `limit` per page.
pub fn comments(post_id: &str, page: u32, limit: u32, now_ms: u64) -> Page<Comment> {
    let seed = |what: &str| StdRng::seed_from_u64(digest64(&[what.as_bytes(), post_id.as_bytes()]));
    let total = seed("comment-total").gen_range(0..=23);
    const BODIES: &[&str] = &[
        "Thanks for writing this up.",
        "We tried the same last quarter; it worked.",
        "Could you share the numbers behind this?",
        "Bookmarking for our next planning session.",
        "This matches what we saw on-call.",
    ];
    page_of(page, limit, total, |i| {
        let mut rng = seed(&format!("comment{i}"));
        let mut names = community();
        let author = names
            .nth(rng.gen_range(0..AUTHORS.len()))
            .map(|user| user.name)
            .unwrap_or_default();
        Comment {
            id: format!("{post_id}-c{}", i + 1),
            author_name: author,
            body: BODIES[rng.gen_range(0..BODIES.len())].to_owned(),
            created_at: now_ms.saturating_sub(u64::from(i + 1) * 3_600_000),
        }
    })
}

/// The community's newest posts tagged `tag`, newest first, without
/// `exclude`, at most [`RELATED_MAX`].
pub fn related(tag: &str, exclude: &str, now_ms: u64) -> RelatedPosts {
    let mut items: Vec<Post> = community()
        .flat_map(|author| {
            let total = post_total(&author.id);
            (0..RECENT.min(total)).map(move |i| post_at(&author.id, i, total, now_ms))
        })
        .filter(|post| post.tag == tag && post.id != exclude)
        .collect();
    items.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    items.truncate(RELATED_MAX);
    RelatedPosts {
        tag: tag.to_owned(),
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_ids_parse_back_and_nothing_else_does() {
        let ana = community().next().expect("an author");
        let total = post_total(&ana.id);
        let first = post_at(&ana.id, 0, total, 0);
        assert_eq!(parse_post_id(&first.id), Some((ana.id.as_str(), 0)));
        assert_eq!(post(&ana, &first.id, 0), Some(first));
        for bad in ["", "p1", "u_1-p0", "u_1-p01", "u_1-px", "u_1-p-1"] {
            assert_eq!(parse_post_id(bad), None, "{bad:?}");
        }
        let past_the_end = format!("{}-p{}", ana.id, total + 1);
        assert_eq!(post(&ana, &past_the_end, 0), None);
    }

    #[test]
    fn related_posts_share_the_tag_and_leave_the_post_out() {
        let ana = community().next().expect("an author");
        let post = post_at(&ana.id, 0, post_total(&ana.id), 0);
        let related = related(&post.tag, &post.id, 0);
        assert!(!related.items.is_empty(), "six authors share six tags");
        assert!(related.items.len() <= RELATED_MAX);
        assert!(related
            .items
            .iter()
            .all(|p| p.tag == post.tag && p.id != post.id));
        assert_eq!(related, super::related(&post.tag, &post.id, 0), "stable");
    }

    #[test]
    fn comments_page_like_every_list() {
        let page = comments("u_1-p1", 1, 5, 0);
        assert_eq!(page, comments("u_1-p1", 1, 5, 0));
        assert!(page.items.len() <= 5);
        assert!(page.items.iter().all(|c| !c.author_name.is_empty()));
    }
}
