"""Since last time: a report's headline figures beside the coachee's previous session.

``previous_session(infos, session_id)`` finds that session among a store's sessions (the
newest earlier one with the same coachee name); ``progress(now, before)`` compares two
``report_data.build`` results figure by figure. Pure; the report modules render it.
"""

from __future__ import annotations

from pullcoach.report_data import FAIR, GOOD, NONE, POOR

__all__ = ["previous_session", "progress", "comparable", "PROGRESS_WORDS"]

# the figures compared, and whether a higher value is better
COMPARED = {
    "talk_share": False, "reflections_questions": True, "open_questions": True, "summaries": True,
    "interruptions": False, "argument_stacks": False, "push_words": False,
    "righting_reflexes": False, "monologues": False,
}
_RANK = {POOR: 0, FAIR: 1, GOOD: 2}
# counts compared per minute: a 2-minute role-play and a 26-second fragment are not alike
COUNTS = ("summaries", "interruptions", "argument_stacks", "push_words", "righting_reflexes", "monologues")
MIN_S = 30.0  # a shorter session (a false start, a fragment cut off) is compared with nothing

PROGRESS_WORDS = {
    "nl": {"since": "Sinds je vorige gesprek ({when})", "better": "beter", "worse": "slechter",
           "same": "gelijk"},
    "en": {"since": "Since your previous conversation ({when})", "better": "better",
           "worse": "worse", "same": "same"},
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
    trend better | worse | same, or None when nothing can be compared."""
    if not (now["analysed"] and before["analysed"] and comparable(now) and comparable(before)):
        return None
    minutes = before["session"]["duration"] / 60.0, now["session"]["duration"] / 60.0
    trends = {}
    for key, higher in COMPARED.items():
        a, b = before["figures"][key], now["figures"][key]
        if a["value"] is not None and b["value"] is not None and NONE not in (a["rating"], b["rating"]):
            trends[key] = _trend(a, b, higher, minutes if key in COUNTS else None)
    return {"session": before["session"], "before": before["figures"], "trends": trends} if trends else None


def comparable(report: dict) -> bool:
    return report["session"]["duration"] >= MIN_S


def _trend(a: dict, b: dict, higher: bool, minutes: tuple[float, float] | None = None) -> str:
    if _RANK[b["rating"]] != _RANK[a["rating"]]:
        return "better" if _RANK[b["rating"]] > _RANK[a["rating"]] else "worse"
    va, vb = a["value"], b["value"]
    if minutes is not None and minutes[0] > 0 and minutes[1] > 0:
        va, vb = va / minutes[0], vb / minutes[1]  # counts: per minute
        if abs(vb - va) < 0.05:
            return "same"
    elif va == vb or (isinstance(va, float) and abs(round(vb, 2) - round(va, 2)) < 0.05):
        return "same"  # shares and ratios: under five points (as shown) is noise
    return "better" if (vb > va) == higher else "worse"
