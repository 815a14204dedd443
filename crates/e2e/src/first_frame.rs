//! Holding back the live UI's takeover of the first frame, so a test can
//! look at the first frame and at the live UI rendered beside it, then let
//! the takeover happen.

use anyhow::Result;

use crate::{Harness, Stopped};

impl Stopped {
    /// Starts the app again as [`Self::launch`] does, with the page's
    /// takeover by the live UI held back from the moment the session exists
    /// (see [`Harness::release_live_ui`]). The flag says whether it was
    /// held: not when the live UI had already taken over by then.
    pub async fn launch_held(self, extra: &[(&str, &str)]) -> Result<(Harness, bool)> {
        let env = self.env_with(extra);
        let harness = Harness::launch_once(self.home, env).await?;
        // A capturing listener on the window runs before the page's own on
        // the document, and stops the event there, once.
        let held = harness
            .script(
                "window.addEventListener('larder-live', (event) => { \
                   event.stopImmediatePropagation(); window.__larderHeld = true; \
                 }, { capture: true, once: true }); \
                 return document.getElementById('first-frame') !== null;",
            )
            .await?;
        Ok((harness, held == true))
    }
}

impl Harness {
    /// Whether the live UI asked to take over while it was held.
    pub async fn live_ui_waiting(&self) -> Result<bool> {
        Ok(self.script("return window.__larderHeld === true;").await? == true)
    }

    /// Lets a held takeover happen: the event again, as the live UI sent it.
    pub async fn release_live_ui(&self) -> Result<()> {
        self.script("document.dispatchEvent(new Event('larder-live'));")
            .await?;
        Ok(())
    }

    /// Whether the live UI shows (no first frame is on the page).
    pub async fn live(&self) -> Result<bool> {
        Ok(self
            .script("return document.getElementById('first-frame') === null;")
            .await?
            == true)
    }
}
