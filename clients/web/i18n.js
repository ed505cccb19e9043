// UI words for the trainer dashboard, Dutch and English, picked by a session's lang.
const WORDS = {
  nl: {
    title: "Trainer", sessions: "Sessies", none: "Nog geen sessies. Start er een met `pullcoach run` of `pullcoach capture`.",
    live: "live", ended: "afgelopen", talk: "Spreektijd coachee", reflections: "Reflecties",
    questions: "Vragen open/gesloten", interruptions: "Onderbrekingen", lastNudges: "Laatste nudges",
    noNudges: "nog geen nudges", report: "Rapport", debrief: "Nabespreking", transcript: "Transcript", timeline: "Tijdlijn",
    sendNudge: "Nudge sturen", send: "Stuur", bookmark: "Bladwijzer", mark: "Markeer",
    notePlaceholder: "notitie bij dit moment", nudgePlaceholder: "korte nudge voor de coachee",
    end: "Sessie beëindigen", endSure: "Zeker? Klik nogmaals", sent: "verstuurd", marked: "gemarkeerd",
    notSent: "niet verstuurd: geen verbinding", coachee: "coachee", partner: "partner",
    who: { coachee: "de coachee", partner: "de gesprekspartner" },
    connecting: "verbinden…", connected: "verbonden", reconnecting: "opnieuw verbinden…", refused: "geweigerd",
    notoken: "Open deze pagina met het trainer-token: /trainer#token=…", speaking: "spreekt",
    why: { "bad-token": "Verkeerd token: open de trainer-link die pullcoach afdrukte (/trainer#token=…)",
           "bad-origin": "Geweigerd: open de pagina via het adres dat pullcoach afdrukte",
           "bad-version": "Deze pagina is ouder dan de server: herlaad haar" },
    pick: "Kies een sessie voor transcript en tijdlijn.", overlap: "overlap", watching: "je kijkt mee",
    quick: ["Vat samen", "Open vraag", "Laat uitpraten", "Luister", "Vraag door"],
    labels: { reflection: "reflectie", open: "open vraag", closed: "gesloten vraag", input: "informatie",
              advice: "advies", push: "moeten", arguments: "argumenten", backchannel: "ondersteunend",
              permission: "toestemming", proposal: "voorstel" },
  },
  en: {
    title: "Trainer", sessions: "Sessions", none: "No sessions yet. Start one with `pullcoach run` or `pullcoach capture`.",
    live: "live", ended: "ended", talk: "Coachee talk share", reflections: "Reflections",
    questions: "Questions open/closed", interruptions: "Interruptions", lastNudges: "Last nudges",
    noNudges: "no nudges yet", report: "Report", debrief: "Debrief", transcript: "Transcript", timeline: "Timeline",
    sendNudge: "Send a nudge", send: "Send", bookmark: "Bookmark", mark: "Mark",
    notePlaceholder: "note for this moment", nudgePlaceholder: "short nudge for the coachee",
    end: "End session", endSure: "Sure? Click again", sent: "sent", marked: "marked",
    notSent: "not sent: no connection", coachee: "coachee", partner: "partner",
    who: { coachee: "the coachee", partner: "the partner" },
    connecting: "connecting…", connected: "connected", reconnecting: "reconnecting…", refused: "refused",
    notoken: "Open this page with the trainer token: /trainer#token=…", speaking: "speaking",
    why: { "bad-token": "Wrong token: open the trainer link pullcoach printed (/trainer#token=…)",
           "bad-origin": "Refused: open the page at the address pullcoach printed",
           "bad-version": "This page is older than the server: reload it" },
    pick: "Pick a session for its transcript and timeline.", overlap: "overlap", watching: "you are watching",
    quick: ["Summarise", "Open question", "Let them finish", "Listen", "Ask more"],
    labels: { reflection: "reflection", open: "open question", closed: "closed question", input: "information",
              advice: "advice", push: "push word", arguments: "arguments", backchannel: "backchannel",
              permission: "permission", proposal: "proposal" },
  },
};

export function words(lang) {
  return WORDS[lang] || WORDS[String(lang || "").slice(0, 2)] || WORDS.en;
}
