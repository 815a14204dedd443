//! Renders a component to HTML in a VirtualDom, with no browser, for the
//! component tests. (Event handlers need the Dioxus runtime that a
//! VirtualDom provides; `dioxus_ssr::render_element` has none.)

use dioxus::prelude::*;

/// `app`'s HTML after its first render.
pub fn render(app: fn() -> Element) -> String {
    let mut dom = VirtualDom::new(app);
    dom.rebuild_in_place();
    dioxus_ssr::render(&dom)
}
