//! The smallest UI built on Larder's stack, to measure what the stack
//! itself costs in wasm (docs/BENCHMARKS.md, "UI bundle size"): Dioxus's
//! web renderer and router, one dioxus-query query, one signal, and one
//! payload decoded with serde-wasm-bindgen from a Tauri command. Built
//! with the UI's release profile:
//!
//! ```text
//! cargo build -p ui --example wasm_floor --target wasm32-unknown-unknown --profile wasm-release
//! ```
//!
//! then put through the same wasm-bindgen and `wasm-opt -Oz` steps as
//! `cargo xtask ui --release`. Natively it is an empty program, so the
//! workspace's tests build it anywhere.

#[cfg(target_arch = "wasm32")]
mod floor {
    use dioxus::prelude::*;
    use dioxus_query::prelude::*;
    use serde::Deserialize;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
        async fn tauri_invoke(command: &str, args: JsValue) -> Result<JsValue, JsValue>;
    }

    #[derive(Clone, PartialEq, Deserialize, Debug)]
    struct Greeting {
        text: String,
        count: u32,
    }

    #[derive(Clone, PartialEq, Eq, Hash)]
    struct FetchGreeting;

    impl QueryCapability for FetchGreeting {
        type Ok = Greeting;
        type Err = String;
        type Keys = u32;

        async fn run(&self, id: &u32) -> Result<Greeting, String> {
            let value = tauri_invoke("greet", JsValue::from(*id))
                .await
                .map_err(|err| format!("{err:?}"))?;
            serde_wasm_bindgen::from_value(value).map_err(|err| err.to_string())
        }
    }

    #[derive(Routable, Clone, PartialEq)]
    enum Route {
        #[route("/")]
        Home {},
    }

    pub fn main() {
        dioxus::launch(App);
    }

    #[component]
    fn App() -> Element {
        rsx! { Router::<Route> {} }
    }

    #[component]
    fn Home() -> Element {
        let query = use_query(Query::new(1, FetchGreeting));
        let mut clicks = use_signal(|| 0);
        rsx! {
            h1 { "Hello" }
            button { onclick: move |_| clicks += 1, "clicked {clicks}" }
            match &*query.read().state() {
                QueryStateData::Settled { res: Ok(greeting), .. } => rsx! {
                    p { "{greeting.text} {greeting.count}" }
                },
                _ => rsx! { p { "…" } },
            }
        }
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    floor::main();
}
