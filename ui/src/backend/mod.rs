//! The UI's one door to the desktop backend.
//!
//! [`invoke`] (through its private `call`) is the only place that calls
//! `window.__TAURI__.core.invoke`, and [`events::listen`] the only one that
//! subscribes to its events, which [`feed`] hands to the stores (snapshot,
//! then what came after); the
//! typed wrappers in [`commands`] are what components use, so no component
//! builds JSON by hand or sees a raw IPC value. Every failure is a
//! [`CommandError`], including a missing Tauri runtime.

mod commands;
pub mod events;
pub mod feed;

use larder_protocol::CommandError;
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(command: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

/// Whether the page runs inside Tauri (with `app.withGlobalTauri`).
fn tauri_available() -> bool {
    web_sys::window()
        .and_then(|window| js_sys::Reflect::get(&window, &JsValue::from_str("__TAURI__")).ok())
        .is_some_and(|value| !value.is_undefined())
}

/// Calls `command` with `args` and decodes the answer or the typed error.
///
/// Only the encoding of `args` and the decoding of the answer are built
/// for each command's types; the call itself is [`call`], built once (one
/// copy of it per command made the wasm bigger for nothing).
pub async fn invoke<A: Serialize, R: DeserializeOwned>(
    command: &str,
    args: &A,
) -> Result<R, CommandError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let args = args
        .serialize(&serializer)
        .map_err(|err| encode_failed(command, &err))?;
    let answer = call(command, args).await?;
    serde_wasm_bindgen::from_value(answer).map_err(|err| unexpected_shape(command, &err))
}

/// The call to the backend, for every command.
async fn call(command: &str, args: JsValue) -> Result<JsValue, CommandError> {
    if !tauri_available() {
        return Err(CommandError::Internal {
            message: "Larder's interface must run inside the Larder app".into(),
        });
    }
    tauri_invoke(command, args)
        .await
        .map_err(|error| decode_error(command, error))
}

fn encode_failed(command: &str, err: &serde_wasm_bindgen::Error) -> CommandError {
    CommandError::Internal {
        message: format!("cannot encode the arguments of {command}: {err}"),
    }
}

fn unexpected_shape(command: &str, err: &serde_wasm_bindgen::Error) -> CommandError {
    CommandError::InvalidResponse {
        message: format!("{command} answered in an unexpected shape: {err}"),
    }
}

/// A rejected invoke carries a serialised `CommandError`; anything else (a
/// panic message, an unknown command) becomes `Internal`.
fn decode_error(command: &str, error: JsValue) -> CommandError {
    serde_wasm_bindgen::from_value(error.clone()).unwrap_or_else(|_| CommandError::Internal {
        message: format!(
            "{command} failed: {}",
            error.as_string().unwrap_or_else(|| format!("{error:?}"))
        ),
    })
}

pub use commands::*;
