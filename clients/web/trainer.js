// The trainer dashboard: every live session at a glance, one opened in detail.
// /trainer#token=TRAINER_TOKEN   (?token= works too; ?lang=en forces English chrome); the
// token is then taken out of the address and kept for this tab (a reload keeps working)
import { browserLang, connect, param, takeToken } from "./protocol.js";
import { refusalText, words } from "./i18n.js";
import { drawTimeline } from "./timeline.js";
import { causeOf, shown as shownAlerts, theyText, track } from "./alerts.js";

const $ = (id) => document.getElementById(id);
// the token leaves the address once read (a dashboard on a projector showed it to the room)
const token = takeToken("trainer");

const sessions = new Map();          // id -> session model
let selected = param("session") || null;
let connection = "connecting", problem = "";
let client = null, pending = false, endArmed = null;
let debriefPath = "";                // from the welcome: the debrief with a read-only token
let serverLang = null;               // from the welcome: the server's --lang ("nl" from an older server)
let asked = null;                    // the trainer's last command: {ack, session, at}, for its error
let opened = null;                   // a session opened by keyboard: its pane's heading gets the focus
let deleted = null;                  // the open session was deleted (`pullcoach sessions delete`): the pane says so
// (the words here, not in i18n.js, until they move there)
const DELETED = { nl: "Dit gesprek is verwijderd.", en: "This conversation was deleted." };

// `changed`: the keys of the utterances new or changed since the transcript last showed them;
// `rev` counts every change, `marks` the ones the timeline shows at once (nudges, bookmarks, the end)
function make(id) {
  return { id, lang: "nl", coachee: "", partner: "", live: false, ended: false, reason: "", started_wall: null,
           report: "", t: 0, away: false, ending: false, via: "", overlays: null, metrics: {}, focus: [], focusRules: [], focusSaid: [], off: new Set(), nudges: [], bookmarks: [], gaps: [], utterances: new Map(), partial: {}, alerts: new Map(),
           speech: { coachee: { done: [], open: null }, partner: { done: [], open: null } },
           changed: new Set(), rev: 0, marks: 0 };
}

// `pullcoach sessions delete` took it out of the store: its card, transcript, timeline and
// report link go from this page at once (a beamer showed a participant who asked to be
// deleted until the page was reloaded); the open pane says it was deleted, nothing more
function forget(id) {
  if (!sessions.delete(id) && selected !== id) return;
  if (asked?.session === id) asked = null;
  if (endArmed === id) endArmed = null;
  if (selected === id) {
    const had = $("detail").contains(document.activeElement);
    selected = null;
    deleted = id;
    const frag = new URLSearchParams(location.hash.replace(/^#/, ""));
    frag.delete("session");   // a reload opens no pane for it
    const f = frag.toString();
    history.replaceState(null, "", `${location.pathname}${location.search}${f ? "#" + f : ""}`);
    // the hidden pane keeps nothing of it either: names, lines, timeline, alerts
    for (const node of ["d-who", "d-meta", "d-announce", "transcript", "timeline", "d-alerts", "focus-rules"]) $(node).replaceChildren();
    delete $("focus-rules").dataset.sig;
    $("d-report").removeAttribute("href");
    Object.assign(tv, { model: null, sig: "", rows: [], byKey: new Map(), partials: {}, floor: -Infinity, stick: true });
    Object.assign(tl, { model: null, rev: -1 });
    heard.id = null;
    if (had) { $("pick").tabIndex = -1; $("pick").focus({ preventScroll: true }); }
  }
  schedule();
}

// over: its badge, its report link, the debrief's count
function end(s, t, reason) {
  s.live = false; s.ended = true; s.ending = false; s.reason = reason; s.marks++;
  // live problems end with the session; a replayed file that broke off is why it ended there
  for (const [k, m] of s.alerts) if ((m.detail || {}).cause !== "file-broken") s.alerts.delete(k);
  for (const lane of Object.values(s.speech)) if (lane.open !== null) { lane.done.push([lane.open, t]); lane.open = null; }
}

// "partner"/"coachee" is what a pair without names sends: no name, so the page says the
// report's and the debrief's words for the role ("Gesprekspartner"), not the raw default
const named = (name, role) => (name && name !== role ? String(name) : "");

function session(id) {
  if (!sessions.has(id)) sessions.set(id, make(id));
  return sessions.get(id);
}

// the page's own language: asked for (?lang=), else most sessions'; no sessions or a tie: the
// server's (its --lang, from the welcome or a refused hello's detail; an older server's: Dutch),
// before the server says anything the browser's. Not the
// selected session's: picking an English role-play turned the Dutch page and its debrief
// link English (the selected session's pane speaks its language, its quick nudges too)
function pageLang() {
  if (param("lang")) return param("lang");
  let en = 0, nl = 0;
  for (const s of sessions.values()) String(s.lang || "nl").startsWith("en") ? en++ : nl++;
  if (en !== nl) return en > nl ? "en" : "nl";
  return serverLang ?? browserLang();
}

// -- protocol ----------------------------------------------------------------------
function receive(msg) {
  if (msg.type === "welcome") {
    serverLang = msg.lang === "en" ? "en" : "nl";
    if (typeof msg.debrief === "string" && msg.debrief.startsWith("/debrief?")) debriefPath = msg.debrief;
    // a (re)connect: the server now sends each listed session's whole history again, so
    // what this page gathered for them starts afresh (or it would count everything twice);
    // the selection stays. A session the server does not list gets nothing again: kept, and
    // ended (a restarted server cut it off; it goes live again if its capture goes on with it)
    const listed = new Set((msg.sessions || []).map((info) => String(info?.session)));
    for (const s of sessions.values()) if (!listed.has(s.id) && !s.ended) end(s, s.t, "");
    for (const info of msg.sessions || []) {
      if (!info || !info.session) continue;
      const id = String(info.session), old = sessions.get(id);
      const s = make(id);
      if (old) Object.assign(s, { lang: old.lang, coachee: old.coachee, partner: old.partner,
                                  started_wall: old.started_wall, report: old.report, focusRules: old.focusRules });
      sessions.set(id, s);
      Object.assign(s, { lang: info.lang || s.lang, coachee: named(info.coachee, "coachee") || s.coachee,
                         partner: named(info.partner, "partner") || s.partner, started_wall: info.started_wall ?? s.started_wall,
                         live: !!info.live, ended: !info.live && info.started_wall != null });
    }
    if (selected) client?.send({ type: "watch", session: selected });
    return schedule();
  }
  if (msg.type === "error") {   // a refused hello says the server's language (no welcome comes)
    if (serverLang == null && ["nl", "en"].includes(msg.detail?.lang)) serverLang = msg.detail.lang;
    problem = String(msg.message || msg.code || "error");
    if (connection === "connected" && asked && performance.now() - asked.at < 10000) refused(asked, msg);
    asked = null;
    return schedule();
  }
  if (!msg.session) return;
  if (msg.type === "session-deleted") return forget(String(msg.session));
  if (msg.type === "tick") {   // ten a second per session: the clock moves, nothing is redrawn for it
    const s = sessions.get(String(msg.session));
    if (s && typeof msg.t === "number" && msg.t > s.t) s.t = msg.t;
    return;
  }
  const s = session(String(msg.session));
  if (typeof msg.t === "number" && msg.t > s.t) s.t = msg.t;
  if (asked && asked.session === s.id && (msg.type === "focus-changed" || msg.type === "bookmarked"
      || (msg.type === "nudge-issued" && msg.kind === "trainer"))) asked = null;   // done: no error to come
  switch (msg.type) {
    case "session-started":
      Object.assign(s, { lang: msg.lang || s.lang, coachee: named(msg.coachee, "coachee") || s.coachee,
                         partner: named(msg.partner, "partner") || s.partner,
                         started_wall: msg.wall_clock ?? s.started_wall, live: true, ended: false,
                         via: String(msg.via || "") });
      break;
    case "session-ended":
      end(s, msg.t, String(msg.reason || ""));
      break;
    case "status":
      if (msg.listening) Object.assign(s, { live: true, ended: false });
      s.away = msg.capture_away === true;
      // an end was asked (on any page, before a reload): no second "Sessie beëindigen"
      if (msg.ending === true && !s.ended) s.ending = true;
      if (typeof msg.overlays === "number") s.overlays = msg.overlays;   // a trainer's status says it
      if (typeof msg.report === "string" && msg.report.startsWith("/reports/")) s.report = msg.report;
      if (Array.isArray(msg.focus_rules)) {
        s.focusRules = msg.focus_rules.filter((x) => Array.isArray(x) && x.length === 2).map(([r, m]) => [String(r), String(m)]);
      }
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
      s.changed.add(key);
      if (s.partial[msg.speaker] && s.partial[msg.speaker].t0 <= msg.t1) delete s.partial[msg.speaker];
      break;
    }
    case "metrics-updated": s.metrics = msg.metrics || {}; break;
    case "nudge-issued":
      s.nudges.push({ t: Number(msg.t) || 0, rule: String(msg.rule || ""), message: String(msg.message || ""),
                      kind: String(msg.kind || "negative"), delivered: msg.delivered !== false,
                      held: String((msg.detail || {}).held || ((msg.detail || {}).repeat ? "repeat" : "")),
                      // the server counted the overlays that showed it: none (a capture's session)
                      unseen: msg.delivered !== false && (msg.detail || {}).overlays === 0,
                      evidence_t: msg.evidence_t ?? null });
      s.marks++;
      break;
    case "nudge-withdrawn":  // the text showed it wrong (a long backchannel): it never happened
      s.nudges = s.nudges.filter((n) => !(n.rule === msg.rule && n.evidence_t === msg.evidence_t));
      s.marks++;
      break;
    case "pipeline-warning": {
      // a restarted server goes on with it in a new pipeline, which says again what still holds
      if (msg.kind === "session-resumed") for (const [k, m] of s.alerts) if (pipelineProblem(m)) s.alerts.delete(k);
      const marked = gap(s, msg);   // on the timeline also once the session has ended
      if (marked) s.marks++;
      const alerted = !s.ended && track(s.alerts, msg);
      const off = ruleOff(s, msg);  // its focus chip says so
      if (!marked && !alerted && !off) return;
      break;
    }
    case "focus-changed":
      s.focus = Array.isArray(msg.rules) ? msg.rules.map(String) : [];
      s.focusServer = s.focus;   // what a refused set-focus goes back to
      s.focusSaid = s.focus.map((r, i) => [r, String((msg.messages || [])[i] || "")]).filter(([, m]) => m);
      break;
    case "bookmarked":
      s.bookmarks.push({ t: Number(msg.t) || 0, note: String(msg.note || ""), by: String(msg.by || "") });
      s.marks++;
      break;
    default: return;
  }
  s.rev++;
  schedule();
}

// A capture started again (its gap: t to detail.resumed_at, no audio) or the server
// restarted (at t: what was being said then has no transcript) marks the timeline, as the
// report marks them; so does a stalled device (channel-stalled at t, on one speaker's lane,
// open until its channel-ok). The same one sent again (a reconnect) is one mark. Returns
// whether anything changed.
const GAP_KINDS = ["capture-resumed", "session-resumed", "channel-stalled"];

function gap(s, msg) {
  const t0 = Number(msg.t) || 0, d = msg.detail || {};
  if (msg.kind === "channel-ok" && d.after === "channel-stalled") {
    const open = s.gaps.find((g) => g.kind === "channel-stalled" && g.speaker === d.speaker && g.t1 === null);
    if (!open) return false;
    open.t1 = Math.max(open.t0, t0);
    return true;
  }
  if (!GAP_KINDS.includes(msg.kind)) return false;
  const speaker = msg.kind === "channel-stalled" ? String(d.speaker || "") : null;
  const at = Number(d.resumed_at);
  const t1 = speaker !== null ? null : Number.isFinite(at) ? Math.max(t0, at) : t0;
  if (s.gaps.some((g) => g.kind === msg.kind && g.speaker === speaker && Math.abs(g.t0 - t0) < 0.01)) return false;
  // cause: why (a replayed file that broke off is no device gone), for the timeline's words
  s.gaps.push({ kind: String(msg.kind), t0, t1, speaker, cause: String(causeOf(d) || "") });
  return true;
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

// A property or attribute is written only when it differs: writing even the same value can
// cost a restyle of the whole page (the <html> lang did: 10 ms a redraw with a long transcript).
function assign(node, prop, value) {
  if (node[prop] !== value) node[prop] = value;
}

function assignAttr(node, name, value) {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

// links carry the server's read-only view tokens (a report, the debrief), never the trainer
// token: a link in the browser history or a screenshot opens a page, not the live dashboard
function reportHref(s) {
  return s.report || `/reports/${encodeURIComponent(s.id)}?token=${encodeURIComponent(token)}`;
}

// the debrief of the ended sessions on this page, oldest first (the server takes at most 50);
// with none here (a restarted server), the server's own choice: the newest day's finished ones
// a capture started and stopped with nothing said: no role-play to debrief (debrief.false_start)
const FALSE_START_S = 5;
const falseStart = (s) => s.t < FALSE_START_S && s.utterances.size === 0;

function renderDebrief(w) {
  const ended = [...sessions.values()].filter((s) => s.ended && !falseStart(s))
    .sort((a, b) => (a.started_wall ?? 0) - (b.started_wall ?? 0)).slice(-50);
  const link = $("debrief");
  assign(link, "hidden", !token || connection === "refused");
  assign(link, "textContent", ended.length ? `${w.debrief} (${ended.length}) ›` : `${w.debrief} ›`);
  const which = ended.length ? `sessions=${ended.map((s) => encodeURIComponent(s.id)).join(",")}&` : "";
  const base = debriefPath || `/debrief?token=${encodeURIComponent(token)}`;
  assignAttr(link, "href", `${base}&${which}lang=${pageLang().startsWith("en") ? "en" : "nl"}`);
}

// -- rendering -----------------------------------------------------------------------
function schedule() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; render(); });
}

function render() {
  const anchor = transcriptAnchor();   // read before anything is written: no forced layout
  const w = words(pageLang());
  assign(document.documentElement, "lang", pageLang().startsWith("en") ? "en" : "nl");
  assign($("title"), "textContent", `pullcoach · ${w.title}`);
  assign($("conn"), "textContent", !token ? w.notoken
    : connection === "refused" && problem ? (w.why[problem] || problem) : w[connection]);
  assignAttr($("conn"), "data-state", token ? connection : "refused");
  assign($("sessions-title"), "textContent", w.sessions);
  renderDebrief(w);
  renderGrid(w);
  renderDetail(anchor);
}

// Live (and waiting) pairs first, the newest first; the ended ones after, under "Afgelopen",
// also newest first: round 2's pairs are at the top, not below round 1's five ended cards.
// The cards keep their places while the pointer is over them: a neighbour that ends or a new
// pair does not move the card about to be clicked (a new card joins at the end meanwhile);
// they take their places once the pointer leaves the cards.
let gridHeld = false;                 // the pointer is over the cards
let gridOrder = [];                   // [{id, over}] as the grid shows them

function ordered() {
  const newest = (a, b) => ((b.started_wall ?? -Infinity) - (a.started_wall ?? -Infinity)) || b.id.localeCompare(a.id);
  const all = [...sessions.values()];
  return [...all.filter((s) => !s.ended).sort(newest).map((s) => ({ id: s.id, over: false })),
          ...all.filter((s) => s.ended).sort(newest).map((s) => ({ id: s.id, over: true }))];
}

function gridPlaces() {
  const want = ordered();
  if (!gridHeld || !gridOrder.length) return want;
  const kept = gridOrder.filter((e) => sessions.has(e.id)), had = new Set(kept.map((e) => e.id));
  return [...kept, ...want.filter((e) => !had.has(e.id))];
}

function renderGrid(w) {
  const grid = $("grid");
  if (!sessions.size) {  // refused or no token: the status line says why, no "no sessions yet"
    gridOrder = [];
    grid.replaceChildren(...(token && connection !== "refused" ? [withCode(h("p", "empty"), w.none)] : []));
    return;
  }
  gridOrder = gridPlaces();
  const ended = gridOrder.filter((e) => e.over).length;
  const nodes = [];
  gridOrder.forEach((e, i) => {
    if (e.over && !(gridOrder[i - 1]?.over)) nodes.push(h("h3", "grid-group", w.endedGroup.replace("{n}", ended)));
    nodes.push(card(sessions.get(e.id)));
  });
  // a card that shows what it showed stays (a redraw that changes nothing costs no layout)
  const had = heldFocus(grid);
  const old = [...grid.children];
  if (old.length !== nodes.length || old.some((c, i) => c.tagName !== nodes[i].tagName)) grid.replaceChildren(...nodes);
  else nodes.forEach((c, i) => { if (!old[i].isEqualNode(c)) old[i].replaceWith(c); });
  // redrawn under the keyboard (every second): the focus stays on that card, or its link
  if (had && !grid.contains(document.activeElement)) {
    const c = [...grid.querySelectorAll(".card")].find((n) => n.dataset.session === had.id);
    (had.link ? c?.querySelector(".report-link") : c)?.focus({ preventScroll: true });
  }
}

// the card (or its report link) that has the keyboard focus
function heldFocus(grid) {
  const a = document.activeElement, c = grid.contains(a) ? a.closest(".card") : null;
  return c ? { id: c.dataset.session, link: a !== c } : null;
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
  const state = liveState(s);
  // a card holds figures and a link, so no role=button (that would flatten them): a named
  // article, the open one aria-current (Enter or a click opens it)
  c.setAttribute("aria-label", `${s.coachee || w.coachee} ↔ ${s.partner || w.partner}, ${w.state[state].replace(/^[●?] /, "")}`);
  if (s.id === selected) c.setAttribute("aria-current", "true");
  const head = h("header", "card-head");
  head.append(h("span", "who", `${s.coachee || w.coachee} ↔ ${s.partner || w.partner}`),
              h("span", `badge badge-${state}`, w.state[state]),
              h("span", "clock", clock(s.t)));
  const figs = h("div", "figs");
  const talk = h("div", "fig fig-talk");
  const pct = f.talk === null ? "—" : `${Math.round(f.talk * 100)}%`;
  const bar = h("div", "bar");
  // the report's yardstick (good up to 35%, fair to 50%: report_data.yardsticks): the card
  // and the report agree on the percentage shown, as the report rates it (35.4% is "35%": good)
  const shown = f.talk === null ? null : Math.round(f.talk * 100);
  const rating = shown === null ? "" : shown > 50 ? " poor" : shown > 35 ? " high" : "";
  const fill = h("span", "fill" + rating);
  fill.style.width = `${f.talk === null ? 0 : Math.round(f.talk * 100)}%`;
  const mark = h("span", "target");   // the seed's yardstick: 30%
  bar.append(fill, mark);
  talk.append(h("span", "label", w.talk), h("span", "value", pct), bar);
  figs.append(talk,
              fig("fig-reflections", w.reflections, String(f.reflections)),
              fig("fig-questions", w.questions, `${f.open}/${f.closed}`),
              fig("fig-interruptions", w.interruptions, String(f.interruptions)));
  // the debrief's "Negatieve seintjes" column, to compare live: all of them, the held ones too
  const negative = s.nudges.filter((n) => n.kind === "negative");
  const held = negative.filter((n) => !n.delivered).length;
  const count = h("p", "nudge-count", w.negCount.replace("{n}", negative.length));
  if (held) count.append(Object.assign(h("span", "held", ` · ${w.negHeld.replace("{k}", held)}`), { title: w.reportOnly }));
  const last = h("ul", "last-nudges");
  const recent = s.nudges.filter((n) => n.delivered).slice(-2).reverse();
  if (!recent.length) last.append(h("li", "none", w.noNudges));
  for (const n of recent) {
    const li = h("li", `nudge nudge-${n.kind}`);
    li.append(h("span", "t", clock(n.t)));
    // the trainer's own nudge says so: "Vat samen" is also an automatic one (only the bar's colour told them apart)
    if (n.kind === "trainer") li.append(h("span", "by", w.byYou));
    const m = li.appendChild(h("span", "m", n.message));
    if (n.unseen) m.append(h("span", "unseen", w.unseen));   // under the words: nobody read them
    last.append(li);
  }
  c.append(head, figs, alerts(s, w));
  if (state === "away") c.append(h("p", "alert", w.awayLong));
  if (s.focus.length) c.append(h("div", "card-focus", `${w.focusCard}: ${focusNames(s, w).join(", ")}`));
  c.append(count, last);
  if (s.ended) {
    const a = h("a", "report-link", `${w.report} ›`);
    a.href = reportHref(s); a.target = "_blank"; a.rel = "noopener noreferrer";
    c.append(a);
  }
  c.append(h("div", "sid", s.id));
  return c;
}

// set-up problems the pipeline reported and nobody has put right yet; all of them are
// about the live pipeline, so an ended session has none (its report dates them). A capture
// started again says so for a minute (not a problem: no ⚠), by the session's clock
function alerts(s, w) {
  const list = h("ul", "alerts");
  // while its capture is away (or a restarted server waits for it) no pipeline hears it: "opname weg" says it all
  const away = liveState(s) === "away";
  const open = (s.ended ? [...s.alerts.values()] : shownAlerts(s.alerts, s.t)).filter((m) => !(away && pipelineProblem(m)));
  if (noOverlay(s)) {
    const li = withCode(h("li", "alert"), `⚠ ${w.noOverlay.replace("{who}", s.coachee || w.who.coachee)}`);
    li.dataset.kind = "no-overlay";
    list.append(li);
  }
  for (const msg of open) {
    const sp = (msg.detail || {}).speaker;
    const who = (sp === "coachee" ? s.coachee : sp === "partner" ? s.partner : "") || w.who[sp] || "";
    const notice = msg.kind === "capture-resumed";
    const li = h("li", notice ? "alert notice" : "alert", `${notice ? "↻" : "⚠"} ${theyText(msg, s.lang, who)}`);
    li.dataset.kind = String(msg.kind);
    if (sp) li.dataset.who = String(sp);
    list.append(li);
  }
  list.hidden = !list.childElementCount;
  return list;
}

// a problem of the live pipeline (a channel, the two channels, the transcription), not a file
// that broke off, the language or a rule gone off: those hold for the rest of the session
function pipelineProblem(m) {
  return ["asr-behind", "channel-silent", "channel-stalled", "channels-same", "channel-clipped"].includes(m.kind)
    && (m.detail || {}).cause !== "file-broken";
}

// A pair's capture shows no nudges itself: they reach the coachee only on an overlay opened
// from the link capture printed. None open (the server's status counts them), and the nudges,
// the trainer's own too, go to the report only, while the card looked as if all was well.
// Only for capture sessions: `run` opens its own overlay, or prints the nudges.
function noOverlay(s) {
  return s.via === "capture" && s.overlays === 0 && liveState(s) === "live";
}

// what the badge says: "live" only while this page hears the server and the server hears
// the pair's capture (a killed capture or a server gone left the card saying live)
function liveState(s) {
  if (!s.live) return "ended";
  if (connection !== "connected") return "unknown";
  // the trainer ended it; it ends once its pipeline has caught up (the card said "live" meanwhile)
  if (s.ending) return "ending";
  return s.away ? "away" : "live";
}

function fig(cls, label, value) {
  const d = h("div", `fig ${cls}`);
  d.append(h("span", "label", label), h("span", "value", value));
  return d;
}

function renderDetail(anchor) {
  const s = selected && sessions.get(selected);
  const detail = $("detail");
  const w = words(s ? s.lang : pageLang());
  const gone = !s && deleted !== null;
  // (and, while there are others, which to pick)
  const said = gone ? DELETED[pageLang().startsWith("en") ? "en" : "nl"] + (sessions.size ? ` ${w.pick}` : "") : w.pick;
  assign($("pick"), "textContent", said);
  assign($("pick"), "hidden", !!s || (!sessions.size && !gone));
  $("pick").classList.toggle("deleted", gone);
  assign(detail, "hidden", !s);
  if (!s) return;
  assign($("d-who"), "textContent", `${s.coachee || w.coachee} ↔ ${s.partner || w.partner}`);
  const state = liveState(s);
  assign($("d-meta"), "textContent", `${s.id} · ${clock(s.t)} · ${state === "live" ? w.watching : w.state[state]}`);
  const list = Object.assign(alerts(s, w), { id: "d-alerts" });
  if (!$("d-alerts").isEqualNode(list)) $("d-alerts").replaceWith(list);
  announce(s, list);
  for (const [id, text] of [["d-timeline-title", w.timeline], ["d-transcript-title", w.transcript],
                            ["nudge-title", w.sendNudge], ["nudge-send", w.send], ["mark-title", w.bookmark],
                            ["mark-send", w.mark], ["nudge-label", w.nudgeLabel], ["mark-label", w.noteLabel],
                            ["end", s.ended ? w.endedButton : s.ending ? w.endingButton : endArmed === s.id ? w.endSure : w.end]]) {
    assign($(id), "textContent", text);
  }
  assign($("nudge-text"), "placeholder", w.nudgePlaceholder);
  assign($("mark-note"), "placeholder", w.notePlaceholder);
  const had = document.activeElement;
  for (const id of ["nudge-text", "nudge-send", "mark-note", "mark-send", "end"]) assign($(id), "disabled", !s.live);
  if (s.ending) assign($("end"), "disabled", true);
  // a control disabled under the keyboard (the end confirmed, the session over): the focus
  // goes to the pane's heading, not to the page's top
  if (had?.disabled && had.closest("#detail")) $("d-who").focus({ preventScroll: true });
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
  renderFocus(s, w);
  const report = $("d-report");
  assign(report, "hidden", !s.ended);
  assign(report, "textContent", `${w.report} ›`);
  assignAttr(report, "href", reportHref(s));
  renderTimeline(s, w);
  renderTranscript(s, w, anchor);
  if (opened === s.id) { opened = null; $("d-who").focus(); }
}

// A problem that comes up on the open session is said (politely) once: not the ones it had
// when it was opened, not every card's, not again on each redraw
const heard = { id: null, keys: new Set() };

function announce(s, list) {
  const items = [...list.children].map((li) => ({ key: `${li.dataset.kind}|${li.dataset.who || ""}`, text: li.textContent }));
  const fresh = heard.id === s.id ? items.filter((i) => !heard.keys.has(i.key)) : [];
  heard.id = s.id;
  heard.keys = new Set(items.map((i) => i.key));
  if (fresh.length) $("d-announce").textContent = fresh.map((i) => i.text).join(" ");
}

// the trainer's focus: rules toggled on chips, at most FOCUS_MAX (a focus of five is no
// focus: the overlay could not name them all). A click shows at once; the server applies
// it from now on and says so back (focus-changed), which then is what the chips show.
// A chip says the nudge the coachee reads (the server's status lists them from the rule
// pack): the overlay's "oefent: Vat samen", the report and the debrief use the same words,
// and two rules with one nudge ("Luister": talk share, monologue) are one chip.
const FOCUS_MAX = 3;

// a plugin rule switched off (rule-off) sends nothing more this session: the server no longer
// offers it (its status's focus_rules leave it out) and refuses a focus that names it. One
// still in the focus keeps a chip marked off, to take it out; any new focus leaves it out.
// Returns whether it is new.
function ruleOff(s, msg) {
  const rule = msg.kind === "rule-off" ? String((msg.detail || {}).rule || "") : "";
  if (!rule || s.off.has(rule)) return false;
  s.off.add(rule);
  return true;
}

function focusGroups(s) {
  const groups = new Map();   // the nudge's words -> the rules that send it
  const said = new Map(s.focusSaid);
  const offered = s.focusRules.filter(([rule]) => !s.off.has(rule) || s.focus.includes(rule));
  const kept = s.focus.filter((r) => s.off.has(r) && !s.focusRules.some(([rule]) => rule === r))
    .map((r) => [r, said.get(r) || r]);   // off and no longer offered, but still in the focus
  for (const [rule, text] of [...offered, ...kept]) groups.set(text, [...(groups.get(text) || []), rule]);
  return groups;
}

// the focus in force, in the coachee's words (a rule the status did not list: the words
// its focus-changed gave, else its name); with `w`, a rule switched off says so
function focusNames(s, w) {
  const text = new Map([...s.focusSaid, ...s.focusRules]);
  return [...new Set(s.focus.map((r) => `${text.get(r) || r}${w && s.off.has(r) ? ` (${w.focusOff})` : ""}`))];
}

function renderFocus(s, w) {
  assign($("focus-title"), "textContent", w.focus);
  assign($("focus-hint"), "textContent", w.focusHint);
  const box = $("focus-rules");
  const sig = `${s.id}|${s.lang}|${s.live}|${s.focus.join(",")}|${s.focusRules.join(";")}|${[...s.off].join(",")}`;
  if (box.dataset.sig === sig) return;
  box.dataset.sig = sig;
  const had = box.contains(document.activeElement) ? document.activeElement.dataset.rule : null;
  const full = focusNames(s).length >= FOCUS_MAX;
  const chip = (text, rule, pressed, rules, off = false) => {
    const b = h("button", off ? "chip off" : "chip", off ? `${text} (${w.focusOff})` : text);
    b.type = "button";
    b.dataset.rule = rule;
    if (off) b.title = w.focusOffHint;
    b.disabled = !s.live || (full && !pressed && rule !== "") || (off && !pressed);
    b.setAttribute("aria-pressed", String(pressed));
    b.addEventListener("click", () => setFocus(s, rules));
    return b;
  };
  box.replaceChildren(chip(w.focusAll, "", !s.focus.length, []),
    ...[...focusGroups(s)].map(([text, rules]) => {
      const on = rules.some((r) => s.focus.includes(r));
      const rest = s.focus.filter((r) => !rules.includes(r) && !s.off.has(r));   // a rule off goes with any change
      return chip(text, rules.join(","), on, on ? rest : [...rest, ...rules], rules.every((r) => s.off.has(r)));
    }));
  // redrawn under the keyboard: the chip that was pressed keeps the keyboard focus
  if (had !== null && had !== undefined) box.querySelector(`[data-rule="${had}"]`)?.focus();
}

function setFocus(s, rules) {
  const w = words(s.lang);
  if (send({ type: "set-focus", session: s.id, rules }, "focus-ack")) {
    s.focus = rules;   // at once: a second click before the server's answer builds on the first
    flash("focus-ack", w.focusSet);
    schedule();
  } else flash("focus-ack", w.notSent);
}

// The timeline at most once a second (it grows by a sliver a second); at once when another
// session is opened or a nudge or bookmark comes or goes. What it skips is drawn a moment later.
const TIMELINE_EVERY = 1000;   // ms
const tl = { model: null, rev: -1, t: -1, marks: -1, lang: "", at: -Infinity, timer: 0 };

function renderTimeline(s, w) {
  if (tl.model === s && tl.rev === s.rev && tl.t === s.t && tl.lang === s.lang) return;   // nothing new
  const now = performance.now();
  const soon = tl.model === s && tl.marks === s.marks && tl.lang === s.lang;
  if (soon && now - tl.at < TIMELINE_EVERY) {
    if (!tl.timer) tl.timer = setTimeout(() => { tl.timer = 0; schedule(); }, TIMELINE_EVERY - (now - tl.at));
    return;
  }
  drawTimeline($("timeline"), s, w);
  Object.assign(tl, { model: s, rev: s.rev, t: s.t, marks: s.marks, lang: s.lang, at: now });
}

// The transcript keeps the whole conversation (up to limits.cap rows: then the oldest go, in
// batches, the reader's line staying put). A new line is added, a changed one changed in
// place: a redraw costs the same at minute 1 as at minute 60. It follows the newest line
// while the reader is at the bottom; scrolled up, the line in view stays in view.
// The rows sit in blocks of CHUNK: a new row lays out its block, not every row so far (one
// flat list took 3 ms a row at 1200 rows, 0.8 ms in blocks).
const CHUNK = 100;
const limits = { cap: 3000, trim: 250 };   // rows kept, and how many over before a batch goes
const tv = { model: null, sig: "", rows: [], byKey: new Map(), partials: {}, floor: -Infinity, stick: true };

function transcriptSig(s) {
  return `${s.coachee}\u0000${s.partner}\u0000${s.lang}`;
}

// the reader's place, when the transcript is scrolled up and about to change: the first row
// in view and how far it sits from the top edge
function transcriptAnchor() {
  const s = selected && sessions.get(selected);
  if (tv.stick || !s || tv.model !== s || tv.sig !== transcriptSig(s)) return null;
  if (!s.changed.size && !partialsChanged(s)) return null;
  const top = $("transcript").scrollTop, rows = tv.rows;
  let lo = 0, hi = rows.length - 1;
  if (hi < 0) return null;
  while (lo < hi) {   // the first row whose bottom is below the top edge
    const mid = (lo + hi) >> 1;
    if (rows[mid].li.offsetTop + rows[mid].li.offsetHeight > top) hi = mid; else lo = mid + 1;
  }
  return { row: rows[lo].li, offset: rows[lo].li.offsetTop - top };
}

function partialsChanged(s) {
  for (const sp of new Set([...Object.keys(s.partial), ...Object.keys(tv.partials)])) {
    if (s.partial[sp] !== tv.partials[sp]?.msg) return true;
  }
  return false;
}

// partials take their place by start time: a partner still talking stays above the coachee
// who cut in, as it was said (a final before a partial that started at the same moment)
function after(a, b) {
  return (a.t0 - b.t0) || (a.partial - b.partial);
}

function insertRow(box, entry) {
  const rows = tv.rows;
  let lo = 0, hi = rows.length;
  if (hi && after(entry, rows[hi - 1]) >= 0) lo = hi;   // the usual case: a new last line
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (after(entry, rows[mid]) >= 0) lo = mid + 1; else hi = mid;
  }
  if (rows[lo]) rows[lo].li.before(entry.li);   // in the block of the row it comes before
  else {
    let block = box.lastElementChild;
    if (!block || block.childElementCount >= CHUNK) block = box.appendChild(h("div", "chunk"));
    block.append(entry.li);
  }
  rows.splice(lo, 0, entry);
  if (!entry.partial) tv.byKey.set(entry.key, entry);
}

function removeRow(entry) {
  const i = tv.rows.lastIndexOf(entry);
  if (i >= 0) tv.rows.splice(i, 1);
  drop(entry);
}

function drop(entry) {
  const block = entry.li.parentNode;
  entry.li.remove();
  if (block && !block.firstChild) block.remove();
  if (entry.partial) delete tv.partials[entry.key]; else tv.byKey.delete(entry.key);
}

function rebuildTranscript(box, s, w) {
  const keep = tv.model && tv.model.id === s.id && !tv.stick;   // the same session again (a reconnect)
  Object.assign(tv, { model: s, sig: transcriptSig(s), rows: [], byKey: new Map(), partials: {}, floor: -Infinity,
                      stick: !keep });
  s.changed.clear();
  const rows = [...[...s.utterances].map(([key, u]) => ({ key, u, t0: u.t0, partial: false })),
                ...Object.entries(s.partial).map(([sp, p]) => ({ key: sp, u: p, t0: p.t0, partial: true }))];
  rows.sort(after);   // stable: finals that start together keep the order they came in
  if (rows.length > limits.cap) tv.floor = rows.splice(0, rows.length - limits.cap).at(-1).t0;
  for (const entry of rows) {
    entry.li = line(entry.u, s, w, entry.partial);
    if (entry.partial) tv.partials[entry.key] = { msg: entry.u, entry };
    else tv.byKey.set(entry.key, entry);
    delete entry.u;
  }
  tv.rows = rows;
  const blocks = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const block = h("div", "chunk");
    block.append(...rows.slice(i, i + CHUNK).map((e) => e.li));
    blocks.push(block);
  }
  box.replaceChildren(...blocks);
  if (tv.stick) box.scrollTop = box.scrollHeight;
}

function renderTranscript(s, w, anchor) {
  const box = $("transcript");
  if (tv.model !== s || tv.sig !== transcriptSig(s)) return rebuildTranscript(box, s, w);
  let touched = false;
  // partials: changed in place while they grow, gone when their final came
  for (const sp of new Set([...Object.keys(s.partial), ...Object.keys(tv.partials)])) {
    const want = s.partial[sp], have = tv.partials[sp];
    if (want === have?.msg) continue;
    touched = true;
    if (have && want && have.entry.t0 === want.t0) {
      fill(have.entry.li, want, s, w, true);
      have.msg = want;
      continue;
    }
    if (have) removeRow(have.entry);
    if (want && want.t0 > tv.floor) {
      const entry = { key: sp, t0: want.t0, partial: true, li: line(want, s, w, true) };
      insertRow(box, entry);
      tv.partials[sp] = { msg: want, entry };
    }
  }
  for (const key of s.changed) {
    const u = s.utterances.get(key), entry = tv.byKey.get(key);
    if (!u) continue;
    touched = true;
    if (entry) fill(entry.li, u, s, w, false);
    else if (u.t0 > tv.floor) insertRow(box, { key, t0: u.t0, partial: false, li: line(u, s, w, false) });
  }
  s.changed.clear();
  // the oldest lines go, in a batch; not the one the reader is looking at (unless far too many)
  const trim = tv.rows.length > limits.cap + limits.trim ? tv.rows.length - limits.cap : 0;
  if (trim && !(anchor && tv.rows.length < 2 * limits.cap && tv.rows.findIndex((e) => e.li === anchor.row) < trim)) {
    for (const entry of tv.rows.splice(0, trim)) {
      drop(entry);
      tv.floor = Math.max(tv.floor, entry.t0);
    }
  }
  if (!touched) return;
  if (tv.stick) box.scrollTop = box.scrollHeight;
  else if (anchor && anchor.row.isConnected) {
    const top = anchor.row.offsetTop - anchor.offset;
    if (Math.abs(box.scrollTop - top) >= 1) box.scrollTop = top;
  }
}

function line(u, s, w, partial) {
  const row = document.createElement("div");
  row.setAttribute("role", "listitem");
  return fill(row, u, s, w, partial);
}

function fill(li, u, s, w, partial) {
  li.className = `utt utt-${u.speaker}` + (partial ? " partial" : "");
  const who = (u.speaker === "coachee" ? s.coachee : s.partner) || w[u.speaker];
  // a name wider than its column ends in "…" ("Gespreks…"): whole on hover
  li.replaceChildren(h("span", "t", clock(u.t0)), Object.assign(h("span", "spk", who), { title: who }),
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
function flash(id, text, ms = 2500) {
  const node = $(id);
  node.textContent = text;
  node.classList.remove("refused", "caveat");
  setTimeout(() => { if (node.textContent === text) node.textContent = ""; }, ms);
}

// A command the server refuses (a focus on a rule gone off, a session that just ended) was
// answered by an error that this page showed nowhere: the ack beside it said "focus ingesteld"
// or "verstuurd", and the chips kept the focus the server had not set.
function send(msg, ack) {
  if (!client?.send(msg)) return false;
  asked = { ack, session: msg.session, at: performance.now(), end: msg.type === "end-session" };
  return true;
}

// the refusal in the pane's words, by the error's code and detail (a rule named as its chip
// says it); the server's English message only for a code this page does not know
function refused(ask, err) {
  const s = sessions.get(ask.session);
  if (ask.ack === "focus-ack" && s) s.focus = s.focusServer || [];
  if (ask.end && s) s.ending = false;
  const w = words(s ? s.lang : pageLang());
  const text = s ? new Map([...s.focusSaid, ...s.focusRules]) : new Map();
  flash(ask.ack, w.notDone.replace("{why}", refusalText(w, err, (r) => text.get(r) || r)), 8000);
  $(ask.ack).classList.add("refused");
}

function select(id) {
  if (!sessions.has(id)) return;
  if (selected !== id) {  // kept in the address (fragment): a reload opens it again
    const frag = new URLSearchParams(location.hash.replace(/^#/, ""));
    frag.set("session", id);
    history.replaceState(null, "", `${location.pathname}${location.search}#${frag}`);
  }
  selected = id;
  deleted = null;
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
  $("grid").addEventListener("pointerenter", () => { gridHeld = true; });
  $("grid").addEventListener("pointerleave", () => { gridHeld = false; schedule(); });
  $("grid").addEventListener("keydown", (ev) => {
    const c = ev.target.closest(".card");
    if (ev.target !== c || !(ev.key === "Enter" || ev.key === " ")) return;
    ev.preventDefault();
    // opened by keyboard: the keyboard goes on in its pane (its heading), where the actions are
    opened = c.dataset.session;
    select(opened);
  });
  $("nudge-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = $("nudge-text").value.trim().slice(0, 500);
    const w = words(sessions.get(selected)?.lang);
    if (!text || !selected) return;
    if (send({ type: "send-nudge", session: selected, message: text }, "nudge-ack")) {
      $("nudge-text").value = "";
      const s = sessions.get(selected);
      if (s && noOverlay(s)) {
        flash("nudge-ack", words(s.lang).sentNoOverlay, 6000);
        $("nudge-ack").classList.add("caveat");
      } else flash("nudge-ack", w.sent);
    } else flash("nudge-ack", w.notSent);
  });
  $("mark-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const w = words(sessions.get(selected)?.lang);
    if (!selected) return;
    if (send({ type: "bookmark", session: selected, note: $("mark-note").value.trim().slice(0, 500) }, "mark-ack")) {
      $("mark-note").value = "";
      flash("mark-ack", w.marked);
    } else flash("mark-ack", w.notSent);
  });
  // the transcript follows the newest line only while the reader is at the bottom
  $("transcript").addEventListener("scroll", () => {
    const box = $("transcript");
    tv.stick = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  }, { passive: true });
  $("end").addEventListener("click", () => {
    if (!selected) return;
    if (endArmed === selected) {
      const s = sessions.get(selected);
      if (send({ type: "end-session", session: selected }, "nudge-ack") && s) {
        s.ending = true;   // (the server tells every trainer page the status, now ending)
      }
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
window.pullcoachTrainer = { sessions, figures, render, limits };   // for tests
