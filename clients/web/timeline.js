// The growing timeline of one session as SVG: both speakers' speech, overlaps, gaps
// (a capture's, a server restart), nudges, bookmarks. Built with createElementNS and textContent only (no markup from data).
//
// Drawn incrementally: the SVG keeps its elements between draws and a draw touches only
// what changed (a new or growing interval, a nudge, the time axis). A long session used to
// rebuild every interval and re-measure the names on each redraw (40 ms at 16 minutes).
// Speech and overlaps are drawn in seconds inside a scaled group: when the axis grows
// (every 30 s) one transform changes, not every interval (that was 30 ms at an hour).
//
// A long session keeps a legible scale: past MIN_SCALE units a second (about five minutes
// on a desktop's width) the strip grows instead and .tl-scroll scrolls sideways, following
// the live end unless the trainer scrolled back; the names stay at the left. At 18 minutes
// one strip of the page's width was 1.2 px a second: the nudges ran together into one band.
const NS = "http://www.w3.org/2000/svg";
const W = 1000, H = 110, LANE = 16, MIN_LEFT = 80, MAX_LEFT = 220;
const MIN_SCALE = 3;   // units (1000 to the page's width) a second
// the overlap row's name clear of the partner's ("overlap" touched "Bram")
const ROWS = { coachee: 22, partner: 44, overlap: 68, nudge: 86 };
const NUDGE_COLOURS = { negative: "#d9822b", positive: "#3fa45b", cue: "#2a9d97", trainer: "#2f7fd8" };

function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.append(node);
  return node;
}

// intervals where both lists overlap; both sorted by start
export function overlaps(a, b) {
  const out = [];
  let i = 0, j = 0;
  while (i < a.length && j < b.length) {
    const s = Math.max(a[i][0], b[j][0]), e = Math.min(a[i][1], b[j][1]);
    if (e > s) out.push([s, e]);
    if (a[i][1] < b[j][1]) i++; else j++;
  }
  return out;
}

// speech intervals of one speaker, open ones closed at `now`
export function intervals(lane, now) {
  const out = lane.done.slice();
  if (lane.open !== null) out.push([lane.open, Math.max(lane.open, now)]);
  return out;
}

// what the name column came to for a pair of names: measuring forces a layout (and a long
// name is cut by trial), so it is done once per pair of names, not on every draw
const measured = new Map();   // "coachee\0partner" -> { left, shown: { coachee, partner } }

// The speakers' names in the left column: it grows with the longer name (80 to 220 units);
// a name longer still ends in "…" and shows whole on hover. Returns the lanes' left edge.
function nameLabels(svg, names) {
  const labels = {};
  for (const who of ["coachee", "partner"]) {
    const g = el("g", { class: "tl-label" }, svg.lastChild);
    labels[who] = el("text", { x: 4, y: ROWS[who] + 12, class: "tl-name" }, g);
    labels[who].textContent = names[who];
  }
  const key = `${names.coachee}\u0000${names.partner}`;
  let known = measured.get(key);
  if (!known) {
    // measured where the page shows the SVG; a hidden one measures 0: guess from the length
    // (and measure again next time)
    let guessed = false;
    const length = (node) => {
      const n = node.getComputedTextLength();
      if (!n) guessed = true;
      return n || node.textContent.length * 7.2;
    };
    const left = Math.min(MAX_LEFT, Math.max(MIN_LEFT, ...Object.values(labels).map((n) => Math.ceil(length(n)) + 12)));
    const shown = {};
    for (const [who, label] of Object.entries(labels)) {
      const full = names[who];
      shown[who] = full;
      if (length(label) <= left - 8) continue;
      let lo = 0, hi = full.length;   // the longest start that fits with its "…"
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        label.textContent = `${full.slice(0, mid).trimEnd()}…`;
        if (length(label) <= left - 8) lo = mid; else hi = mid - 1;
      }
      shown[who] = `${full.slice(0, lo).trimEnd()}…`;
    }
    known = { left, shown };
    if (!guessed) {
      if (measured.size > 100) measured.clear();
      measured.set(key, known);
    }
  }
  for (const [who, label] of Object.entries(labels)) {
    label.textContent = known.shown[who];
    if (known.shown[who] !== names[who]) el("title", {}, label.parentNode).textContent = names[who];
  }
  return known.left;
}

// Child i of `parent` as a `tag` with these attributes (and tooltip): made if missing,
// changed only where it differs from what is drawn.
function put(parent, i, tag, attrs, title = null) {
  set(parent.children[i] || el(tag, {}, parent), attrs, title);
}

function set(node, attrs, title = null) {
  const key = JSON.stringify(attrs) + (title ?? "");
  if (node._drawn === key) return;
  node._drawn = key;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (title !== null) {
    const t = node.firstChild || el("title", {}, node);
    t.textContent = title;
  }
}

// drop the children of `parent` from index n on
function keep(parent, n) {
  while (parent.children.length > n) parent.lastChild.remove();
}

const views = new WeakMap();   // svg -> what is drawn in it

// the static part: names, lanes, the lower rows' names, and a group per layer (z-order)
function build(svg, s, w, names, sig) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.style.removeProperty("--tl-grow");   // another session's strip may have grown
  scrollable(svg, false);
  svg.setAttribute("role", "img");
  // the name column: drawn last (over a scrolled strip), on the card's colour
  const column = el("g", { class: "tl-names" }, svg);
  // (over the axis only when scrolled: unscrolled, its first label sits at the lanes' left edge)
  const backing = el("rect", { x: 0, y: 0, height: H - 12, class: "tl-names-bg" }, column);
  const left = nameLabels(svg, names), inner = W - left - 10;
  backing.setAttribute("width", left - 2);
  const layers = {}, lanes = [];
  for (const who of ["coachee", "partner"]) {
    lanes.push(el("rect", { x: left, y: ROWS[who], width: inner, height: LANE, class: "tl-lane" }, svg));
    layers[who] = el("g", { class: "tl-seconds" }, svg);
  }
  // the lower rows are named like the speakers' (a legend in place)
  for (const [row, text] of [["overlap", w.overlap], ["nudge", w.nudgesRow]]) {
    el("text", { x: 4, y: ROWS[row] + (row === "overlap" ? 6 : 9), class: "tl-name tl-row" }, column).textContent = text;
  }
  layers.overlap = el("g", { class: "tl-seconds" }, svg);
  // a stretch with no audio or transcript, hatched over both lanes as the report hatches it
  const hatch = el("pattern", { id: "tl-no-audio", width: 5, height: 5, patternUnits: "userSpaceOnUse",
                                patternTransform: "rotate(45)" }, el("defs", {}, svg));
  el("rect", { width: 5, height: 5, fill: "#eef0f2" }, hatch);
  el("rect", { width: 2, height: 5, fill: "#b7bec6" }, hatch);
  for (const layer of ["gaps", "nudges", "bookmarks", "ticks"]) layers[layer] = el("g", {}, svg);
  const nowLine = el("line", { class: "tl-now" }, svg);
  svg.append(column);
  const view = { model: s, sig, left, inner, width: W, lanes, column, backing, layers, nowLine, span: null,
                 done: { coachee: 0, partner: 0 }, settled: -Infinity, follow: true, toEnd: true };
  views.set(svg, view);
  follow(svg);
  return view;
}

// The scroller around the SVG: a scroll says whether the trainer is at the live end (then
// a grown strip scrolls along) and keeps the name column at the scroller's left edge.
const followed = new WeakSet();
function follow(svg) {
  const box = svg.parentNode;
  if (!box || followed.has(box)) return;
  followed.add(box);
  box.addEventListener("scroll", () => {
    const v = views.get(svg);
    if (!v) return;
    v.follow = box.scrollLeft + box.clientWidth >= box.scrollWidth - 4;
    pinNames(svg, v);
  }, { passive: true });
}

// a grown strip takes the keyboard's focus: the arrow keys scroll it
function scrollable(svg, on) {
  const box = svg.parentNode;
  if (!box) return;
  if (on) box.tabIndex = 0; else box.removeAttribute("tabindex");
}

function pinNames(svg, v) {
  const box = svg.parentNode, m = svg.getScreenCTM();
  if (!box || !m || !m.a) return;
  const shift = Math.max(0, (box.getBoundingClientRect().left - m.e) / m.a);
  v.column.setAttribute("transform", shift > 0.5 ? `translate(${shift.toFixed(1)} 0)` : "");
  v.backing.setAttribute("height", shift > 0.5 ? H : H - 12);
}

// The strip's width in units for a span: the page's width (1000) while that keeps
// MIN_SCALE units a second, beyond it wider
export function stripWidth(span, left) {
  return Math.max(W, Math.ceil(left + 10 + span * MIN_SCALE));
}

const GAP_MIN_W = 8;   // units of 1000: a restart's mark, and a gap of a second, stay visible

function clockText(t) {
  const sec = Math.max(0, Math.floor(t));
  return `${Math.floor(sec / 60)}:${String(sec % 60).padStart(2, "0")}`;
}

// "0:19–0:44", or one time ("1:01") when both read the same, as the report writes a span
function spanText(t0, t1) {
  const a = clockText(t0), b = clockText(t1);
  return a === b ? a : `${a}–${b}`;
}

const TICK_STEPS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
const MAX_TICKS = 10;

// How far the axis runs: an ended session's to its end; a live one's a little ahead of now,
// growing in steps (10 s in the first two minutes, 30 s to ten, then a minute) so it
// rescales now and then, not on every draw. It grew in 30 s steps from a minute on, so a
// one-minute session ran to 1:30 (a third of the axis empty), also once it had ended.
// A strip grown past the page's width (`left`: its name column) grows by 10 s: what is drawn
// stays where it is, and the live end stays near the right edge.
export function axisSpan(now, ended, left = MIN_LEFT) {
  if (ended) return Math.max(now, 5);
  const grain = now < 120 || stripWidth(now + 2, left) > W ? 10 : now < 600 ? 30 : 60;
  return Math.max(30, Math.ceil((now + 2) / grain) * grain);
}

// The axis's ticks (seconds): at a round step, at most MAX_TICKS; an ended session's end
// gets one of its own unless a round one is within half a step of it (the two would crowd).
// A strip grown wider than the page gets as many per page's width.
export function axisTicks(span, ended, width = W) {
  const most = MAX_TICKS * Math.max(1, width / W);
  const step = TICK_STEPS.find((x) => span / x <= most) ?? TICK_STEPS.at(-1);
  const out = [];
  for (let t = 0; t <= span + 1e-6; t += step) out.push(t);
  if (ended && span - out.at(-1) >= step / 2) out.push(span);
  return out;
}

export function drawTimeline(svg, s, w) {
  const now = s.t;
  const names = { coachee: s.coachee || w.coachee, partner: s.partner || w.partner };
  const sig = [names.coachee, names.partner, w.overlap, w.nudgesRow, w.reportOnly].join("\u0000");
  let v = views.get(svg);
  if (!v || v.model !== s || v.sig !== sig || svg.firstChild === null) v = build(svg, s, w, names, sig);
  const { left, layers } = v;
  const span = axisSpan(now, s.ended, left);
  const rescaled = v.span !== span;   // every x moves (the axis grows in steps: axisSpan)
  v.span = span;
  if (rescaled) {
    // past MIN_SCALE the strip grows (and the x's already drawn stay where they are)
    const width = stripWidth(span, left);
    if (width !== v.width) {
      v.width = width;
      v.inner = width - left - 10;
      svg.setAttribute("viewBox", `0 0 ${width} ${H}`);
      svg.style.setProperty("--tl-grow", (width / W).toFixed(4));
      for (const lane of v.lanes) lane.setAttribute("width", v.inner);
      scrollable(svg, width > W);
      if (v.follow) v.toEnd = true;
    }
  }
  const inner = v.inner;
  const x = (t) => ((Math.max(0, t) / span) * inner + left).toFixed(1);
  // in the scaled groups: seconds (a hairline stroke keeps the shortest interval visible)
  const sec = (t) => Math.max(0, t).toFixed(2);
  const secs = (t0, t1) => Math.max(0, t1 - Math.max(0, t0)).toFixed(2);
  if (rescaled) {
    for (const g of svg.querySelectorAll(".tl-seconds")) g.setAttribute("transform", `translate(${left} 0) scale(${inner / span} 1)`);
  }
  for (const who of ["coachee", "partner"]) {
    // an ended interval stays as drawn: only new ones and the open one (growing with `now`)
    const lane = s.speech[who], g = layers[who], cls = `tl-speech tl-${who}`;
    for (let i = Math.min(v.done[who], lane.done.length); i < lane.done.length; i++) {
      const [t0, t1] = lane.done[i];
      put(g, i, "rect", { x: sec(t0), y: ROWS[who], width: secs(t0, t1), height: LANE, class: cls });
    }
    let n = lane.done.length;
    if (lane.open !== null) {
      const t1 = Math.max(lane.open, now);
      put(g, n++, "rect", { x: sec(lane.open), y: ROWS[who], width: secs(lane.open, t1), height: LANE, class: cls });
    }
    keep(g, n);
    v.done[who] = lane.done.length;
  }
  // an overlap that ended before both speakers' last ended interval (at the last draw) stays
  // as it is: later speech starts after it
  const over = overlaps(intervals(s.speech.coachee, now), intervals(s.speech.partner, now));
  over.forEach(([t0, t1], i) => {
    if (t1 > v.settled) {
      put(layers.overlap, i, "rect", { x: sec(t0), y: ROWS.overlap, width: secs(t0, t1), height: 6, class: "tl-overlap" });
    }
  });
  keep(layers.overlap, over.length);
  v.settled = Math.min(...["coachee", "partner"].map((who) => s.speech[who].done.at(-1)?.[1] ?? -Infinity));
  // a capture's gap (no audio: the server filled silence) and a server restart (what was
  // being said then has no transcript), over both lanes: the restart lasts no time, so it
  // gets a visible width. A stalled device hatches its speaker's lane, growing until its
  // audio is back; not where a capture's gap explains it (the filling of that gap stalls too).
  const away = s.gaps.filter((g) => g.kind === "capture-resumed");
  const shown = s.gaps.filter((g) => g.kind !== "channel-stalled"
                                     || !away.some((a) => g.t0 >= a.t0 - 0.5 && g.t0 <= a.t1 + 0.5));
  shown.forEach((g, i) => {
    const t1 = g.t1 === null ? Math.max(g.t0, now) : g.t1;
    // at least GAP_MIN_W wide, inside the lanes: a break at the end (it ended the session)
    // ran past their right edge
    let x0 = Number(x(g.t0)), x1 = Math.max(Number(x(t1)), x0 + GAP_MIN_W);
    if (x1 > left + inner) [x0, x1] = [Math.max(left, x0 - (x1 - left - inner)), left + inner];
    const tip = (w.gap[`${g.kind} ${g.cause}`] || w.gap[g.kind] || "{span}").replace("{span}", spanText(g.t0, t1))
      .replace("{who}", names[g.speaker] || "");
    // one stereo file that broke off: both sides, as a restart or a capture's gap
    const lane = g.speaker && g.cause !== "file-broken-both" ? { y: ROWS[g.speaker] ?? ROWS.partner, height: LANE }
                                                            : { y: ROWS.coachee, height: ROWS.partner + LANE - ROWS.coachee };
    put(layers.gaps, i, "rect", { x: x0.toFixed(1), y: lane.y, width: (x1 - x0).toFixed(1),
                                  height: lane.height, fill: "url(#tl-no-audio)",
                                  class: `tl-gap tl-gap-${g.kind}` }, tip);
  });
  keep(layers.gaps, shown.length);
  // a nudge sent while no overlay was open (nobody saw it) is a hollow triangle in its colour
  s.nudges.forEach((n, i) => {
    const cx = Number(x(n.t)), colour = NUDGE_COLOURS[n.kind] || "#888";
    // a shape per kind, as the report's (not colour alone): a good move ▲, the partner's signal ●, else ▼
    const y = ROWS.nudge, d = n.kind === "positive" ? `M${cx} ${y} l5 9 h-10 z`
      : n.kind === "cue" ? `M${cx - 4.5} ${y + 4.5} a4.5 4.5 0 1 0 9 0 a4.5 4.5 0 1 0 -9 0 z`
        : `M${cx - 5} ${y} h10 l-5 9 z`;
    put(layers.nudges, i, "path", { d, fill: n.unseen ? "#fff" : colour, stroke: colour,
                                    class: `tl-nudge tl-${n.kind}${n.delivered === false ? " tl-quiet" : ""}${n.unseen ? " tl-unseen" : ""}` },
        `${n.t.toFixed(1)} s · ${n.kind === "trainer" ? `${w.byYou} ` : ""}${n.message}`
        + (n.delivered === false ? ` (${w.reportOnly}${w.held[n.held] ? `: ${w.held[n.held]}` : ""})` : "")
        + (n.unseen ? ` (${w.unseen})` : ""));
  });
  keep(layers.nudges, s.nudges.length);
  s.bookmarks.forEach((b, i) => {
    const bx = Number(x(b.t));
    put(layers.bookmarks, i, "path", { d: `M${bx} 14 v82 M${bx} 14 h8 l-3 4 l3 4 h-8`, class: "tl-bookmark" },
        `${b.t.toFixed(1)} s · ${b.note}`);
  });
  keep(layers.bookmarks, s.bookmarks.length);
  if (rescaled) {
    const ticks = axisTicks(span, s.ended, v.width);
    ticks.forEach((t, i) => {
      put(layers.ticks, i, "text", { x: x(t), y: H - 2, class: "tl-tick" });
      const tick = layers.ticks.children[i];
      tick.textContent = clockText(t);
      // one at the right edge ends there (centred, it ran off the SVG); CSSOM, as the CSP allows
      tick.style.textAnchor = t > 0 && ((span - t) / span) * inner < 22 ? "end" : "";
    });
    keep(layers.ticks, ticks.length);
  }
  set(v.nowLine, { x1: x(now), x2: x(now), y1: 16, y2: 98, class: "tl-now" });
  // a strip that grew (or a session just opened) shows its newest end: once, not every draw
  // (it lays the page out); not while the strip is hidden (it measures 0)
  const box = svg.parentNode;
  if (v.toEnd && box) {
    box.scrollLeft = box.scrollWidth;
    if (box.clientWidth > 0) v.toEnd = false;
    pinNames(svg, v);
  }
  const label = ariaText(s, w, over.length);
  if (svg.getAttribute("aria-label") !== label) svg.setAttribute("aria-label", label);
}

// What the timeline shows, in words, for a screen reader (its role is img: its texts and
// tooltips made a jumble of a name): "Tijdlijn van 0:55: 7 seintjes over wat beter kan, ..."
export function ariaText(s, w, overlapCount) {
  const a = w.tlAria;
  const kinds = (k) => s.nudges.filter((n) => n.kind === k).length;
  const counts = { negative: kinds("negative"), positive: kinds("positive"), cue: kinds("cue"), trainer: kinds("trainer"),
                   overlap: overlapCount, bookmarks: s.bookmarks.length };
  const parts = Object.entries(a.counts).map(([k, forms]) => forms[counts[k] === 1 ? 0 : 1].replace("{n}", counts[k]));
  return `${a.head.replace("{duration}", clockText(s.t))}: ${parts.join(", ")}`;
}
