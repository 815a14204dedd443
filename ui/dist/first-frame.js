// The first frame: the desktop backend paints the window's view into
// #first-frame from its cache, while the wasm UI renders the same view into
// #main, hidden. When the UI has rendered it, it dispatches "larder-live";
// this script then swaps the two in one task (so no frame shows both or
// neither) and hands over what the user did meanwhile: text typed into a
// field, the focus, and clicks and submits, replayed in order on the same
// element of the live UI (the two trees have the same shape, so an element
// is found by its path of child positions, and used only if it is the same
// kind of element with the same test handle and words).
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
  // What an element is, to make sure its counterpart in the live UI is the
  // same control before anything is replayed on it (the live UI may have
  // settled on another view, say the sign-in after the session ended).
  const identity = (node) =>
    [node.localName, node.getAttribute("data-testid"), node.textContent.trim()].join("\u0000");
  const sameAt = (path, id) => {
    const live = path && at(path);
    return live && identity(live) === id ? live : null;
  };

  const actions = [];
  for (const kind of ["click", "submit"]) {
    frame.addEventListener(
      kind,
      (event) => {
        // Links must not navigate the page itself, nor forms submit it:
        // the live UI handles both.
        event.preventDefault();
        const path = pathOf(event.target);
        if (path) actions.push({ kind, path, id: identity(event.target) });
      },
      true,
    );
  }

  const takeOver = () => {
    const fields = Array.from(frame.querySelectorAll("input, textarea, select"))
      .filter((field) => field.value !== field.defaultValue)
      .map((field) => ({ path: pathOf(field), id: identity(field), value: field.value }));
    const active = document.activeElement;
    const focused =
      active && frame.contains(active) ? { path: pathOf(active), id: identity(active) } : null;

    frame.remove();
    main.hidden = false;

    for (const { path, id, value } of fields) {
      const live = sameAt(path, id);
      if (live && "value" in live) {
        live.value = value;
        live.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
    if (focused) sameAt(focused.path, focused.id)?.focus();
    for (const { kind, path, id } of actions) {
      const live = sameAt(path, id);
      if (!live) continue;
      if (kind === "click") live.click();
      else if (kind === "submit" && live.requestSubmit) live.requestSubmit();
    }
  };
  document.addEventListener("larder-live", takeOver, { once: true });
})();
