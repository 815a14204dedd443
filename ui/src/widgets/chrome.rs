//! What a widget shows when it has no content: the loading skeleton (with a
//! clock for slow widgets) and the error card with Retry.

use dioxus::prelude::*;

/// A placeholder with the shape of content. Slow widgets also count the
/// seconds, so a 15 s report visibly makes progress.
#[component]
pub fn WidgetSkeleton(slow: bool) -> Element {
    let mut seconds = use_signal(|| 0u32);
    use_future(move || async move {
        if !slow {
            return;
        }
        loop {
            sleep_one_second().await;
            seconds += 1;
        }
    });
    rsx! {
        div { class: "skeleton", "aria-busy": "true",
            div { class: "skeleton-line wide" }
            div { class: "skeleton-line" }
            div { class: "skeleton-line short" }
            p { class: "muted loading-label",
                if slow && seconds() > 0 { "loading… {seconds} s" } else { "loading…" }
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
async fn sleep_one_second() {
    wasmtimer::tokio::sleep(std::time::Duration::from_secs(1)).await;
}

/// Natively (component tests) the clock never ticks.
#[cfg(not(target_arch = "wasm32"))]
async fn sleep_one_second() {
    std::future::pending::<()>().await;
}

/// The error card: what went wrong, and a Retry that refreshes this widget
/// only.
#[component]
pub fn ErrorCard(message: String, on_retry: EventHandler<MouseEvent>) -> Element {
    rsx! {
        div { class: "error-card", role: "alert",
            p { class: "error-title", "This widget could not load." }
            p { class: "muted", "{message}" }
            button { class: "retry", "data-testid": "retry", onclick: move |event| on_retry.call(event), "Retry" }
        }
    }
}
