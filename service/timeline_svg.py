"""The report's timeline as one inline SVG: both speakers' speech, overlaps, nudges,
summaries and bookmarks over a time axis. All text is escaped; no scripts, no links."""

from __future__ import annotations

from html import escape

from pullcoach.report_text import clock, lang_of, moment_title, not_delivered, words

__all__ = ["timeline_svg", "COLOURS", "span_text", "cut_in", "summary_text", "no_audio", "NO_AUDIO_FILL"]

COLOURS = {
    "coachee": "#2f6f9f", "partner": "#9aa5b1", "overlap": "#e8a33d",
    "negative": "#b0432a", "positive": "#2b7a4b", "cue": "#1f7a74", "trainer": "#7a5cb8",
    "summary": "#2b7a4b", "overlap_light": "#c9ced4", "bookmark": "#2b8fb3", "axis": "#8a949e", "text": "#4a5560",
}
W, LEFT, RIGHT = 960, 124, 12  # LEFT fits "Gesprekspartner"
# up to 10 minutes fit the page; a longer conversation keeps that scale (a nudge's mark about
# 9 s wide, not 15) and its timeline scrolls sideways
SCALE_S = 600.0
ROWS = {"nudges": (6, 24), "coachee": (32, 54), "partner": (60, 82), "marks": (90, 106)}
AXIS_Y = 114
H = 132
STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
# a stretch with no audio (a capture's gap, a stalled channel, what a rescue lost) is hatched
# grey over its rows: missing, where a blank row would read as silence
NO_AUDIO = ("capture-resumed", "channel-stalled", "store-rescued")
NO_AUDIO_FILL = "repeating-linear-gradient(135deg, #b7bec6 0 2px, #eef0f2 2px 5px)"  # the legend's swatch
HATCH = ('<defs><pattern id="pc-no-audio" width="5" height="5" patternUnits="userSpaceOnUse" '
         'patternTransform="rotate(45)"><rect width="5" height="5" fill="#eef0f2"/>'
         '<rect width="2" height="5" fill="#b7bec6"/></pattern></defs>')


def timeline_width(duration: float) -> int:
    """The timeline's width in SVG units (its pixels at 100%)."""
    return W if duration <= SCALE_S else round(LEFT + RIGHT + (W - LEFT - RIGHT) * duration / SCALE_S)


def _step(duration: float) -> int:
    """Axis labels about every 80 units: at most 10 on a page-wide timeline."""
    room = (timeline_width(duration) - LEFT - RIGHT) / 82
    return next((s for s in STEPS if duration / s <= room), STEPS[-1])


def timeline_svg(report: dict, names: dict[str, str]) -> str:
    """``names``: display names of the rows (coachee, partner, nudges, marks)."""
    s = report["session"]
    lang = lang_of(s["lang"])
    duration = max(s["duration"], 1.0)
    full = timeline_width(duration)

    def _x(t: float) -> float:
        return LEFT + (full - LEFT - RIGHT) * min(max(t, 0.0), duration) / duration

    size = '100%' if full == W else str(full)  # a long one at its own width, scrolled
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {full} {H}" width="{size}" '
           f'role="img" aria-label="{escape(summary_text(report, names))}" class="timeline">']
    for key, (y0, y1) in ROWS.items():
        out.append(f'<text x="{LEFT - 8}" y="{(y0 + y1) / 2 + 4:.1f}" text-anchor="end" '
                   f'font-size="11" fill="{COLOURS["text"]}">{escape(names.get(key, key))}</text>')
        if key in ("coachee", "partner"):
            out.append(f'<rect x="{LEFT}" y="{y0}" width="{full - LEFT - RIGHT}" height="{y1 - y0}" '
                       'fill="#f3f5f7" rx="3"/>')
    gaps = no_audio(report)
    if gaps:
        out.append(HATCH)
    for t0, t1, speakers, kind in gaps:
        x0, x1 = _x(t0), _x(t1)
        y0, y1 = ROWS[speakers[0]][0], ROWS[speakers[-1]][1]
        who = names.get(speakers[0], speakers[0])
        tip = names.get(f"no_audio_{kind}", "{span}").format(span=span_text(t0, t1), who=who)
        out.append(f'<rect x="{x0:.1f}" y="{y0}" width="{max(x1 - x0, 2.0):.1f}" height="{y1 - y0}" '
                   f'fill="url(#pc-no-audio)" class="no-audio"><title>{escape(tip)}</title></rect>')
    for speaker in ("coachee", "partner"):
        y0, y1 = ROWS[speaker]
        for t0, t1 in report["speech"][speaker]:
            x0, x1 = _x(t0), _x(t1)
            out.append(f'<rect x="{x0:.1f}" y="{y0}" width="{max(x1 - x0, 0.8):.1f}" '
                       f'height="{y1 - y0}" fill="{COLOURS[speaker]}" rx="1.5">'
                       f'<title>{escape(names[speaker])} {span_text(t0, t1)}</title></rect>')
    top, bottom = ROWS["coachee"][0], ROWS["partner"][1]
    gap0, gap1 = ROWS["coachee"][1], ROWS["partner"][0]
    for t0, t1 in report["overlaps"]:
        x0, x1 = _x(t0), _x(t1)
        width = max(x1 - x0, 2.0)
        if cut_in(t0, t1, report["nudges"]):  # a light tint over both rows, a solid mark between
            out.append(f'<rect x="{x0:.1f}" y="{top}" width="{width:.1f}" height="{bottom - top}" '
                       f'fill="{COLOURS["overlap"]}" opacity="0.3"/>'
                       f'<rect x="{x0:.1f}" y="{gap0}" width="{width:.1f}" height="{gap1 - gap0}" '
                       f'fill="{COLOURS["overlap"]}"><title>{escape(names.get("overlap", "overlap"))} '
                       f'{clock(t0)}</title></rect>')
        else:  # a "ja", "hm" or both starting at once: a thin pale line, no tint
            mid = (gap0 + gap1) / 2
            out.append(f'<rect x="{x0:.1f}" y="{mid - 1:.1f}" width="{width:.1f}" height="2" '
                       f'fill="{COLOURS["overlap_light"]}"><title>'
                       f'{escape(names.get("overlap_light", "overlap"))} {clock(t0)}</title></rect>')
    y0, y1 = ROWS["nudges"]
    for n in report["nudges"]:
        x = _x(n["t"])
        colour = COLOURS.get(n["kind"], COLOURS["negative"])
        fill = colour if n["delivered"] else "#ffffff"
        # as the moment heads it: the fault, and the nudge the coachee saw (none: report only)
        tip = f'{clock(n["t"])} {moment_title(n, lang, detail=False)}' + (
            "" if n["delivered"] else f' ({not_delivered(n, words(lang))})')
        out.append(f'<path d="M{x - 6:.1f},{y0} L{x + 6:.1f},{y0} L{x:.1f},{y1} Z" fill="{fill}" '
                   f'stroke="{colour}" stroke-width="1.5"><title>{escape(tip)}</title></path>')
    y0, y1 = ROWS["marks"]
    ym = (y0 + y1) / 2
    for t in report["summaries"]:
        x = _x(t)
        out.append(f'<path d="M{x:.1f},{y0} L{x + 6:.1f},{ym} L{x:.1f},{y1} L{x - 6:.1f},{ym} Z" '
                   f'fill="{COLOURS["summary"]}"><title>{escape(names["summary"])} '
                   f'{clock(t)}</title></path>')
    for b in report["bookmarks"]:
        x = _x(b["t"])
        out.append(f'<g><title>{escape(clock(b["t"]) + " " + b["note"])}</title>'
                   f'<line x1="{x:.1f}" y1="{y0 - 2}" x2="{x:.1f}" y2="{y1}" '
                   f'stroke="{COLOURS["bookmark"]}" stroke-width="2"/>'
                   f'<path d="M{x:.1f},{y0 - 2} L{x + 9:.1f},{y0 + 2} L{x:.1f},{y0 + 6} Z" '
                   f'fill="{COLOURS["bookmark"]}"/></g>')
    out.append(f'<line x1="{LEFT}" y1="{AXIS_Y}" x2="{full - RIGHT}" y2="{AXIS_Y}" '
               f'stroke="{COLOURS["axis"]}" stroke-width="1"/>')
    step = _step(duration)
    t = 0
    while t <= duration + 1e-6:
        x = _x(t)
        anchor = "start" if t == 0 else "middle"
        out.append(f'<line x1="{x:.1f}" y1="{AXIS_Y}" x2="{x:.1f}" y2="{AXIS_Y + 4}" '
                   f'stroke="{COLOURS["axis"]}"/><text x="{x:.1f}" y="{AXIS_Y + 15}" '
                   f'font-size="10" text-anchor="{anchor}" fill="{COLOURS["text"]}">'
                   f'{clock(t)}</text>')
        t += step
    out.append("</svg>")
    return "".join(out)


def no_audio(report: dict) -> list[tuple[float, float, tuple[str, ...], str]]:
    """The stretches with no audio to show, from the report's problems: (t0, t1, the rows
    it covers, kind); one to the end of the session has t1 at its end."""
    end = report["session"]["duration"]
    out = []
    for p in report.get("problems", ()):
        if p["kind"] not in NO_AUDIO:
            continue
        t1 = end if p["t1"] is None else min(p["t1"], end)
        one = p["kind"] == "channel-stalled" and p.get("speaker") in ("coachee", "partner")
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
    """What the timeline shows, in words, for a screen reader (``names["aria"]`` formats it)."""
    nudges = report["nudges"]
    cut = sum(1 for a, b in report["overlaps"] if cut_in(a, b, nudges))
    fmt = names.get("aria", "{title}")
    return fmt.format(title=names.get("title", "timeline"), duration=clock(report["session"]["duration"]),
                      negative=sum(1 for n in nudges if n["kind"] == "negative"),
                      positive=sum(1 for n in nudges if n["kind"] == "positive"),
                      cue=sum(1 for n in nudges if n["kind"] == "cue"),
                      summaries=len(report["summaries"]), cut=cut,
                      light=len(report["overlaps"]) - cut, bookmarks=len(report["bookmarks"]))


def span_text(t0: float, t1: float) -> str:
    """"0:01–0:04", or one time for speech within one second ("0:01", not "0:01–0:01")."""
    a, b = clock(t0), clock(t1)
    return a if a == b else f"{a}–{b}"
