// The first frame: the desktop backend paints the window's view into
// #first-frame from its cache, while the wasm UI renders the same view into
// #main, hidden. When the UI has rendered it, it dispatches "larder-live";
// this script then swaps the two in one task (so no frame shows both or
// neither) and hands over what the user did meanwhile: text typed into a
// field, the focus, and clicks and submits, replayed in order on the same
// element of the live UI (the two trees have the same shape, so an element
// is found by its path of child positions).
//
// Dioxus can hydrate server markup only as part of its fullstack server,
// which a desktop app has no use for; this swap is what stands in for it.
// It is a classic script so that it runs as soon as the frame is parsed,
// before any click can reach the frame. Without a first frame it does
// nothing.
(() => {
  const frame = document.getElementById("first-frame");
  const main = document.getElementById("main");
  if (!frame || !main) return;
  // For `cargo xtask ui-bench`: this launch painted a first frame.
  performance.mark("larder-first-frame");

  const pathOf = (node) => {
    const path = [];
    while (node && node !== frame) {
      const parent = node.parentElement;
      if (!parent) return null;
      path.unshift(Array.prototype.indexOf.call(parent.children, node));
      node = parent;
    }
    return node === frame ? path : null;
  };
  const at = (path) =>
    path.reduce((node, index) => (node ? node.children[index] : null), main);

  const actions = [];
  frame.addEventListener(
    "click",
    (event) => {
      // Links must not navigate the page itself; the live UI routes them.
      event.preventDefault();
      const path = pathOf(event.target);
      if (path) actions.push({ kind: "click", path });
    },
    true,
  );
  frame.addEventListener(
    "submit",
    (event) => {
      event.preventDefault();
      const path = pathOf(event.target);
      if (path) actions.push({ kind: "submit", path });
    },
    true,
  );

  const takeOver = () => {
    const fields = Array.from(frame.querySelectorAll("input, textarea, select"))
      .filter((field) => field.value !== field.defaultValue)
      .map((field) => ({ path: pathOf(field), value: field.value }));
    const active = document.activeElement;
    const focused = active && frame.contains(active) ? pathOf(active) : null;

    frame.remove();
    main.hidden = false;

    for (const { path, value } of fields) {
      const live = path && at(path);
      if (live && "value" in live) {
        live.value = value;
        live.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
    if (focused) at(focused)?.focus();
    for (const { kind, path } of actions) {
      const live = at(path);
      if (!live) continue;
      if (kind === "click") live.click();
      else if (kind === "submit" && live.requestSubmit) live.requestSubmit();
    }
  };
  document.addEventListener("larder-live", takeOver, { once: true });
})();
