// Loads the wasm UI. Kept in its own file so the CSP needs no inline script.
// The page is also served at a view's own path (a window opened on
// /post/<id>), so every asset is named from the site's root or from this
// module, never from the page.
// Under `cargo tauri dev` the CLI's own dev server serves this folder and
// reloads the page when a rebuild rewrites it; nothing here knows of that.
// The marks time the start for `cargo xtask ui-bench`: this module and the
// glue it imports loaded, then the wasm compiled (while it streams in).
import init from "./ui.js";

performance.mark("larder-boot");
const wasm = new URL("./ui_bg.wasm", import.meta.url);
const compile = async () => {
  try {
    return await WebAssembly.compileStreaming(fetch(wasm));
  } catch {
    // A webview that cannot compile while it downloads (or a server that
    // does not say application/wasm): the whole file, then compiled.
    return WebAssembly.compile(await (await fetch(wasm)).arrayBuffer());
  }
};

compile()
  .then((module) => {
    performance.mark("larder-wasm-compiled");
    return init({ module_or_path: module });
  })
  .catch((err) => {
    document.getElementById("main").textContent = "Larder's interface failed to load: " + err;
    // The reason replaces the first frame (see first-frame.js).
    document.dispatchEvent(new Event("larder-live"));
  });
