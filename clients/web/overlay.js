// The browser overlay: the same protocol and behaviour as the Tk overlay.
// ?session=ID#token=T   ?bg=transparent (OBS browser source)   ?lang=en
import { browserLang, connect, param, takeToken } from "./protocol.js";
import { TRAINER_ONLY, causeOf, nextChange, shown, track, youText } from "./alerts.js";

const BROKE_OFF = ["file-broken-end", "file-broken-both"];  // overlay_state.BROKE_OFF alike
const SECONDS = { negative: 6, positive: 3, cue: 6, trainer: 9 };
const KINDS = Object.keys(SECONDS);
const TEXT = {
  nl: { connecting: "verbinden…", reconnecting: "opnieuw verbinden…", refused: "geweigerd",
        listening: "luistert", listeningKept: "luistert · audio wordt bewaard", focus: "oefent", ended: "sessie beëindigd", report: "Rapport openen ›",
        endedBy: { "file-broken-end": "beëindigd: bestand brak af", "file-broken-both": "beëindigd: opname brak af",
                   error: "beëindigd: opname brak af" },
        pip: "Los venster", rec: "opname loopt", recKept: "opname loopt · audio wordt bewaard", recOff: "geen opname",
        eye: "een trainer kijkt mee", notoken: "geen token in de link",
        kinds: { positive: "Goed: ", trainer: "Trainer: ", negative: "Let op: ", cue: "Signaal van de ander: " },
        why: { "bad-token": "verkeerd token: open de overlay-link die pullcoach afdrukte",
               "bad-version": "herlaad deze pagina" } },
  en: { connecting: "connecting…", reconnecting: "reconnecting…", refused: "refused",
        listening: "listening", listeningKept: "listening · audio is kept", focus: "practising", ended: "session ended", report: "Open report ›",
        endedBy: { "file-broken-end": "ended: file broke off", "file-broken-both": "ended: recording broke off",
                   error: "ended: recording broke off" },
        pip: "Pop out", rec: "recording", recKept: "recording · audio is kept", recOff: "not recording",
        eye: "a trainer is watching", notoken: "no token in the link",
        kinds: { positive: "Well done: ", trainer: "Trainer: ", negative: "Watch out: ", cue: "Partner's cue: " },
        why: { "bad-token": "wrong token: open the overlay link pullcoach printed",
               "bad-version": "reload this page" } },
};

const $ = (id) => document.getElementById(id);
const token = takeToken("overlay");  // out of the address: a coachee shares their screen in calls
// its language: ?lang=, else its session's, else the server's (a welcome's, or a refused hello's),
// and before either the browser's
const state = { session: param("session") || null, lang: param("lang") || browserLang(), connection: "connecting",
                problem: "", listening: false, watching: false, ended: false, nudge: null, report: "",
                welcomed: false,   // a welcome came (a refused hello's language then counts no more)
                endCause: "",   // why it ended, when the recording broke off (a key of endedBy)
                focus: [],   // the trainer's focus: the nudges that still come live (the rest: the report)
                seen: [],    // the last nudges received, newest last (for tests and debugging)
                alerts: new Map() };  // open set-up problems (a silent channel, ...) until put right
let clearTimer = null, alertTimer = null;
let alertShown = "";   // the line last taken from the open alerts (a later one replaces it)
const now = () => performance.now() / 1000;
// The session's audio time: the latest a message carried, gone on by the wall clock since
// (an overlay gets no ticks; live audio runs at the wall clock's pace). The alerts count
// on it, so a warning sent again after a reconnect is not shown as new.
let seenT = 0, seenAt = null;
const sessionNow = () => seenAt === null ? seenT : seenT + Math.max(0, now() - seenAt);
function saw(t) {
  if (typeof t === "number" && Number.isFinite(t)) { seenT = Math.max(sessionNow(), t); seenAt = now(); }
}

if (param("bg") === "transparent") document.documentElement.classList.add("transparent");

function words() { return TEXT[state.lang] || TEXT.en; }

// the newest alert to show now; when that changes by itself (a stall held back in a
// resumed capture's gap shows, the "recording resumed" line goes) the line follows
function alertLine() {
  const t = sessionNow();
  const last = shown(state.alerts, t).pop();
  clearTimeout(alertTimer);
  const next = nextChange(state.alerts, t);
  if (next !== null) alertTimer = setTimeout(() => {
    if (state.problem === alertShown && state.connection === "connected" && !state.ended) { state.problem = alertLine(); render(); }
  }, (next - t) * 1000 + 50);
  alertShown = last ? youText(last, state.lang) : "";
  return alertShown;
}

function mine(msg) {
  if (msg.type === "welcome" || msg.type === "error" || !msg.session || !state.session) return true;
  return msg.session === state.session;
}

function receive(msg) {
  if (!mine(msg)) return;
  saw(msg.t);
  switch (msg.type) {
    case "welcome": {
      state.welcomed = true;   // its language (or its session's) wins over a later refusal's
      state.audioKept = msg.audio_kept === true;   // --keep-audio: said beside "listening"
      const live = (msg.sessions || []).filter((s) => s && s.live);
      const own = (msg.sessions || []).find((s) => s && s.session === state.session) || (!state.session && live.length === 1 ? live[0] : null);
      if (!param("lang") && (msg.lang === "nl" || msg.lang === "en")) state.lang = msg.lang;   // the server's
      if (own) { state.session = String(own.session); if (!param("lang") && own.lang) state.lang = own.lang; }
      // a server started again recalls a finished session: it has ended (not an empty box)
      if (own && !own.live && own.started_wall != null) { state.ended = true; state.listening = false; }
      break;
    }
    case "session-started":
      state.session = String(msg.session || state.session || "");
      if (!param("lang") && msg.lang) state.lang = msg.lang;
      state.ended = false; state.listening = true; state.endCause = ""; break;
    case "session-ended":   // a silent channel, ASR behind: live problems, over with the session
      if (!state.endCause && msg.reason === "error") state.endCause = "error";   // `run`'s audio broke
      state.ended = true; state.listening = false; state.alerts.clear(); state.problem = ""; break;
    case "status":
      if (msg.session && !state.session) state.session = String(msg.session);
      state.listening = !!msg.listening && !BROKE_OFF.includes(state.endCause); state.watching = !!msg.trainer_watching;
      if (typeof msg.report === "string" && msg.report.startsWith("/reports/")) state.report = msg.report;
      break;
    case "nudge-issued": {
      if (msg.delivered === false) return;
      let text = String(msg.message ?? "").trim();
      // the band has its own ✓ for praise: "✓ Samenvatting" showed "✓ ✓ Samenvatting"
      if (msg.kind === "positive") text = text.replace(/^✓\s*/, "");
      text = text.slice(0, 80);
      if (!text) return;
      const kind = KINDS.includes(msg.kind) ? msg.kind : "negative";
      const id = { rule: String(msg.rule ?? ""), evidence_t: msg.evidence_t ?? msg.t ?? null };
      // a trainer's nudge stays its whole time: an automatic one meanwhile is dropped (not
      // queued: it would come late); only another trainer nudge replaces it
      const held = kind !== "trainer" && state.nudge?.kind === "trainer";
      state.seen = [...state.seen.slice(-49), { kind, text, session: msg.session ?? null, ...id,
                                                ...(held ? { dropped: true } : {}) }];
      if (!held) show(text, kind, id);
      break;
    }
    case "nudge-withdrawn": {  // the text showed it wrong (a long backchannel): take it down
      const same = (n) => n && n.rule === msg.rule && n.evidence_t === msg.evidence_t;
      state.seen = state.seen.map((n) => same(n) ? { ...n, withdrawn: true } : n);
      if (same(state.nudge)) hide();
      break;
    }
    case "focus-changed":
      state.focus = (Array.isArray(msg.messages) ? msg.messages : []).map((m) => String(m).slice(0, 40)).slice(0, 20);
      break;
    case "pipeline-warning":
      if (state.ended) break;   // nothing live can go wrong any more
      if (TRAINER_ONLY.includes(msg.kind)) break;   // a plugin rule off: the trainer's to fix
      if (msg.kind === "channel-stalled" && BROKE_OFF.includes(causeOf(msg.detail || {}))) {
        state.endCause = causeOf(msg.detail);   // the coachee's side broke off: nothing more is heard
        state.listening = false;
      }
      if (msg.kind === "capture-resumed") saw(Number(msg.detail?.resumed_at));   // the capture is back there
      if (track(state.alerts, msg)) state.problem = alertLine();
      else state.problem = youText(msg, state.lang);   // passing: shown once
      break;
    case "error":   // a refused hello says the server's language (no welcome comes)
      if (!param("lang") && !state.welcomed && ["nl", "en"].includes(msg.detail?.lang)) state.lang = msg.detail.lang;
      state.problem = String(msg.message || msg.code || "error").slice(0, 120); break;
  }
  render();
}

// A nudge shows at once and whole its time; when it goes, its text goes at once and only
// the band's colour fades (overlay.css): text over a fading colour is unreadable.
function show(text, kind, id = {}) {
  state.nudge = { text, kind, ...id };
  clearTimeout(clearTimer);
  clearTimer = setTimeout(hide, SECONDS[kind] * 1000);
}

function hide() {
  clearTimeout(clearTimer);
  state.nudge = null;
  render();
}

// text changed only when it differs: a live region reads out every change (a nudge once)
function put(el, text) { if (el.textContent !== text) el.textContent = text; }

// The status line in the room it has, measured in the page (as the Tk overlay's footer_line):
// the trainer's focus with two chips, else one and the rest counted ("listening · practising:
// Summarise +1"), else whole words left off with "…"; never a word cut at the edge.
const NARROW = 200;   // px: a status line narrower than this wraps instead of leaving words off
let statusParts = ["", "", []];   // head, label, focus: the line last asked for (a resize fits it again)
function fitStatus() {
  const [head, label, focus] = statusParts;
  const status = $("status"), ruler = $("ruler");
  const room = status.getBoundingClientRect().width;
  const fits = (text) => { ruler.textContent = text; return ruler.getBoundingClientRect().width <= room + 0.01; };
  // a warning wraps whole (what to do is in its last words); not laid out: nothing to measure by;
  // too narrow for a useful line (a small window, 200 % zoom): the whole focus wraps too
  const whole = !focus.length ? head : `${head ? `${head} · ` : ""}${label}: ${focus.join(" · ")}`;
  const fit = focus.length > 0 && room >= NARROW;
  status.classList.toggle("fit", fit);
  put(status, fit ? focusLine(head, label, focus, fits) : whole);
  // screen readers get the whole line, whatever fits on screen, and the eye said (when it comes)
  const eye = state.watching ? words().eye : "";
  put($("said"), whole && eye ? `${whole} · ${eye}` : whole || eye);
  ruler.textContent = "";
}

function focusLine(head, label, focus, fits) {
  const lines = [];
  for (let n = Math.min(2, focus.length); n > 0; n--) {
    const more = focus.length > n ? ` +${focus.length - n}` : "";
    lines.push([(head ? `${head} · ${label}: ` : `${label}: `) + focus.slice(0, n).join(" · "), more]);
  }
  const whole = lines.find(([text, more]) => fits(text + more));
  return whole ? whole.join("") : ellipsis(...lines[lines.length - 1], fits);
}

// `text` + `more` if it fits, else the most whole words of `text` that fit, with "…"
function ellipsis(text, more, fits) {
  if (fits(text + more)) return text + more;
  const words = text.split(" ");
  while (words.length > 1) {
    words.pop();
    const line = words.join(" ").replace(/[ ·:,]+$/, "") + "…" + more;
    if (fits(line)) return line;
  }
  return words[0] + more;   // one word wider than the line: CSS ends it with "…"
}

function render() {
  const w = words();
  const overlay = $("overlay");
  document.documentElement.lang = state.lang === "en" ? "en" : "nl";
  overlay.dataset.kind = state.nudge ? state.nudge.kind : "";
  // its kind in words first (the icons are pictures): "Let op: Laat uitpraten"
  const said = state.nudge ? w.kinds[state.nudge.kind] : "";
  if ($("kind").textContent !== said || $("msg").textContent !== (state.nudge?.text ?? "")) {
    $("kind").textContent = said;
    $("msg").textContent = state.nudge ? state.nudge.text : "";
  }
  const rec = state.listening ? (state.audioKept ? w.recKept : w.rec) : w.recOff;
  $("rec").classList.toggle("on", state.listening);
  $("rec").title = state.listening ? rec : "";
  $("rec").setAttribute("aria-label", rec);
  $("eye").classList.toggle("on", state.watching);   // hidden (and not read out) when no trainer
  $("eye").setAttribute("aria-label", w.eye);
  let head, focus = [];
  if (!token) head = w.notoken;
  // over is over: a server that went with its session (`run`) is no reason to say "reconnecting"
  else if (state.ended && state.connection !== "refused") head = w.endedBy[state.endCause] || w.ended;
  else if (state.connection !== "connected") head = state.connection === "refused" && state.problem
    ? (w.why[state.problem] || state.problem) : w[state.connection];
  else {
    head = state.problem || (state.listening ? (state.audioKept ? w.listeningKept : w.listening) : "");
    if (state.listening && !state.problem) focus = state.focus;   // what the trainer asked to practise
  }
  const report = $("report");
  if (state.ended && state.session) {
    // the server's link opens the report only; the overlay token would also open the live feed
    report.href = state.report || `/reports/${encodeURIComponent(state.session)}?token=${encodeURIComponent(token)}`;
    report.textContent = w.report;
    report.hidden = false;
  } else report.hidden = true;
  $("pip").title = w.pip;
  $("pip").setAttribute("aria-label", w.pip);
  statusParts = [head, w.focus, focus];
  fitStatus();   // after the link and the button: they take their room first
}

// Document Picture-in-Picture: move the overlay into a small always-on-top window.
function setupPip() {
  if (!("documentPictureInPicture" in window) || param("bg") === "transparent") return;
  const button = $("pip");
  button.hidden = false;
  button.addEventListener("click", async () => {
    const pip = await window.documentPictureInPicture.requestWindow({ width: 360, height: 110 });
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const copy = pip.document.createElement("link");
      copy.rel = "stylesheet"; copy.href = link.href; copy.onload = fitStatus;   // its font, its width
      pip.document.head.append(copy);
    }
    pip.document.documentElement.classList.add("in-pip");
    pip.document.body.append($("overlay"));
    document.body.classList.add("popped");
    pip.addEventListener("resize", fitStatus);
    pip.addEventListener("pagehide", () => {
      document.getElementById("home").append(pip.document.getElementById("overlay"));
      document.body.classList.remove("popped");
    });
  });
}

setupPip();
render();
// a wider or narrower window (a pop-out resized, a phone turned) fits the line again
new ResizeObserver(fitStatus).observe($("status"));
if (token) {
  connect({
    hello: () => ({ v: 1, type: "hello", role: "overlay", token, client: "pullcoach-web-overlay",
                    ...(state.session ? { session: state.session } : {}) }),
    onMessage: receive,
    onState: (s, detail) => {
      state.connection = s;
      if (s !== "connected") { state.listening = false; state.watching = false; }
      if (detail) state.problem = detail; else if (s === "connected") state.problem = alertLine();
      render();
    },
  });
}
// for tests and debugging: the overlay's current state
window.pullcoachOverlay = state;
