// The rubric panel of the Rate page. Verdicts, navigation and comments happen here, in the
// browser, so a key press shows its verdict at once; the whole draft (every verdict and comment)
// and the active time are sent to the server after each change ("sync" state), so a lost or
// merged update is repaired by the next one and nothing typed is lost. Submit, skip, flag and
// "next response" are one-shot "action" triggers that carry the draft too.
//
// Active time counts only while this panel is mounted (the user is logged in and on the Rate
// page), the tab is visible, the window has focus, and some key, pointer, wheel or scroll input
// came within `idle_limit_seconds`. The server accepts it up to the wall-clock time since the
// response was first shown.
//
// Everything shown comes from the suite (item texts) and is set with textContent, never as HTML.

const TICK_MS = 1000;
const HEARTBEAT_MS = 20000;
const COMMENT_DEBOUNCE_MS = 400;
const LABELS = { met: "Met", not_met: "Not met", unsure: "Unsure" };
const KEYS = { met: "M", not_met: "N", unsure: "U" };
const NEGATIVE_LABELS = { met: "Met: it fails this way", not_met: "Not met: it avoids this", unsure: "Unsure" };
const ICONS = { met: "✓", not_met: "✗", unsure: "?", none: "○" };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function typingIn(event) {
  const target = event.composedPath ? event.composedPath()[0] : event.target;
  if (!target || !target.tagName) return false;
  const tag = target.tagName.toLowerCase();
  return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
}

class Panel {
  constructor(parentElement, api) {
    this.parent = parentElement;
    this.api = api;
    this.root = el("div", "mb-panel");
    this.root.setAttribute("data-testid", "mb-rubric-panel");
    this.parent.appendChild(this.root);
    this.aid = null;
    this.timers = [];
    this.listeners = [];
  }

  // ---------------------------------------------------------------- data from the server
  load(data) {
    if (data.aid !== this.aid) this.reset(data);
    this.acked = Math.max(this.acked, data.saved_rev || 0);
    this.serverError = data.error || "";
    if (this.serverError) this.busy = "";  // a refused action: the buttons work again
    this.renderStatus();
  }

  reset(data) {
    this.aid = data.aid;
    this.root.dataset.aid = String(data.aid);
    this.items = data.items;
    this.draft = JSON.parse(JSON.stringify(data.draft || {}));
    this.rev = data.saved_rev || 0;
    this.acked = this.rev;
    this.sent = this.rev;
    this.activeMs = (data.active_seconds || 0) * 1000;
    this.sentActiveMs = this.activeMs;
    this.idleLimitMs = (data.idle_limit_seconds || 120) * 1000;
    this.busy = "";
    this.flagOpen = false;
    const firstMissing = this.items.findIndex((it) => !this.verdict(it.id));
    this.idx = firstMissing >= 0 ? firstMissing : 0;
    this.build();
    this.render();
  }

  verdict(id) {
    return (this.draft[id] || {}).verdict || null;
  }

  missing() {
    return this.items.filter((it) => !this.verdict(it.id)).length;
  }

  // ---------------------------------------------------------------- talking to the server
  payload() {
    return {
      aid: this.aid,
      rev: this.rev,
      draft: this.draft,
      active_seconds: Math.round(this.activeMs) / 1000,
    };
  }

  push() {
    this.sent = this.rev;
    this.sentActiveMs = this.activeMs;
    this.api.setStateValue("sync", this.payload());
    this.renderStatus();
  }

  act(kind, extra) {
    if (this.busy) return;
    this.busy = kind;
    this.sentActiveMs = this.activeMs;
    this.api.setTriggerValue("action", { ...this.payload(), kind, ...(extra || {}) });
    this.render();
  }

  changed() {
    this.rev += 1;
    this.push();
  }

  // ---------------------------------------------------------------- user actions
  setVerdict(v) {
    if (this.busy) return;
    const it = this.items[this.idx];
    this.draft[it.id] = { ...(this.draft[it.id] || {}), verdict: v };
    // Move on to the next item still without a verdict (or stay on the last one).
    const n = this.items.length;
    let next = this.idx;
    for (let step = 1; step <= n; step++) {
      const j = (this.idx + step) % n;
      if (!this.verdict(this.items[j].id)) { next = j; break; }
    }
    if (next === this.idx && this.idx < n - 1 && !this.missing()) next = this.idx + 1;
    this.idx = next;
    this.render();
    this.changed();
  }

  go(i) {
    if (i < 0 || i >= this.items.length || i === this.idx) return;
    this.idx = i;
    this.render();
  }

  commentInput(value) {
    const it = this.items[this.idx];
    this.draft[it.id] = { ...(this.draft[it.id] || {}), comment: value };
    this.rev += 1;
    this.renderStatus();
    clearTimeout(this.commentTimer);
    this.commentTimer = setTimeout(() => this.push(), COMMENT_DEBOUNCE_MS);
  }

  submit() {
    if (this.missing()) return;
    clearTimeout(this.commentTimer);
    this.act("submit");
  }

  openFlag() {
    this.flagOpen = true;
    this.render();
    this.flagInput.focus();
  }

  onKey(e) {
    if (e.altKey || e.metaKey || this.busy) return;
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
      e.preventDefault();
      this.submit();
      return;
    }
    if (e.ctrlKey || typingIn(e)) return;
    const key = e.key.toLowerCase();
    const verdict = { m: "met", n: "not_met", u: "unsure" }[key];
    if (verdict) this.setVerdict(verdict);
    else if (key === "j" || e.key === "ArrowDown") this.go(this.idx + 1);
    else if (key === "k" || e.key === "ArrowUp") this.go(this.idx - 1);
    else if (key === "s") this.act("skip");
    else if (key === "f") this.openFlag();
    else if (key === "c") this.comment.focus();
    else return;
    e.preventDefault();
  }

  // ---------------------------------------------------------------- active time
  tick(now) {
    const dt = Math.min(now - (this.lastTick || now), 2 * TICK_MS);
    this.lastTick = now;
    const active =
      document.visibilityState === "visible" &&
      document.hasFocus() &&
      now - (this.lastInput || 0) < this.idleLimitMs;
    if (active) this.activeMs += dt;
    this.root.dataset.active = String(active);
    if (this.clock) {
      const s = Math.floor(this.activeMs / 1000);
      this.clock.textContent = `active ${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
    }
    // A heartbeat: the time so far reaches the server, and the assignment is kept.
    if (this.activeMs - this.sentActiveMs >= HEARTBEAT_MS && !this.busy) this.push();
  }

  start() {
    const input = () => { this.lastInput = performance.now(); };
    const key = (e) => { input(); this.onKey(e); };
    const opts = { capture: true, passive: true };
    for (const type of ["pointermove", "pointerdown", "wheel", "scroll", "touchstart"]) {
      window.addEventListener(type, input, opts);
      this.listeners.push([type, input, opts]);
    }
    document.addEventListener("keydown", key);
    this.listeners.push(["keydown", key, undefined, document]);
    input();
    this.timers.push(setInterval(() => this.tick(performance.now()), TICK_MS));
  }

  stop() {
    for (const [type, fn, opts, target] of this.listeners) (target || window).removeEventListener(type, fn, opts);
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.commentTimer);
  }

  // ---------------------------------------------------------------- DOM
  build() {
    this.root.textContent = "";
    const head = el("div", "mb-head");
    this.counter = el("span", "mb-counter");
    this.counter.setAttribute("data-testid", "mb-counter");
    this.status = el("span", "mb-status");
    this.status.setAttribute("data-testid", "mb-status");
    this.status.setAttribute("role", "status");
    this.clock = el("span", "mb-clock");
    head.append(this.counter, this.status, this.clock);

    const card = el("div", "mb-card");
    card.setAttribute("data-testid", "mb-current-item");
    this.itemText = el("div", "mb-item-text");
    this.negNote = el("div", "mb-negative", "This item describes a failure: choose Met if the response fails this way.");
    const row = el("div", "mb-verdicts");
    this.verdictButtons = {};
    for (const v of ["met", "not_met", "unsure"]) {
      const b = el("button", `mb-verdict mb-${v}`);
      b.type = "button";
      b.dataset.verdict = v;
      b.addEventListener("click", () => this.setVerdict(v));
      row.appendChild(b);
      this.verdictButtons[v] = b;
    }
    this.guidance = el("div", "mb-guidance");
    this.examples = el("div", "mb-examples");
    this.comment = el("textarea", "mb-comment");
    this.comment.rows = 2;
    this.comment.placeholder = "Comment (optional, saved as you type; C to write, Esc to leave)";
    this.comment.setAttribute("aria-label", "Comment on this item");
    this.comment.addEventListener("input", () => this.commentInput(this.comment.value));
    this.comment.addEventListener("keydown", (e) => { if (e.key === "Escape") this.comment.blur(); });
    const nav = el("div", "mb-nav");
    this.prevButton = el("button", "mb-secondary", "↑ Previous (K)");
    this.prevButton.type = "button";
    this.prevButton.addEventListener("click", () => this.go(this.idx - 1));
    this.nextButton = el("button", "mb-secondary", "↓ Next (J)");
    this.nextButton.type = "button";
    this.nextButton.addEventListener("click", () => this.go(this.idx + 1));
    nav.append(this.prevButton, this.nextButton);
    card.append(this.itemText, this.negNote, row, this.guidance, this.examples, this.comment, nav);

    const actions = el("div", "mb-actions");
    this.submitButton = el("button", "mb-primary", "Submit (Ctrl+Enter)");
    this.submitButton.type = "button";
    this.submitButton.setAttribute("data-testid", "mb-submit");
    this.submitButton.addEventListener("click", () => this.submit());
    this.skipButton = el("button", "mb-secondary", "Skip (S)");
    this.skipButton.type = "button";
    this.skipButton.addEventListener("click", () => this.act("skip"));
    this.flagButton = el("button", "mb-secondary", "Flag… (F)");
    this.flagButton.type = "button";
    this.flagButton.addEventListener("click", () => this.openFlag());
    actions.append(this.submitButton, this.skipButton, this.flagButton);

    this.flagBox = el("div", "mb-flag");
    this.flagInput = el("input", "mb-flag-input");
    this.flagInput.type = "text";
    this.flagInput.placeholder = "What is wrong with this response?";
    this.flagInput.setAttribute("aria-label", "Reason for flagging");
    this.flagInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.act("flag", { reason: this.flagInput.value });
      if (e.key === "Escape") { this.flagOpen = false; this.render(); }
    });
    const flagGo = el("button", "mb-secondary", "Flag and skip");
    flagGo.type = "button";
    flagGo.addEventListener("click", () => this.act("flag", { reason: this.flagInput.value }));
    this.flagBox.append(this.flagInput, flagGo);

    this.list = el("ol", "mb-list");
    this.list.setAttribute("aria-label", "All items");
    this.rows = this.items.map((it, i) => {
      const li = el("li");
      const b = el("button", "mb-row");
      b.type = "button";
      b.addEventListener("click", () => this.go(i));
      const icon = el("span", "mb-icon");
      const text = el("span", "mb-row-text", `${i + 1}. ${it.text}`);
      b.append(icon, text);
      li.appendChild(b);
      this.list.appendChild(li);
      return { button: b, icon };
    });
    const keys = el("div", "mb-keys", "Keys: M met · N not met · U unsure · J/K next/previous · C comment · Ctrl+Enter submit · S skip · F flag");
    this.root.append(head, card, actions, this.flagBox, this.list, keys);
  }

  render() {
    const it = this.items[this.idx];
    const v = this.verdict(it.id);
    this.itemText.textContent = `${this.idx + 1}/${this.items.length}. ${it.text}`;
    this.negNote.hidden = !it.negative;
    for (const [name, b] of Object.entries(this.verdictButtons)) {
      b.textContent = `${(it.negative ? NEGATIVE_LABELS : LABELS)[name]} (${KEYS[name]})`;
      b.setAttribute("aria-pressed", String(v === name));
      b.disabled = Boolean(this.busy);
    }
    this.guidance.textContent = it.guidance || "";
    this.guidance.hidden = !it.guidance;
    this.examples.textContent = "";
    if (it.example_met || it.example_not_met) {
      this.examples.append(
        el("div", "", `Met, e.g.: ${it.example_met || "—"}`),
        el("div", "", `Not met, e.g.: ${it.example_not_met || "—"}`),
      );
    }
    this.examples.hidden = !(it.example_met || it.example_not_met);
    const comment = (this.draft[it.id] || {}).comment || "";
    if (this.comment.value !== comment) this.comment.value = comment;
    this.prevButton.disabled = this.idx === 0;
    this.nextButton.disabled = this.idx === this.items.length - 1;
    this.submitButton.disabled = Boolean(this.missing() || this.busy);
    this.skipButton.disabled = this.flagButton.disabled = Boolean(this.busy);
    this.flagBox.hidden = !this.flagOpen;
    this.rows.forEach((row, i) => {
      const rv = this.verdict(this.items[i].id);
      row.icon.textContent = ICONS[rv || "none"];
      row.button.dataset.verdict = rv || "";
      row.button.setAttribute("aria-current", String(i === this.idx));
    });
    this.root.dataset.current = it.id;
    this.renderStatus();
  }

  renderStatus() {
    if (!this.counter) return;
    const answered = this.items.length - this.missing();
    this.counter.textContent = `Rubric · ${answered}/${this.items.length} answered`;
    let text = "saved";
    let kind = "ok";
    if (this.serverError) { text = `not saved: ${this.serverError}`; kind = "error"; }
    else if (this.busy) { text = this.busy === "submit" ? "submitting…" : "working…"; kind = "busy"; }
    else if (this.acked < this.rev) { text = "saving…"; kind = "busy"; }
    this.status.textContent = text;
    this.status.dataset.kind = kind;
    this.root.dataset.savedRev = String(this.acked);
  }
}

export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue } = component;
  let panel = parentElement.__mbPanel;
  if (!panel) {
    panel = parentElement.__mbPanel = new Panel(parentElement, { setStateValue, setTriggerValue });
    panel.start();
  }
  panel.api = { setStateValue, setTriggerValue };
  panel.load(data);
  return () => panel.stop();
}
