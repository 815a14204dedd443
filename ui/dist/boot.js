// Loads the wasm UI. Kept in its own file so the CSP needs no inline script.
//
// Under `cargo tauri dev` the page comes from the Tauri CLI's dev server (plain
// http on this computer). There it loads the build named by build-id.txt, which
// `cargo xtask ui --watch` rewrites after every rebuild, and reloads the page
// when that changes. The app and its state keep running.
const dev =
  location.protocol === "http:" && ["127.0.0.1", "localhost"].includes(location.hostname);

async function buildId() {
  const answer = await fetch("./build-id.txt", { cache: "no-store" });
  return (await answer.text()).trim();
}

async function boot() {
  const id = dev ? await buildId().catch(() => "") : "";
  const version = id ? "?v=" + encodeURIComponent(id) : "";
  const { default: init } = await import("./ui.js" + version);
  await init({ module_or_path: "./ui_bg.wasm" + version });
  if (dev) {
    setInterval(async () => {
      const now = await buildId().catch(() => id);
      if (now && now !== id) location.reload();
    }, 500);
  }
}

boot().catch((err) => {
  document.getElementById("main").textContent = "Larder's interface failed to load: " + err;
});
