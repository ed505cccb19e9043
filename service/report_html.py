"""The post-call report as one self-contained HTML page.

No scripts, no external resources: inline CSS and SVG only, every piece of text through
``html.escape``, and a Content-Security-Policy that forbids anything else.
"""

from __future__ import annotations

from html import escape

from pullcoach.report_text import (
    ALTERNATIVES, clock, count_text, duration, focus_text, label_chips, lang_of, not_delivered, number, pct,
    in_quotes, nudge_seen, per_question, problem_text, roles, rule_title, speaker_names, status_text, rating_text, warning_banners, when, words, yardstick_text,
)
from pullcoach.report_data import FAIR, POOR, SHORT_S, focus, moment_groups, moment_lines, repeats, yardsticks
from pullcoach.report_progress import PROGRESS_WORDS, both_good, halves, measure
from pullcoach.report_spot import MIN_TURN_S, example, spot, went_well
from pullcoach.rules.events import ALERT_KINDS
from pullcoach.timeline_svg import COLOURS, NO_AUDIO_FILL, cut_in, no_audio, span_text, strips, timeline_svg

__all__ = ["render_html", "CSP", "transcript_marks", "moments_on", "transcript_parts", "halves_rows", "repeats_title"]

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS = """
:root { --ink:#1f2a33; --soft:#5b6670; --line:#e3e7eb; --bg:#fbfbfa;
  --good:#2b7a4b; --good-bg:#edf6ef; --fair:#8f5e12; --fair-bg:#fcf5e6;
  --poor:#a8432b; --poor-bg:#fbeeea; --none:#8a949e; --none-bg:#f3f5f7; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font: 15px/1.5 "Iowan Old Style", "Palatino Linotype", Georgia, serif; }
main { max-width: 980px; margin: 0 auto; padding: 32px 28px 48px; }
h1, h2, .label, .chip, .time, .who, .meta, .legend, .badge, .step {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 26px; font-weight: 600; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 13px; font-weight: 600; text-transform: uppercase; letter-spacing: .08em;
  color: var(--soft); margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
.meta { color: var(--soft); font-size: 13px; }
.banner { margin-top: 14px; padding: 8px 12px; border-radius: 6px; background: var(--fair-bg);
  color: #7a5210; font: 13px system-ui, sans-serif; }
.focus { margin-top: 18px; padding: 10px 14px; border-left: 4px solid var(--ink); background: #fff;
  border-radius: 0 6px 6px 0; }
.focus p { margin: 2px 0; }
.cards { display: grid; grid-template-columns: repeat(5, 1fr); gap: 10px; }
.card { background: #fff; border: 1px solid var(--line); border-top: 4px solid var(--none);
  border-radius: 8px; padding: 10px 12px 11px; }
.card.good { border-top-color: var(--good); } .card.fair { border-top-color: var(--fair); }
.card.poor { border-top-color: var(--poor); }
.card .label { font-size: 12px; color: var(--soft); line-height: 1.3; min-height: 2.6em; }
.card .value { font: 600 26px/1.2 system-ui, sans-serif; margin: 4px 0 2px; }
.card.good .value { color: var(--good); } .card.fair .value { color: var(--fair); }
.card.poor .value { color: var(--poor); }
.card .value small { display: block; font-size: 12px; font-weight: 400; color: var(--soft); }
.card .value small.unit { display: inline; }
.card .status { font: 600 11.5px/1.3 system-ui, sans-serif; margin-bottom: 2px; }
.card.good .status { color: var(--good); } .card.fair .status { color: var(--fair); }
.card.poor .status { color: var(--poor); }
.card.none .status { color: var(--soft); font-weight: 400; }  /* why it is not rated */
.card .yard { font: 11.5px/1.35 system-ui, sans-serif; color: var(--soft); }
.timeline { display: block; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 8px 4px 2px; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; color: var(--soft); margin-top: 8px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
  margin-right: 5px; vertical-align: -1px; }
.legend b { font-weight: 400; margin-right: 5px; }
.legend i.thin { height: 3px; vertical-align: 2px; }
.moment { display: grid; grid-template-columns: 64px 1fr; gap: 4px 14px; padding: 12px 0;
  border-bottom: 1px solid var(--line); }
.moment:last-child { border-bottom: 0; }
.time { font-size: 12px; color: var(--soft); padding-top: 3px; font-variant-numeric: tabular-nums; }
.time a { color: inherit; } .line:target, .moment:target { background: #fff6d9; }
a.mark { font: 600 11px system-ui, sans-serif; margin-left: 6px; text-decoration: none; white-space: nowrap; }
a.mark.kind-negative { color: var(--poor); } a.mark.kind-positive { color: var(--good); }
a.mark.kind-cue { color: #1f7a74; } a.mark.kind-trainer { color: #7a5cb8; }
.moment .what { font: 600 14px system-ui, sans-serif; margin: 0; }
.moment .rule { margin-top: 8px; } .moment .rule .alt { margin-top: 4px; }
.moment .fired { font-weight: 400; font-size: 12px; color: var(--soft); }
.moment .what .msg { font-weight: 400; color: var(--soft); }
.moment.more { padding: 8px 0; } .moment .times { font: 13px/1.7 system-ui, sans-serif; color: var(--soft); }
.moment .times a { color: inherit; font-variant-numeric: tabular-nums; }
.kind-negative .what { color: var(--poor); } .kind-positive .what { color: var(--good); }
.kind-trainer .what { color: #7a5cb8; } .kind-cue .what { color: #1f7a74; }
.badge { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 9px;
  background: var(--none-bg); color: var(--soft); margin-left: 6px; font-weight: 400; }
.ctx { margin: 6px 0; padding-left: 12px; border-left: 2px solid var(--line); font-size: 14px; }
.ctx p { margin: 2px 0; }
.ctx p.hit { font-weight: 600; }
.who { font-size: 12px; font-weight: 600; margin-right: 6px; }
.who.coachee { color: #2f6f9f; } .who.partner { color: #5f6a76; }
.alt { font-size: 14px; background: var(--good-bg); border-radius: 6px; padding: 6px 10px; }
.alt b { font: 600 12px system-ui, sans-serif; color: var(--good); margin-right: 6px; }
.route { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.step { font-size: 13px; background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 6px 10px; }
.step.premature { border-color: var(--fair); background: var(--fair-bg); }
.step small { color: var(--soft); display: block; font-size: 11px; }
.arrow { color: var(--soft); }
.hint { font-size: 13px; color: var(--soft); margin-top: 8px; }
.transcript { font-size: 14px; }
.unsure { color: var(--soft); }
.line { display: grid; grid-template-columns: 44px 124px 1fr; gap: 10px; padding: 4px 0;
  border-bottom: 1px dotted var(--line); }
.tx-index { font: 13px/2 system-ui, sans-serif; margin-bottom: 10px; }
.tx-index a { display: inline-block; margin-right: 10px; color: var(--ink); white-space: nowrap; }
.tx-index .hint { display: block; margin: 0; line-height: 1.4; }
span.mark { font-weight: 600; } span.mark.kind-negative { color: var(--poor); } span.mark.kind-positive { color: var(--good); }
.tx-part > summary { font: 600 13px system-ui, sans-serif; color: var(--soft); cursor: pointer; padding: 8px 0 4px;
  position: sticky; top: 0; background: var(--bg); }
.minute { font: 600 12px system-ui, sans-serif; color: var(--soft); padding: 10px 0 2px; }
.tx-part .minute, .tx-part .line { scroll-margin-top: 40px; }  /* clear of the sticky part head */
.chip { display: inline-block; font-size: 11px; padding: 0 6px; margin-left: 4px;
  border-radius: 9px; background: #eef2f6; color: #4a5560; }
.progress { margin-top: 12px; font: 13px/1.5 system-ui, sans-serif; color: var(--soft); }
.progress ul { list-style: none; margin: 4px 0 0; padding: 0; display: flex; flex-wrap: wrap;
  gap: 4px 18px; }
.progress li b { color: var(--ink); font-weight: 600; }
.progress li span { font-size: 11.5px; padding: 0 6px; border-radius: 9px; background: var(--none-bg); }
.progress li.better span { color: var(--good); background: var(--good-bg); }
.progress li.worse span { color: var(--poor); background: var(--poor-bg); }
footer { margin-top: 36px; font: 13px/1.5 system-ui, sans-serif; color: var(--soft); }
.glossary { margin-top: 28px; font: 14px/1.5 system-ui, sans-serif; }
.glossary summary { cursor: pointer; font-weight: 600; }
.glossary dt { font-weight: 600; margin-top: 6px; }
.glossary dd { margin: 0 0 0 1em; color: var(--soft); }
@page { margin: 16mm 14mm; }
@media print { body { background: #fff; } main { padding: 0; max-width: none; } .timeline { width: 100%; }
  .moment, .card, .line, .legend, .progress { break-inside: avoid; }
  h2 { break-after: avoid; } .swipe { display: none !important; } }
@media (max-width: 760px) { .cards { grid-template-columns: repeat(2, 1fr); } }
.tl-wrap { position: relative; timeline-scope: --tl-x; }
.tl-scroll { overflow-x: auto; scroll-timeline: --tl-x x; }
.swipe { display: none; font: 12px system-ui, sans-serif; color: var(--soft); margin: 4px 0 0; text-align: right; }
@media (max-width: 520px) {  /* a phone: time and name above the words, which get the width */
  .tl-scroll .timeline { min-width: 680px; }  /* legible, and scrolled sideways */
  .swipe { display: block; }  /* and says so: the page shows no scrollbar */
  .tl-wrap::after { content: ""; position: absolute; top: 1px; bottom: 1px; right: 0; width: 28px;
    border-radius: 0 8px 8px 0; pointer-events: none;
    background: linear-gradient(to left, rgba(31,42,51,.18), transparent);
    animation: tl-more linear both; animation-timeline: --tl-x; }
  @keyframes tl-more { 0%, 96% { opacity: 1; } 100% { opacity: 0; } }
  .line { grid-template-columns: 44px 1fr; }
  .line > span:last-child { grid-column: 1 / -1; }
  .moment { grid-template-columns: 1fr; }
}
"""


def render_html(report: dict, *, audio_kept: bool = False, remote: str | None = None,
                progress: dict | None = None) -> str:
    s = report["session"]
    lang = lang_of(s["lang"])
    w = words(lang)
    names = speaker_names(s, w)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(w['title'])} {escape(when(s['wall_clock'], lang))}</title>",
        f"<style>{CSS}</style></head><body><main>",
        f"<h1>{escape(w['title'])}</h1>",
        f'<div class="meta">{escape(_meta(s, names, w, lang))}</div>',
    ]
    if trainer_focus := focus_text(report, w, lang):
        parts.append(f'<div class="meta"><b>{escape(w["trainer_focus"])}:</b> {escape(trainer_focus)}</div>')
    if banner := status_text(s, w):
        parts.append(f'<div class="banner">{escape(banner)}</div>')
    for text in warning_banners(report, w, names):
        parts.append(f'<div class="banner">{escape(text)}</div>')
    for p in report["problems"]:
        parts.append(f'<div class="banner">{escape(problem_text(p, w, names))}</div>')
    parts.append(_focus(report, progress, w, lang))
    parts += [f"<h2>{escape(w['figures'])}</h2>", _cards(report["figures"], w)]
    if within := halves_rows(report, w, lang):
        parts.append(f'<div class="progress"><b>{escape(within[0])}</b>{trend_list(within[1])}</div>')
    if progress:
        parts.append(_progress(report, progress, w, lang))
    if not report["analysed"]:
        parts.append(f'<p class="hint">{escape(w["not_analysed"])}</p>')
    rows = {**names, "nudges": w["row_nudges"], "marks": w["row_marks"], "summary": w["legend_summary"],
            "title": w["timeline"], "overlap": w["legend_overlap"],
            "overlap_light": w["legend_overlap_light"], "aria": w["timeline_aria"],
            **{k: v for k, v in w.items() if k.startswith("no_audio_")}}
    parts += [f"<h2>{escape(w['timeline'])}</h2>",
              f'<div class="tl-wrap"><div class="tl-scroll">{timeline_svg(report, rows)}</div></div>'
              f'<p class="swipe">{escape(w["swipe"])}</p>',
              _legend(w, names, any(not cut_in(a, b, report["nudges"]) for a, b in report["overlaps"]),
                      missing=bool(no_audio(report)))]
    parts += [f"<h2>{escape(w['moments'])}</h2>", _moments(report, names, w, lang)]
    if report["route"] is not None:  # (None: the words were the other language)
        parts += [f"<h2>{escape(w['route'])}</h2>", _route(report["route"], w)]
    parts += [f"<h2>{escape(w['transcript'])}</h2>", _transcript(report, names, lang, transcript_marks(report, lang))]
    parts.append(f'<details class="glossary"><summary>{escape(w["glossary"])}</summary><dl>'
                 + "".join(f"<dt>{escape(a)}</dt><dd>{escape(b)}</dd>" for a, b in w["glossary_items"])
                 + "</dl></details>")
    parts += [f"<footer><b>{escape(w['privacy'])}:</b> {escape(privacy_line(w, audio_kept, remote, s.get('via', '')))}"
              f"<br>{escape(w['generated'])} {escape(w['session'])} {escape(s['id'])}.</footer>",
              "</main></body></html>"]
    return "\n".join(parts)


def focus_lines(report: dict, progress: dict | None, w: dict, lang: str) -> list[tuple[str, str]]:
    """(heading, text) for the top of the report: what to practise next, with a line the
    coachee said and its pull alternative, and what got better since last time."""
    return _focus_parts(report, progress, w, lang)[0]


def _focus_parts(report: dict, progress: dict | None, w: dict,
                 lang: str) -> tuple[list[tuple[str, str]], tuple[str, str, int | None] | None]:
    """``focus_lines``, and where the first one quotes the coachee: (its "At 9:53 you said:",
    the time, the quoted line's index in the utterances), for HTML's link to it."""
    if report["session"]["duration"] < SHORT_S:  # no figure rated: nothing to practise or praise
        head, text = w["focus_short"]
        return [(head, text.format(t=clock(report["session"]["duration"]), min=clock(SHORT_S)))], None
    within = halves(report)
    fo = focus(report, progress["trends"] if progress else None, within and within["trends"],
               progress["before"] if progress else None)
    well = well_text(report, w)
    if fo is None:
        return ([(w["focus_well"], well)] if well else []), None
    out, quote = ([(w["focus_well"], well)] if well else []), None
    if fo["figure"]:
        # with the nudge the coachee saw for it, where one was shown
        seen = next((x for n in report["nudges"] if n["rule"] == fo["rule"] and (x := nudge_seen(n, lang))), "")
        text = w[fo["figure"]] + (f" · {in_quotes(seen, lang)}." if seen else ".")
        if fo["halves"] and within:  # a long call that moved: "Eerste → tweede helft: 21 → 5 (beter)."
            ((label, a, b, _, word),) = trend_rows(within["before"], within["after"],
                                                   {fo["figure"]: fo["halves"]}, w, lang)
            what = f"{label} {a} → {b}" if label != w[fo["figure"]] else f"{a} → {b}"
            if fo["halves"] == "better" and fo["end"] in w["focus_still"]:  # why it is still the pick
                word += ", " + w["focus_still"][fo["end"]]
            # better, and good by the end: what to keep doing, not what went wrong
            text += " " + w["focus_kept" if fo["kept"] else "focus_halves"].format(what=what, word=word)
        m = fo["moment"]
        said = next((u for u in (m["around"] if m else []) if u.get("hit") and u["speaker"] == "coachee"), None)
        # a habit kept: its last slip (first half) is no example of it; a line that shows it is
        sp = example(report, fo["figure"], report["halves"][-1]["t0"]) if fo["kept"] else None
        if fo["kept"]:
            if sp:
                said_at = w["focus_example"].format(t=clock(sp["t"]))
                text += f' {said_at} {quoted(report["utterances"][sp["line"]])}'
                quote = (said_at, clock(sp["t"]), sp["line"])
        elif said:
            t = clock(m["t"])
            # an interruption's quote is what the coachee cut in with: the lead says so
            key = ("focus_latest" if fo["moments"] > 1 else "focus_said") + ("_cut" if fo["rule"] == "interruption" else "")
            said_at = w[key].format(t=t, who=partner_word(report, w))
            text += f' {said_at} {quoted(said, whole=fo["rule"] != "interruption")}'
            line = next((i for i, u in enumerate(report["utterances"])
                         if (u["speaker"], u["t0"], u["t1"]) == (said["speaker"], said["t0"], said["t1"])), None)
            quote = (said_at, t, line)
        # no line of its own (a figure over the call): the place in it where it mattered most,
        # in the second half where that one fell short
        elif sp := spot(report, fo["figure"], report["halves"][-1]["t0"] if fo["end"] in (POOR, FAIR) else 0.0):
            said_at = spot_text(sp, report, w)
            if sp["line"] is None:  # nowhere worth pointing at: a sentence instead
                text += f" {said_at}"
            else:
                text += f' {said_at} {quoted(report["utterances"][sp["line"]])}'
                quote = (said_at, clock(sp["t"]), sp["line"])
        # a kept habit's line needs no pull alternative beside it (it is one)
        if (alt := ALTERNATIVES[lang].get(fo["rule"] or "", "")) and not (fo["kept"] and sp):
            text += f" → {alt}"
        out.append((w["focus_next"], text))
    if fo["better"] and progress:  # all that moved equally most: none of them more than the rest
        rows = trend_rows(progress["before"], report["figures"],
                          dict.fromkeys(fo.get("better_tied") or [fo["better"]], "better"), w, lang)
        out.append((w["focus_better"], " · ".join(f"{label} {a} → {b}" for label, a, b, _, _ in rows)))
    return out, quote


def well_text(report: dict, w: dict) -> str:
    """What went well, in one line ("de hele pull-route (…), 100% open vragen, 3
    samenvattingen"), or "" (``report_spot.went_well``)."""
    f, said = report["figures"], []
    for k in went_well(report):
        text = w["well"][k]
        v = f[k]["value"] if k in f else None
        if k == "summaries":
            text = text[v != 1]
        elif k in ("open_questions", "talk_share"):
            v = pct(v)
        elif k == "reflections_questions" and v == float("inf"):  # not "∞ per question"
            v = f[k].get("reflections") or 0
            text = w["well"]["reflections_no_question"][v != 1]
        elif k == "reflections_questions":
            v = number(v, w)
        said.append(text.format(v=v))
    if not said:
        return ""
    line = ", ".join(said)
    return line[0].upper() + line[1:] + "."


QUOTE_WORDS = 24  # a longer line is quoted by its first words: the link leads to all of it


def short_quote(text: str) -> str:
    bits = text.split()
    return text if len(bits) <= QUOTE_WORDS else " ".join(bits[:QUOTE_WORDS - 5]) + " …"


def quoted(u: dict, whole: bool = False) -> str:
    """A line quoted in the focus: “…”, with the transcript's (?) where it was heard with doubt."""
    text = u["text"] if whole else short_quote(u["text"])
    return f"“{text}”" + (" (?)" if u.get("unsure") else "")


def partner_word(report: dict, w: dict) -> str:
    """The partner's name in a sentence: "sloot de gesprekspartner", not "sloot Gesprekspartner"."""
    who = speaker_names(report["session"], w)["partner"]
    return w["who_partner"] if who == w["partner"] else who


def spot_text(sp: dict, report: dict, w: dict) -> str:
    """What leads the quote of a ``report_spot.spot``: "Om 4:12 sloot Bert een beurt van 48 s af:"."""
    t = clock(sp["t"])
    if sp["kind"] == "said":
        return w["focus_latest" if sp["count"] > 1 else "focus_said"].format(t=t)
    if sp["kind"] == "partner_turn":
        return w["spot_turn"].format(t=t, who=partner_word(report, w), s=duration(sp["seconds"], w))
    if sp["kind"] == "short_turns":  # no turn long enough to quote: said as the yardstick
        return w["spot_short"].format(who=partner_word(report, w), s=duration(MIN_TURN_S, w))
    if sp["kind"] in ("own_turn", "own_summary", "short_own"):  # the coachee's longest turn,
        # in whole seconds as its card's clock shows it ("de langste 3 s" beside "0:03")
        return w[f"spot_{sp['kind']}"].format(t=t, s=duration(int(sp["seconds"]), w))
    return w["spot_fast"].format(t=t, wpm=sp["wpm"])


def _focus(report: dict, progress: dict | None, w: dict, lang: str) -> str:
    lines, quote = _focus_parts(report, progress, w, lang)
    if not lines:
        return ""
    html = [f"<p><b>{escape(h)}:</b> {escape(t)}</p>" for h, t in lines]
    # the time of the line quoted links to it in the transcript, as a moment's time does
    if quote and quote[2] is not None:
        at, t, i = escape(quote[0]), quote[1], quote[2]
        k = next(k for k, (h, _) in enumerate(lines) if h == w["focus_next"])  # after "Ging goed"
        html[k] = html[k].replace(at, at.replace(t, f'<a href="#line-{i}">{t}</a>', 1), 1)
    return '<div class="focus">' + "".join(html) + "</div>"


def privacy_line(w: dict, audio_kept: bool, remote: str | None, via: str = "") -> str:
    stored = w["stored_audio"] if audio_kept else w["stored_events"]
    where = (w["stored_remote"].format(remote=remote) if remote
             else w["stored_capture"] if via == "capture" else w["stored_local"])
    return f"{stored} {where}"


def _meta(s: dict, names: dict, w: dict, lang: str) -> str:
    bits = [when(s["wall_clock"], lang), f"{w['duration']} {clock(s['duration'])}", roles(names, w)]
    return "  ·  ".join(b for b in bits if b)


def figure_cells(f: dict, w: dict) -> list[tuple[str, str, str, str, str]]:
    """(key, rating, value, small, yardstick) per headline figure; shared with Markdown.
    Where a card counts one thing and is rated on another (summaries: on the longest stretch
    without one; monologues: on the longest turn), ``small`` beside the count shows what the
    rating is about, and the yardstick says how it is rated."""
    rr, oq, su, it = (f["reflections_questions"], f["open_questions"], f["summaries"],
                      f["interruptions"])
    wpm = f["speaking_rate"]
    norm = yardsticks()  # a figure from before its yardstick was kept with it

    def yard(key: str, *more: str) -> str:
        text = yardstick_text(key, f[key].get("yardstick") or norm[key], w,
                              partner_wpm=str(wpm["partner"] or w["none"]))
        return " · ".join(x for x in (text, *more) if x)

    def n(v) -> str:
        return w["none"] if v is None else str(v)
    return [
        ("talk_share", f["talk_share"]["rating"], pct(f["talk_share"]["value"]), "", yard("talk_share")),
        # the counts as the label names them, the ratio it is rated on in words beside them
        ("reflections_questions", rr["rating"],
         w["rq_counts"].format(r=rr["reflections"], q=rr["questions"]) if rr["value"] is not None else w["none"],
         per_question(rr["value"], w), yard("reflections_questions")),
        ("open_questions", oq["rating"], pct(oq["value"]), open_small(oq, w), yard("open_questions")),
        ("summaries", su["rating"], n(su["value"]),
         w["summaries_small"].format(gap=clock(su["longest_gap"])) if su["value"] is not None else "",
         yard("summaries", w["summaries_capped"] if su.get("capped") else "")),
        ("interruptions", it["rating"], n(it["value"]), interruptions_small(it, w),
         yard("interruptions", not_counted(it, w), w["interruptions_y"].format(n=n(it["by_partner"])))),
        ("argument_stacks", f["argument_stacks"]["rating"], n(f["argument_stacks"]["value"]), "",
         yard("argument_stacks")),
        ("push_words", f["push_words"]["rating"], n(f["push_words"]["value"]), "", yard("push_words")),
        ("righting_reflexes", f["righting_reflexes"]["rating"],
         n(f["righting_reflexes"]["value"]), righting_small(f["righting_reflexes"], w),
         yard("righting_reflexes")),
        ("monologues", f["monologues"]["rating"], n(f["monologues"]["value"]),
         w["monologues_small"].format(turn=clock(f["monologues"]["longest_turn"]))
         if f["monologues"]["rating"] != "none" else "", yard("monologues")),
        ("speaking_rate", wpm["rating"], str(wpm["value"]) if wpm["value"] else w["none"],
         w["wpm"] if wpm["value"] else "", yard("speaking_rate")),
    ]


def interruptions_small(it: dict, w: dict) -> str:
    """What the number adds up from: "1 keer ingebroken + 1 keer geprobeerd, de ander praatte
    door" (a figure from before the split: nothing)."""
    if not it["value"] or "cut_in" not in it:
        return ""
    return " + ".join(w[k].format(n=it[k]) for k in ("cut_in", "tried") if it[k])


def not_counted(it: dict, w: dict) -> str:
    """The coachee's overlaps that were no interruption, so not in the number: "niet
    meegeteld: 3 luistersignalen (‘ja’, ‘hm’), 1 vloeiende beurtwissel"."""
    rest = it.get("not_counted") or {}
    if it["value"] is None or not rest:
        return ""
    kinds = w["overlap_kinds"]
    return w["not_counted"].format(what=", ".join(count_text(rest[k], kinds[k]) for k in kinds if rest.get(k)))


def open_small(oq: dict, w: dict) -> str:
    """"4 van 4", and the proposals and permission questions left out of the share on
    purpose ("4 van 4 · 1 voorstel niet meegeteld"): the transcript tags them as questions."""
    if oq["value"] is None and not (oq.get("proposals") or oq.get("permissions")):
        return ""
    out = [w["of"].format(a=oq["open"], b=oq["open"] + oq["closed"])] if oq["value"] is not None else []
    out += [w["left_out_note"].format(what=count_text(oq[k], w["left_out"][k]))
            for k in ("proposals", "permissions") if oq.get(k)]
    return " · ".join(out)


def righting_small(rr: dict, w: dict) -> str:
    """What was told unasked, when any: "1 advies, 1 informatie"."""
    if not rr["value"]:
        return ""
    return ", ".join(count_text(rr[k], w["rr_by"][k]) for k in ("advice", "input") if rr.get(k))


def _cards(f: dict, w: dict) -> str:
    out = ['<div class="cards">']
    for key, rating, value, small, yard in figure_cells(f, w):
        unit = ' class="unit"' if key == "speaking_rate" else ""  # "111 wpm" stays on one line
        sm = f" <small{unit}>{escape(small)}</small>" if small else ""
        said = rating_text(f[key], w)  # in greyscale a colour says nothing
        status = f'<div class="status">{escape(said)}</div>' if said else ""
        out.append(f'<div class="card {rating}"><div class="label">{escape(w[key])}</div>'
                   f'<div class="value">{escape(value)}{sm}</div>{status}'
                   f'<div class="yard">{escape(yard)}</div></div>')
    out.append("</div>")
    return "".join(out)


def _progress(report: dict, progress: dict, w: dict, lang: str) -> str:
    head, rows = progress_rows(report, progress, w, lang)
    return f'<div class="progress"><b>{escape(head)}</b>{trend_list(rows)}</div>'


def progress_rows(report: dict, progress: dict, w: dict, lang: str) -> tuple[str, list[tuple]]:
    """The "since last time" heading and its ``trend_rows``; shared with Markdown."""
    pw = PROGRESS_WORDS[lang]
    rows = trend_rows(progress["before"], report["figures"], progress["trends"], w, lang)
    return pw["since"].format(when=when(progress["session"]["wall_clock"], lang)), rows


def halves_rows(report: dict, w: dict, lang: str) -> tuple[str, list[tuple]] | None:
    """A long call's second half beside its first: the heading and its ``trend_rows`` (the
    figures that moved), or None; shared with Markdown."""
    h = halves(report)
    if h is None:
        return None
    head = PROGRESS_WORDS[lang]["halves"].format(a=span_text(h["first"]["t0"], h["first"]["t1"]),
                                                 b=span_text(h["second"]["t0"], h["second"]["t1"]))
    return head, trend_rows(h["before"], h["after"], h["trends"], w, lang)


def trend_rows(before: dict, now: dict, trends: dict, w: dict, lang: str) -> list[tuple]:
    """(label, before, now, trend, trend word) per figure in ``trends``: what each figure's
    rating is about (``report_progress.measure``), as its card shows it, so the word agrees
    with the two values beside it ("Langste stuk zonder samenvatting 3:10 → 4:20 (slechter)",
    not "Samenvattingen 4 → 4 (slechter)"); "beide goed" where both were good. The report's
    "since last time" and the debrief's first-to-last."""
    pw = PROGRESS_WORDS[lang]
    a = {k: v for k, _, v, _, _ in figure_cells(before, w)}
    b = {k: v for k, _, v, _, _ in figure_cells(now, w)}
    rows = []
    for k, t in trends.items():
        label, va, vb = w[k], a[k], b[k]
        if k in ("summaries", "monologues"):  # counted, but rated on a stretch of time
            label = w[k + "_p"]
            va, vb = (clock(m) if (m := measure(k, f[k])) is not None else w["none"] for f in (before, now))
        elif k == "reflections_questions":  # counted, but rated on reflections per question
            label = w[k + "_p"]
            va, vb = (w["none"] if (m := measure(k, f[k])) is None else "∞" if m == float("inf")
                      else number(m, w) for f in (before, now))
        word = pw["both_good"] if t == "same" and both_good(before[k], now[k]) else pw[t]
        rows.append((label, va, vb, t, word))
    return rows


def trend_list(rows: list[tuple]) -> str:
    items = "".join(f'<li class="{trend}">{escape(label)} <b>{escape(a)} → {escape(b)}</b> '
                    f'<span>{escape(word)}</span></li>' for label, a, b, trend, word in rows)
    return f"<ul>{items}</ul>"


def _legend(w: dict, names: dict, light: bool = False, missing: bool = False) -> str:
    boxes = [(COLOURS["coachee"], names["coachee"]), (COLOURS["partner"], names["partner"]),
             (COLOURS["overlap"], w["legend_overlap"])]
    thin = (f'<span><i class="thin" style="background:{COLOURS["overlap_light"]}"></i>'
            f'{escape(w["legend_overlap_light"])}</span>') if light else ""
    if missing:  # the hatch over a stretch with no audio
        thin += f'<span><i style="background:{NO_AUDIO_FILL}"></i>{escape(w["legend_no_audio"])}</span>'

    glyphs = [(COLOURS["negative"], "▼", w["legend_nudge"]),
              (COLOURS["positive"], "▲", w["legend_positive"]),
              (COLOURS["cue"], "●", w["legend_cue"]),
              (COLOURS["negative"], "▽", w["legend_not_seen"]),
              (COLOURS["summary"], "◆", w["legend_summary_end"]),
              (COLOURS["bookmark"], "⚑", w["legend_bookmark"])]
    return ('<div class="legend">'
            + "".join(f'<span><i style="background:{c}"></i>{escape(t)}</span>' for c, t in boxes) + thin
            + "".join(f'<span><b style="color:{c}">{g}</b>{escape(t)}</span>'
                      for c, g, t in glyphs) + "</div>")


def _moments(report: dict, names: dict, w: dict, lang: str) -> str:
    groups = moment_groups(report["moments"])
    lines = moment_lines(groups, report["utterances"])
    more = repeats(groups)
    left_out = {k for ks in more.values() for k in ks}
    marks = [("moment", g["t"], (k, g)) for k, g in enumerate(groups) if k not in left_out]
    marks += [("bookmark", b["t"], b) for b in report["bookmarks"]]
    if not marks:
        return f'<p class="hint">{escape(w["no_moments"])}</p>'
    hint = w["moments_hint"] + (" " + w["moments_link"] if any(i is not None for i in lines) else "")
    out = [f'<p class="hint">{escape(hint)}</p>']
    alts = ALTERNATIVES[lang]
    for what, t, g in sorted(marks, key=lambda x: x[1]):
        if what == "bookmark":
            out.append(f'<div class="moment kind-trainer"><div class="time">{clock(t)}</div>'
                       f'<div><h3 class="what">{escape(w["bookmark"])} '
                       f'<span class="msg">{escape(g["note"])}</span></h3></div></div>')
            continue
        k, g = g
        ms = g["moments"]
        ctx = "".join(f'<p{" class=hit" if u.get("hit") else ""}><span class="who {u["speaker"]}">'
                      f'{escape(names[u["speaker"]])}</span>{escape(u["text"])}'
                      + (f' <span class="unsure" title="{escape(w["unsure"])}">(?)</span>' if u.get("unsure") else "")
                      + '</p>' for u in g["around"])
        ctx = f'<div class="ctx">{ctx}</div>' if ctx else ""

        def about(n: dict) -> str:  # the fault, the nudge the coachee saw for it, when
            why = not_delivered(n, w)
            tag = f' <span class="badge">{escape(why)}</span>' if why else ""
            fired = (f' <span class="fired">· {escape(w["fired"].format(t=clock(n["t"])))}</span>'
                     if clock(n["t"]) != clock(t) else "")
            seen, title = nudge_seen(n, lang), rule_title(n, lang)
            seen = (f' · <span class="msg">{escape(in_quotes(seen, lang))}</span>'
                    if seen and seen != title else "")  # a plugin's title is its nudge
            return f'{escape(title)}{seen}{tag}{fired}'

        def alt(n: dict) -> str:
            text = alts.get(n["rule"], "")
            return (f'<div class="alt"><b>{escape(w["alternative"])}</b>{escape(text)}</div>'
                    if text and n["kind"] in ALERT_KINDS else "")

        kinds = [m["nudge"]["kind"] for m in ms]
        kind = "negative" if "negative" in kinds else kinds[0]
        if len(ms) == 1:
            n = ms[0]["nudge"]
            head = f'<h3 class="what">{about(n)}</h3>'
            rest = ctx + alt(n)
        else:  # one line, several rules: the excerpt once, each rule with its alternative
            titles = dict.fromkeys(rule_title(m["nudge"], lang, detail=False) for m in ms)
            head = f'<h3 class="what">{escape(" + ".join(titles))}</h3>'
            rest = ctx + "".join(f'<div class="rule kind-{escape(m["nudge"]["kind"])}"><div class="what">'
                                 f'{about(m["nudge"])}</div>{alt(m["nudge"])}</div>' for m in ms)
        body = head + rest
        # the time: a link to where it was said in the transcript
        when_ = clock(t) if lines[k] is None else f'<a href="#line-{lines[k]}">{clock(t)}</a>'
        out.append(f'<div class="moment kind-{escape(kind)}" id="moment-{k}"><div class="time">{when_}</div>'
                   f'<div>{body}</div></div>')
    out += _repeats(groups, lines, more, w, lang, report["figures"])
    return "".join(out)


def _repeats(groups: list[dict], lines: list, more: dict[str, list[int]], w: dict, lang: str,
             report_figures: dict | None = None) -> list[str]:
    """After the moments: per kind, how many in all and when the rest came ("Pushwoord, 20
    keer in totaal · 3 hierboven · de andere 17: 9:59 · 12:40 · …"), each time a link to its
    line in the transcript (and the target of that line's ▼)."""
    out, anchored = [], set()
    for rule, ks in more.items():
        kind = next(m["nudge"]["kind"] for m in groups[ks[0]]["moments"] if m["nudge"]["rule"] == rule)
        times = []
        for k in ks:
            at = "" if k in anchored else f' id="moment-{k}"'
            anchored.add(k)
            t = clock(groups[k]["t"])
            times.append(f'<a{at} href="#line-{lines[k]}">{t}</a>' if lines[k] is not None
                         else f"<span{at}>{t}</span>")
        title = repeats_title(rule, groups, ks, w, lang, report_figures)
        out.append(f'<div class="moment more kind-{escape(kind)}"><div class="time"></div><div>'
                   f'<h3 class="what">{escape(title)}</h3><div class="times">{" · ".join(times)}</div></div></div>')
    return out


# the card that counts a rule's moments, one each (push words: each word, in the labels)
CARD_OF = {"interruption": "interruptions", "argument-stacking": "argument_stacks",
           "push-words": "push_words", "righting-reflex": "righting_reflexes",
           "monologue": "monologues", "good-summary": "summaries"}


def repeats_title(rule: str, groups: list[dict], ks: list[int], w: dict, lang: str,
                  figures: dict | None = None) -> str:
    """The head of a kind's line of times, in numbers that add up: all of its moments (the
    number its card counts), those shown whole above (alone or beside another kind's) and
    the rest, listed: "Onderbreking, 26 keer in totaal · 4 hierboven · de andere 22:". Where
    the card counts otherwise (push words: every word, also where no nudge came), it says
    so: "(de kaart telt 40: ook zonder seintje)"."""
    total = sum(1 for g in groups for m in g["moments"] if m["nudge"]["rule"] == rule)
    listed = sum(1 for k in ks for m in groups[k]["moments"] if m["nudge"]["rule"] == rule)
    title = w["moments_more"].format(title=rule_title({"rule": rule}, lang, detail=False),
                                     total=total, shown=total - listed, n=listed)
    card = (figures or {}).get(CARD_OF.get(rule, ""), {}).get("value")
    if isinstance(card, int) and card != total:
        note = w["moments_card" if card > total else "moments_card_less"].format(n=card)
        title = title.rstrip(":") + f" {note}:"
    return title


def _route(route: list[dict], w: dict) -> str:
    if not route:
        return f'<p class="hint">{escape(w["no_route"])}</p><p class="hint">{escape(w["route_hint"])}</p>'
    chips = []
    for r in route:
        cls = "step premature" if r["premature"] else "step"
        note = f" · {w['premature']}" if r["premature"] else ""
        span = span_text(r["t0"], r["t1"])
        chips.append(f'<span class="{cls}">{escape(w[r["step"]])} '
                     f'{escape(w["route_moves"].format(n=r["count"]))}'
                     f'<small>{escape(span + note)}</small></span>')
    return (f'<div class="route">{"<span class=arrow>→</span>".join(chips)}</div>'
            f'<p class="hint">{escape(w["route_hint"])}</p>')


def transcript_marks(report: dict, lang: str) -> dict[int, list[tuple[int, str, str, int]]]:
    """Per transcript line (its index in the utterances) the moments about it: (the group's
    index in ``moment_groups``, its mark, its kind, how many moments it holds), so the line
    says what it set off and links back to the moment. The mark has a ▼ per moment, so the
    ▼s of a minute add up to its count in the index: a line that set off three rules reads
    "▼ Onderbreking ▼ Herstelreflex ▼ Pushwoorden" (was one ▼ under a minute's ▼4 with one
    more line marked), the same rule twice "▼▼ Pushwoorden". Shared with Markdown."""
    groups = moment_groups(report["moments"])
    out: dict[int, list[tuple[int, str, str, int]]] = {}
    for k, (g, i) in enumerate(zip(groups, moment_lines(groups, report["utterances"]))):
        if i is None:
            continue
        kinds = [m["nudge"]["kind"] for m in g["moments"]]
        titles: dict[str, int] = {}
        for m in g["moments"]:
            title = rule_title(m["nudge"], lang, detail=False)
            titles[title] = titles.get(title, 0) + 1
        mark = " ".join(f"{'▼' * n} {title}" for title, n in titles.items())
        out.setdefault(i, []).append((k, mark, "negative" if "negative" in kinds else kinds[0], len(kinds)))
    return out


def transcript_parts(report: dict) -> list[tuple[float, float, list[int]]]:
    """A long call's transcript in the timeline's strips: (start, end, its lines' indexes) per
    strip, a line in the strip it began in; one part, all lines, for a call of one strip.
    Shared with Markdown."""
    utts = report["utterances"]
    parts = strips(max(report["session"]["duration"], 1.0))
    out = []
    for k, (a, b) in enumerate(parts):
        last = k == len(parts) - 1
        out.append((a, min(b, report["session"]["duration"]),
                    [i for i, u in enumerate(utts) if (a <= u["t0"] < b) or (last and u["t0"] >= b)
                     or (k == 0 and u["t0"] < a)]))
    return out


def _transcript(report: dict, names: dict, lang: str, marks: dict | None = None) -> str:
    """The transcript, each line with its labels and what it set off (▼, a link back to the
    moment). A long call's (one of several timeline strips) opens with an index by minute,
    each minute with how many moments it had (▼3), and comes in a foldable part per strip,
    open, headed by its span and its moments; each minute starts with its time."""
    w = words(lang)
    marks = marks or {}
    utts = report["utterances"]
    out = ['<div class="transcript">']
    if any(u.get("unsure") for u in utts):
        out.append(f'<p class="hint">{escape(w["unsure_note"])}</p>')
    parts = transcript_parts(report)
    long = len(parts) > 1 and utts
    if long:
        out.append(_minute_index(utts, marks, w))
    minute = -1
    for a, b, idx in parts:
        if long:
            n_marks = moments_on(marks, idx)
            head = " · ".join([span_text(a, b), count_text(len(idx), w["tx_lines"])]
                              + ([f"▼ {count_text(n_marks, w['tx_moments'])}"] if n_marks else []))
            out.append(f'<details class="tx-part" open><summary>{escape(head)}</summary>')
        for i in idx:
            u = utts[i]
            if long and int(u["t0"] // 60) > minute:  # where a minute starts: its time, the index's target
                minute = int(u["t0"] // 60)
                out.append(f'<div class="minute" id="min-{minute}">{clock(minute * 60)}</div>')
            chips = "".join(f'<span class="chip">{escape(c)}</span>'
                            for c in label_chips(u["labels"], lang, u["speaker"]))
            chips += "".join(f'<a class="mark kind-{escape(kind)}" href="#moment-{k}">{escape(mark)}</a>'
                             for k, mark, kind, _ in marks.get(i, ()))
            unsure = f' class="unsure" title="{escape(w["unsure"])}"' if u.get("unsure") else ""
            out.append(f'<div class="line" id="line-{i}"><span class="time">{clock(u["t0"])}</span>'
                       f'<span class="who {u["speaker"]}">{escape(names[u["speaker"]])}</span>'
                       f'<span{unsure}>{escape(u["text"])}{" (?)" if unsure else ""}{chips}</span></div>')
        if long:
            out.append("</details>")
    out.append("</div>")
    return "".join(out)


def moments_on(marks: dict, lines) -> int:
    """How many moments ``lines`` (indexes in the utterances) set off, by ``transcript_marks``:
    each moment once, at the first line it marks."""
    return sum(n for i in lines for *_, n in marks.get(i, ()))


def _minute_index(utts: list[dict], marks: dict, w: dict) -> str:
    """"Naar minuut: 0:00 ▼2 · 1:00 · 2:00 ▼1 …": a link to each minute with lines, and how
    many moments its lines set off (in the colour of the worst of them)."""
    per: dict[int, list[int]] = {}
    for i, u in enumerate(utts):
        per.setdefault(int(u["t0"] // 60), []).append(i)
    links = []
    for m, idx in per.items():
        kinds = [kind for i in idx for _, _, kind, _ in marks.get(i, ())]
        kind = "negative" if "negative" in kinds else kinds[0] if kinds else ""
        n = f' <span class="mark kind-{escape(kind)}">▼{moments_on(marks, idx)}</span>' if kinds else ""
        links.append(f'<a href="#min-{m}">{clock(m * 60)}{n}</a>')
    return (f'<nav class="tx-index"><b>{escape(w["tx_index"])}</b> {" ".join(links)}'
            f'<span class="hint">{escape(w["tx_index_hint"])}</span></nav>')
