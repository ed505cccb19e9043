"""The report's timeline as one inline SVG: both speakers' speech, overlaps, nudges,
summaries and bookmarks over a time axis. All text is escaped; no scripts, no links."""

from __future__ import annotations

import math
from html import escape

from pullcoach.report_text import clock, lang_of, moment_title, not_delivered, words

__all__ = ["timeline_svg", "strips", "COLOURS", "span_text", "cut_in", "summary_text", "no_audio", "NO_AUDIO_FILL"]

COLOURS = {
    "coachee": "#2f6f9f", "partner": "#9aa5b1", "overlap": "#e8a33d",
    "negative": "#b0432a", "positive": "#2b7a4b", "cue": "#1f7a74", "trainer": "#7a5cb8",
    "summary": "#2b7a4b", "overlap_light": "#c9ced4", "bookmark": "#2b8fb3", "axis": "#8a949e", "text": "#4a5560",
}
W, LEFT, RIGHT = 960, 124, 12  # LEFT fits "Gesprekspartner"
# up to 10 minutes fit one strip the page's width; a longer conversation is cut into strips
# of whole minutes, each at most that long, stacked: the whole call on the page at a legible
# scale (a nudge's mark about 9 s wide, not 19), its halves one under the other
SCALE_S = 600.0
ROWS = {"nudges": (6, 24), "coachee": (32, 54), "partner": (60, 82), "marks": (90, 106)}
AXIS_Y = 114
H = 132
STRIP_GAP = 14  # between two strips
STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
# a stretch with no audio (a capture's gap, a stalled channel, what a rescue lost) is hatched
# grey over its rows: missing, where a blank row would read as silence
NO_AUDIO = ("capture-resumed", "channel-stalled", "store-rescued")
NO_AUDIO_FILL = "repeating-linear-gradient(135deg, #b7bec6 0 2px, #eef0f2 2px 5px)"  # the legend's swatch
HATCH = ('<defs><pattern id="pc-no-audio" width="5" height="5" patternUnits="userSpaceOnUse" '
         'patternTransform="rotate(45)"><rect width="5" height="5" fill="#eef0f2"/>'
         '<rect width="2" height="5" fill="#b7bec6"/></pattern></defs>')


def strips(duration: float) -> list[tuple[float, float]]:
    """(start, end) of each strip: the whole conversation up to ``SCALE_S``; beyond it as few
    strips as fit, of equal whole minutes (21:32 is 0:00-8:00, 8:00-16:00, 16:00-24:00, the
    last one drawn up to the end)."""
    if duration <= SCALE_S:
        return [(0.0, duration)]
    n = math.ceil(duration / SCALE_S)
    size = math.ceil(duration / n / 60.0) * 60.0
    return [(i * size, (i + 1) * size) for i in range(n) if i * size < duration]


def _step(span: float) -> int:
    """Axis labels about every 80 units: at most 10 on a strip."""
    room = (W - LEFT - RIGHT) / 82
    return next((s for s in STEPS if span / s <= room), STEPS[-1])


def timeline_svg(report: dict, names: dict[str, str]) -> str:
    """``names``: display names of the rows (coachee, partner, nudges, marks)."""
    s = report["session"]
    duration = max(s["duration"], 1.0)
    parts = strips(duration)
    height = len(parts) * H + (len(parts) - 1) * STRIP_GAP
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="100%" '
           f'role="img" aria-label="{escape(summary_text(report, names))}" class="timeline">']
    if no_audio(report):
        out.append(HATCH)
    for i, (a, b) in enumerate(parts):
        out.append(_strip(report, names, duration, a, b, i * (H + STRIP_GAP), labels=i == 0))
    out.append("</svg>")
    return "".join(out)


def _strip(report: dict, names: dict[str, str], duration: float, a: float, b: float, oy: float,
           labels: bool = True) -> str:
    """One strip of the timeline: what happened from ``a`` to ``b`` (drawn up to the end of
    the conversation), ``oy`` units down. ``labels``: the rows' names at its left; a long
    call's later strips leave them to the first one (the same rows, in the same places,
    each still named on hover) and say which stretch of the call they show instead."""
    lang = lang_of(report["session"]["lang"])
    end = min(b, duration)

    def _x(t: float) -> float:
        return LEFT + (W - LEFT - RIGHT) * (min(max(t, a), b) - a) / (b - a)

    def on(t: float) -> bool:  # a point in time shown in this strip (the end in the last)
        return a <= t < b or (t == b == end)

    def _y(y: float) -> str:
        return f"{y + oy:g}"
    right = _x(end)
    out = [f'<g class="strip">']
    for key, (y0, y1) in ROWS.items():
        if labels:
            out.append(f'<text x="{LEFT - 8}" y="{(y0 + y1) / 2 + 4 + oy:.1f}" text-anchor="end" '
                       f'font-size="11" fill="{COLOURS["text"]}">{escape(names.get(key, key))}</text>')
        if key in ("coachee", "partner"):
            out.append(f'<rect x="{LEFT}" y="{_y(y0)}" width="{right - LEFT:g}" height="{y1 - y0}" '
                       f'fill="#f3f5f7" rx="3"><title>{escape(names.get(key, key))}</title></rect>')
    if not labels:  # which stretch this is, where the first strip names its rows
        out.append(f'<text x="{LEFT - 8}" y="{(ROWS["coachee"][1] + ROWS["partner"][0]) / 2 + 4 + oy:.1f}" '
                   f'text-anchor="end" font-size="11" fill="{COLOURS["axis"]}">{span_text(a, end)}</text>')
    for t0, t1, speakers, kind in no_audio(report):
        if t1 <= a or t0 >= b:
            continue
        x0, x1 = _x(t0), _x(t1)
        y0, y1 = ROWS[speakers[0]][0], ROWS[speakers[-1]][1]
        who = names.get(speakers[0], speakers[0])
        tip = names.get(f"no_audio_{kind}", "{span}").format(span=span_text(t0, t1), who=who)
        out.append(f'<rect x="{x0:.1f}" y="{_y(y0)}" width="{max(x1 - x0, 2.0):.1f}" height="{y1 - y0}" '
                   f'fill="url(#pc-no-audio)" class="no-audio"><title>{escape(tip)}</title></rect>')
    for speaker in ("coachee", "partner"):
        y0, y1 = ROWS[speaker]
        for t0, t1 in report["speech"][speaker]:
            if t1 < a or t0 >= b:
                continue
            x0, x1 = _x(t0), _x(t1)
            out.append(f'<rect x="{x0:.1f}" y="{_y(y0)}" width="{max(x1 - x0, 0.8):.1f}" '
                       f'height="{y1 - y0}" fill="{COLOURS[speaker]}" rx="1.5">'
                       f'<title>{escape(names[speaker])} {span_text(t0, t1)}</title></rect>')
    top, bottom = ROWS["coachee"][0], ROWS["partner"][1]
    gap0, gap1 = ROWS["coachee"][1], ROWS["partner"][0]
    for t0, t1 in report["overlaps"]:
        if t1 < a or t0 >= b:
            continue
        x0, x1 = _x(t0), _x(t1)
        width = max(x1 - x0, 2.0)
        if cut_in(t0, t1, report["nudges"]):  # a light tint over both rows, a solid mark between
            out.append(f'<rect x="{x0:.1f}" y="{_y(top)}" width="{width:.1f}" height="{bottom - top}" '
                       f'fill="{COLOURS["overlap"]}" opacity="0.3"/>'
                       f'<rect x="{x0:.1f}" y="{_y(gap0)}" width="{width:.1f}" height="{gap1 - gap0}" '
                       f'fill="{COLOURS["overlap"]}"><title>{escape(names.get("overlap", "overlap"))} '
                       f'{clock(t0)}</title></rect>')
        else:  # a "ja", "hm" or both starting at once: a thin pale line, no tint
            mid = (gap0 + gap1) / 2
            out.append(f'<rect x="{x0:.1f}" y="{mid - 1 + oy:.1f}" width="{width:.1f}" height="2" '
                       f'fill="{COLOURS["overlap_light"]}"><title>'
                       f'{escape(names.get("overlap_light", "overlap"))} {clock(t0)}</title></rect>')
    y0, y1 = ROWS["nudges"]
    for n in report["nudges"]:
        if not on(min(n["t"], duration)):
            continue
        x = _x(n["t"])
        colour = COLOURS.get(n["kind"], COLOURS["negative"])
        why = not_delivered(n, words(lang))  # report only, too late, or no overlay open to show it
        fill = "#ffffff" if why else colour
        # as the moment heads it: the fault, and the nudge the coachee saw (none: report only)
        tip = f'{clock(n["t"])} {moment_title(n, lang, detail=False)}' + (f" ({why})" if why else "")
        # a shape per kind, not a colour alone (red and green read alike to many): a fault ▼,
        # a good move ▲, the partner's signal ●
        if n["kind"] == "positive":
            shape = f'<path d="M{x - 6:.1f},{_y(y1)} L{x + 6:.1f},{_y(y1)} L{x:.1f},{_y(y0)} Z"'
        elif n["kind"] == "cue":
            shape = f'<circle cx="{x:.1f}" cy="{_y((y0 + y1) / 2)}" r="6"'
        else:
            shape = f'<path d="M{x - 6:.1f},{_y(y0)} L{x + 6:.1f},{_y(y0)} L{x:.1f},{_y(y1)} Z"'
        tag = "circle" if n["kind"] == "cue" else "path"
        out.append(f'{shape} fill="{fill}" stroke="{colour}" stroke-width="1.5">'
                   f'<title>{escape(tip)}</title></{tag}>')
    y0, y1 = ROWS["marks"]
    ym = (y0 + y1) / 2
    for t in report["summaries"]:
        if not on(min(t, duration)):
            continue
        x = _x(t)
        out.append(f'<path d="M{x:.1f},{_y(y0)} L{x + 6:.1f},{_y(ym)} L{x:.1f},{_y(y1)} L{x - 6:.1f},{_y(ym)} Z" '
                   f'fill="{COLOURS["summary"]}"><title>{escape(names["summary"])} '
                   f'{clock(t)}</title></path>')
    for bm in report["bookmarks"]:
        if not on(min(bm["t"], duration)):
            continue
        x = _x(bm["t"])
        out.append(f'<g><title>{escape(clock(bm["t"]) + " " + bm["note"])}</title>'
                   f'<line x1="{x:.1f}" y1="{_y(y0 - 2)}" x2="{x:.1f}" y2="{_y(y1)}" '
                   f'stroke="{COLOURS["bookmark"]}" stroke-width="2"/>'
                   f'<path d="M{x:.1f},{_y(y0 - 2)} L{x + 9:.1f},{_y(y0 + 2)} L{x:.1f},{_y(y0 + 6)} Z" '
                   f'fill="{COLOURS["bookmark"]}"/></g>')
    out.append(f'<line x1="{LEFT}" y1="{_y(AXIS_Y)}" x2="{right:g}" y2="{_y(AXIS_Y)}" '
               f'stroke="{COLOURS["axis"]}" stroke-width="1"/>')
    step = _step(b - a)
    t = a
    while t <= end + 1e-6:
        x = _x(t)
        anchor = "start" if t == a else "end" if x > W - RIGHT - 14 else "middle"  # inside the page
        out.append(f'<line x1="{x:.1f}" y1="{_y(AXIS_Y)}" x2="{x:.1f}" y2="{_y(AXIS_Y + 4)}" '
                   f'stroke="{COLOURS["axis"]}"/><text x="{x:.1f}" y="{_y(AXIS_Y + 15)}" '
                   f'font-size="10" text-anchor="{anchor}" fill="{COLOURS["text"]}">'
                   f'{clock(t)}</text>')
        t += step
    out.append("</g>")
    return "".join(out)


def no_audio(report: dict) -> list[tuple[float, float, tuple[str, ...], str]]:
    """The stretches with no audio to show, from the report's problems: (t0, t1, the rows
    it covers, kind); one to the end of the session has t1 at its end."""
    end = report["session"]["duration"]
    out = []
    for p in report.get("problems", ()):
        # a side with no sound at all (all zeros: not recorded, muted) is missing too
        dead = p["kind"] == "channel-silent" and p.get("reason") == "no-sound"
        if p["kind"] not in NO_AUDIO and not dead:
            continue
        t1 = end if p["t1"] is None else min(p["t1"], end)
        one = p["kind"] in ("channel-stalled", "channel-silent") and p.get("speaker") in ("coachee", "partner")
        if t1 > p["t0"]:
            out.append((p["t0"], t1, (p["speaker"],) if one else ("coachee", "partner"), p["kind"]))
    return out


CUT_IN_RULES = ("interruption", "interrupted")
CUT_IN_REACH = 0.5  # s: an interruption's evidence is its overlap's start


def cut_in(t0: float, t1: float, nudges: list[dict]) -> bool:
    """Whether an overlap was an interruption (either way) the rules reported, not a
    backchannel or two starting at once."""
    return any(n["rule"] in CUT_IN_RULES and t0 - CUT_IN_REACH <= n["evidence_t"] <= t1 + CUT_IN_REACH
               for n in nudges)


def summary_text(report: dict, names: dict[str, str]) -> str:
    """What the timeline shows, in words, for a screen reader: ``names["aria"]``'s head, then
    each count in its singular or plural form ("1 signal from the other", "2 signals ...")."""
    nudges = report["nudges"]
    cut = sum(1 for a, b in report["overlaps"] if cut_in(a, b, nudges))
    counts = {"negative": sum(1 for n in nudges if n["kind"] == "negative"),
              "positive": sum(1 for n in nudges if n["kind"] == "positive"),
              "cue": sum(1 for n in nudges if n["kind"] == "cue"),
              "summaries": len(report["summaries"]), "cut": cut,
              "light": len(report["overlaps"]) - cut, "bookmarks": len(report["bookmarks"])}
    aria = names.get("aria") or {"head": "{title}", "counts": {}}
    head = aria["head"].format(title=names.get("title", "timeline"),
                               duration=clock(report["session"]["duration"]))
    parts = [forms[0 if counts[k] == 1 else 1].format(n=counts[k])
             for k, forms in aria["counts"].items()]
    return f"{head}: {', '.join(parts)}" if parts else head


def span_text(t0: float, t1: float) -> str:
    """"0:01–0:04", or one time for speech within one second ("0:01", not "0:01–0:01")."""
    a, b = clock(t0), clock(t1)
    return a if a == b else f"{a}–{b}"
