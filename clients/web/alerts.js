// Pipeline warnings that hold until put right (a silent channel, one mic on both, ASR
// behind): which problem a warning opens or closes, and the words for it. The overlay
// speaks to the coachee ("your mic"), the trainer page about them ("{who}").
// OPENS/CLOSES are rules/events.py's PROBLEM_OPENS/PROBLEM_CLOSES, for the browser.
// (plus "language": the other language than the session's holds until a new session)
const OPENS = { "channel-silent": "channel", "channel-stalled": "channel", "channels-same": "same", "asr-behind": "asr",
                "language": "language" };
const CLOSES = { "channel-ok": "channel", "channels-apart": "same", "asr-caught-up": "asr" };

const YOU = {
  nl: { "no-sound coachee": "Geen geluid van je microfoon: gedempt?",
        "no-sound partner": "Geen geluid van de ander (apparaat?)",
        "no-speech coachee": "Geen spraak op je microfoon (apparaat?)",
        "no-speech partner": "Geen spraak van de ander (apparaat?)",
        "channel-stalled coachee": "Je microfoon levert geen audio meer",
        "channel-stalled partner": "Geen audio meer van de ander",
        "channels-same": "Beide kanalen horen hetzelfde",
        "channels-same one-input": "Eén ingang dubbel: kies ander apparaat",
        "channels-same acoustic": "Luidsprekers te hard: neem een headset",
        "asr-behind": "Transcriptie loopt achter",
        "language en": "Klinkt Engels: opnieuw met --lang en",
        "language nl": "Klinkt Nederlands: opnieuw met --lang nl",
        "session-resumed": "Server herstart: de coaching gaat door" },
  en: { "no-sound coachee": "No sound from your mic: muted?",
        "no-sound partner": "No sound from the other side (device?)",
        "no-speech coachee": "No speech on your mic (device?)",
        "no-speech partner": "No speech from the other side (device?)",
        "channel-stalled coachee": "Your mic stopped sending audio",
        "channel-stalled partner": "No audio from the other side any more",
        "channels-same": "Both channels hear the same",
        "channels-same one-input": "One input twice: pick another device",
        "channels-same acoustic": "Speakers too loud: wear a headset",
        "asr-behind": "Transcription is behind",
        "language en": "Sounds English: restart with --lang en",
        "language nl": "Sounds Dutch: restart with --lang nl",
        "session-resumed": "Server restarted: coaching goes on" },
};

const THEY = {
  nl: { "no-sound": "Geen geluid van {who}: gedempt of verkeerd apparaat?",
        "no-speech": "Geen spraak van {who}: verkeerd apparaat?",
        "channel-stalled": "Geen audio meer van {who}: apparaat weg?",
        "channels-same": "Beide kanalen horen hetzelfde: één microfoon dubbel, of luidsprekers te hard",
        "channels-same one-input": "Beide kanalen horen hetzelfde: één ingang dubbel opgenomen; kies voor één spreker een ander apparaat (of routeer de pulse-streams in pavucontrol)",
        "channels-same acoustic": "Beide kanalen horen hetzelfde: de luidsprekers staan zo hard dat de microfoon het gesprek hoort; headset op of luidsprekers zachter",
        "asr-behind": "Transcriptie loopt achter",
        "language en": "Klinkt Engels, maar wordt in het Nederlands gecoacht: opnieuw met --lang en",
        "language nl": "Klinkt Nederlands, maar wordt in het Engels gecoacht: opnieuw met --lang nl" },
  en: { "no-sound": "No sound from {who}: muted, or the wrong device?",
        "no-speech": "No speech from {who}: the wrong device?",
        "channel-stalled": "No audio from {who} any more: device gone?",
        "channels-same": "Both channels hear the same: one mic twice, or speakers too loud",
        "channels-same one-input": "Both channels hear the same: one input recorded twice; pick another device for one speaker (or route the pulse streams in pavucontrol)",
        "channels-same acoustic": "Both channels hear the same: speakers so loud the mic hears the call; wear a headset or turn them down",
        "asr-behind": "Transcription is behind",
        "language en": "Sounds English but is coached in Dutch: restart with --lang en",
        "language nl": "Sounds Dutch but is coached in English: restart with --lang nl" },
};

function detailOf(msg) { return (msg && typeof msg.detail === "object" && msg.detail) || {}; }

function textKey(msg) {
  const d = detailOf(msg);
  if (msg.kind === "language") return `language ${d.heard}`;
  return msg.kind === "channel-silent" ? String(d.reason || "no-sound") : String(msg.kind);
}

// Apply a pipeline-warning to `alerts` (a Map key -> msg). Returns false for a passing
// warning that opens and closes nothing (shown once by the caller, if at all).
export function track(alerts, msg) {
  const speaker = detailOf(msg).speaker || "";
  if (CLOSES[msg.kind]) { alerts.delete(`${CLOSES[msg.kind]}|${speaker}`); return true; }
  if (OPENS[msg.kind]) { alerts.set(`${OPENS[msg.kind]}|${speaker}`, msg); return true; }
  return false;
}

// detail.cause: why both channels hear the same (old sessions do not say)
function pick(table, msg, key) { return table[`${key} ${detailOf(msg).cause}`] || table[key]; }

export function youText(msg, lang) {
  const speaker = detailOf(msg).speaker;
  const key = speaker ? `${textKey(msg)} ${speaker}` : textKey(msg);
  const table = YOU[String(lang || "").slice(0, 2)] || YOU.en;
  return pick(table, msg, key) || String(msg.message || msg.kind || "").slice(0, 80);
}

export function theyText(msg, lang, who) {
  const table = THEY[String(lang || "").slice(0, 2)] || THEY.en;
  const text = pick(table, msg, textKey(msg));
  return text ? text.replace("{who}", who) : String(msg.message || msg.kind || "");
}
