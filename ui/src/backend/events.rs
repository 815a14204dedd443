//! Subscribing to the backend's pushed events (`window.__TAURI__.event`).

use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn tauri_listen(event: &str, handler: &JsValue) -> Result<JsValue, JsValue>;
}

/// A live subscription; dropping it unsubscribes.
pub struct Subscription {
    unlisten: Option<js_sys::Function>,
    _handler: Closure<dyn FnMut(JsValue)>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(unlisten) = self.unlisten.take() {
            let _ = unlisten.call0(&JsValue::NULL);
        }
    }
}

/// Calls `on_payload` with each `event`'s payload, decoded as `T`. A payload
/// that does not decode is logged to the console and skipped.
pub async fn listen<T, F>(event: &'static str, mut on_payload: F) -> Option<Subscription>
where
    T: DeserializeOwned + 'static,
    F: FnMut(T) + 'static,
{
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |raw: JsValue| {
        let payload =
            js_sys::Reflect::get(&raw, &JsValue::from_str("payload")).unwrap_or(JsValue::NULL);
        match serde_wasm_bindgen::from_value::<T>(payload) {
            Ok(value) => on_payload(value),
            Err(err) => {
                web_sys::console::warn_1(&format!("{event}: unexpected payload: {err}").into())
            }
        }
    });
    match tauri_listen(event, handler.as_ref()).await {
        Ok(unlisten) => Some(Subscription {
            unlisten: unlisten.dyn_into().ok(),
            _handler: handler,
        }),
        Err(err) => {
            web_sys::console::warn_1(&format!("cannot listen to {event}: {err:?}").into());
            None
        }
    }
}
