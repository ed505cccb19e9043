"""The live cooldown counts what the coachee saw: a nudge held back (ASR late, budget,
focus, the trainer's nudge on the overlay) does not hold back the next one of its rule,
while the report still lists every held cue once per cooldown."""

from hypothesis import HealthCheck, given, settings, strategies as st

from pullcoach.rules.engine import Engine, EngineConfig
from pullcoach.rules.events import (
    FocusChanged, NudgeIssued, SessionEnded, SpeechEnded, SpeechStarted, Tick, TranscriptFinal,
)

C, P = "coachee", "partner"
PUSH = "Je moet gewoon naar kantoor komen."  # righting-reflex and push-words


def push(t1, lag=0.0):
    """The coachee's push ending at ``t1``, its transcript ``lag`` s later."""
    return [Tick(t=t1 + lag), TranscriptFinal(t=t1 + lag, speaker=C, t0=t1 - 1, t1=t1, text=PUSH)]


def feed(events, **cfg):
    engine = Engine("nl", config=EngineConfig(plugins=False, **cfg))
    out = []
    for e in events:
        out += engine.feed(e)
    return [(n.rule, n.t, n.delivered, n.detail.get("held"), n.detail.get("late_s"), bool(n.detail.get("repeat")))
            for n in out if isinstance(n, NudgeIssued) and n.kind != "trainer"]


def test_a_nudge_gone_report_only_for_late_text_does_not_hold_back_the_next():
    # the QA's push session: Herstelreflex at 0:30 came 8 s late (report only); the one at 0:48
    # is the first the coachee can see, not a repeat
    ns = feed([*push(22.0, lag=8.0), *push(48.0)], disabled=("argument-stacking",))
    reflex = [n for n in ns if n[0] == "righting-reflex"]
    assert reflex == [("righting-reflex", 30.0, False, None, 8.0, False),
                      ("righting-reflex", 48.0, True, None, None, False)]


def test_a_nudge_held_for_the_budget_does_not_start_its_cooldown():
    # at 1 s the reflex takes the budget and push-words waits; at 25 s the budget is free and the
    # coachee has never seen push-words: it is shown (the reflex, seen at 1 s, is a repeat)
    ns = feed([*push(1.0), *push(25.0)], disabled=("argument-stacking",))
    assert ns == [("righting-reflex", 1.0, True, None, None, False),
                  ("push-words", 1.0, False, "budget", None, False),
                  ("righting-reflex", 25.0, False, None, None, True),
                  ("push-words", 25.0, True, None, None, False)]


def test_a_rule_out_of_focus_is_listed_once_per_cooldown_and_shown_when_it_comes_into_focus():
    only = ("righting-reflex", "argument-stacking")
    out_of_focus = feed([*push(1.0), *push(10.0)], disabled=only, focus=("closed-questions",))
    assert out_of_focus == [("push-words", 1.0, False, "focus", None, False)]  # the report's own cooldown
    ns = feed([*push(1.0), FocusChanged(t=5.0, rules=("push-words",)), *push(10.0)],
              disabled=only, focus=("closed-questions",))
    assert ns == [("push-words", 1.0, False, "focus", None, False),
                  ("push-words", 10.0, True, None, None, False)]


def test_a_nudge_dropped_under_the_trainers_nudge_does_not_start_its_cooldown():
    trainer = NudgeIssued(t=0.5, rule="trainer", message="Vraag door", kind="trainer")
    ns = feed([Tick(t=0.5), trainer, *push(2.0), *push(25.0)], disabled=("righting-reflex", "argument-stacking"))
    assert ns == [("push-words", 2.0, False, "trainer", None, False),
                  ("push-words", 25.0, True, None, None, False)]


# random conversations, as in test_properties.py
LINES = [
    "Je moet gewoon weer naar kantoor komen, want we zijn een team.",
    "Bovendien is het gezellig en daarnaast werkt het beter.",
    "Heb je dat gemeten?", "Is het niet makkelijker thuis?", "Wat maakt het lastig voor je?",
    "Als ik je goed begrijp heb je last van de prikkels.", "Ja.", "Hm.", "Precies.",
    "Ja maar thuis werk ik beter.", "Als ik jou was zou ik een koptelefoon kopen.",
    "Zullen we twee dagen afspreken, want dan zien we elkaar.", "Mag ik een tip geven?",
]
RANK = {SpeechEnded: (1, 0), SpeechStarted: (1, 1), TranscriptFinal: (2, 0), Tick: (3, 0)}
convo = st.lists(st.tuples(st.sampled_from([C, P]), st.floats(0.2, 4.0), st.floats(0.3, 25.0),
                           st.sampled_from(LINES)), min_size=2, max_size=14)


def canonical(utts):
    evs, free, clock = [], {C: 0.0, P: 0.0}, 0.0
    for speaker, gap, dur, text in utts:
        start = round(max(clock + gap - 1.5, free[speaker] + 0.5), 1)
        end = free[speaker] = round(start + dur, 1)
        clock = max(clock, start)
        evs += [SpeechStarted(t=start, speaker=speaker), SpeechEnded(t=end, speaker=speaker),
                TranscriptFinal(t=end, speaker=speaker, t0=start, t1=end, text=text)]
    evs += [Tick(t=round(i * 0.1, 1)) for i in range(int(max(e.t for e in evs) * 10) + 5)]
    return sorted(evs, key=lambda e: (e.t, *RANK[type(e)]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(convo)
def test_cooldowns_count_shown_nudges_and_the_report_lists_a_held_cue_once_per_cooldown(utts):
    evs = canonical(utts)
    engine = Engine("nl", config=EngineConfig(plugins=False))
    out = [n for e in [*evs, SessionEnded(t=evs[-1].t + 0.1)] for n in engine.feed(e)]
    cfg = engine.config
    shown: dict = {}
    listed: dict = {}
    for n in sorted((n for n in out if isinstance(n, NudgeIssued)), key=lambda n: n.t):
        if n.detail.get("repeat"):
            assert not n.delivered and n.rule in cfg.report_repeats
            continue
        cd = cfg.cooldowns.get(n.rule, cfg.default_cooldown_s)
        live = n.detail.get("by") == "overlap"
        key = (n.rule, live)  # one cooldown per lane; the text lane also waits for live cues
        for clock in ([shown] if n.delivered else [shown, listed]):
            for k in [key] if live else [key, (n.rule, True)]:
                assert k not in clock or n.t - clock[k] >= cd or (k != key and n.t == clock[k])
        listed[key] = n.t
        if n.delivered:
            shown[key] = n.t
