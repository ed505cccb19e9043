"""The interruptions card adds up, and every card's yardstick is read from what it is rated
by: the rule configs the session's engine ran with, not words written out by hand."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_report_reading import scripted  # noqa: E402

from pullcoach.report import build, render
from pullcoach.rules.argument_stacking import ArgumentStackingConfig
from pullcoach.rules.engine import Engine, EngineConfig
from pullcoach.rules.events import (
    NudgeIssued, SessionEnded, SessionStarted, SpeechEnded, SpeechStarted, Tick, TranscriptFinal,
)
from pullcoach.rules.monologue import MonologueConfig
from pullcoach.rules.speaking_rate import SpeakingRateConfig
from pullcoach.rules.too_few_summaries import TooFewSummariesConfig

# (speaker, t0, t1, text): the coachee cuts in once (Bert stops), tries once (Bert talks
# on), says "ja" under Bert, and takes over once as Bert finishes
OVERLAPS = [
    ("partner", 0.0, 10.0, "Ik werk thuis veel liever, daar heb ik rust en ik hoef niet te reizen."),
    ("coachee", 3.0, 12.0, "Op kantoor werken we beter samen en het is er ook gezelliger."),
    ("partner", 20.0, 30.0, "Ik heb het geprobeerd, maar dan moet ik de kinderen eerder brengen."),
    ("coachee", 22.0, 23.5, "Maar wacht even."),
    ("coachee", 26.0, 26.3, "Ja."),
    ("partner", 40.0, 45.0, "Dus daarom blijf ik het liefst thuis werken."),
    ("coachee", 44.8, 50.0, "Wat zou een dag op kantoor jou kunnen opleveren?"),
]


def engine_session(script, lang="nl"):
    """``script`` through the real rule engine, as a session feeds it: the log it stores."""
    timed = []
    for speaker, t0, t1, text in script:
        timed += [SpeechStarted(t=t0, speaker=speaker), SpeechEnded(t=t1, speaker=speaker),
                  TranscriptFinal(t=t1 + 0.5, speaker=speaker, t0=t0, t1=t1, text=text)]
    end = max(r[2] for r in script) + 2.0
    timed += [Tick(t=i / 10) for i in range(int(end * 10) + 1)]
    order = {SpeechEnded: 0, SpeechStarted: 1, TranscriptFinal: 2, Tick: 3}
    engine = Engine(lang="nl", config=EngineConfig(plugins=False))
    log: list = [SessionStarted(session="s", lang=lang, wall_clock=1_760_000_000.0,
                                coachee="Anna", partner="Bert")]
    for e in [*sorted(timed, key=lambda e: (e.t, order[type(e)])), SessionEnded(t=end)]:
        log += [e, *engine.feed(e)]
    return log


def _card(html: str, label: str) -> str:
    m = re.search(r'<div class="label">' + re.escape(label) + r'</div><div class="value">(.*?)</div>'
                  r'(?:<div class="status">.*?</div>)?<div class="yard">(.*?)</div>', html)
    assert m, label
    return f"{m.group(1)} | {m.group(2)}"


def test_the_interruptions_card_adds_up_and_says_what_it_left_out():
    log = engine_session(OVERLAPS)
    it = build(log)["figures"]["interruptions"]
    # the engine's own overlap classes: one each
    assert it["classes"] == {"competitive": 1, "failed": 1, "backchannel": 1, "smooth": 1}
    # the number is the interruptions (each a moment of the report), split as the engine split them
    assert (it["value"], it["cut_in"], it["tried"]) == (2, 1, 1)
    assert it["not_counted"] == {"backchannel": 1, "smooth": 1}
    html = render(log, "html")
    assert _card(html, "Onderbrekingen door coachee") == (
        "2 <small>1 keer ingebroken + 1 keer geprobeerd, de ander praatte door</small> | doel 0 · "
        "niet meegeteld: 1 luistersignaal (‘ja’, ‘hm’), 1 vloeiende beurtwissel · door partner: 0")
    assert ("| 🟡 Onderbrekingen door coachee | **2 (1 keer ingebroken + 1 keer geprobeerd, de ander "
            "praatte door)** (≈ redelijk) | doel 0 · niet meegeteld: 1 luistersignaal (‘ja’, ‘hm’), "
            "1 vloeiende beurtwissel · door partner: 0 |") in render(log, "md")
    en = [replace(log[0], lang="en"), *log[1:]]
    assert _card(render(en, "html"), "Interruptions by coachee") == (
        "2 <small>cut in 1× + tried 1×, they kept talking</small> | target 0 · "
        "not counted: 1 backchannel (‘yes’, ‘hm’), 1 smooth handover · by partner: 0")
    assert "**2 (cut in 1× + tried 1×, they kept talking)**" in render(en, "md")


def test_no_interruption_says_none_was_counted_not_a_breakdown_beside_zero():
    log = engine_session([OVERLAPS[0], ("coachee", 10.3, 14.0, "Wat maakt thuis werken zo fijn?"),
                          ("partner", 15.0, 25.0, "De rust, en ik zie de kinderen vaker."),
                          ("coachee", 18.0, 18.3, "Hm.")])
    card = _card(render(log, "html"), "Onderbrekingen door coachee")
    assert card == "0 | doel 0 · niet meegeteld: 1 luistersignaal (‘ja’, ‘hm’) · door partner: 0"


def test_two_interruptions_the_partner_gave_way_to_are_two_cut_ins():
    log = engine_session([("partner", 0.0, 10.0, "Ik werk thuis veel liever."),
                          ("coachee", 3.0, 12.0, "Op kantoor werken we beter samen."),
                          ("partner", 30.0, 40.0, "Maar ik heb thuis meer rust."),
                          ("coachee", 35.0, 42.0, "Rust heb je op kantoor ook.")])
    assert _card(render(log, "html"), "Onderbrekingen door coachee").startswith(
        "2 <small>2 keer ingebroken</small> | doel 0 · door partner: 0")


# --- yardsticks --------------------------------------------------------------------------

def _gappy(gap_s: float, *, turn_s: float = 30.0):
    """A 6-minute session whose longest stretch without a reflection is ``gap_s`` and whose
    longest coachee turn is ``turn_s``; the coachee speaks 210 words a minute to Bert's 150."""
    lines, t = [], 0.0
    said = " ".join(["woord"] * int(210 * turn_s / 60))
    while t + gap_s <= 360.0:
        lines.append(("partner", t + 1.0, t + 21.0, " ".join(["woord"] * 50), {}))
        lines.append(("coachee", t + gap_s - turn_s, t + gap_s, said, {"reflection": True}))
        t += gap_s
    nudges = [NudgeIssued(t=u[2] + 0.5, rule="good-summary", message="✓", kind="positive", evidence_t=u[1])
              for u in lines if u[0] == "coachee"]
    return scripted(lines, nudges, end=360.0)


def _yards(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r"\| \S+ ([^|]+?) \| \*\*.*?\*\*.*? \| (.*?) \|", text)}


def test_yardsticks_are_the_built_in_rules_numbers_by_default():
    yards = _yards(render(_gappy(100.0), "md"))
    assert yards["Samenvattingen"] == "goed: minstens elke 2 min · redelijk: elke 4 min · een reflectie telt mee"
    assert yards["Monologen"] == "beurt goed tot 1:16 · redelijk tot 1:30 · daarna een monoloog"
    assert yards["Spreektempo"].endswith("goed ≤ 200 · te snel: \\> 220 en 30% sneller dan de partner")
    assert yards["Argumentstapels"] == "doel 0 · een stapel: 3 argumenten op rij, zonder vraag ertussen"
    assert yards["Spreektijd coachee"] == "doel 30% · goed ≤ 35% · redelijk ≤ 50%"
    assert yards["Open vragen"] == "de helft open redelijk · 70% goed (MITI)"
    en = _yards(render([replace(_gappy(100.0)[0], lang="en"), *_gappy(100.0)[1:]], "md"))
    assert en["Good reflections"] == "good: a reflection at least every 2 min · fair: every 4 min · summaries count too"
    assert en["Speaking rate"].endswith("good ≤ 200 · too fast: \\> 220 and 30% faster than the partner")


CUSTOM = EngineConfig(rule_configs={
    "too-few-summaries": TooFewSummariesConfig(max_gap_s=90.0),
    "monologue": MonologueConfig(max_s=60.0),
    "speaking-rate": SpeakingRateConfig(max_wpm=205.0, partner_factor=1.25),
    "argument-stacking": ArgumentStackingConfig(max_arguments=4)})


def test_a_changed_threshold_changes_the_text_and_the_rating_with_it():
    events = _gappy(100.0)
    before, after = build(events)["figures"], build(events, config=CUSTOM)["figures"]
    # 100 s without a summary is within the built-in 2 minutes, not within 90 s
    assert (before["summaries"]["rating"], after["summaries"]["rating"]) == ("good", "fair")
    # 210 words a minute, 40% above Bert: too fast once the rule says over 205 and 25% faster
    assert (before["speaking_rate"]["rating"], after["speaking_rate"]["rating"]) == ("fair", "poor")
    yards = _yards(render(events, "md", config=CUSTOM))
    assert yards["Samenvattingen"] == "goed: minstens elke 90 s · redelijk: elke 3 min · een reflectie telt mee"
    assert yards["Monologen"] == "beurt goed tot 1:00 · daarna een monoloog"
    assert yards["Spreektempo"].endswith("goed ≤ 200 · te snel: \\> 205 en 25% sneller dan de partner")
    assert yards["Argumentstapels"] == "doel 0 · een stapel: 4 argumenten op rij, zonder vraag ertussen"
    # a rule the engine had off is not quoted
    off = _yards(render(events, "md", config=EngineConfig(disabled=("monologue", "argument-stacking"))))
    assert off["Monologen"] == "beurt goed tot 1:16 · redelijk tot 2:00"
    assert off["Argumentstapels"] == "doel 0"


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_a_figure_stored_without_its_yardstick_gets_the_built_in_one(fmt):
    """The debrief renders figures of reports built before; a figure without ``yardstick``
    is worded by the built-in rules."""
    from pullcoach.report_html import figure_cells
    from pullcoach.report_text import words
    figures = build(_gappy(100.0))["figures"]
    for f in figures.values():
        f.pop("yardstick")
    yard = {k: y for k, _, _, _, y in figure_cells(figures, words("nl"))}
    assert yard["summaries"].startswith("goed: minstens elke 2 min")


def test_a_session_run_with_a_packs_numbers_is_rated_by_them_when_reported_later():
    """A trainer's pack said "Vat samen" after 90 s and a monologue from 1:00; the engine ran
    with that, but the report (written when the session ended, or later from the store) rated
    the cards by the built-in 2 minutes. The session's start now logs the pack's numbers, and
    the report reads them; a key this version does not know is left out."""
    events = _gappy(100.0)
    events[0] = replace(events[0], settings={"too-few-summaries.seconds": 90, "monologue.seconds": 60,
                                             "no-such-rule.seconds": 5, "speaking-rate.wpm": "fast"})
    assert build(events)["figures"]["summaries"]["rating"] == "fair"
    yards = _yards(render(events, "md"))
    assert yards["Samenvattingen"] == "goed: minstens elke 90 s · redelijk: elke 3 min · een reflectie telt mee"
    assert yards["Monologen"] == "beurt goed tot 1:00 · daarna een monoloog"
    assert yards["Spreektempo"].endswith("te snel: \\> 220 en 30% sneller dan de partner")
    # through the event log as stored: the start keeps its settings
    from pullcoach.rules.events import from_json, to_json
    assert from_json(to_json(events[0])).settings["too-few-summaries.seconds"] == 90


def test_a_live_session_logs_its_packs_numbers_at_its_start(tmp_path):
    from types import SimpleNamespace

    from pullcoach.cmd_replay import make_engine
    from pullcoach.rules.events import SessionStarted
    from pullcoach.session import LiveSession
    pack = tmp_path / "beginners.toml"
    pack.write_text('extends = "nl"\n[settings]\ntoo-few-summaries.seconds = 180\n'
                    'seconds-between-nudges = 40\n', encoding="utf-8")
    starts = []
    for engine in (make_engine("nl", rules=str(pack)), make_engine("nl")):
        session = LiveSession(SimpleNamespace(), transcriber=SimpleNamespace(config=SimpleNamespace(workers=1)),
                              lang="nl", engine=engine)
        session.add_sink(lambda sid, e: starts.append(e) if isinstance(e, SessionStarted) else None)
        session._start()
    assert [s.settings for s in starts] == [{"too-few-summaries.seconds": 180, "seconds-between-nudges": 40}, {}]
