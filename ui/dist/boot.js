// Loads the wasm UI. Kept in its own file so the CSP needs no inline script.
// The page is also served at a view's own path (a window opened on
// /post/<id>), so every asset is named from the site's root or from this
// module, never from the page.
// Under `cargo tauri dev` the CLI's own dev server serves this folder and
// reloads the page when a rebuild rewrites it; nothing here knows of that.
import init from "./ui.js";

init({ module_or_path: new URL("./ui_bg.wasm", import.meta.url) }).catch((err) => {
  document.getElementById("main").textContent = "Larder's interface failed to load: " + err;
  // The reason replaces the first frame (see first-frame.js).
  document.dispatchEvent(new Event("larder-live"));
});
