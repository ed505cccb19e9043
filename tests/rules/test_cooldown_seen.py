"""The live cooldown counts what the coachee saw: a nudge held back (ASR late, budget,
focus, the trainer's nudge on the overlay) does not hold back the next one of its rule,
while the report still lists every held cue once per cooldown."""

from pullcoach.rules.engine import Engine, EngineConfig
from pullcoach.rules.events import (
    FocusChanged, NudgeIssued, Tick, TranscriptFinal,
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
