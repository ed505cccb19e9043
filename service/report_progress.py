"""Since last time: a report's headline figures beside the coachee's previous session.

``previous_session(infos, session_id)`` finds that session among a store's sessions (the
newest one with the same coachee name that had ended before this one began and whose audio
did not break off: two pairs at once with one coachee name are two people);
``progress(now, before)`` compares two ``report_data.build`` results figure by figure (none
where either one's audio broke off). Pure;
the report modules render it.

Each figure is compared by what its rating is about, as the card shows it (``measure``):
the longest stretch without a summary, not the number of summaries; the longest turn, not
the number of monologues; a share in whole percents. A row shows those two values, so its
word never contradicts them: better and worse only when they moved (beyond noise, or across
a rating band), and a change within the good band is no news (both good).
"""

from __future__ import annotations

from pullcoach.report_data import FAIR, GOOD, NONE, POOR, SHORT_S, problems, unheard_sides
from pullcoach.report_text import half_up
from pullcoach.rules.events import PipelineWarning, SessionEnded

__all__ = ["previous_session", "unheard_events", "ran_apart", "one_at_a_time", "broke_off", "broke_off_events",
           "wrong_language", "wrong_language_events", "progress", "halves", "comparable", "measure", "both_good", "PROGRESS_WORDS"]

# the figures compared, and whether a higher value (``measure``'s) is better
COMPARED = {
    "talk_share": False, "reflections_questions": True, "open_questions": True, "summaries": False,
    "interruptions": False, "argument_stacks": False, "push_words": False,
    "righting_reflexes": False, "monologues": False, "speaking_rate": False,
}
_RANK = {POOR: 0, FAIR: 1, GOOD: 2}
# a session that ended up to this long after another began did not run beside it (the
# store's start is the wall clock when it was made, its length the audio's)
SLACK_S = 5.0
MIN_S = SHORT_S  # a shorter session (a false start, a fragment cut off) is compared with nothing
# a change under this, in what the row shows, is noise: five points of a share, 10 words a
# minute, 10 seconds of a stretch (a ratio: any change; a count: COUNT_NOISE). Counts are
# compared as counted, not per minute: the card rates them as counted ("2" is fair in any length), and
# "2 -> 2 (better)" for a longer call said what no shown number did; a fragment under MIN_S
# is compared with nothing
NOISE = {"talk_share": 5, "open_questions": 5, "speaking_rate": 10, "summaries": 10, "monologues": 10}
# a count that moved less than this share of the larger of its two values, within one band, is
# noise too: "42 → 41 (beter)" told a coachee who interrupted 83 times that halves differed
COUNT_NOISE = {"interruptions": 0.2, "argument_stacks": 0.2, "push_words": 0.2, "righting_reflexes": 0.2}
SHORT = ("talk_share", "speaking_rate")  # no value: too little speech to measure
COUNTS = ("interruptions", "argument_stacks", "push_words", "righting_reflexes")
# a call the trainer cut short says more by its length than by its counts (ended at 0:43
# after one of 1:02, it read as "Pushwoorden 4 → 3 beter"): counts then are not compared
SAME_LENGTH = 0.75

PROGRESS_WORDS = {
    "nl": {"halves": "In de loop van dit gesprek: eerste helft ({a}) → tweede helft ({b})",
           "since": "Sinds je vorige gesprek ({when})", "better": "beter", "worse": "slechter",
           "same": "gelijk", "both_good": "beide goed", "short": "te kort om te beoordelen",
           "unrated": "niet te vergelijken"},
    "en": {"halves": "Over this conversation: first half ({a}) → second half ({b})",
           "since": "Since your previous conversation ({when})", "better": "better",
           "worse": "worse", "same": "same", "both_good": "both good", "short": "too short to rate",
           "unrated": "cannot be compared"},
}


def _name(info: dict) -> str:
    return " ".join(str(info.get("coachee") or "").split()).casefold()


def previous_session(infos: list[dict], session_id: str, events=None) -> str | None:
    """The newest session that had ended before ``session_id`` began, by a coachee of the
    same name (a session still live does not count). One that ran at the same time (not
    ``ran_apart``) was another pair's: two people with one name. The default name
    "coachee" (``run`` without --coachee-name, on one's own laptop) also needs the same
    language: it names nobody. Where two sessions of the name ran at the same time up to
    this one's end (``one_at_a_time``), two people have it: only one with the same partner's
    name is theirs.
    A session whose audio broke off is no yardstick (one side silent from the break: "89% →
    51% beter" was the broken file, not the coachee): one ended by an audio error is passed
    over by its row; with ``events`` (a session's events by id, ``store.events``) so is one
    whose replayed file broke off, for the whole one before it, and one coached in the other
    language than was spoken (its ``language`` warning: "0% → 100% open questions" was the
    Dutch rules on English words), and one where no sound came from the coachee's side for
    most of it (``unheard_events``: "Spreektijd 0% → 50% slechter" was a dead channel)."""
    me = next((s for s in infos if s["id"] == session_id), None)
    if me is None or not me.get("started_wall"):
        return None
    unnamed = _name(me) in ("", "coachee")
    earlier = [s for s in infos if s["id"] != session_id and s.get("status") != "live"
               and _name(s) == _name(me) and 0 < (s.get("started_wall") or 0) < me["started_wall"]
               and ran_apart(s["started_wall"], s.get("duration") or 0.0, me["started_wall"])
               and (s.get("duration") or 0.0) >= MIN_S and s.get("reason") != "error"
               and (not unnamed or s.get("lang") == me.get("lang"))]
    named = [(s["started_wall"], s.get("duration") or 0.0) for s in infos if _name(s) == _name(me)
             and 0 < (s.get("started_wall") or 0) < me["started_wall"] + (me.get("duration") or 0.0)]
    if not one_at_a_time(named):
        earlier = [s for s in earlier if _partner(s) == _partner(me)]
    for s in sorted(earlier, key=lambda s: s["started_wall"], reverse=True):
        if events is None:
            return s["id"]
        log = events(s["id"])
        if not (broke_off_events(log) or wrong_language_events(log) or "coachee" in unheard_events(log)):
            return s["id"]
    return None


def _partner(info: dict) -> str:
    return " ".join(str(info.get("partner") or "").split()).casefold()


def one_at_a_time(spans: list[tuple[float, float]]) -> bool:
    """No two of ``spans`` (``(started_wall, seconds)``) ran side by side (``ran_apart``)."""
    end = None  # the latest end so far: a long one may outlast several after it
    for wall, length in sorted(spans):
        if end is not None and not ran_apart(end, 0.0, wall):
            return False
        end = max(end or wall, wall + length)
    return True


def ran_apart(before_wall: float, before_s: float, wall: float) -> bool:
    """A session begun at ``before_wall`` and lasting ``before_s`` seconds had ended when one
    began at ``wall`` (within ``SLACK_S``): the two did not run side by side."""
    return before_wall + before_s <= wall + SLACK_S


def unheard_events(events: list) -> list[str]:
    """The speakers a session's log says gave no sound for most of it
    (``report_data.unheard_sides``), from its warnings alone."""
    warnings = [{"t": e.t, "kind": e.kind, "message": e.message, "detail": e.detail}
                for e in events if isinstance(e, PipelineWarning)]
    end = max((max(getattr(e, "t", 0.0), getattr(e, "t1", 0.0)) for e in events), default=0.0)
    return unheard_sides(problems(warnings, end), end)


def broke_off_events(events: list) -> bool:
    """The log says the audio broke off: a replayed file cut short or damaged (its
    ``channel-stalled`` warning, cause ``file-broken``) or an audio error that ended it."""
    return any((isinstance(e, PipelineWarning) and e.kind == "channel-stalled"
                and (e.detail or {}).get("cause") == "file-broken")
               or (isinstance(e, SessionEnded) and e.reason == "error") for e in events)


def wrong_language_events(events: list) -> dict | None:
    """The log's ``language`` warning: the words were the other language than the session
    was coached in (its labels and figures are the wrong rules'); ``{"heard", "lang"}``."""
    w = next((e for e in events if isinstance(e, PipelineWarning) and e.kind == "language"), None)
    return _heard(w.detail) if w else None


def wrong_language(report: dict) -> dict | None:
    """``wrong_language_events`` for a ``report_data.build`` result."""
    w = next((w for w in report.get("warnings", ()) if w["kind"] == "language"), None)
    return _heard(w.get("detail")) if w else None


def _heard(detail) -> dict:
    d = detail or {}
    return {"heard": d.get("heard", "?"), "lang": d.get("lang", "?")}


def broke_off(report: dict) -> bool:
    """``broke_off_events`` for a ``report_data.build`` result."""
    return report["session"].get("reason") == "error" or any(
        p.get("cause") == "file-broken" for p in report.get("problems", ()))


def progress(now: dict, before: dict) -> dict | None:
    """``{"session": before's session, "before": its figures, "trends": {key: trend}}`` with
    trend better | worse | same (a row says "both good" for same where both are), or short |
    unrated where a figure shows on one side only (too little speech to measure; no
    questions to count), or None when nothing can be compared. Every figure shown on either
    side is listed: a figure the card could not rate (summaries in a call under a minute) is
    compared by its measure. A ``before`` whose audio broke off (``broke_off``) is no
    yardstick, and a ``now`` whose audio broke off has no figures to set beside it (one side
    silent from the break, or the rest missing: "51% → 89% slechter" was the file): None.
    Nor is one coached in the other language than was spoken (``wrong_language``)."""
    if not (now["analysed"] and before["analysed"] and comparable(now) and comparable(before)):
        return None
    if broke_off(before) or broke_off(now) or wrong_language(before) or wrong_language(now):
        return None
    if "coachee" in before.get("unheard", ()) or "coachee" in now.get("unheard", ()):
        return None  # a dead coachee channel: nothing of theirs to set beside anything
    trends = {}
    lengths = sorted((before["session"]["duration"], now["session"]["duration"]))
    cut = any(r["session"].get("reason") == "trainer" for r in (before, now))
    unequal = cut and lengths[0] < SAME_LENGTH * lengths[1]
    for key, higher in COMPARED.items():
        a, b = before["figures"][key], now["figures"][key]
        if a.get("unrated") or b.get("unrated"):
            continue  # rated nothing on one side (no sound from the partner): no comparison
        if unequal and key in COUNTS:
            continue
        if key == "summaries" and not (a.get("value") or b.get("value")):
            continue  # no summary on either side: each "longest stretch without" is a call's length
        va, vb = measure(key, a), measure(key, b)
        if va is None and vb is None:
            continue  # "— → —": nothing to say
        if va is None or vb is None:
            trends[key] = "short" if key in SHORT else "unrated"
        else:
            trends[key] = _trend(key, a, b, higher)
    return {"session": before["session"], "before": before["figures"], "trends": trends} if trends else None


def halves(report: dict) -> dict | None:
    """The call's second half beside its first (``report["halves"]``), as ``progress``
    compares two calls but only the figures that moved (better or worse):
    ``{"first", "second", "before", "trends"}``, or None for a short call or where nothing
    moved."""
    parts = report.get("halves")
    if not parts or not report["analysed"]:
        return None
    first, second = ({"analysed": True, "session": {"duration": p["t1"] - p["t0"]}, "figures": p["figures"]}
                     for p in parts)
    since = progress(second, first)
    trends = {k: t for k, t in (since or {}).get("trends", {}).items() if t in ("better", "worse")}
    if not trends:
        return None
    return {"first": parts[0], "second": parts[1], "before": parts[0]["figures"],
            "after": parts[1]["figures"], "trends": trends}


def both_good(before: dict, now: dict) -> bool:
    """Good on both sides: whatever moved within the band is no news."""
    return before.get("rating") == GOOD and now.get("rating") == GOOD


def comparable(report: dict) -> bool:
    return report["session"]["duration"] >= MIN_S


def shown(key: str, value: float) -> float:
    """A figure's value as its card shows it: shares in whole percents, ratios to one decimal."""
    if key in ("talk_share", "open_questions"):
        return half_up(value * 100)
    if key == "reflections_questions":
        return value if value == float("inf") else half_up(value, 1)
    return value


def measure(key: str, figure: dict) -> float | None:
    """What ``figure``'s rating is about, as the card shows it; None where there is none.
    Summaries: the longest stretch without one, in whole seconds; monologues: the longest
    turn (none when the coachee never spoke); the rest: the card's big number."""
    if figure.get("value") is None:
        return None
    if key == "summaries":
        return int(figure["longest_gap"])
    if key == "monologues":
        return int(figure["longest_turn"]) if figure["rating"] != NONE else None
    return shown(key, figure["value"])


def _trend(key: str, a: dict, b: dict, higher: bool) -> str:
    """better | worse | same for the values ``measure`` gives, as the row shows them."""
    va, vb = measure(key, a), measure(key, b)
    if va == vb:
        return "same"
    moved = "better" if (vb > va) == higher else "worse"
    if both_good(a, b):
        return "same"  # within the good band: no news
    if NONE not in (a["rating"], b["rating"]) and _RANK[b["rating"]] != _RANK[a["rating"]]:
        by_rating = "better" if _RANK[b["rating"]] > _RANK[a["rating"]] else "worse"
        if by_rating == moved:
            return moved  # across a band edge: news however small the step
    if abs(vb - va) < NOISE.get(key, 0) or abs(vb - va) < COUNT_NOISE.get(key, 0) * max(va, vb):
        return "same"
    return moved
