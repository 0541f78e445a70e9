// Computed facts of the rendered page, evaluated by the renderer in an isolated world (the
// page's own scripts cannot see or patch these functions or the built-ins they use).
// Coordinates are CSS px in document space (scroll offset added). Colours are [r, g, b, a]
// in sRGB 0-255 with alpha 0-1; the Python side composites them (benchmark/render/facts.py).
(() => {
  const LIMITS = { texts: 600, boxes: 1500, targets: 300, offenders: 30, clipped: 60, box_text: 160 };
  const SKIP = new Set(["HEAD", "SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "TITLE", "META", "LINK"]);
  const MEDIA = new Set(["IMG", "VIDEO", "CANVAS", "SVG", "PICTURE", "IFRAME", "OBJECT", "EMBED"]);
  const FOCUS_PROPS = [
    "outline-style", "outline-width", "outline-color", "outline-offset", "box-shadow",
    "border-top-color", "border-bottom-color", "border-left-color", "border-right-color",
    "border-top-width", "border-bottom-width", "background-color", "background-image", "color",
    "text-decoration-line", "text-decoration-color", "transform", "filter", "opacity",
  ];
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });

  function colour(value) {
    const m = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(value);
    if (m) return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]];
    // Any other syntax (oklch(), color(), lab()...): let the browser convert it to sRGB.
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = "rgba(0,0,0,0)";
    ctx.fillStyle = value;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  }

  function selector(el) {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && e !== document.documentElement; e = e.parentElement) {
      const tag = e.tagName.toLowerCase();
      if (e.id && /^[A-Za-z][\w-]*$/.test(e.id) && document.querySelectorAll("#" + e.id).length === 1) {
        parts.unshift(tag + "#" + e.id);
        break;
      }
      const same = e.parentElement ? [...e.parentElement.children].filter((c) => c.tagName === e.tagName) : [e];
      parts.unshift(same.length > 1 ? `${tag}:nth-of-type(${same.indexOf(e) + 1})` : tag);
    }
    return parts.join(" > ");
  }

  function skipped(el) {
    for (let e = el; e; e = e.parentElement) if (SKIP.has(e.tagName)) return true;
    return false;
  }

  function box(r) {
    return { x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height };
  }

  function ownText(el) {
    let t = "";
    for (const n of el.childNodes) if (n.nodeType === 3) t += n.textContent;
    return t.replace(/\s+/g, " ").trim();
  }

  function textRect(el) {
    const range = document.createRange();
    let rect = null;
    for (const n of el.childNodes) {
      if (n.nodeType !== 3 || !n.textContent.trim()) continue;
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) {
        if (r.width < 1 || r.height < 1) continue;
        rect = rect
          ? new DOMRect(Math.min(rect.left, r.left), Math.min(rect.top, r.top),
              Math.max(rect.right, r.right) - Math.min(rect.left, r.left),
              Math.max(rect.bottom, r.bottom) - Math.min(rect.top, r.top))
          : r;
      }
    }
    return rect;
  }

  function opacity(el) {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity);
    return o;
  }

  // Deliberately hidden from sight (visually-hidden text for screen readers, zero boxes).
  function hidden(el) {
    const cs = getComputedStyle(el);
    if (cs.visibility !== "visible" || cs.display === "none") return true;
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e);
      const r = e.getBoundingClientRect();
      if (s.display === "contents") continue;
      if (r.width <= 2 || r.height <= 2) return true;
      if (s.clip !== "auto" && s.position === "absolute") return true;
      if (s.clipPath && s.clipPath !== "none") return true;
      if (parseFloat(s.opacity) === 0) return true;
    }
    return false;
  }

  // What paints behind `el` at (x, y) in the viewport, top first, down to the canvas.
  function layersBehind(el, x, y) {
    const stack = document.elementsFromPoint(x, y);
    let below = stack.indexOf(el);
    let chain;
    if (below >= 0) chain = stack.slice(below);
    else {
      chain = [];
      for (let e = el; e; e = e.parentElement) chain.push(e);
    }
    const layers = [];
    for (const e of chain) {
      if (e === document.documentElement || e === document.body) continue;
      if (e !== el && MEDIA.has(e.tagName.toUpperCase())) return { layers, blocked: `text over <${e.tagName.toLowerCase()}>` };
      const cs = getComputedStyle(e);
      const o = opacity(e);
      if (cs.backgroundImage !== "none") {
        const stops = gradientStops(cs.backgroundImage);
        if (!stops) return { layers, blocked: `text over a background image (${selector(e)})` };
        // A gradient: the text is judged against each of its colour stops (the worst counts).
        layers.push(stops.map((c) => [c[0], c[1], c[2], c[3] * o]));
        if (stops.every((c) => c[3] * o >= 1)) return { layers, blocked: null };
      }
      const c = colour(cs.backgroundColor);
      c[3] *= o;
      if (c[3] > 0) layers.push([c]);
      if (c[3] >= 1) return { layers, blocked: null };
    }
    const root = getComputedStyle(document.documentElement);
    const body = document.body ? getComputedStyle(document.body) : null;
    // The canvas takes the root's background, else the body's (CSS backgrounds 3, 2.11.2).
    const canvasStyle = colour(root.backgroundColor)[3] > 0 || !body ? root : body;
    if (canvasStyle.backgroundImage !== "none") {
      const stops = gradientStops(canvasStyle.backgroundImage);
      if (!stops) return { layers, blocked: "text over the page's background image" };
      layers.push(stops);
    }
    layers.push([colour(canvasStyle.backgroundColor)]);
    layers.push([[255, 255, 255, 1]]); // the browser's default canvas
    return { layers, blocked: null };
  }

  // The colour stops of a background made of gradients only (null: an image is involved).
  function gradientStops(image) {
    if (/url\(|image-set\(|element\(|cross-fade\(/.test(image)) return null;
    const found = image.match(/rgba?\([^)]*\)|color\([^)]*\)|oklch\([^)]*\)|oklab\([^)]*\)|lab\([^)]*\)|lch\([^)]*\)/g);
    return found ? found.map(colour) : null;
  }

  function texts() {
    const out = [];
    for (const el of document.body ? document.body.querySelectorAll("*") : []) {
      if (out.length >= LIMITS.texts) break;
      if (skipped(el) || MEDIA.has(el.tagName.toUpperCase())) continue;
      const text = ownText(el);
      if (!text || hidden(el)) continue;
      const rect = textRect(el);
      if (!rect) continue;
      const cs = getComputedStyle(el);
      const docY = rect.top + scrollY;
      window.scrollTo({ left: 0, top: Math.max(0, docY - innerHeight / 2), behavior: "instant" });
      const r = textRect(el);
      const cx = Math.min(Math.max(r.left + Math.min(r.width, 40) / 2, 0), innerWidth - 1);
      const cy = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
      const behind = layersBehind(el, cx, cy);
      const fg = colour(cs.color);
      fg[3] *= opacity(el);
      out.push({
        selector: selector(el), tag: el.tagName.toLowerCase(), text: text.slice(0, 120),
        box: box(r), color: fg, layers: behind.layers, blocked: behind.blocked,
        font_size: parseFloat(cs.fontSize), font_weight: parseInt(cs.fontWeight, 10) || 400,
      });
    }
    window.scrollTo({ left: 0, top: 0, behavior: "instant" });
    return out;
  }

  const TARGET = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, ' +
    '[role="button"], [role="link"], [role="checkbox"], [role="radio"], [role="switch"], ' +
    '[role="tab"], [role="menuitem"], [tabindex]:not([tabindex="-1"])';

  function inlineInText(el, cs) {
    if (!cs.display.startsWith("inline") || cs.display === "inline-block" || cs.display === "inline-flex") return false;
    const p = el.parentElement;
    if (!p) return false;
    // A link in a sentence: its parent has words of its own beside it.
    return [...p.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  }

  function targets() {
    const out = [];
    for (const el of document.querySelectorAll(TARGET)) {
      if (out.length >= LIMITS.targets) break;
      if (skipped(el)) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility !== "visible" || cs.display === "none" || cs.pointerEvents === "none") continue;
      if (el.disabled) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) continue;
      const type = (el.getAttribute("type") || "").toLowerCase();
      out.push({
        selector: selector(el), tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || "").replace(/\s+/g, " ").trim().slice(0, 80),
        box: box(r), inline: inlineInText(el, cs),
        ua_control: el.tagName === "INPUT" && (type === "checkbox" || type === "radio") && cs.appearance !== "none",
      });
    }
    return out;
  }

  function scrollsX(e) {
    const o = getComputedStyle(e).overflowX;
    return o === "auto" || o === "scroll";
  }

  function fixedInside(el) {
    for (let e = el; e; e = e.parentElement) if (getComputedStyle(e).position === "fixed") return true;
    return false;
  }

  function overflow() {
    const de = document.documentElement;
    const width = de.clientWidth;
    const offenders = [];
    for (const el of document.body ? document.body.querySelectorAll("*") : []) {
      if (offenders.length >= LIMITS.offenders) break;
      if (skipped(el)) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility !== "visible" || fixedInside(el)) continue; // fixed boxes never scroll
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) continue;
      if (r.right + scrollX <= width + 1) continue; // off the left edge cannot be scrolled to
      let contained = false; // inside a horizontal scroll box (a wide table in a scroller is fine)
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) if (scrollsX(a)) { contained = true; break; }
      if (contained || hidden(el)) continue;
      // Report the outermost offender only.
      if (offenders.some((o) => o.el.contains(el))) continue;
      offenders.push({ el, selector: selector(el), box: box(r), outside: r.left + scrollX >= width });
    }
    // overflow-x: hidden on the root (or on the body, propagated to the viewport) stops sideways
    // scrolling: what sticks out is then cut off rather than scrollable.
    const clips = (e) => e && ["hidden", "clip"].includes(getComputedStyle(e).overflowX);
    const rootVisible = getComputedStyle(de).overflowX === "visible";
    return {
      root_clips: clips(de) || (rootVisible && clips(document.body)),
      viewport_width: width, scroll_width: Math.max(de.scrollWidth, document.body ? document.body.scrollWidth : 0),
      offenders: offenders.map(({ el, ...rest }) => rest),
    };
  }

  function clipped() {
    const out = [];
    for (const el of document.body ? document.body.querySelectorAll("*") : []) {
      if (out.length >= LIMITS.clipped) break;
      if (skipped(el)) continue;
      const text = ownText(el);
      if (!text || hidden(el)) continue;
      const r = textRect(el);
      if (!r) continue;
      for (let a = el; a; a = a.parentElement) {
        const s = getComputedStyle(a);
        const clipX = s.overflowX === "hidden" || s.overflowX === "clip";
        const clipY = s.overflowY === "hidden" || s.overflowY === "clip";
        if (!clipX && !clipY) continue;
        const ar = a === document.documentElement ? new DOMRect(0, 0, a.clientWidth, a.clientHeight + 1e9) : a.getBoundingClientRect();
        const bl = parseFloat(s.borderLeftWidth), bt = parseFloat(s.borderTopWidth);
        const left = ar.left + bl, top = ar.top + bt;
        const right = left + (a.clientWidth || ar.width), bottom = top + (a === document.documentElement ? 1e9 : a.clientHeight || ar.height);
        const outX = clipX && (r.left < left - 1 || r.right > right + 1);
        const outY = clipY && (r.top < top - 1 || r.bottom > bottom + 1);
        if (outX || outY) {
          out.push({ selector: selector(el), text: text.slice(0, 120), by: selector(a) || "html",
            ellipsis: getComputedStyle(a).textOverflow === "ellipsis", box: box(r), axis: outX ? "x" : "y" });
          break;
        }
      }
    }
    return out;
  }

  // Attributes a rubric's selectors may name (benchmark/render/select.py); long values (paths,
  // inline styles) are of no use to a selector and would bloat facts.json.
  const NO_ATTRS = new Set(["style", "d", "points", "src", "srcset", "class", "id"]);

  function attrs(el) {
    const out = {};
    for (const a of el.attributes) {
      if (NO_ATTRS.has(a.name) || a.name.startsWith("on")) continue;
      out[a.name] = a.value.slice(0, 80);
    }
    return out;
  }

  // Every rendered element with what a selector can match on: its parent (the index of the
  // nearest recorded ancestor), id, classes, attributes and its text when short (a card, a
  // button, a label: matching by text looks for the innermost element holding a phrase).
  function boxes() {
    const out = [];
    const index = new Map();
    for (const el of document.body ? document.body.querySelectorAll("*") : []) {
      if (out.length >= LIMITS.boxes) break;
      if (skipped(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 1 && r.height < 1) continue;
      let parent = null;
      for (let a = el.parentElement; a && parent === null; a = a.parentElement) {
        if (index.has(a)) parent = index.get(a);
      }
      // innerText keeps the breaks between blocks ("Orders 342", not "Orders342").
      const raw = el instanceof HTMLElement ? el.innerText : el.textContent;
      const text = (raw || "").replace(/\s+/g, " ").trim();
      index.set(el, out.length);
      out.push({ selector: selector(el), tag: el.tagName.toLowerCase(), box: box(r), parent,
        id: el.id || "", classes: [...el.classList], attrs: attrs(el),
        text: text.length <= LIMITS.box_text ? text : "" });
    }
    return out;
  }

  function focusStyle(el) {
    const cs = getComputedStyle(el);
    const s = {};
    for (const p of FOCUS_PROPS) s[p] = cs.getPropertyValue(p);
    return s;
  }

  const baseline = new Map();

  window.__musebench = {
    // Bring the page to its settled state: scroll through it once (scroll-triggered reveals),
    // finish finite animations and transitions, return to the top.
    async settle() {
      const frame = () => new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
      try { await document.fonts.ready; } catch (e) {}
      const h = document.documentElement.scrollHeight;
      for (let y = 0; y < Math.min(h, 20000); y += innerHeight) {
        window.scrollTo({ left: 0, top: y, behavior: "instant" });
        await frame();
      }
      window.scrollTo({ left: 0, top: 0, behavior: "instant" });
      for (const a of document.getAnimations()) { try { a.finish(); } catch (e) {} }
      await frame();
      return document.documentElement.scrollHeight;
    },
    facts() {
      return { texts: texts(), targets: targets(), overflow: overflow(), clipped: clipped(), boxes: boxes(),
        page_height: document.documentElement.scrollHeight, title: document.title.slice(0, 200) };
    },
    // Styles of every focusable element before any has focus; focused() compares against them.
    baseline() {
      baseline.clear();
      if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
      for (const el of document.querySelectorAll(TARGET)) baseline.set(el, focusStyle(el));
      return baseline.size;
    },
    focused() {
      const el = document.activeElement;
      if (!el || el === document.body || el === document.documentElement) return null;
      const before = baseline.get(el) || null;
      const r = el.getBoundingClientRect();
      return { selector: selector(el), tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || "").replace(/\s+/g, " ").trim().slice(0, 80),
        box: box(r), before, after: focusStyle(el), in_frame: el.tagName === "IFRAME" };
    },
  };
  return true;
})();
