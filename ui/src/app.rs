//! The root component: one `bootstrap` call, then the stores are hydrated
//! from its payload and the router takes over.

use dioxus::prelude::*;
use larder_protocol::Bootstrap;

use crate::{
    backend,
    stores::GlobalStore,
    views::{Dashboard, SignIn},
};

/// Larder's routes.
#[derive(Routable, Clone, PartialEq, Debug)]
#[rustfmt::skip]
pub enum Route {
    #[route("/")]
    SignIn {},
    #[route("/dashboard")]
    Dashboard {},
}

/// Loads the bootstrap payload, then renders the hydrated app.
#[component]
pub fn App() -> Element {
    let bootstrap = use_resource(backend::bootstrap);
    let state = bootstrap.read();
    match &*state {
        None => rsx! { div { class: "boot", "Opening Larder…" } },
        Some(Err(err)) => rsx! {
            div { class: "boot boot-error", role: "alert",
                h1 { "Larder could not start" }
                p { "{err}" }
            }
        },
        Some(Ok(payload)) => rsx! { Hydrated { bootstrap: payload.clone() } },
    }
}

/// Provides the global store from the payload, then routes.
#[component]
fn Hydrated(bootstrap: Bootstrap) -> Element {
    GlobalStore::provide(&bootstrap);
    rsx! { Router::<Route> {} }
}
