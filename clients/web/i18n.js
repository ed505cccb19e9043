// UI words for the trainer dashboard, Dutch and English, picked by a session's lang.
const WORDS = {
  nl: {
    title: "Trainer", sessions: "Sessies", none: "Nog geen sessies. Start er een met `pullcoach run` of `pullcoach capture`.",
    live: "live", ended: "afgelopen",
    state: { live: "● live", ended: "afgelopen", away: "● opname weg", unknown: "? geen verbinding",
             ending: "● wordt beëindigd…" },
    awayLong: "De opname (pullcoach capture) viel weg. Start hem binnen 2 minuten opnieuw, dan gaat deze sessie verder.", talk: "Spreektijd coachee", reflections: "Reflecties",
    questions: "Vragen open/gesloten", interruptions: "Onderbrekingen", lastNudges: "Laatste seintjes",
    noNudges: "nog geen seintjes", byYou: "jij:",
    negCount: "Negatieve seintjes {n}", negHeld: "{k} alleen verslag", report: "Rapport", debrief: "Nabespreking", transcript: "Transcript", timeline: "Tijdlijn",
    sendNudge: "Seintje sturen", send: "Stuur", bookmark: "Bladwijzer", mark: "Markeer",
    notePlaceholder: "notitie bij dit moment", nudgePlaceholder: "kort seintje voor de coachee",
    nudgeLabel: "Seintje voor de coachee", noteLabel: "Notitie bij de bladwijzer",
    end: "Sessie beëindigen", endSure: "Zeker? Klik nogmaals", endingButton: "Wordt beëindigd…", endedButton: "Afgelopen",
    sent: "verstuurd", marked: "gemarkeerd",
    sentNoOverlay: "verstuurd, maar er is geen overlay open: alleen in het verslag",
    noOverlay: "Geen overlay open: {who} ziet de seintjes niet. De overlay-link staat in de console van `pullcoach capture`.",
    notSent: "niet verstuurd: geen verbinding", notDone: "niet gedaan: {why}",
    // a pair without names: the report's and the debrief's words (not the raw "partner")
    coachee: "Coachee", partner: "Gesprekspartner", endedGroup: "Afgelopen ({n})",
    // a refused command, by the error's code (and detail.reason): the server's English
    // message only for a code this page does not know ("{message} ({code})")
    refusal: { "no-session": "deze sessie loopt niet meer", "no-session unknown": "deze sessie kent de server niet (meer)",
               "malformed": "de server kon dit verzoek niet lezen; herlaad de pagina",
               "malformed empty": "het seintje is leeg: typ wat de coachee moet lezen",
               "malformed too-long": "te lang: hoogstens {limit} tekens",
               "malformed rule-off": "{rules}; laat die uit de focus",
               "rule-off": "«{rule}» staat uit sinds {since} (de plugin faalde{error}): geen seintjes meer deze sessie",
               "rule-off load": "«{rule}» staat uit sinds het begin (de plugin laadde niet{error}): geen seintjes deze sessie",
               "malformed unknown-rule": "deze sessie kent {rules} niet; kies uit: {known}",
               "bad-token": "alleen de trainer mag dat: open de trainer-link die pullcoach afdrukte",
               "unknown-type": "de server kent dit verzoek niet: is hij ouder dan deze pagina?",
               "bad-version": "deze pagina is ouder dan de server: herlaad haar",
               "bad-origin": "geweigerd: open de pagina via het adres dat pullcoach afdrukte",
               "too-big": "het bericht is te groot", "bad-block": "audio buiten de tijd van de sessie" },
    unseen: "niet gezien: geen overlay open",
    who: { coachee: "de coachee", partner: "de gesprekspartner" },
    connecting: "verbinden…", connected: "verbonden", reconnecting: "opnieuw verbinden…", refused: "geweigerd",
    notoken: "Open deze pagina met het trainer-token: /trainer#token=…", speaking: "spreekt",
    why: { "bad-token": "Verkeerd token: open de trainer-link die pullcoach afdrukte (/trainer#token=…)",
           "bad-origin": "Geweigerd: open de pagina via het adres dat pullcoach afdrukte",
           "bad-version": "Deze pagina is ouder dan de server: herlaad haar",
           "malformed": "Geweigerd: de server kon het bericht van deze pagina niet lezen; herlaad haar",
           "unknown-type": "Geweigerd: de server kent een bericht van deze pagina niet; herlaad haar" },
    pick: "Kies een sessie voor transcript en tijdlijn.", overlap: "overlap", watching: "je kijkt mee",
    nudgesRow: "seintjes", reportOnly: "alleen voor het verslag",
    // the live timeline for a screen reader, in the report's words (report_text: timeline_aria)
    tlAria: { head: "Tijdlijn van {duration}", counts: {
      negative: ["{n} seintje over wat beter kan", "{n} seintjes over wat beter kan"],
      positive: ["{n} goede zet", "{n} goede zetten"], cue: ["{n} signaal van de ander", "{n} signalen van de ander"],
      trainer: ["{n} seintje van jou", "{n} seintjes van jou"],
      overlap: ["{n} keer tegelijk gepraat", "{n} keer tegelijk gepraat"], bookmarks: ["{n} bladwijzer", "{n} bladwijzers"] } },
    gap: { "capture-resumed": "{span} geen audio: de opname was gestopt",
           "session-resumed": "{span} server herstart: wat toen gezegd werd, staat niet in het transcript",
           "channel-stalled": "{span} geen audio van {who}: het apparaat leverde niets",
           "channel-stalled file-broken": "{span} geen audio van {who}: het bestand brak daar af (beschadigd of afgekapt)",
           "channel-stalled file-broken-end": "{span} geen audio van {who}: het bestand brak daar af (beschadigd of afgekapt)",
           "channel-stalled file-broken-both": "{span} geen audio: de opname brak daar af (beschadigd of afgekapt), beide kanten (één stereobestand)" },
    held: { focus: "buiten de focus", budget: "kort na een ander seintje", repeat: "herhaling",
            trainer: "jouw seintje stond er", language: "andere taal" },
    quick: ["Vat samen", "Open vraag", "Laat uitpraten", "Luister", "Vraag door"],
    focus: "Focus", focusAll: "Alles", focusSet: "focus ingesteld", focusCard: "Focus",
    focusHint: "Kies één tot drie: alleen die seintjes (en de lof erbij) gaan live, de rest naar het verslag.",
    focusOff: "uit", focusOffHint: "De plugin van deze regel faalde: hij geeft deze sessie geen seintjes meer",
    quoted: "«{m}»",
    labels: { reflection: "reflectie", open: "open vraag", closed: "gesloten vraag", input: "informatie",
              advice: "advies", push: "moeten", arguments: "argumenten", backchannel: "ondersteunend",
              permission: "toestemming", proposal: "voorstel" },
  },
  en: {
    title: "Trainer", sessions: "Sessions", none: "No sessions yet. Start one with `pullcoach run` or `pullcoach capture`.",
    live: "live", ended: "ended",
    state: { live: "● live", ended: "ended", away: "● capture gone", unknown: "? no connection",
             ending: "● ending…" },
    awayLong: "The capture (pullcoach capture) dropped out. Start it again within 2 minutes and this session goes on.", talk: "Coachee talk share", reflections: "Reflections",
    questions: "Questions open/closed", interruptions: "Interruptions", lastNudges: "Last nudges",
    noNudges: "no nudges yet", byYou: "you:",
    negCount: "Negative nudges {n}", negHeld: "{k} report only", report: "Report", debrief: "Debrief", transcript: "Transcript", timeline: "Timeline",
    sendNudge: "Send a nudge", send: "Send", bookmark: "Bookmark", mark: "Mark",
    notePlaceholder: "note for this moment", nudgePlaceholder: "short nudge for the coachee",
    nudgeLabel: "Nudge for the coachee", noteLabel: "Note with the bookmark",
    end: "End session", endSure: "Sure? Click again", endingButton: "Ending…", endedButton: "Ended",
    sent: "sent", marked: "marked",
    sentNoOverlay: "sent, but no overlay is open: in the report only",
    noOverlay: "No overlay open: {who} does not see the nudges. The overlay link is in the console of `pullcoach capture`.",
    notSent: "not sent: no connection", notDone: "not done: {why}",
    coachee: "Coachee", partner: "Partner", endedGroup: "Ended ({n})",
    refusal: { "no-session": "this session is no longer live", "no-session unknown": "the server does not know this session (any more)",
               "malformed": "the server could not read this request; reload the page",
               "malformed empty": "the nudge is empty: type what the coachee should read",
               "malformed too-long": "too long: at most {limit} characters",
               "malformed rule-off": "{rules}; leave it out of the focus",
               "rule-off": "“{rule}” has been off since {since} (its plugin failed{error}): no more nudges this session",
               "rule-off load": "“{rule}” has been off from the start (its plugin did not load{error}): no nudges this session",
               "malformed unknown-rule": "this session has no rule {rules}; choose from: {known}",
               "bad-token": "only the trainer may do that: open the trainer link pullcoach printed",
               "unknown-type": "the server does not know this request: is it older than this page?",
               "bad-version": "this page is older than the server: reload it",
               "bad-origin": "refused: open the page at the address pullcoach printed",
               "too-big": "the message is too big", "bad-block": "audio outside the session's time" },
    unseen: "not seen: no overlay open",
    who: { coachee: "the coachee", partner: "the partner" },
    connecting: "connecting…", connected: "connected", reconnecting: "reconnecting…", refused: "refused",
    notoken: "Open this page with the trainer token: /trainer#token=…", speaking: "speaking",
    why: { "bad-token": "Wrong token: open the trainer link pullcoach printed (/trainer#token=…)",
           "bad-origin": "Refused: open the page at the address pullcoach printed",
           "bad-version": "This page is older than the server: reload it",
           "malformed": "Refused: the server could not read this page's message; reload it",
           "unknown-type": "Refused: the server does not know a message of this page; reload it" },
    pick: "Pick a session for its transcript and timeline.", overlap: "overlap", watching: "you are watching",
    nudgesRow: "nudges", reportOnly: "for the report only",
    tlAria: { head: "Timeline of {duration}", counts: {
      negative: ["{n} nudge about what could be better", "{n} nudges about what could be better"],
      positive: ["{n} good move", "{n} good moves"], cue: ["{n} cue from the partner", "{n} cues from the partner"],
      trainer: ["{n} nudge from you", "{n} nudges from you"],
      overlap: ["{n} time talking at once", "{n} times talking at once"], bookmarks: ["{n} bookmark", "{n} bookmarks"] } },
    gap: { "capture-resumed": "{span} no audio: the capture had stopped",
           "session-resumed": "{span} the server restarted: what was being said then is not in the transcript",
           "channel-stalled": "{span} no audio from {who}: the device sent none",
           "channel-stalled file-broken": "{span} no audio from {who}: the file broke off there (damaged or cut short)",
           "channel-stalled file-broken-end": "{span} no audio from {who}: the file broke off there (damaged or cut short)",
           "channel-stalled file-broken-both": "{span} no audio: the recording broke off there (damaged or cut short), both sides (one stereo file)" },
    held: { focus: "outside the focus", budget: "just after another nudge", repeat: "a repeat",
            trainer: "your nudge was showing", language: "other language" },
    quick: ["Summarise", "Open question", "Let them finish", "Listen", "Explore further"],
    focus: "Focus", focusAll: "All", focusSet: "focus set", focusCard: "Focus",
    focusHint: "Pick one to three: only those nudges (and their praise) show live; the rest go to the report.",
    focusOff: "off", focusOffHint: "This rule's plugin failed: it sends no more nudges this session",
    quoted: "“{m}”",
    labels: { reflection: "reflection", open: "open question", closed: "closed question", input: "information",
              advice: "advice", push: "push word", arguments: "arguments", backchannel: "backchannel",
              permission: "permission", proposal: "proposal" },
  },
};

// a refused command in the page's words: by its code and detail (fields, not the English
// message); `names` gives a rule the words its coachee reads. Unknown: the message and the code.
export function refusalText(w, err, names = (r) => r) {
  const code = String(err.code || ""), d = err.detail && typeof err.detail === "object" ? err.detail : {};
  const fill = (text, vals) => text.replace(/\{(\w+)\}/g, (m, k) => (k in vals ? String(vals[k]) : m));
  const list = (xs) => [...new Set((Array.isArray(xs) ? xs : []).map((r) => (w.quoted || "«{m}»").replace("{m}", () => names(String(r)))))].join(", ");
  const key = d.reason ? `${code} ${d.reason}` : code;
  if (key === "malformed rule-off" && Array.isArray(d.off)) {
    const off = d.off.map((o) => fill(w.refusal[o.cause === "load" ? "rule-off load" : "rule-off"], {
      rule: names(String(o.rule)), since: clockText(o.t), error: o.error ? `: ${o.error}` : "" }));
    return fill(w.refusal[key], { rules: off.join("; ") });
  }
  const text = w.refusal[key] || w.refusal[code];
  if (!text) return `${String(err.message || "")} (${code || "?"})`.trim();
  return fill(text, { ...d, rules: list(d.rules), known: list(d.known) });
}

function clockText(t) {
  const s = Math.max(0, Math.floor(Number(t) || 0));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function words(lang) {
  return WORDS[lang] || WORDS[String(lang || "").slice(0, 2)] || WORDS.en;
}
