// Pipeline warnings that hold until put right (a silent channel, one mic on both, ASR
// behind): which problem a warning opens or closes, and the words for it. The overlay
// speaks to the coachee ("your mic"), the trainer page about them ("{who}").
// OPENS/CLOSES are rules/events.py's PROBLEM_OPENS/PROBLEM_CLOSES, for the browser.
// (plus "language": the other language than the session's holds until a new session, and
// "rule-off": a plugin rule switched off holds for the rest of the session, one per rule,
// for the trainer only: the coachee can do nothing about it)
const OPENS = { "channel-silent": "channel", "channel-stalled": "channel", "channels-same": "same",
                "channel-clipped": "clip", "asr-behind": "asr", "language": "language", "rule-off": "rule" };
export const TRAINER_ONLY = ["rule-off"];
const CLOSES = { "channel-ok": "channel", "channels-apart": "same", "channel-clean": "clip", "asr-caught-up": "asr" };

const YOU = {
  nl: { "no-sound coachee": "Geen geluid van je microfoon: gedempt?",
        "no-sound partner": "Geen geluid van de ander (apparaat?)",
        "no-speech coachee": "Geen spraak op je microfoon (apparaat?)",
        "no-speech partner": "Geen spraak van de ander (apparaat?)",
        "no-speech nobody": "Geen spraak op beide kanalen: apparaten?",
        "channel-clipped coachee": "Microfoon overstuurd: zet hem zachter",
        "channel-clipped file": "De opname zelf is overstuurd",
        "channel-clipped partner": "Ander kanaal overstuurd: zet het zachter",
        "channel-stalled coachee": "Je microfoon levert geen audio meer",
        "channel-stalled partner": "Geen audio meer van de ander",
        "channel-stalled partner file-broken": "Bestand van de ander brak af: de rest is stilte",
        "channel-stalled coachee file-broken-end": "Je bestand brak af: de sessie stopt hier",
        "channel-stalled coachee file-broken-both": "De opname brak af: de sessie stopt hier",
        "channels-same": "Beide kanalen horen hetzelfde",
        "channels-same one-input": "Eén ingang dubbel: kies ander apparaat",
        "channels-same acoustic": "Luidsprekers te hard: neem een headset",
        "asr-behind": "Transcriptie loopt achter",
        "language en": "Klinkt Engels: opnieuw met --lang en",
        "language nl": "Klinkt Nederlands: opnieuw met --lang nl",
        "session-resumed": "Server herstart: de coaching gaat door",
        "capture-resumed": "Opname hervat na {gap} onderbreking" },
  en: { "no-sound coachee": "No sound from your mic: muted?",
        "no-sound partner": "No sound from the other side (device?)",
        "no-speech coachee": "No speech on your mic (device?)",
        "no-speech partner": "No speech from the other side (device?)",
        "no-speech nobody": "No speech on either channel (devices?)",
        "channel-clipped coachee": "Your mic clips: turn its level down",
        "channel-clipped file": "The recording itself clips",
        "channel-clipped partner": "Other side clips: turn its level down",
        "channel-stalled coachee": "Your mic stopped sending audio",
        "channel-stalled partner": "No audio from the other side any more",
        "channel-stalled partner file-broken": "The other side's file broke off: the rest is silence",
        "channel-stalled coachee file-broken-end": "Your file broke off: session stops here",
        "channel-stalled coachee file-broken-both": "Recording broke off: session stops here",
        "channels-same": "Both channels hear the same",
        "channels-same one-input": "One input twice: pick another device",
        "channels-same acoustic": "Speakers too loud: wear a headset",
        "asr-behind": "Transcription is behind",
        "language en": "Sounds English: restart with --lang en",
        "language nl": "Sounds Dutch: restart with --lang nl",
        "session-resumed": "Server restarted: coaching goes on",
        "capture-resumed": "Recording resumed after a {gap} break" },
};

const THEY = {
  nl: { "no-sound": "Geen geluid van {who}: gedempt of verkeerd apparaat?",
        "no-speech": "Geen spraak van {who}: verkeerd apparaat?",
        "no-sound file": "Geen geluid van {who}: staat die kant wel in de opname?",
        "no-speech file": "Geen spraak van {who}: staat die kant op het goede kanaal van de opname?",
        "no-speech nobody": "Geen spraak op beide kanalen: verkeerde apparaten?",
        "no-speech nobody file": "Geen spraak aan beide kanten van de opname: is het een opname van het gesprek?",
        "channel-clipped": "Geluid van {who} overstuurd: zet het opnameniveau van dat apparaat lager",
        "channel-clipped file": "Geluid van {who} is in de opname zelf overstuurd: transcriptie en seintjes daar minder betrouwbaar",
        "channel-stalled": "Geen audio meer van {who}: apparaat weg?",
        "channel-stalled file-broken": "Geen audio meer van {who} vanaf {at}: het bestand brak daar af (beschadigd of afgekapt); de rest van die kant telt als stilte",
        "channel-stalled file-broken-end": "Geen audio meer van {who} vanaf {at}: het bestand brak daar af (beschadigd of afgekapt); de sessie stopte daar",
        "channel-stalled file-broken-both": "De opname brak af op {at} (beschadigd of afgekapt): beide kanten, één stereobestand; de sessie stopte daar",
        "channels-same": "Beide kanalen horen hetzelfde: één microfoon dubbel, of luidsprekers te hard",
        "channels-same one-input": "Beide kanalen horen hetzelfde: één ingang dubbel opgenomen; kies voor één spreker een ander apparaat (of routeer de pulse-streams in pavucontrol)",
        "channels-same acoustic": "Beide kanalen horen hetzelfde: de luidsprekers staan zo hard dat de microfoon het gesprek hoort; headset op of luidsprekers zachter",
        "asr-behind": "Transcriptie loopt achter",
        "language en": "Klinkt Engels, maar wordt in het Nederlands gecoacht: opnieuw met --lang en",
        "language nl": "Klinkt Nederlands, maar wordt in het Engels gecoacht: opnieuw met --lang nl",
        "capture-resumed": "Opname hervat na {gap} onderbreking: die tijd telt als stilte",
        "rule-off": "Regel {rule} staat uit sinds {at}: de plugin faalde ({error}). Het verslag zegt het ook",
        "rule-off foreign": "Regel {rule} staat uit sinds {at}: de plugin gaf seintjes onder de naam {as}. Het verslag zegt het ook",
        "rule-off load": "Regel {rule} doet niet mee: de plugin laadt niet ({error})" },
  en: { "no-sound": "No sound from {who}: muted, or the wrong device?",
        "no-speech": "No speech from {who}: the wrong device?",
        "no-sound file": "No sound from {who}: is that side in the recording?",
        "no-speech file": "No speech from {who}: is that side on the recording's right channel?",
        "no-speech nobody": "No speech on either channel: the wrong devices?",
        "no-speech nobody file": "No speech on either side of the recording: is it a recording of the conversation?",
        "channel-clipped": "{who}'s sound clips: turn that device's input level down",
        "channel-clipped file": "{who}'s sound is clipped in the recording itself: transcripts and nudges there are less reliable",
        "channel-stalled": "No audio from {who} any more: device gone?",
        "channel-stalled file-broken": "No audio from {who} from {at}: the file broke off there (damaged or cut short); the rest of that side counts as silence",
        "channel-stalled file-broken-end": "No audio from {who} from {at}: the file broke off there (damaged or cut short); the session stopped there",
        "channel-stalled file-broken-both": "The recording broke off at {at} (damaged or cut short): both sides, one stereo file; the session stopped there",
        "channels-same": "Both channels hear the same: one mic twice, or speakers too loud",
        "channels-same one-input": "Both channels hear the same: one input recorded twice; pick another device for one speaker (or route the pulse streams in pavucontrol)",
        "channels-same acoustic": "Both channels hear the same: speakers so loud the mic hears the call; wear a headset or turn them down",
        "asr-behind": "Transcription is behind",
        "language en": "Sounds English but is coached in Dutch: restart with --lang en",
        "language nl": "Sounds Dutch but is coached in English: restart with --lang nl",
        "capture-resumed": "Recording resumed after a {gap} break: that time counts as silence",
        "rule-off": "Rule {rule} has been off since {at}: its plugin failed ({error}). The report says so too",
        "rule-off foreign": "Rule {rule} has been off since {at}: its plugin nudged under the name {as}. The report says so too",
        "rule-off load": "Rule {rule} is not running: its plugin does not load ({error})" },
};

function detailOf(msg) { return (msg && typeof msg.detail === "object" && msg.detail) || {}; }

function textKey(msg) {
  const d = detailOf(msg);
  if (msg.kind === "language") return `language ${d.heard}`;
  if (msg.kind === "rule-off") return d.reason === "foreign" || d.reason === "load" ? `rule-off ${d.reason}` : "rule-off";
  return msg.kind === "channel-silent" ? String(d.reason || "no-sound") : String(msg.kind);
}

// A capture started again after a crash (capture-resumed: `t` where its audio stopped,
// detail.resumed_at) left a gap the server fills with silence; filling one channel before
// the other makes the pipeline say the other stalled (channel-stalled, from up to its 2 s
// skew before the gap). That is the gap, not a device, as the report says: such a stall is
// held back, and shown only if it is still open GAP_HOLD_S after; the "recording resumed"
// line shows for RESUMED_SHOWN_S. Both count on the session's clock from resumed_at: a
// resume sent again later (a reconnect) is old news and not shown anew.
export const GAP_HOLD_S = 10;
export const RESUMED_SHOWN_S = 60;
const GAP_SKEW_S = 2;  // rules/events.py GAP_SKEW_S

function gapOf(msg) {
  return { t0: Number(msg.t) || 0, t1: Number(detailOf(msg).resumed_at ?? msg.t) || 0 };
}

// a channel the gap stalled or silenced (report_data.problems does the same)
function inGap(msg, resumed) {
  const d = detailOf(msg);
  if (!resumed || !(msg.kind === "channel-stalled" || (msg.kind === "channel-silent" && d.reason !== "no-speech"))) return false;
  const { t0, t1 } = gapOf(resumed);
  const began = (Number(msg.t) || 0) - (msg.kind === "channel-silent" ? Number(d.seconds) || 0 : 0);
  return began >= t0 - GAP_SKEW_S - 1e-6 && began <= t1;
}

// Apply a pipeline-warning to `alerts` (a Map key -> msg). Returns false for a passing
// warning that opens and closes nothing (shown once by the caller, if at all). Times are
// the session's own (`shown` and `nextChange` are given the session's time now).
export function track(alerts, msg) {
  const speaker = detailOf(msg).speaker || detailOf(msg).rule || "";   // a rule off: one line per rule
  if (msg.kind === "capture-resumed") {
    const resumed = { ...msg, _at: gapOf(msg).t1 };
    for (const [key, open] of alerts) if (inGap(open, resumed)) alerts.delete(key);   // the gap, now over
    alerts.delete("resumed|");
    alerts.set("resumed|", resumed);
    return true;
  }
  if (CLOSES[msg.kind]) { alerts.delete(`${CLOSES[msg.kind]}|${speaker}`); return true; }
  if (OPENS[msg.kind]) {
    if (msg.kind === "rule-off" && alerts.has(`rule|${speaker}`)) return true;   // off since the first
    const resumed = alerts.get("resumed|");
    alerts.set(`${OPENS[msg.kind]}|${speaker}`,
               inGap(msg, resumed) ? { ...msg, _gap: true, _at: resumed._at } : msg);
    return true;
  }
  return false;
}

// The alerts to show at `now` (session time), oldest first.
export function shown(alerts, now) {
  return [...alerts.values()].filter((m) => m.kind === "capture-resumed" ? now - m._at < RESUMED_SHOWN_S
                                                                        : !m._gap || now - m._at >= GAP_HOLD_S);
}

// When what `shown` gives next changes (a held stall shows, the resume line goes), in
// session time; null when nothing will.
export function nextChange(alerts, now) {
  const due = [...alerts.values()].filter((m) => m._at != null)
    .map((m) => m._at + (m.kind === "capture-resumed" ? RESUMED_SHOWN_S : GAP_HOLD_S)).filter((t) => t > now);
  return due.length ? Math.min(...due) : null;
}

// "25 s", "1 min 40 s": as long as the two times the report shows for it say (0:19 to 0:44)
function gapText(msg) {
  const { t0, t1 } = gapOf(msg);
  const s = Math.max(0, Math.floor(t1) - Math.floor(t0));
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
}

// detail.cause: why both channels hear the same (old sessions do not say); the coachee's
// replayed file that broke off ended the session (-end), and one stereo file (one name in
// detail.files) broke on both sides (-both); overlay_state.cause_of alike
export function causeOf(d) {
  if (d.cause !== "file-broken" || d.speaker !== "coachee") return d.cause;
  return Array.isArray(d.files) && d.files.length === 1 ? "file-broken-both" : "file-broken-end";
}
function pick(table, msg, key) { return table[`${key} ${causeOf(detailOf(msg))}`] || table[key]; }

export function youText(msg, lang) {
  const d = detailOf(msg), speaker = d.speaker;
  // a replayed file that clips: the recording, not a mic to turn down
  const file = msg.kind === "channel-clipped" && Array.isArray(d.files) && d.files.length > 0;
  const key = file ? "channel-clipped file" : speaker ? `${textKey(msg)} ${speaker}` : textKey(msg);
  const table = YOU[String(lang || "").slice(0, 2)] || YOU.en;
  const text = pick(table, msg, key);
  return text ? text.replace("{gap}", gapText(msg)) : String(msg.message || msg.kind || "").slice(0, 80);
}

// "3:12", as the card's clock and the report say a time
function clockText(t) {
  const s = Math.max(0, Math.floor(Number(t) || 0));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function theyText(msg, lang, who) {
  const table = THEY[String(lang || "").slice(0, 2)] || THEY.en;
  const d = detailOf(msg);
  // a replayed recording (detail.files): the file lacks it, no device is muted
  const file = (msg.kind === "channel-silent" || msg.kind === "channel-clipped") && Array.isArray(d.files) && d.files.length > 0;
  const text = (file && (table[`${textKey(msg)} ${causeOf(d)} file`] || table[`${textKey(msg)} file`]))
    || pick(table, msg, textKey(msg));
  if (!text) return String(msg.message || msg.kind || "");
  return text.replace("{who}", who).replace("{gap}", gapText(msg)).replace("{at}", clockText(msg.t))
    .replace("{rule}", `“${String(d.rule || "?")}”`).replace("{as}", `“${String(d.as || "?")}”`)
    .replace("{error}", String(d.error || "?").slice(0, 120));
}
