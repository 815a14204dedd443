//! Deterministic profile data: a user's profile, posts and followers depend
//! only on their id, so pages are stable and can be cached.

use larder_protocol::{Follower, Page, Post, User, UserProfile};
use rand::{rngs::StdRng, Rng, SeedableRng};

use crate::data::digest64;

fn rng_for(user_id: &str, what: &str) -> StdRng {
    StdRng::seed_from_u64(digest64(&[what.as_bytes(), user_id.as_bytes()]))
}

/// How many posts and followers `user_id` has.
fn totals(user_id: &str) -> (u32, u32) {
    let mut rng = rng_for(user_id, "totals");
    (rng.gen_range(12..=57), rng.gen_range(5..=140))
}

pub fn profile(user: &User) -> UserProfile {
    let mut rng = rng_for(&user.id, "profile");
    let (post_count, follower_count) = totals(&user.id);
    const BIOS: &[&str] = &[
        "Turning data into decisions.",
        "Building calm software for busy teams.",
        "Coffee, dashboards and long walks.",
        "Making the complicated feel simple.",
    ];
    const PLACES: &[&str] = &["Lisbon", "Toronto", "Osaka", "Nairobi", "Berlin"];
    UserProfile {
        id: user.id.clone(),
        name: user.name.clone(),
        role: user.role,
        organization_id: user.organization_id.clone(),
        bio: BIOS[rng.gen_range(0..BIOS.len())].to_owned(),
        location: PLACES[rng.gen_range(0..PLACES.len())].to_owned(),
        joined: format!("{}-{:02}", rng.gen_range(2016..2026), rng.gen_range(1..=12)),
        post_count,
        follower_count,
    }
}

/// The 1-based `page` of `total` items, `limit` per page, built by `item`.
pub fn page_of<T>(page: u32, limit: u32, total: u32, item: impl Fn(u32) -> T) -> Page<T> {
    let start = u64::from(page - 1) * u64::from(limit);
    let end = (start + u64::from(limit)).min(u64::from(total));
    let items = (start..end)
        .filter_map(|i| u32::try_from(i).ok())
        .map(item)
        .collect();
    Page {
        items,
        page,
        limit,
        total,
        has_more: end < u64::from(total),
    }
}

pub fn posts(user_id: &str, page: u32, limit: u32, now_ms: u64) -> Page<Post> {
    let (total, _) = totals(user_id);
    page_of(page, limit, total, |i| post_at(user_id, i, total, now_ms))
}

/// The topics posts are about, each with the tag it is filed under;
/// related posts share a tag.
const TOPICS: &[(&str, &str)] = &[
    ("What we learned shipping offline-first", "offline"),
    ("A quieter on-call rotation", "on-call"),
    ("Reading dashboards like a pro", "dashboards"),
    ("Our Q4 planning, in the open", "planning"),
    ("Three small habits for focus", "focus"),
    ("Caching without tears", "caching"),
];

/// `user_id`'s post number `i` (0 is the newest) of `total`.
pub fn post_at(user_id: &str, i: u32, total: u32, now_ms: u64) -> Post {
    let mut rng = rng_for(user_id, &format!("post{i}"));
    let (topic, tag) = TOPICS[rng.gen_range(0..TOPICS.len())];
    Post {
        id: format!("{user_id}-p{}", i + 1),
        author_id: user_id.to_owned(),
        title: format!("{topic} (#{})", total - i),
        excerpt: "A short note on how the team works, and what changed this week.".into(),
        created_at: now_ms.saturating_sub(u64::from(i + 1) * 86_400_000),
        likes: rng.gen_range(0..250),
        tag: tag.to_owned(),
    }
}

/// How many posts `user_id` has.
pub fn post_total(user_id: &str) -> u32 {
    totals(user_id).0
}

pub fn followers(user_id: &str, page: u32, limit: u32) -> Page<Follower> {
    let (_, total) = totals(user_id);
    const FIRST: &[&str] = &[
        "Ana", "Bilal", "Chen", "Dana", "Emeka", "Freya", "Goran", "Hana",
    ];
    const LAST: &[&str] = &[
        "Silva", "Khan", "Wei", "Levi", "Obi", "Berg", "Novak", "Sato",
    ];
    const TITLES: &[&str] = &["Analyst", "Designer", "Engineer", "Manager", "Writer"];
    page_of(page, limit, total, |i| {
        let mut rng = rng_for(user_id, &format!("follower{i}"));
        Follower {
            id: format!(
                "u_{:016x}",
                digest64(&[user_id.as_bytes(), &i.to_le_bytes()])
            ),
            name: format!(
                "{} {}",
                FIRST[rng.gen_range(0..FIRST.len())],
                LAST[rng.gen_range(0..LAST.len())]
            ),
            title: TITLES[rng.gen_range(0..TITLES.len())].to_owned(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_the_list_exactly_once() {
        let (total, _) = totals("u_1");
        let mut seen = Vec::new();
        let mut page = 1;
        loop {
            let p = posts("u_1", page, 7, 0);
            assert_eq!(p.total, total);
            seen.extend(p.items.into_iter().map(|post| post.id));
            if !p.has_more {
                break;
            }
            page += 1;
        }
        assert_eq!(seen.len() as u32, total);
        let unique: std::collections::HashSet<_> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len());
    }

    #[test]
    fn a_page_past_the_end_is_empty() {
        let p = followers("u_1", 10_000, 100);
        assert!(p.items.is_empty());
        assert!(!p.has_more);
        // No overflow at the largest page number.
        assert!(followers("u_1", u32::MAX, 100).items.is_empty());
    }
}
