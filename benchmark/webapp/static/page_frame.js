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
  const enlarge = document.createElement("button");
  enlarge.type = "button";
  enlarge.textContent = "Enlarge";
  enlarge.className = "mb-frame-enlarge";
  bar.appendChild(enlarge);
  const note = document.createElement("span");
  note.className = "mb-frame-note";
  note.textContent = "sandboxed: scripts, forms and network requests are off";
  bar.appendChild(note);
  const viewport = document.createElement("div");
  viewport.className = "mb-frame-viewport";
  root.append(bar, viewport);
  parentElement.appendChild(root);
  const state = { root, viewport, buttons, enlarge, frame: null, doc: null, mode: "desktop", heights: {}, large: false };
  // Enlarged: the frame fills most of the window (Esc or the button again shrinks it).
  const toggle = (on) => {
    state.large = on;
    root.classList.toggle("mb-frame-large", on);
    enlarge.textContent = on ? "Close (Esc)" : "Enlarge";
    layout(state);
  };
  enlarge.addEventListener("click", () => toggle(!state.large));
  state.onKey = (e) => { if (state.large && e.key === "Escape") toggle(false); };
  document.addEventListener("keydown", state.onKey);
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
  // The viewport's 1 px border on each side is outside the scaled page.
  const room = Math.max(200, state.root.clientWidth - 2);
  const scale = Math.min(1, room / width);
  // Enlarged, the page fills the window's height; otherwise a fixed window onto the page.
  const height = state.large
    ? Math.floor((window.innerHeight * 0.85) / scale)
    : state.heights[state.mode];
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
  return () => {
    state.observer.disconnect();
    document.removeEventListener("keydown", state.onKey);
  };
}
