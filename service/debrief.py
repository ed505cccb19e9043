"""The trainer's debrief: several role-plays side by side, from their reports.

``build_debrief(reports)`` takes ``report_data.build`` results and returns plain data: one
row of headline figures per session, the figures to work on together (rated poor or fair in
the most sessions, each with one example moment and its pull alternative), what went well
(figures good wherever measured, and praised moments), the trainer's bookmarks with what
was said around them, and for a coachee with several role-plays, what moved from the first
to the last. ``pick_sessions`` chooses which stored sessions a debrief covers;
``collect`` reads them from a store (the only I/O here).
"""

from __future__ import annotations

import time
from typing import Any

from pullcoach.errors import ConfigError, StoreError
from pullcoach.report_data import FAIR, GOOD, NONE, POOR, build
from pullcoach.report_progress import comparable, progress

__all__ = ["build_debrief", "pick_sessions", "collect", "FIGURE_RULES", "MAX_SESSIONS"]

MAX_SESSIONS = 50
# the headline figures a debrief weighs, in the pull toolkit's order (COACHING.md: let the
# other finish, no stacked arguments, no "moeten", no unasked advice, then summarise and ask
# open questions), with the nudge rule whose moments show each; speaking rate stays in the
# session reports (a voice's tempo is no group talking point)
FIGURE_RULES = {
    "interruptions": "interruption", "argument_stacks": "argument-stacking",
    "push_words": "push-words", "righting_reflexes": "righting-reflex",
    "reflections_questions": "too-few-summaries", "summaries": "too-few-summaries",
    "open_questions": "closed-questions", "talk_share": "talk-ratio", "monologues": "monologue",
}
WORK_ON = 5          # figures to work on, at most: those not good (then poor) in the most sessions
LONG_TURN_WORDS = 12  # a partner turn this long invites a reflection
GOOD_MOMENTS = 3     # praised moments shown, at most (one per session first)
BOOKMARK_BEFORE = 10.0  # seconds of transcript shown before a bookmark


def pick_sessions(infos: list[dict], ids: list[str] | None = None,
                  day: str | None = None) -> list[str]:
    """Ids to debrief, oldest first. ``ids`` as given; else the sessions of ``day``
    (YYYY-MM-DD, local time) or, without it, of the newest session's day. Live sessions
    are left out unless named."""
    if ids:
        return list(dict.fromkeys(ids))
    done = [s for s in infos if s.get("status") != "live" and s.get("started_wall")]
    if not done:
        return []
    if day is None:
        day = _day(max(s["started_wall"] for s in done))
    chosen = sorted((s for s in done if _day(s["started_wall"]) == day),
                    key=lambda s: (s["started_wall"], s["id"]))
    return [s["id"] for s in chosen][-MAX_SESSIONS:]


def collect(store, refs: list[str] | None = None, day: str | None = None,
            lang: str | None = None) -> dict[str, Any]:
    """The debrief of stored sessions: ``refs`` (ids, id prefixes or "last"), else ``day``'s
    (YYYY-MM-DD), else the newest session's day."""
    if day is not None and not _is_day(day):
        raise ConfigError(f"the day must look like 2026-12-06, not {day!r}")
    infos = store.sessions()
    ids = pick_sessions(infos, [store.resolve(r) for r in refs] if refs else None, day)
    if not ids and day is not None and not refs:
        days = sorted({_day(s["started_wall"]) for s in infos if s.get("started_wall")}, reverse=True)
        held = f"days with sessions: {', '.join(days[:5])}" if days else "no sessions are stored"
        raise StoreError(f"no finished sessions on {day}; {held}")
    if len(ids) > MAX_SESSIONS:
        raise ConfigError(f"a debrief covers at most {MAX_SESSIONS} sessions; name fewer")
    reports = []
    for sid in ids:
        events = store.events(sid)
        if not events:
            raise StoreError(f"session {sid} has no events to debrief; leave it out")
        reports.append(build(events))
    return build_debrief(reports, lang)


def _is_day(day: str) -> bool:
    try:
        time.strptime(day, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def _day(wall: float) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(wall))


def build_debrief(reports: list[dict], lang: str | None = None) -> dict[str, Any]:
    """``lang``: the debrief's language; by default that of most sessions (ties: the first's)."""
    reports = sorted(reports, key=lambda r: (r["session"]["wall_clock"], r["session"]["id"]))
    rows = [_row(r) for r in reports]
    tally = {key: _tally(reports, key) for key in FIGURE_RULES}
    # not good in the most sessions first, then poor in the most, then the toolkit's order
    work_on = sorted((k for k, t in tally.items() if t[POOR] + t[FAIR]),
                     key=lambda k: (-(tally[k][POOR] + tally[k][FAIR]), -tally[k][POOR],
                                    list(FIGURE_RULES).index(k)))
    langs = [r["session"]["lang"] for r in reports]
    return {
        "lang": lang or (max(langs, key=langs.count) if langs else "nl"),
        "sessions": rows,
        "tally": tally,
        "work_on": [{"figure": k, **tally[k], "example": _example(reports, k)}
                    for k in work_on[:WORK_ON]],
        "strengths": [k for k, t in tally.items() if t["rated"] and t[GOOD] == t["rated"]],
        "good_moments": _good_moments(reports),
        "bookmarks": [b for r in reports for b in _bookmarks(r)],
        "progress": _progress(reports),
    }


def _progress(reports: list[dict]) -> list[dict]:
    """For each coachee (by name) with more than one role-play here: their last against
    their first, the figures that moved (``report_progress.progress``)."""
    by_name: dict[str, list[dict]] = {}
    for r in reports:
        if comparable(r):  # a fragment (under a minute) is no role-play to compare
            by_name.setdefault(" ".join(r["session"]["coachee"].split()).casefold(), []).append(r)
    out = []
    for runs in by_name.values():
        moved = progress(runs[-1], runs[0]) if len(runs) > 1 else None
        if moved:
            out.append({"first": runs[0]["session"], "last": runs[-1]["session"], "count": len(runs),
                        "before": moved["before"], "now": runs[-1]["figures"],
                        "trends": {k: t for k, t in moved["trends"].items() if t != "same"}})
    return out


def _row(r: dict) -> dict:
    s = r["session"]
    negative = sum(1 for n in r["nudges"] if n["kind"] == "negative")
    minutes = s["duration"] / 60.0
    return {"session": s, "figures": r["figures"], "negative": negative,
            "negative_per_10min": round(negative / minutes * 10.0, 1) if minutes >= 1.0 else None,
            "positive": sum(1 for n in r["nudges"] if n["kind"] == "positive"),
            "bookmarks": len(r["bookmarks"]),
            "problems": sum(1 for p in r["problems"] if p["kind"] != "asr-behind"),
            "asr_behind": any(p["kind"] == "asr-behind" for p in r["problems"]),
            "analysed": r["analysed"]}


def _tally(reports: list[dict], key: str) -> dict[str, int]:
    ratings = [r["figures"][key]["rating"] for r in reports]
    out = {x: ratings.count(x) for x in (GOOD, FAIR, POOR)}
    out["rated"] = sum(1 for x in ratings if x != NONE)
    return out


def _example(reports: list[dict], key: str) -> dict | None:
    """One moment that shows the figure, from the session where it weighs most: the first
    nudge of its rule, else (for figures no nudge fired on) a moment read off the transcript."""
    rule = FIGURE_RULES[key]
    order = {POOR: 0, FAIR: 1, GOOD: 2, NONE: 3}
    ranked = sorted(reports, key=lambda r: (
        order[r["figures"][key]["rating"]],
        -sum(1 for m in r["moments"] if m["nudge"]["rule"] == rule)))
    for r in ranked:
        for m in r["moments"]:
            if m["nudge"]["rule"] == rule:
                return {"session": r["session"], "rule": rule, "t": m["t"],
                        "around": m["around"]}
    for r in ranked:
        if r["figures"][key]["rating"] in (POOR, FAIR):
            found = _read_off(r["utterances"], key)
            if found:
                return {"session": r["session"], "rule": rule, "t": found[-1]["t0"], "around": found}
    return None


def _read_off(utts: list[dict], key: str) -> list[dict] | None:
    """A transcript moment for a figure: a long partner turn answered without a reflection
    (reflections, summaries), or the first closed question."""
    if key in ("reflections_questions", "summaries"):
        for a, b in zip(utts, utts[1:]):
            if (a["speaker"] == "partner" and b["speaker"] == "coachee"
                    and len(a["text"].split()) >= LONG_TURN_WORDS
                    and not b["labels"].get("reflection") and not b["labels"].get("backchannel")):
                return [a, b]
    if key == "open_questions":
        for i, u in enumerate(utts):
            if u["speaker"] == "coachee" and u["labels"].get("question") == "closed":
                return utts[max(0, i - 1):i + 1]
    return None  # talk share, speaking rate: a figure of the whole call, not of a moment


def _good_moments(reports: list[dict]) -> list[dict]:
    found = [[{"session": r["session"], "nudge": m["nudge"], "t": m["t"], "around": m["around"]}
              for m in r["moments"] if m["nudge"]["kind"] == "positive"] for r in reports]
    out: list[dict] = []
    depth = 0
    while len(out) < GOOD_MOMENTS and any(len(f) > depth for f in found):
        out += [f[depth] for f in found if len(f) > depth][:GOOD_MOMENTS - len(out)]
        depth += 1
    return out


def _bookmarks(r: dict) -> list[dict]:
    out = []
    for b in r["bookmarks"]:
        around = [u for u in r["utterances"]
                  if u["t1"] >= b["t"] - BOOKMARK_BEFORE and u["t0"] <= b["t"] + 1.0]
        out.append({"session": r["session"], **b, "around": around[-3:]})
    return out
