//! [`Island`]: the error boundary and suspense boundary every widget,
//! profile part, role widget and post part sits in, so a slow or failing island
//! never holds back or breaks another; and the [`ErrorCard`] it shows.

use dioxus::prelude::*;
use larder_protocol::CommandError;

use super::chrome::WidgetSkeleton;

/// One island: an error boundary (whose card's Retry calls `on_retry`)
/// around a suspense boundary (showing the skeleton) around `children`.
/// Every widget, profile part, role widget and post part sits in one, so a slow
/// or failing island never holds back or breaks another.
#[component]
pub fn Island(on_retry: EventHandler<()>, children: Element) -> Element {
    rsx! {
        ErrorBoundary {
            handle_error: move |errors: ErrorContext| rsx! {
                ErrorCard {
                    message: error_message(&errors),
                    on_retry: move |_| {
                        errors.clear_errors();
                        on_retry.call(());
                    },
                }
            },
            SuspenseBoundary {
                fallback: |_| rsx! { WidgetSkeleton {} },
                {children}
            }
        }
    }
}

/// The message for what an island caught: a command's own words when it is
/// a [`CommandError`], else the error as it prints.
pub fn error_message(errors: &ErrorContext) -> String {
    errors
        .error()
        .map(|captured| match captured.0.downcast_ref::<CommandError>() {
            Some(err) => err.to_string(),
            None => captured.to_string(),
        })
        .unwrap_or_default()
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
