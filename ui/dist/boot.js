// Loads the wasm UI. Kept in its own file so the CSP needs no inline script.
import init from "./ui.js";
init({ module_or_path: "./ui_bg.wasm" }).catch((err) => {
  document.getElementById("main").textContent = "Larder's interface failed to load: " + err;
});
