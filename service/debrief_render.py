"""The debrief (``debrief.build_debrief``) as one self-contained HTML page or as Markdown."""

from __future__ import annotations

import time
from html import escape
from typing import Callable

from pullcoach.report_html import CSP, CSS, figure_cells, trend_list, trend_rows
from pullcoach.report_plain import MARKS, md_text
from pullcoach.report_data import GOOD, yardsticks
from pullcoach.report_text import (
    ALTERNATIVES, clock, rule_title, count_text, duration, half_up, lang_of, number, speaker_names, words,
)

__all__ = ["render_debrief_html", "render_debrief_md", "DEBRIEF_WORDS"]

COLUMNS = ("talk_share", "reflections_questions", "open_questions", "summaries",
           "interruptions", "argument_stacks", "push_words", "righting_reflexes")

def _rating(w: dict, rating: str) -> str:
    """A rating in the report's own words ("onder de maat", "redelijk"), without its mark."""
    return w["status"][rating].split(" ", 1)[-1]


def _all(dw: dict, n: int) -> str:
    """"alle 3 gesprekken"; of two, "beide gesprekken" ("in alle 2 gesprekken" read oddly)."""
    return dw["both"] if n == 2 else dw["all"].format(n=n)


def _unrated(dw: dict, n: int) -> str:
    return dw["unrated"].format(n=n) if n else ""


def _left_out(dw: dict, t: dict, n: int) -> str:
    """The conversations a figure could not be rated in, of ``n``; for turn length, those
    too short to show one (" (2 te kort om te beoordelen)") said apart."""
    short = t.get("short", 0)
    return _unrated(dw, n - t["rated"] - short) + (dw["short"].format(n=short) if short else "")


def _tally(dw: dict, w: dict, p: dict, n: int) -> str:
    """"onder de maat in alle 3 gesprekken", "onder de maat in 2 van 3 gesprekken", "onder
    de maat in 1, redelijk in 2 van 3 gesprekken", out of all ``n`` conversations, in the
    report's rating words; a rating no conversation had is left out, conversations the
    figure could not be rated in are said."""
    word = _rating(w, "poor" if p["poor"] else "fair")
    if n == 1:
        return word
    if not (p["poor"] and p["fair"]) and p["poor"] + p["fair"] == n:
        return dw["tally_all"].format(rating=word, all=_all(dw, n))
    parts = [f"{_rating(w, k)} in {p[k]}" for k in ("poor", "fair") if p[k]]
    return dw["tally"].format(what=", ".join(parts), n=n) + _left_out(dw, p, n)


def _went_well(dw: dict, w: dict, key: str, t: dict, n: int, ys: dict) -> str:
    """"in 4 van 6 gesprekken vatte de coachee minstens elke 2 minuten samen": in how many
    conversations the figure was good, and what good is by the report's yardstick ``ys``."""
    did = _did(dw, w, key, ys)
    if n == 1:
        return dw["went_well_1"].format(did=did)
    said = (dw["went_well_all"] if t["good"] == n else dw["went_well"]).format(k=t["good"], n=n, did=did,
                                                                               all=_all(dw, n))
    return said + _left_out(dw, t, n)


def yardstick(d: dict, key: str) -> dict:
    """What ``key`` was rated by: the yardstick the role-plays' reports kept with the figure
    (the rule configs their engine ran with; the first row that kept one), else the
    built-in rules'."""
    for row in d["sessions"]:
        ys = row["figures"].get(key, {}).get("yardstick")
        if ys:
            return ys
    return yardsticks()[key]


def _did(dw: dict, w: dict, key: str, ys: dict) -> str:
    """What a good ``key`` is, in words, from its yardstick: "vatte de coachee minstens elke
    2 minuten samen", "liet de coachee de ander steeds uitpraten"."""
    did, good = dw["did"], ys["good"]
    if key in ("talk_share", "open_questions"):
        return did[key].format(good=f"{good:g}%")
    if key == "reflections_questions":
        return did[key].format(good=f"{number(good, w)} {dw['n_reflection'][good != 1]}")
    if key in ("summaries", "monologues"):
        s = int(half_up(good))  # whole minutes as said ("2 minuten"), else the card's "90 s"
        return did[key].format(good=count_text(s // 60, dw["n_minute"]) if s and s % 60 == 0
                               else duration(s, w))
    if key == "argument_stacks" and good == 0 and ys.get("stack"):
        return did["argument_stacks_stack"].format(stack=ys["stack"])
    return did[f"{key}_0"] if good == 0 else did[key].format(good=number(good, w))


def _made_in(dw: dict, d: dict, i: int) -> str:
    """In how many conversations a praised move of this kind was made, said at the first
    moment of its kind ("" after it, and for one conversation)."""
    m, n = d["good_moments"][i], len(d["sessions"])
    if n == 1 or any(x["nudge"]["rule"] == m["nudge"]["rule"] for x in d["good_moments"][:i]):
        return ""
    return (dw["made_in_all"] if m["sessions"] == n else dw["made_in"]).format(k=m["sessions"], n=n,
                                                                               all=_all(dw, n))


def _say(dw: dict, key: str, n: int, **kw) -> str:
    """``dw[key]`` for n, its singular form for one ("1 gesprek", not "1 gesprekken")."""
    return dw.get(key + "_1" if n == 1 else key, dw[key]).format(n=n, **kw)


DEBRIEF_WORDS = {
    "nl": {
        "title": "Nabespreking", "count": "{n} gesprekken", "roleplay": "Gesprek",
        "negative": "Negatieve seintjes", "per_10": "{n} per 10 min", "report": "verslag",
        "work_on": "Om samen aan te werken", "strengths": "Wat goed ging",
        "tally": "{what} van {n} gesprekken", "tally_all": "{rating} in {all}", "all": "alle {n} gesprekken", "both": "beide gesprekken",
        "unrated": " ({n} niet te beoordelen)", "short": " ({n} te kort om te beoordelen)",
        "example": "Voorbeeld: {who}", "count_1": "1 gesprek",
        "went_well": "in {k} van {n} gesprekken {did}", "went_well_all": "in {all} {did}",
        "went_well_1": "in het gesprek {did}",
        # what "good" is, worded from the yardstick report_data rated each figure by
        # ({good}: its good edge; a count figure good at 0 has its own words)
        "did": {"talk_share": "sprak de coachee hooguit {good} van de tijd",
                "reflections_questions": "waren er minstens {good} per vraag",
                "open_questions": "was minstens {good} van de vragen open",
                "summaries": "vatte de coachee minstens elke {good} samen",
                "interruptions": "onderbrak de coachee de ander hooguit {good} keer",
                "interruptions_0": "liet de coachee de ander steeds uitpraten",
                "argument_stacks": "stapelde de coachee hooguit {good} keer argumenten",
                "argument_stacks_0": "stapelde de coachee geen argumenten",
                "argument_stacks_stack": "stapelde de coachee nooit {stack} argumenten op rij",
                "push_words": "zei de coachee hooguit {good} pushwoorden (‘moeten’)",
                "push_words_0": "zei de coachee geen pushwoorden (‘moeten’)",
                "righting_reflexes": "gaf de coachee hooguit {good} keer advies of informatie zonder toestemming",
                "righting_reflexes_0": "gaf de coachee geen advies of informatie zonder toestemming",
                "monologues": "duurde geen beurt van de coachee langer dan {good}"},
        "n_reflection": ("reflectie", "reflecties"), "n_minute": ("minuut", "minuten"),
        "good_moments": "Goede zetten om te benoemen", "made_in": "zo’n zet in {k} van {n} gesprekken",
        "made_in_all": "zo’n zet in {all}", "bookmarks": "Jouw bladwijzers",
        "no_bookmarks": "Geen bladwijzers gezet.",
        # the nudges the trainer typed and sent live, beside the bookmarks
        "marks_sent": "Jouw bladwijzers en seintjes", "sent": "Seintje «{msg}»", "to": "aan {who}",
        "not_shown": "niet getoond", "unseen": "niet gezien: geen overlay open",
        "no_work": "Geen cijfer was onder de maat of redelijk.",
        "no_strengths": "Geen cijfer was in meer dan de helft van de {n} gesprekken goed; wat in "
                        "minder gesprekken goed ging, staat in de tabel hierboven en in elk verslag.",
        "no_strengths_2": "Geen cijfer was in beide gesprekken goed; wat in één ervan goed ging, "
                          "staat in de tabel hierboven en in het verslag.",
        "no_strengths_1": "Geen cijfer was goed.",
        "none_good": "Geen cijfer was goed, in geen van de {n} gesprekken.",
        "wrong_lang": "gecoacht in het {lang}, maar het klonk {heard}: cijfers over de woorden niet meegeteld",
        "lang_names": {"nl": "Nederlands", "en": "Engels"},
        "no_sessions": "Geen afgeronde gesprekken om na te bespreken.",
        "interrupted": "onderbroken", "not_analysed": "niet geanalyseerd",
        "problems": "opnameprobleem: zie verslag", "broke_off": "opname brak af op {t}",
        "partner_broke_off": "bestand van de ander brak af op {t}", "capture_restarted": "opname herstart: zie verslag",
        "server_restarted": "server herstart: zie verslag",
        "record_lost": "deel van het sessiebestand verloren: zie verslag", "focus": "focus: {which}", "asr_behind": "transcriptie liep achter",
        "rule_off": "regel {which} stond uit: zie verslag", "off": "uit",
        "server_stopped": "door de server beëindigd", "trainer_ended": "door de trainer beëindigd na {t}",
        "strength_names": {"monologues": "Korte beurten (geen monologen)"},
        "progress": "Van eerste naar laatste gesprek", "runs": "{n} gesprekken", "with_partner": "{coachee} (met {partner})",
        "no_change": "geen cijfer veranderde van beoordeling of duidelijk van waarde",
    },
    "en": {
        "title": "Debrief", "count": "{n} conversations", "roleplay": "Conversation",
        "negative": "Negative nudges", "per_10": "{n} per 10 min", "report": "report",
        "work_on": "To work on together", "strengths": "What went well",
        "tally": "{what} of {n} conversations", "tally_all": "{rating} in {all}", "all": "all {n} conversations", "both": "both conversations",
        "unrated": " ({n} could not be rated)", "short": " ({n} too short to rate)",
        "example": "Example: {who}", "count_1": "1 conversation",
        "went_well": "in {k} of {n} conversations {did}", "went_well_all": "in {all} {did}",
        "went_well_1": "in the conversation {did}",
        "did": {"talk_share": "the coachee talked at most {good} of the time",
                "reflections_questions": "there were at least {good} per question",
                "open_questions": "at least {good} of the questions were open",
                "summaries": "the coachee reflected at least every {good}",
                "interruptions": "the coachee cut in on the other at most {good} times",
                "interruptions_0": "the coachee let the other finish every time",
                "argument_stacks": "the coachee stacked arguments at most {good} times",
                "argument_stacks_0": "the coachee stacked no arguments",
                "argument_stacks_stack": "the coachee never made {stack} arguments in a row",
                "push_words": "the coachee used at most {good} push words (‘have to’, ‘should’)",
                "push_words_0": "the coachee used no push words (‘have to’, ‘should’)",
                "righting_reflexes": "the coachee gave advice or information unasked at most {good} times",
                "righting_reflexes_0": "the coachee gave no advice or information unasked",
                "monologues": "no turn of the coachee lasted over {good}"},
        "n_reflection": ("reflection", "reflections"), "n_minute": ("minute", "minutes"),
        "good_moments": "Good moves worth naming", "made_in": "a move like it in {k} of {n} conversations",
        "made_in_all": "a move like it in {all}", "bookmarks": "Your bookmarks",
        "marks_sent": "Your bookmarks and nudges", "sent": "Nudge “{msg}”", "to": "to {who}",
        "not_shown": "not shown", "unseen": "not seen: no overlay open",
        "no_bookmarks": "No bookmarks set.", "no_work": "No figure was below par or fair.",
        "no_strengths": "No figure was good in more than half of the {n} conversations; what went "
                        "well in fewer is in the table above and in each report.",
        "no_strengths_2": "No figure was good in both conversations; what went well in one is in "
                          "the table above and in its report.",
        "no_strengths_1": "No figure was good.",
        "none_good": "No figure was good in any of the {n} conversations.",
        "wrong_lang": "coached in {lang}, but it sounded {heard}: figures about the words not counted",
        "lang_names": {"nl": "Dutch", "en": "English"},
        "no_sessions": "No finished conversations to debrief.",
        "interrupted": "interrupted", "not_analysed": "not analysed",
        "problems": "recording problem: see report", "broke_off": "recording broke off at {t}",
        "partner_broke_off": "other side's file broke off at {t}", "capture_restarted": "capture restarted: see report",
        "server_restarted": "server restarted: see report",
        "record_lost": "part of the session file lost: see report", "focus": "focus: {which}", "asr_behind": "transcription ran behind",
        "rule_off": "rule {which} was off: see report", "off": "off",
        "server_stopped": "ended by the server", "trainer_ended": "ended by the trainer at {t}",
        "strength_names": {"monologues": "Short turns (no monologues)"},
        "progress": "From first to last conversation", "runs": "{n} conversations", "with_partner": "{coachee} (with {partner})",
        "no_change": "no figure changed its rating or clearly its value",
    },
}

EXTRA_CSS = """
main { max-width: 1200px; }
/* all ten columns fit from about 1280 px wide: headers wrap, cells are tight, the figures a
   size smaller. Narrower, the table scrolls sideways: the role-play column stays put and a
   shade at an edge says more is there (only while there is) */
.table-wrap { position: relative; timeline-scope: --debrief-x; }
.scroll { overflow-x: auto; scroll-timeline: --debrief-x x; border: 1px solid var(--line); border-radius: 8px; }
.table-wrap::after { content: ""; position: absolute; top: 1px; bottom: 1px; right: 1px; width: 24px;
  border-radius: 0 7px 7px 0; pointer-events: none; opacity: 0; z-index: 2;
  background: linear-gradient(to left, rgba(31,42,51,.18), transparent);
  animation: debrief-more linear both; animation-timeline: --debrief-x; }
@keyframes debrief-more { 0%, 96% { opacity: 1; } 100% { opacity: 0; } }
@keyframes debrief-under { 0% { box-shadow: none; } 4%, 100% { box-shadow: 6px 0 8px -5px rgba(31,42,51,.35); } }
table.debrief { width: 100%; border-collapse: separate; border-spacing: 0; font: 13px/1.35 system-ui, sans-serif;
  background: #fff; }
table.debrief th { font-weight: 600; font-size: 12px; line-height: 1.25; color: var(--soft); text-align: left;
  padding: 7px 6px; border-bottom: 1px solid var(--line); vertical-align: bottom; hyphens: auto;
  overflow-wrap: normal; }
table.debrief td { padding: 6px 6px; border-bottom: 1px solid var(--line); vertical-align: top;
  font-variant-numeric: tabular-nums; font-size: 12.5px; }
table.debrief tbody tr:last-child td { border-bottom: 0; }
table.debrief th:first-child, table.debrief td:first-child { position: sticky; left: 0; z-index: 1;
  background: #fff; padding-left: 9px; padding-right: 10px; font-size: 13px;
  animation: debrief-under linear both; animation-timeline: --debrief-x; }
table.debrief td:first-child { white-space: normal; overflow-wrap: anywhere; width: 15em; min-width: 9em; }
table.debrief td:first-child small { white-space: normal; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
table.debrief td.good { color: var(--good); background: var(--good-bg); }
table.debrief td.fair { color: var(--fair); background: var(--fair-bg); }
table.debrief td.poor { color: var(--poor); background: var(--poor-bg); }
table.debrief td small, .point small { display: block; color: var(--soft); font-size: 11px; }
.point { margin: 14px 0 18px; }
.point .head { font: 600 15px system-ui, sans-serif; }
.point .head span { font-weight: 400; color: var(--soft); font-size: 13px; }
"""


def _w(lang: str) -> tuple[dict, dict]:
    return DEBRIEF_WORDS[lang_of(lang)], words(lang)


def _who(s: dict, w: dict) -> str:
    """The coachee and the time the role-play started: which row of the day it is."""
    names = speaker_names(s, w)
    name = f"{names['coachee']} ↔ {names['partner']}" if s.get("twin") else names["coachee"]
    at = time.strftime("%H:%M", time.localtime(s["wall_clock"])) if s["wall_clock"] else ""
    return f"{name} · {at}" if at else name


def _day(d: dict) -> str:
    walls = [r["session"]["wall_clock"] for r in d["sessions"] if r["session"]["wall_clock"]]
    if not walls:
        return ""
    fmt = "%d-%m-%Y" if lang_of(d["lang"]) == "nl" else "%Y-%m-%d"
    return time.strftime(fmt, time.localtime(min(walls)))


def _cells(row: dict, w: dict) -> dict[str, tuple[str, str, str]]:
    return {key: (rating, value, small)
            for key, rating, value, small, _ in figure_cells(row["figures"], w)}


def render_debrief_html(d: dict, link: Callable[[str], str] | None = None) -> str:
    dw, w = _w(d["lang"])
    lang = lang_of(d["lang"])
    head = f"{_say(dw, 'count', len(d['sessions']))} · {_day(d)}".strip(" ·")
    parts = ["<!DOCTYPE html>", f'<html lang="{lang}"><head><meta charset="utf-8">',
             f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             # the sessions it covers: `sessions delete` removes a saved debrief by these
             '<meta name="pullcoach-sessions" content="'
             + escape(" ".join(r["session"]["id"] for r in d["sessions"])) + '">',
             f"<title>{escape(dw['title'])} {escape(_day(d))}</title>",
             f"<style>{CSS}{EXTRA_CSS}</style></head><body><main>",
             f"<h1>{escape(dw['title'])}</h1>", f'<div class="meta">{escape(head)}</div>']
    if not d["sessions"]:
        parts += [f'<p class="hint">{escape(dw["no_sessions"])}</p>', "</main></body></html>"]
        return "\n".join(parts)
    parts.append(_table(d, dw, w, link))
    parts += [f"<h2>{escape(dw['work_on'])}</h2>", _work_on(d, dw, w, lang)]
    parts += [f"<h2>{escape(dw['strengths'])}</h2>", _strengths(d, dw, w)]
    if d["good_moments"]:
        parts += [f"<h2>{escape(dw['good_moments'])}</h2>", _good_moments(d, dw, w, lang)]
    if d["progress"]:
        parts += [f"<h2>{escape(dw['progress'])}</h2>", _progress_html(d, dw, w, lang)]
    parts += [f"<h2>{escape(_marks_head(d, dw))}</h2>", _bookmarks(d, dw, w)]
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _notes(row: dict, dw: dict) -> list[str]:
    """What a role-play's row should say besides its figures: cut off, not analysed, ..."""
    s, notes = row["session"], []
    if s["status"] != "ended":
        notes.append(dw["interrupted"])
    elif s.get("reason") == "server-stopped":
        notes.append(dw["server_stopped"])
    elif s.get("reason") == "trainer":
        notes.append(dw["trainer_ended"].format(t=clock(s["duration"])))
    if not row["analysed"]:
        notes.append(dw["not_analysed"])
    if wrong := row.get("wrong_lang"):  # the other language's rules: its figures say nothing
        names = dw["lang_names"]
        notes.append(dw["wrong_lang"].format(lang=names.get(wrong["lang"], wrong["lang"]),
                                             heard=names.get(wrong["heard"], wrong["heard"])))
    if row.get("focus"):  # a focus on a rule whose plugin went off: it sent nothing from then on
        off = set(row.get("focus_off") or ())
        notes.append(dw["focus"].format(which=", ".join(f"{m} ({dw['off']})" if m in off else m
                                                        for m in row["focus"])))
    if row.get("rules_off"):
        notes.append(dw["rule_off"].format(which=", ".join(f"“{r}”" for r in row["rules_off"])))
    # a replayed file that broke off, named with when (the report says more)
    notes += [dw[k].format(t=clock(row[k])) for k in ("broke_off", "partner_broke_off")
              if row.get(k) is not None]
    if row["problems"]:
        notes.append(dw["problems"])
    elif row.get("asr_behind"):
        notes.append(dw["asr_behind"])
    notes += [dw[k] for k in ("server_restarted", "capture_restarted", "record_lost") if row.get(k)]
    return notes


def _table(d: dict, dw: dict, w: dict, link) -> str:
    out = ['<div class="table-wrap"><div class="scroll"><table class="debrief"><thead><tr>',
           f"<th>{escape(dw['roleplay'])}</th>"]
    out += [f"<th>{escape(w[k])}</th>" for k in COLUMNS]
    out.append(f"<th>{escape(dw['negative'])}</th></tr></thead><tbody>")
    for row in d["sessions"]:
        s = row["session"]
        notes = [speaker_names(s, w)["partner"], clock(s["duration"])]
        notes += _notes(row, dw)
        name = escape(_who(s, w))
        if link:
            name = f'<a href="{escape(link(s["id"]))}">{name}</a>'
        out.append(f"<tr><td>{name}<small>{escape(' · '.join(notes))}</small></td>")
        cells = _cells(row, w)
        for k in COLUMNS:
            rating, value, small = cells[k]
            sm = f"<small>{escape(small)}</small>" if small else ""
            why = w["unrated"].get(row["figures"][k].get("unrated"))  # the other language's words
            title = f' title="{escape(why)}"' if why else ""
            # the rating not by the tint alone: a glyph to see, its words for a screen reader
            said = w["status"].get(rating, "")
            mark = (f'<span class="sr">{escape(said)}: </span><span aria-hidden="true">{said[:1]} </span>'
                    if said else "")
            out.append(f'<td class="{rating}"{title}>{mark}{escape(value)}{sm}</td>')
        per = _per_10(row, dw, w)
        small = f"<small>{escape(per)}</small>" if per else ""
        out.append(f"<td>{row['negative']}{small}</td></tr>")
    out.append("</tbody></table></div></div>")
    return "".join(out)


def _per_10(row: dict, dw: dict, w: dict) -> str:
    """Negative nudges per 10 minutes, or "" for a call too short for a rate (debrief.RATE_MIN_MINUTES)."""
    per = row["negative_per_10min"]
    return "" if per is None else dw["per_10"].format(n=str(per).replace(".", w["decimal"]))


def _context(around: list[dict], s: dict, w: dict) -> str:
    names = speaker_names(s, w)
    return "".join(f'<p{" class=hit" if u.get("hit") else ""}><span class="who {u["speaker"]}">'
                   f'{escape(names[u["speaker"]])}</span>{escape(u["text"])}</p>' for u in around)


def _work_on(d: dict, dw: dict, w: dict, lang: str) -> str:
    if not d["work_on"]:
        return f'<p class="hint">{escape(dw["no_work"])}</p>'
    out = []
    for p in d["work_on"]:
        tally = _tally(dw, w, p, len(d["sessions"]))
        out.append(f'<div class="point"><div class="head">{escape(w[p["figure"]])} '
                   f"<span>{escape(tally)}</span></div>")
        ex = p["example"]
        if ex:
            out.append(f'<div class="moment kind-negative"><div class="time">{clock(ex["t"])}</div><div>'
                       f'<div class="what"><span class="msg">'
                       f'{escape(dw["example"].format(who=_who(ex["session"], w)))}'
                       f"</span></div>"
                       f'<div class="ctx">{_context(ex["around"], ex["session"], w)}</div>'
                       f'<div class="alt"><b>{escape(w["alternative"])}</b>'
                       f'{escape(ALTERNATIVES[lang].get(ex["rule"], ""))}</div></div></div>')
        out.append("</div>")
    return "".join(out)


def _strengths(d: dict, dw: dict, w: dict) -> str:
    n = len(d["sessions"])
    out = [f'<div class="point"><div class="head">{escape(dw["strength_names"].get(k, w[k]))} '
           f'<span>{escape(_went_well(dw, w, k, d["tally"][k], n, yardstick(d, k)))}</span></div></div>'
           for k in d["strengths"]]
    return "".join(out) or f'<p class="hint">{escape(_no_strengths(d, dw))}</p>'


def _no_strengths(d: dict, dw: dict) -> str:
    """Why "what went well" is empty: no figure good in any conversation, or none good in
    more than half of them (both, of two) while some were good in fewer."""
    n = len(d["sessions"])
    if n == 1:
        return dw["no_strengths_1"]
    if not any(t[GOOD] for t in d["tally"].values()):
        return dw["none_good"].format(n=n)
    return dw["no_strengths_2" if n == 2 else "no_strengths"].format(n=n)


def _good_moments(d: dict, dw: dict, w: dict, lang: str) -> str:
    out = []
    for i, m in enumerate(d["good_moments"]):
        n = m["nudge"]
        title = rule_title(n, lang, detail=False)  # a plugin's: its nudge, not its id
        made = _made_in(dw, d, i)
        out.append(f'<div class="moment kind-positive"><div class="time">{clock(m["t"])}</div><div>'
                   f'<div class="what">{escape(title)} <span class="msg">'
                   f'{escape(" · ".join(x for x in (_who(m["session"], w), made) if x))}</span></div>'
                   f'<div class="ctx">{_context(m["around"], m["session"], w)}</div></div></div>')
    return "".join(out)


def _progress_lines(d: dict, dw: dict, w: dict, lang: str) -> list[tuple[str, list[tuple]]]:
    """Per coachee with several role-plays: a heading and its ``trend_rows``. Two coachees
    of one name who played at the same time are told apart by their partner (``partner``)."""
    out = []
    for p in d["progress"]:
        who = speaker_names(p["first"], w)["coachee"]
        if p.get("partner"):
            who = dw["with_partner"].format(coachee=who, partner=p["partner"])
        out.append((f"{who} · {dw['runs'].format(n=p['count'])}",
                    trend_rows(p["before"], p["now"], p["trends"], w, lang)))
    return out


def _progress_html(d: dict, dw: dict, w: dict, lang: str) -> str:
    out = []
    for head, rows in _progress_lines(d, dw, w, lang):
        body = trend_list(rows) if rows else f'<p class="hint">{escape(dw["no_change"])}</p>'
        out.append(f'<div class="progress"><b>{escape(head)}</b>{body}</div>')
    return "".join(out)


def _marks_head(d: dict, dw: dict) -> str:
    return dw["marks_sent"] if d.get("trainer_nudges") else dw["bookmarks"]


def _marks(d: dict, dw: dict, w: dict) -> list[tuple[dict, str, str]]:
    """The trainer's bookmarks and hand-sent nudges, by role-play then time, each as
    ``(mark, what, whose)``: a bookmark's note and its role-play; a nudge's words as the
    coachee read them and to whom it went ("Seintje «Vat samen»", "aan Sanne · 09:00")."""
    order = {r["session"]["id"]: i for i, r in enumerate(d["sessions"])}
    marks = [(b, b["note"] or w["bookmark"], _who(b["session"], w)) for b in d["bookmarks"]]
    for n in d.get("trainer_nudges") or ():
        to = dw["to"].format(who=_who(n["session"], w))
        said = dw["unseen"] if n.get("unseen") else dw["not_shown"] if not n["delivered"] else ""
        marks.append((n, dw["sent"].format(msg=n["message"]), f"{to} · {said}" if said else to))
    return sorted(marks, key=lambda m: (order.get(m[0]["session"]["id"], 0), m[0]["t"]))


def _bookmarks(d: dict, dw: dict, w: dict) -> str:
    marks = _marks(d, dw, w)
    if not marks:
        return f'<p class="hint">{escape(dw["no_bookmarks"])}</p>'
    out = []
    for b, what, whose in marks:
        out.append(f'<div class="moment kind-trainer"><div class="time">{clock(b["t"])}</div><div>'
                   f'<div class="what">{escape(what)} '
                   f'<span class="msg">{escape(whose)}</span></div>'
                   f'<div class="ctx">{_context(b["around"], b["session"], w)}</div></div></div>')
    return "".join(out)


def render_debrief_md(d: dict) -> str:
    dw, w = _w(d["lang"])
    lang = lang_of(d["lang"])
    lines = [f"# {dw['title']}", "", f"{_say(dw, 'count', len(d['sessions']))} · {_day(d)}", ""]
    if not d["sessions"]:
        return "\n".join(lines + [dw["no_sessions"], ""])
    lines.append("| " + " | ".join([dw["roleplay"], *(w[k] for k in COLUMNS), dw["negative"]]) + " |")
    lines.append("|" + "---|" * (len(COLUMNS) + 2))
    for row in d["sessions"]:
        cells = _cells(row, w)
        vals = [f"{cells[k][1]} ({cells[k][2]})" if cells[k][2] else cells[k][1] for k in COLUMNS]
        per = _per_10(row, dw, w)
        nudges = str(row["negative"]) + (f" ({per})" if per else "")
        notes = [n for n in _notes(row, dw) if n != dw["not_analysed"]]
        name = _who(row["session"], w) + (f" ({'; '.join(notes)})" if notes else "")
        lines.append("| " + " | ".join(md_text(x) for x in [
            name, *(f"{MARKS[cells[k][0]]} {v}" for k, v in zip(COLUMNS, vals)),
            nudges]) + " |")
    lines += ["", f"## {dw['work_on']}", ""]
    for p in d["work_on"]:
        tally = _tally(dw, w, p, len(d["sessions"]))
        lines.append(f"- **{md_text(w[p['figure']])}** — {md_text(tally)}")
        ex = p["example"]
        if ex:
            lines.append(f"  {md_text(dw['example'].format(who=_who(ex['session'], w)))}, {clock(ex['t'])}:")
            lines += _md_context(ex["around"], ex["session"], w)
            lines.append(f"  {w['alternative']}: {md_text(ALTERNATIVES[lang].get(ex['rule'], ''))}")
    if not d["work_on"]:
        lines.append(dw["no_work"])
    lines += ["", f"## {dw['strengths']}", ""]
    n = len(d["sessions"])
    lines += [f"- **{md_text(dw['strength_names'].get(k, w[k]))}** — "
              f"{md_text(_went_well(dw, w, k, d['tally'][k], n, yardstick(d, k)))}"
              for k in d["strengths"]] or [md_text(_no_strengths(d, dw))]
    if d["good_moments"]:
        lines += ["", f"## {dw['good_moments']}", ""]
    for i, m in enumerate(d["good_moments"]):
        made = _made_in(dw, d, i)
        made = f" ({md_text(made)})" if made else ""
        lines.append(f"- {rule_title(m['nudge'], lang, detail=False)}: "
                     f"{md_text(_who(m['session'], w))}, {clock(m['t'])}{made}")
        lines += _md_context(m["around"], m["session"], w)
    if d["progress"]:
        lines += ["", f"## {dw['progress']}", ""]
        for head, rows in _progress_lines(d, dw, w, lang):
            lines.append(f"- **{md_text(head)}**: " + ("; ".join(
                f"{md_text(label)} {md_text(a)} → {md_text(b)} ({word})"
                for label, a, b, _, word in rows) or dw["no_change"]))
    lines += ["", f"## {_marks_head(d, dw)}", ""]
    marks = _marks(d, dw, w)
    for b, what, whose in marks:
        lines.append(f"- **{clock(b['t'])} {md_text(what)}** — {md_text(whose)}")
        lines += _md_context(b["around"], b["session"], w)
    if not marks:
        lines.append(dw["no_bookmarks"])
    return "\n".join(lines) + "\n"


def _md_context(around: list[dict], s: dict, w: dict) -> list[str]:
    names = speaker_names(s, w)
    return [f"  > {'→ ' if u.get('hit') else ''}**{md_text(names[u['speaker']])}:** {md_text(u['text'])}  "
            for u in around]
