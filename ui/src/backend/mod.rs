//! The UI's one door to the desktop backend.
//!
//! [`invoke`] is the only place that calls `window.__TAURI__.core.invoke`;
//! the typed wrappers below are what components use, so no component builds
//! JSON by hand or sees a raw IPC value. Every failure is a
//! [`CommandError`], including a missing Tauri runtime.

use larder_protocol::{commands, Bootstrap, CommandError, Session, WidgetEnvelope, WidgetId};
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
pub async fn invoke<A: Serialize, R: DeserializeOwned>(
    command: &str,
    args: &A,
) -> Result<R, CommandError> {
    if !tauri_available() {
        return Err(CommandError::Internal {
            message: "Larder's interface must run inside the Larder app".into(),
        });
    }
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let args = args
        .serialize(&serializer)
        .map_err(|err| CommandError::Internal {
            message: format!("cannot encode the arguments of {command}: {err}"),
        })?;
    match tauri_invoke(command, args).await {
        Ok(value) => {
            serde_wasm_bindgen::from_value(value).map_err(|err| CommandError::InvalidResponse {
                message: format!("{command} answered in an unexpected shape: {err}"),
            })
        }
        Err(error) => Err(decode_error(command, error)),
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

/// No arguments.
#[derive(Serialize)]
struct NoArgs {}

pub async fn bootstrap() -> Result<Bootstrap, CommandError> {
    invoke(commands::BOOTSTRAP, &NoArgs {}).await
}

pub async fn sign_in(username: &str) -> Result<Session, CommandError> {
    #[derive(Serialize)]
    struct Args<'a> {
        username: &'a str,
    }
    invoke(commands::SIGN_IN, &Args { username }).await
}

pub async fn sign_out() -> Result<(), CommandError> {
    invoke(commands::SIGN_OUT, &NoArgs {}).await
}

pub async fn get_widget(id: WidgetId) -> Result<WidgetEnvelope, CommandError> {
    #[derive(Serialize)]
    struct Args {
        id: u8,
    }
    invoke(commands::GET_WIDGET, &Args { id: id.get() }).await
}
