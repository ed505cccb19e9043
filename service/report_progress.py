"""Since last time: a report's headline figures beside the coachee's previous session.

``previous_session(infos, session_id)`` finds that session among a store's sessions (the
newest earlier one with the same coachee name); ``progress(now, before)`` compares two
``report_data.build`` results figure by figure. Pure; the report modules render it.
"""

from __future__ import annotations

from pullcoach.report_data import FAIR, GOOD, NONE, POOR
from pullcoach.report_text import half_up

__all__ = ["previous_session", "progress", "comparable", "PROGRESS_WORDS"]

# the figures compared, and whether a higher value is better
COMPARED = {
    "talk_share": False, "reflections_questions": True, "open_questions": True, "summaries": True,
    "interruptions": False, "argument_stacks": False, "push_words": False,
    "righting_reflexes": False, "monologues": False, "speaking_rate": False,
}
_RANK = {POOR: 0, FAIR: 1, GOOD: 2}
# counts compared per minute: a 2-minute role-play and a 26-second fragment are not alike
COUNTS = ("summaries", "interruptions", "argument_stacks", "push_words", "righting_reflexes", "monologues")
MIN_S = 30.0  # a shorter session (a false start, a fragment cut off) is compared with nothing
# a change under this, in what the card shows, is noise: five points of a share, 10 words a
# minute (a ratio: any change in its one decimal)
NOISE = {"talk_share": 5, "open_questions": 5, "speaking_rate": 10}
SHORT = ("talk_share", "speaking_rate")  # no value: too little speech to measure

PROGRESS_WORDS = {
    "nl": {"since": "Sinds je vorige gesprek ({when})", "better": "beter", "worse": "slechter",
           "same": "gelijk", "short": "te kort om te beoordelen", "unrated": "niet te vergelijken"},
    "en": {"since": "Since your previous conversation ({when})", "better": "better",
           "worse": "worse", "same": "same", "short": "too short to rate",
           "unrated": "cannot be compared"},
}


def _name(info: dict) -> str:
    return " ".join(str(info.get("coachee") or "").split()).casefold()


def previous_session(infos: list[dict], session_id: str) -> str | None:
    """The newest session started before ``session_id`` by a coachee of the same name
    (a session still live does not count). The default name "coachee" (``run`` without
    --coachee-name, on one's own laptop) also needs the same language: it names nobody."""
    me = next((s for s in infos if s["id"] == session_id), None)
    if me is None or not me.get("started_wall"):
        return None
    unnamed = _name(me) in ("", "coachee")
    earlier = [s for s in infos if s["id"] != session_id and s.get("status") != "live"
               and _name(s) == _name(me) and 0 < (s.get("started_wall") or 0) < me["started_wall"]
               and (s.get("duration") or 0.0) >= MIN_S
               and (not unnamed or s.get("lang") == me.get("lang"))]
    return max(earlier, key=lambda s: s["started_wall"])["id"] if earlier else None


def progress(now: dict, before: dict) -> dict | None:
    """``{"session": before's session, "before": its figures, "trends": {key: trend}}`` with
    trend better | worse | same, or short | unrated where a figure shows on one side only
    (too little speech to measure; no questions to count), or None when nothing can be
    compared. Every figure shown on either side is listed: a figure the card could not rate
    (summaries in a call under a minute) is compared by what it counts."""
    if not (now["analysed"] and before["analysed"] and comparable(now) and comparable(before)):
        return None
    minutes = before["session"]["duration"] / 60.0, now["session"]["duration"] / 60.0
    trends = {}
    for key, higher in COMPARED.items():
        a, b = before["figures"][key], now["figures"][key]
        if a["value"] is None and b["value"] is None:
            continue  # "— → —": nothing to say
        if a["value"] is None or b["value"] is None:
            trends[key] = "short" if key in SHORT else "unrated"
        else:
            trends[key] = _trend(key, a, b, higher, minutes if key in COUNTS else None)
    return {"session": before["session"], "before": before["figures"], "trends": trends} if trends else None


def comparable(report: dict) -> bool:
    return report["session"]["duration"] >= MIN_S


def shown(key: str, value: float) -> float:
    """A figure's value as its card shows it: shares in whole percents, ratios to one decimal."""
    if key in ("talk_share", "open_questions"):
        return half_up(value * 100)
    if key == "reflections_questions":
        return value if value == float("inf") else half_up(value, 1)
    return value


def _trend(key: str, a: dict, b: dict, higher: bool,
           minutes: tuple[float, float] | None = None) -> str:
    if NONE not in (a["rating"], b["rating"]) and _RANK[b["rating"]] != _RANK[a["rating"]]:
        return "better" if _RANK[b["rating"]] > _RANK[a["rating"]] else "worse"
    va, vb = a["value"], b["value"]
    if minutes is not None and minutes[0] > 0 and minutes[1] > 0:
        va, vb = va / minutes[0], vb / minutes[1]  # counts: per minute
        if abs(vb - va) < 0.05:
            return "same"
    else:  # compare what the coachee sees: 57% -> 52% is five points, not 4.99
        va, vb = shown(key, va), shown(key, vb)
        if va == vb or abs(vb - va) < NOISE.get(key, 0):
            return "same"
    return "better" if (vb > va) == higher else "worse"
