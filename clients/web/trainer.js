// The trainer dashboard: every live session at a glance, one opened in detail.
// /trainer#token=TRAINER_TOKEN   (?token= works too; ?lang=en forces English chrome); the
// token is then taken out of the address and kept for this tab (a reload keeps working)
import { connect, param, takeToken } from "./protocol.js";
import { words } from "./i18n.js";
import { drawTimeline } from "./timeline.js";
import { theyText, track } from "./alerts.js";

const $ = (id) => document.getElementById(id);
// the token leaves the address once read (a dashboard on a projector showed it to the room)
const token = takeToken("trainer");

const sessions = new Map();          // id -> session model
let selected = param("session") || null;
let connection = "connecting", problem = "";
let client = null, pending = false, endArmed = null;
let debriefPath = "";                // from the welcome: the debrief with a read-only token

function make(id) {
  return { id, lang: "nl", coachee: "", partner: "", live: false, ended: false, reason: "", started_wall: null,
           report: "", t: 0, metrics: {}, nudges: [], bookmarks: [], utterances: new Map(), partial: {}, alerts: new Map(),
           speech: { coachee: { done: [], open: null }, partner: { done: [], open: null } } };
}

function session(id) {
  if (!sessions.has(id)) sessions.set(id, make(id));
  return sessions.get(id);
}

function pageLang() {
  if (param("lang")) return param("lang");
  const s = (selected && sessions.get(selected)) || sessions.values().next().value;
  return s ? s.lang : "nl";
}

// -- protocol ----------------------------------------------------------------------
function receive(msg) {
  if (msg.type === "welcome") {
    if (typeof msg.debrief === "string" && msg.debrief.startsWith("/debrief?")) debriefPath = msg.debrief;
    // a (re)connect: the server now sends each listed session's whole history again, so
    // what this page gathered for them starts afresh (or it would count everything twice);
    // the selection stays. A session the server does not list gets nothing again: kept.
    for (const info of msg.sessions || []) {
      if (!info || !info.session) continue;
      const id = String(info.session), old = sessions.get(id);
      const s = make(id);
      if (old) Object.assign(s, { lang: old.lang, coachee: old.coachee, partner: old.partner,
                                  started_wall: old.started_wall, report: old.report });
      sessions.set(id, s);
      Object.assign(s, { lang: info.lang || s.lang, coachee: info.coachee || s.coachee,
                         partner: info.partner || s.partner, started_wall: info.started_wall ?? s.started_wall,
                         live: !!info.live, ended: !info.live && info.started_wall != null });
    }
    if (selected) client?.send({ type: "watch", session: selected });
    return schedule();
  }
  if (msg.type === "error") { problem = String(msg.message || msg.code || "error"); return schedule(); }
  if (!msg.session) return;
  const s = session(String(msg.session));
  if (typeof msg.t === "number" && msg.t > s.t) s.t = msg.t;
  switch (msg.type) {
    case "session-started":
      Object.assign(s, { lang: msg.lang || s.lang, coachee: msg.coachee || s.coachee, partner: msg.partner || s.partner,
                         started_wall: msg.wall_clock ?? s.started_wall, live: true, ended: false });
      break;
    case "session-ended":
      s.live = false; s.ended = true; s.reason = String(msg.reason || "");
      s.alerts.clear();   // a silent channel, ASR behind: live problems, over with the session
      for (const lane of Object.values(s.speech)) if (lane.open !== null) { lane.done.push([lane.open, msg.t]); lane.open = null; }
      break;
    case "status":
      if (msg.listening) s.live = true;
      if (typeof msg.report === "string" && msg.report.startsWith("/reports/")) s.report = msg.report;
      break;
    case "speech-started": {
      const lane = s.speech[msg.speaker];
      if (lane && lane.open === null) lane.open = msg.t;
      break;
    }
    case "speech-ended": {
      const lane = s.speech[msg.speaker];
      if (lane && lane.open !== null) { lane.done.push([lane.open, Math.max(lane.open, msg.t)]); lane.open = null; }
      break;
    }
    case "transcript-partial": s.partial[msg.speaker] = msg; break;
    case "transcript-final":
    case "utterance-labeled": {
      const key = `${msg.speaker}|${Number(msg.t0).toFixed(2)}`;
      const old = s.utterances.get(key);
      s.utterances.set(key, { speaker: msg.speaker, t0: msg.t0, t1: msg.t1, text: String(msg.text ?? ""),
                              labels: msg.labels || (old && old.labels) || null });
      if (s.partial[msg.speaker] && s.partial[msg.speaker].t0 <= msg.t1) delete s.partial[msg.speaker];
      break;
    }
    case "metrics-updated": s.metrics = msg.metrics || {}; break;
    case "nudge-issued":
      s.nudges.push({ t: Number(msg.t) || 0, rule: String(msg.rule || ""), message: String(msg.message || ""),
                      kind: String(msg.kind || "negative"), delivered: msg.delivered !== false,
                      evidence_t: msg.evidence_t ?? null });
      break;
    case "nudge-withdrawn":  // the text showed it wrong (a long backchannel): it never happened
      s.nudges = s.nudges.filter((n) => !(n.rule === msg.rule && n.evidence_t === msg.evidence_t));
      break;
    case "pipeline-warning": if (s.ended || !track(s.alerts, msg)) return; break;
    case "bookmarked": s.bookmarks.push({ t: Number(msg.t) || 0, note: String(msg.note || ""), by: String(msg.by || "") }); break;
    default: return;
  }
  schedule();
}

// -- figures -----------------------------------------------------------------------
export function figures(s) {
  const m = s.metrics || {};
  const q = m.questions || {};
  const nudged = s.nudges.filter((n) => n.rule === "interruption").length;
  return {
    talk: typeof m.talk_share === "number" ? m.talk_share : null,
    reflections: m.reflections ?? 0,
    open: q.open ?? m.questions_open ?? 0,
    closed: q.closed ?? m.questions_closed ?? 0,
    interruptions: typeof m.interruptions === "number" ? m.interruptions : nudged,
  };
}

function clock(t) {
  const s = Math.max(0, Math.floor(t));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function h(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

// links carry the server's read-only view tokens (a report, the debrief), never the trainer
// token: a link in the browser history or a screenshot opens a page, not the live dashboard
function reportHref(s) {
  return s.report || `/reports/${encodeURIComponent(s.id)}?token=${encodeURIComponent(token)}`;
}

// the debrief of the ended sessions on this page, oldest first (the server takes at most 50);
// with none here (a restarted server), the server's own choice: the newest day's finished ones
function renderDebrief(w) {
  const ended = [...sessions.values()].filter((s) => s.ended)
    .sort((a, b) => (a.started_wall ?? 0) - (b.started_wall ?? 0)).slice(-50);
  const link = $("debrief");
  link.hidden = !token || connection === "refused";
  link.textContent = ended.length ? `${w.debrief} (${ended.length}) ›` : `${w.debrief} ›`;
  const which = ended.length ? `sessions=${ended.map((s) => encodeURIComponent(s.id)).join(",")}&` : "";
  const base = debriefPath || `/debrief?token=${encodeURIComponent(token)}`;
  link.href = `${base}&${which}lang=${pageLang().startsWith("en") ? "en" : "nl"}`;
}

// -- rendering -----------------------------------------------------------------------
function schedule() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; render(); });
}

function render() {
  const w = words(pageLang());
  document.documentElement.lang = pageLang().startsWith("en") ? "en" : "nl";
  $("title").textContent = `pullcoach · ${w.title}`;
  $("conn").textContent = !token ? w.notoken
    : connection === "refused" && problem ? (w.why[problem] || problem) : w[connection];
  $("conn").dataset.state = token ? connection : "refused";
  $("sessions-title").textContent = w.sessions;
  renderDebrief(w);
  renderGrid(w);
  renderDetail();
}

// in the order they started: a card stays where it was when its session ends
function renderGrid(w) {
  const grid = $("grid");
  const list = [...sessions.values()].sort((a, b) => ((a.started_wall ?? Infinity) - (b.started_wall ?? Infinity))
                                                   || a.id.localeCompare(b.id));
  if (!list.length) {  // refused or no token: the status line says why, no "no sessions yet"
    grid.replaceChildren(...(token && connection !== "refused" ? [withCode(h("p", "empty"), w.none)] : []));
    return;
  }
  grid.replaceChildren(...list.map(card));
}

// "... met `pullcoach run` ..." -> text with <code> for the commands
function withCode(node, text) {
  text.split("`").forEach((part, i) => node.append(i % 2 ? h("code", "", part) : document.createTextNode(part)));
  return node;
}

function card(s) {
  const w = words(s.lang);
  const f = figures(s);
  const c = h("article", "card" + (s.id === selected ? " selected" : "") + (s.live ? " live" : " over"));
  c.dataset.session = s.id;
  c.tabIndex = 0;
  const head = h("header", "card-head");
  head.append(h("span", "who", `${s.coachee || w.coachee} ↔ ${s.partner || w.partner}`),
              h("span", "badge " + (s.live ? "badge-live" : "badge-ended"), s.live ? `● ${w.live}` : w.ended),
              h("span", "clock", clock(s.t)));
  const figs = h("div", "figs");
  const talk = h("div", "fig fig-talk");
  const pct = f.talk === null ? "—" : `${Math.round(f.talk * 100)}%`;
  const bar = h("div", "bar");
  const fill = h("span", "fill" + (f.talk !== null && f.talk > 0.45 ? " high" : ""));
  fill.style.width = `${f.talk === null ? 0 : Math.round(f.talk * 100)}%`;
  const mark = h("span", "target");   // the seed's yardstick: 30%
  bar.append(fill, mark);
  talk.append(h("span", "label", w.talk), h("span", "value", pct), bar);
  figs.append(talk,
              fig("fig-reflections", w.reflections, String(f.reflections)),
              fig("fig-questions", w.questions, `${f.open}/${f.closed}`),
              fig("fig-interruptions", w.interruptions, String(f.interruptions)));
  const last = h("ul", "last-nudges");
  const recent = s.nudges.filter((n) => n.delivered).slice(-2).reverse();
  if (!recent.length) last.append(h("li", "none", w.noNudges));
  for (const n of recent) {
    const li = h("li", `nudge nudge-${n.kind}`);
    li.append(h("span", "t", clock(n.t)), h("span", "m", n.message));
    last.append(li);
  }
  c.append(head, figs, alerts(s, w), last);
  if (s.ended) {
    const a = h("a", "report-link", `${w.report} ›`);
    a.href = reportHref(s); a.target = "_blank"; a.rel = "noopener noreferrer";
    c.append(a);
  }
  c.append(h("div", "sid", s.id));
  return c;
}

// set-up problems the pipeline reported and nobody has put right yet; all of them are
// about the live pipeline, so an ended session has none (its report dates them)
function alerts(s, w) {
  const list = h("ul", "alerts");
  const open = s.ended ? [] : [...s.alerts.values()];
  for (const msg of open) {
    const sp = (msg.detail || {}).speaker;
    const who = (sp === "coachee" ? s.coachee : sp === "partner" ? s.partner : "") || w.who[sp] || "";
    const li = h("li", "alert", `⚠ ${theyText(msg, s.lang, who)}`);
    li.dataset.kind = String(msg.kind);
    list.append(li);
  }
  list.hidden = !open.length;
  return list;
}

function fig(cls, label, value) {
  const d = h("div", `fig ${cls}`);
  d.append(h("span", "label", label), h("span", "value", value));
  return d;
}

function renderDetail() {
  const s = selected && sessions.get(selected);
  const detail = $("detail");
  const w = words(s ? s.lang : pageLang());
  $("pick").textContent = w.pick;
  $("pick").hidden = !!s || !sessions.size;
  detail.hidden = !s;
  if (!s) return;
  $("d-who").textContent = `${s.coachee || w.coachee} ↔ ${s.partner || w.partner}`;
  $("d-meta").textContent = `${s.id} · ${clock(s.t)} · ${s.live ? w.watching : w.ended}`;
  $("d-alerts").replaceWith(Object.assign(alerts(s, w), { id: "d-alerts" }));
  $("d-timeline-title").textContent = w.timeline;
  $("d-transcript-title").textContent = w.transcript;
  $("nudge-title").textContent = w.sendNudge;
  $("nudge-text").placeholder = w.nudgePlaceholder;
  $("nudge-send").textContent = w.send;
  $("mark-title").textContent = w.bookmark;
  $("mark-note").placeholder = w.notePlaceholder;
  $("mark-send").textContent = w.mark;
  $("end").textContent = endArmed === s.id ? w.endSure : w.end;
  for (const id of ["nudge-text", "nudge-send", "mark-note", "mark-send", "end"]) $(id).disabled = !s.live;
  const quick = $("quick");
  if (quick.dataset.lang !== s.lang) {
    quick.dataset.lang = s.lang;
    quick.replaceChildren(...w.quick.map((text) => {
      const b = h("button", "chip", text);
      b.type = "button";
      b.addEventListener("click", () => { $("nudge-text").value = text; $("nudge-text").focus(); });
      return b;
    }));
  }
  const report = $("d-report");
  report.hidden = !s.ended;
  report.textContent = `${w.report} ›`;
  report.href = reportHref(s);
  drawTimeline($("timeline"), s, w);
  renderTranscript(s, w);
}

function renderTranscript(s, w) {
  const box = $("transcript");
  const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  // partials take their place by start time: a partner still talking stays above the coachee
  // who cut in, as it was said
  const finals = [...s.utterances.values()].sort((a, b) => a.t0 - b.t0).slice(-300);
  const rows = [...finals.map((u) => [u, false]),
                ...Object.values(s.partial).map((p) => [p, true])];
  rows.sort((a, b) => (a[0].t0 - b[0].t0) || (a[1] - b[1]));
  box.replaceChildren(...rows.map(([u, partial]) => line(u, s, w, partial)));
  if (atEnd) box.scrollTop = box.scrollHeight;
}

function line(u, s, w, partial) {
  const li = h("li", `utt utt-${u.speaker}` + (partial ? " partial" : ""));
  li.append(h("span", "t", clock(u.t0)), h("span", "spk", (u.speaker === "coachee" ? s.coachee : s.partner) || w[u.speaker]),
            h("span", "text", u.text));
  const tags = h("span", "tags");
  // the labels code the coachee's behaviour: none on the partner's lines
  for (const [key, value] of Object.entries(u.speaker === "coachee" ? u.labels || {} : {})) {
    if (!value) continue;
    const name = key === "question" ? w.labels[value] || value
      : key === "arguments" ? `${w.labels.arguments} ${value}` : w.labels[key] || key;
    tags.append(h("span", `tag tag-${key === "question" ? value : key}`, name));
  }
  li.append(tags);
  return li;
}

// -- actions -----------------------------------------------------------------------
function flash(id, text) {
  const node = $(id);
  node.textContent = text;
  setTimeout(() => { if (node.textContent === text) node.textContent = ""; }, 2500);
}

function select(id) {
  if (!sessions.has(id)) return;
  if (selected !== id) {  // kept in the address (fragment): a reload opens it again
    const frag = new URLSearchParams(location.hash.replace(/^#/, ""));
    frag.set("session", id);
    history.replaceState(null, "", `${location.pathname}${location.search}#${frag}`);
  }
  selected = id;
  endArmed = null;
  client && client.send({ type: "watch", session: id });
  schedule();
}

function wire() {
  // on press, not click: the cards are redrawn every second, and a click whose press and
  // release land on two versions of a card never reaches it (1 in 10 was lost)
  $("grid").addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0 || ev.target.closest("a")) return;
    const c = ev.target.closest(".card");
    if (c) select(c.dataset.session);
  });
  $("grid").addEventListener("keydown", (ev) => {
    const c = ev.target.closest(".card");
    if (c && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); select(c.dataset.session); }
  });
  $("nudge-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = $("nudge-text").value.trim().slice(0, 500);
    const w = words(sessions.get(selected)?.lang);
    if (!text || !selected) return;
    if (client?.send({ type: "send-nudge", session: selected, message: text })) {
      $("nudge-text").value = "";
      flash("nudge-ack", w.sent);
    } else flash("nudge-ack", w.notSent);
  });
  $("mark-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const w = words(sessions.get(selected)?.lang);
    if (!selected) return;
    if (client?.send({ type: "bookmark", session: selected, note: $("mark-note").value.trim().slice(0, 500) })) {
      $("mark-note").value = "";
      flash("mark-ack", w.marked);
    } else flash("mark-ack", w.notSent);
  });
  $("end").addEventListener("click", () => {
    if (!selected) return;
    if (endArmed === selected) {
      client?.send({ type: "end-session", session: selected });
      endArmed = null;
    } else {
      endArmed = selected;
      setTimeout(() => { endArmed = null; schedule(); }, 4000);
    }
    schedule();
  });
}

wire();
render();
if (token) {
  client = connect({
    hello: () => ({ v: 1, type: "hello", role: "trainer", token, client: "pullcoach-trainer-page" }),
    onMessage: receive,
    onState: (state, detail) => { connection = state; problem = detail || ""; schedule(); },
  });
}
window.pullcoachTrainer = { sessions, figures };
