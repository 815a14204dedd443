//! A warm post page paints every part in the view's first render: with
//! the cache's seed, nothing suspends and no part waits for another.

use std::rc::Rc;

use dioxus::prelude::*;
use dioxus_history::{History, MemoryHistory};
use larder_protocol::{
    Bootstrap, Connectivity, Envelope, Freshness, Outbox, PostPage, Session, Settings, Source,
    Username,
};

use super::PostParts;
use crate::stores::{GlobalStore, PostStore};

const NOW: u64 = 1_800_000_000_000;

fn cached<T>(data: T) -> Envelope<T> {
    Envelope {
        data,
        fetched_at: NOW,
        state: Freshness::Fresh,
        source: Source::Cache,
        error: None,
        pending: Vec::new(),
    }
}

/// Everything the cache can hold of `author`'s newest post's page.
fn full_seed() -> (String, PostPage) {
    let author = mock_api::data::user_for(&Username::parse("pia").expect("valid"));
    let total = mock_api::profile_data::posts(&author.id, 1, 1, NOW).total;
    let post = mock_api::profile_data::post_at(&author.id, 0, total, NOW);
    let related = mock_api::post_data::related(&post.tag, &post.id, NOW);
    let related_authors = mock_api::post_data::community()
        .filter(|user| related.items.iter().any(|p| p.author_id == user.id))
        .map(|user| cached(mock_api::profile_data::profile(&user)))
        .collect();
    let page = PostPage {
        comments: Some(cached(mock_api::post_data::comments(&post.id, 1, 10, NOW))),
        author: Some(cached(mock_api::profile_data::profile(&author))),
        related: Some(cached(related)),
        related_authors,
        post: Some(cached(post.clone())),
    };
    (post.id, page)
}

fn root() -> Element {
    let user = mock_api::data::user_for(&Username::parse("pia").expect("valid"));
    let boot = Bootstrap {
        session: Some(Session::alone(user)),
        locked: None,
        api_url: "http://127.0.0.1:4000".into(),
        embedded_api: true,
        config: Default::default(),
        settings: Settings::default(),
        connectivity: Connectivity::Online,
        prewarm: Default::default(),
        widgets: Vec::new(),
        role_widgets: Vec::new(),
        outbox: Outbox::default(),
        post_page: None,
        profile_page: None,
        refused: Vec::new(),
        cache_rebuilt: None,
        refused_settings: Vec::new(),
    };
    GlobalStore::provide(&boot);
    PostStore::provide();
    use_hook(|| {
        let history: Rc<dyn History> = Rc::new(MemoryHistory::with_initial_path("/dashboard"));
        provide_context(history)
    });
    let (id, seed) = full_seed();
    rsx! { PostParts { id, seed } }
}

#[test]
fn a_warm_page_paints_every_part_in_its_first_render() {
    let mut dom = VirtualDom::new(root);
    dom.rebuild_in_place();
    let html = dioxus_ssr::render(&dom);
    let (_, seed) = full_seed();
    let related = seed.related.expect("related").data.items;
    let count = |id: &str| html.matches(&format!(r#"data-testid="{id}""#)).count();
    assert_eq!(count("post-title"), 1, "{html}");
    assert_eq!(count("post-author"), 1, "{html}");
    assert_eq!(count("related-post"), related.len(), "{html}");
    assert_eq!(count("related-author"), related.len(), "every name: {html}");
    assert!(count("comment") > 0 || count("no-comments") == 1, "{html}");
    assert!(!html.contains("aria-busy"), "nothing waits: {html}");
    assert_eq!(count("waiting-for-post"), 0);
    assert_eq!(count("author-name-loading"), 0);
}
