// An HTML artefact (a model's web page) shown inert: an iframe whose sandbox grants nothing
// (an opaque origin: no scripts, forms, popups or navigation of this app), whose document
// carries a Content-Security-Policy that forbids every network request, at a desktop (1280 px)
// or mobile (375 px) width, scaled to fit the column. The document is set through the srcdoc
// property; it is never parsed in the app's own page.
const WIDTHS = { desktop: 1280, mobile: 375 };

function build(parentElement) {
  const root = document.createElement("div");
  root.className = "mb-frame";
  const bar = document.createElement("div");
  bar.className = "mb-frame-bar";
  const buttons = {};
  for (const [mode, label] of [["desktop", "Desktop · 1280 px"], ["mobile", "Mobile · 375 px"]]) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.dataset.mode = mode;
    bar.appendChild(b);
    buttons[mode] = b;
  }
  const note = document.createElement("span");
  note.className = "mb-frame-note";
  note.textContent = "sandboxed: scripts, forms and network requests are off";
  bar.appendChild(note);
  const viewport = document.createElement("div");
  viewport.className = "mb-frame-viewport";
  root.append(bar, viewport);
  parentElement.appendChild(root);
  const state = { root, viewport, buttons, frame: null, doc: null, mode: "desktop", heights: {} };
  for (const [mode, b] of Object.entries(buttons)) {
    b.addEventListener("click", () => {
      state.mode = mode;
      layout(state);
    });
  }
  state.observer = new ResizeObserver(() => layout(state));
  state.observer.observe(root);
  return state;
}

function newFrame(state, doc, title) {
  if (state.frame) state.frame.remove();
  const frame = document.createElement("iframe");
  // Attributes before the document: the sandbox applies from the first load.
  frame.setAttribute("sandbox", "");
  frame.setAttribute("referrerpolicy", "no-referrer");
  frame.setAttribute("title", title);
  frame.srcdoc = doc;
  state.viewport.appendChild(frame);
  state.frame = frame;
  state.doc = doc;
}

function layout(state) {
  if (!state.frame) return;
  const width = WIDTHS[state.mode];
  const height = state.heights[state.mode];
  const room = Math.max(200, state.root.clientWidth);
  const scale = Math.min(1, room / width);
  state.frame.style.width = `${width}px`;
  state.frame.style.height = `${height}px`;
  state.frame.style.transform = `scale(${scale})`;
  state.viewport.style.height = `${Math.ceil(height * scale)}px`;
  state.viewport.style.width = `${Math.ceil(width * scale)}px`;
  for (const [mode, b] of Object.entries(state.buttons)) {
    b.setAttribute("aria-pressed", String(mode === state.mode));
  }
  state.root.dataset.mode = state.mode;
}

export default function (component) {
  const { data, parentElement } = component;
  const state = parentElement.__mbFrame || (parentElement.__mbFrame = build(parentElement));
  state.heights = { desktop: data.desktop_height, mobile: data.mobile_height };
  if (state.doc !== data.doc) newFrame(state, data.doc, data.title);
  layout(state);
  return () => state.observer.disconnect();
}
