// The growing timeline of one session as SVG: both speakers' speech, overlaps, nudges,
// bookmarks. Built with createElementNS and textContent only (no markup from data).
const NS = "http://www.w3.org/2000/svg";
const W = 1000, LANE = 16, MIN_LEFT = 80, MAX_LEFT = 220;
const ROWS = { coachee: 22, partner: 44, overlap: 62, nudge: 80 };
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

// The speakers' names in the left column: it grows with the longer name (80 to 220 units);
// a name longer still ends in "…" and shows whole on hover. Returns the lanes' left edge.
function nameLabels(svg, names) {
  const labels = {};
  for (const who of ["coachee", "partner"]) {
    const g = el("g", { class: "tl-label" }, svg);
    labels[who] = el("text", { x: 4, y: ROWS[who] + 12, class: "tl-name" }, g);
    labels[who].textContent = names[who];
  }
  // measured where the page shows the SVG; a hidden one measures 0: guess from the length
  const length = (node) => node.getComputedTextLength() || node.textContent.length * 7.2;
  const left = Math.min(MAX_LEFT, Math.max(MIN_LEFT, ...Object.values(labels).map((n) => Math.ceil(length(n)) + 12)));
  for (const [who, label] of Object.entries(labels)) {
    const full = names[who];
    if (length(label) <= left - 8) continue;
    let lo = 0, hi = full.length;   // the longest start that fits with its "…"
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      label.textContent = `${full.slice(0, mid).trimEnd()}…`;
      if (length(label) <= left - 8) lo = mid; else hi = mid - 1;
    }
    label.textContent = `${full.slice(0, lo).trimEnd()}…`;
    el("title", {}, label.parentNode).textContent = full;
  }
  return left;
}

export function drawTimeline(svg, s, w) {
  const now = s.t;
  const span = Math.max(60, Math.ceil((now + 5) / 30) * 30);
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} 104`);
  svg.setAttribute("role", "img");
  const names = { coachee: s.coachee || w.coachee, partner: s.partner || w.partner };
  const left = nameLabels(svg, names), inner = W - left - 10;
  const x = (t) => ((Math.max(0, t) / span) * inner + left).toFixed(1);
  const width = (t0, t1) => Math.max(1, ((t1 - t0) / span) * inner).toFixed(1);
  for (const who of ["coachee", "partner"]) {
    el("rect", { x: left, y: ROWS[who], width: inner, height: LANE, class: "tl-lane" }, svg);
    for (const [t0, t1] of intervals(s.speech[who], now)) {
      el("rect", { x: x(t0), y: ROWS[who], width: width(t0, t1), height: LANE, class: `tl-speech tl-${who}` }, svg);
    }
  }
  // the lower rows are named like the speakers' (a legend in place)
  for (const [row, text] of [["overlap", w.overlap], ["nudge", w.nudgesRow]]) {
    el("text", { x: 4, y: ROWS[row] + (row === "overlap" ? 6 : 9), class: "tl-name tl-row" }, svg).textContent = text;
  }
  for (const [t0, t1] of overlaps(intervals(s.speech.coachee, now), intervals(s.speech.partner, now))) {
    el("rect", { x: x(t0), y: ROWS.overlap, width: width(t0, t1), height: 6, class: "tl-overlap" }, svg);
  }
  for (const n of s.nudges) {
    const cx = Number(x(n.t));
    const mark = el("path", { d: `M${cx} ${ROWS.nudge} l5 9 h-10 z`, fill: NUDGE_COLOURS[n.kind] || "#888",
                              class: `tl-nudge tl-${n.kind}${n.delivered === false ? " tl-quiet" : ""}` }, svg);
    el("title", {}, mark).textContent = `${n.t.toFixed(1)} s · ${n.message}` +
      (n.delivered === false ? ` (${w.reportOnly})` : "");
  }
  for (const b of s.bookmarks) {
    const bx = Number(x(b.t));
    const flag = el("path", { d: `M${bx} 14 v80 M${bx} 14 h8 l-3 4 l3 4 h-8`, class: "tl-bookmark" }, svg);
    el("title", {}, flag).textContent = `${b.t.toFixed(1)} s · ${b.note}`;
  }
  const step = span <= 120 ? 15 : span <= 600 ? 60 : 300;
  for (let t = 0; t <= span; t += step) {
    const tick = el("text", { x: x(t), y: 102, class: "tl-tick" }, svg);
    tick.textContent = `${Math.floor(t / 60)}:${String(t % 60).padStart(2, "0")}`;
  }
  el("line", { x1: x(now), x2: x(now), y1: 16, y2: 92, class: "tl-now" }, svg);
}
