"""The nudge policy, packs and plugins."""

import pytest

from pullcoach.rules.base import Candidate
from pullcoach.rules.engine import Engine, EngineConfig
from pullcoach.rules.events import NudgeIssued, Tick, TranscriptFinal
from pullcoach.rules.pack import PackError, load_pack, parse_pack
from pullcoach.rules.plugins import PluginError

C, P = "coachee", "partner"
PUSH = "Je moet gewoon naar kantoor komen."


def pushes(times):
    out = []
    for t in times:
        out += [TranscriptFinal(t=t, speaker=C, t0=t - 1, t1=t, text=PUSH), Tick(t=t)]
    return out


def feed(engine, events):
    out = []
    for e in events:
        out += engine.feed(e)
    return [n for n in out if isinstance(n, NudgeIssued)]


def test_cooldown_drops_repeats_and_budget_holds_back_delivery():
    e = Engine("nl", config=EngineConfig(plugins=False, disabled=("righting-reflex",)))
    ns = feed(e, pushes([1.0, 10.0, 40.0, 50.0]))
    assert [n.t for n in ns if n.rule == "push-words"] == [1.0, 40.0]  # cooldown 30 s
    stacked = [n for n in ns if n.rule == "argument-stacking"]  # 3 persuading units by 40 s
    # same event, one budget: the higher-priority rule is delivered, the other kept for the report
    assert [(n.t, n.delivered) for n in stacked] == [(40.0, True)]
    assert [n.delivered for n in ns if n.rule == "push-words"] == [True, False]
    e = Engine("nl", config=EngineConfig(plugins=False))
    ns = feed(e, pushes([1.0]))
    assert [(n.rule, n.delivered) for n in ns] == [("righting-reflex", True), ("push-words", False)]


def test_positive_nudges_are_quiet_and_skip_the_budget():
    e = Engine("nl", config=EngineConfig(plugins=False, disabled=("righting-reflex",)))
    ns = feed(e, [TranscriptFinal(t=3.0, speaker=P, t0=0, t1=3, text="Het is zo druk op kantoor met al die telefoons en collega's die langskomen."),
                  *pushes([5.0]),
                  TranscriptFinal(t=9.0, speaker=C, t0=6, t1=9, text="Als ik je goed begrijp is het je te druk.")])
    assert [(n.rule, n.kind, n.delivered) for n in ns] == [("push-words", "negative", True),
                                                           ("good-summary", "positive", True)]


def test_a_trainer_nudge_holds_the_overlay_and_uses_the_budget():
    # what the overlays do: the trainer's nudge stays 9 s and drops what comes meanwhile;
    # the engine says so instead of counting those as delivered
    e = Engine("nl", config=EngineConfig(plugins=False, disabled=("righting-reflex",)))
    partner = TranscriptFinal(t=3.0, speaker=P, t0=0, t1=3,
                              text="Het is zo druk op kantoor met al die telefoons en collega's die langskomen.")
    trainer = NudgeIssued(t=4.0, rule="trainer", message="Vraag door", kind="trainer")
    summary = TranscriptFinal(t=9.0, speaker=C, t0=6, t1=9, text="Als ik je goed begrijp is het je te druk.")
    ns = feed(e, [partner, trainer, summary, *pushes([20.0, 51.0])])
    got = [(n.rule, n.t, n.delivered, n.detail.get("held")) for n in ns if n.kind != "trainer"]
    assert got == [("good-summary", 9.0, False, "trainer"),     # inside its 9 s
                   ("push-words", 20.0, False, "budget"),       # 16 s after it
                   ("push-words", 51.0, True, None)]            # 47 s after it
    # without the trainer's nudge the same events deliver both
    e = Engine("nl", config=EngineConfig(plugins=False, disabled=("righting-reflex",)))
    ns = feed(e, [partner, summary, *pushes([20.0, 51.0])])
    assert [(n.rule, n.delivered) for n in ns][:2] == [("good-summary", True), ("push-words", True)]


def test_messages_come_from_the_pack():
    assert load_pack("en").message("too-few-summaries") == "Summarise"
    assert load_pack("nl").message("talk-ratio") == "Luister"
    with pytest.raises(PackError, match="unknown phrase list"):
        parse_pack('extends = "nl"\n[phrases]\nmoeten = ["x"]\n')
    with pytest.raises(PackError, match="not valid TOML"):
        parse_pack("lang = ")


class Shouting:
    """A third-party rule: nudges on any coachee utterance in capitals."""
    name = "shouting"
    kind = "negative"
    message = "Zachter"

    def __init__(self, pack):
        self.pack = pack

    def feed(self, event, ctx):
        if isinstance(event, TranscriptFinal) and event.speaker == C and event.text.isupper():
            return [Candidate(self.name, event.t, event.t0)]
        return []


class FakeEntryPoint:
    def __init__(self, name, obj):
        self.name, self.value, self.obj = name, f"fake:{name}", obj

    def load(self):
        return self.obj


def test_entry_point_rules_get_events_and_policy():
    eps = lambda group: [FakeEntryPoint("shouting", Shouting)] if group == "pullcoach.rules" else []
    e = Engine("nl", config=EngineConfig(focus=("push-words",)), entry_points=eps)
    ns = feed(e, [TranscriptFinal(t=2.0, speaker=C, t0=0, t1=2, text="NU NAAR KANTOOR"), Tick(t=2.0)])
    assert [(n.rule, n.message, n.delivered) for n in ns] == [("shouting", "Zachter", False)]


def test_broken_or_clashing_plugins_are_named_and_left_out(caplog):
    from pullcoach.rules.plugins import load_plugins
    eps = lambda group: [FakeEntryPoint("dup", lambda pack: type("R", (), {"name": "monologue", "feed": lambda s, e, c: []})())]
    with pytest.raises(PluginError, match="taken rule name"):
        load_plugins(load_pack("nl"), {"monologue"}, entry_points=eps, strict=True)
    def boom(pack):
        raise RuntimeError("no")
    with caplog.at_level("INFO", logger="pullcoach.rules.plugins"):  # the session's rule-off says it
        e = Engine("nl", entry_points=lambda group: [FakeEntryPoint("boom", boom)])
    assert "boom" not in [r.name for r in e.rules] and "monologue" in [r.name for r in e.rules]
    assert "'boom' (fake:boom) failed to load: RuntimeError: no" in caplog.text
    assert [w.detail["plugin"] for w in e.rules_off] == ["boom"]


def test_the_gate_waits_for_a_final_of_its_own_for_speech_that_started_after_the_last_one():
    from pullcoach.rules.events import SpeechEnded, SpeechStarted
    from pullcoach.rules.gate import Gate

    g = Gate()
    for e in (SpeechStarted(t=2.3, speaker=C), SpeechEnded(t=22.6, speaker=C),
              SpeechStarted(t=23.1, speaker=C), SpeechEnded(t=23.4, speaker=C), Tick(t=23.5)):
        g.push(e)
    # the first final (0.5 s before the second segment began) does not cover the second
    out = g.push(TranscriptFinal(t=22.6, speaker=C, t0=2.3, t1=22.6, text="Wat maakt het lastig?"))
    kinds = lambda evs: [(type(e).__name__, e.t) for e in evs]  # noqa: E731
    assert kinds(out) == [("TranscriptFinal", 22.6), ("SpeechStarted", 23.1), ("SpeechEnded", 23.4)]
    assert g.push(Tick(t=25.4)) == []  # held: the second segment's text may come first
    out = g.push(TranscriptFinal(t=23.4, speaker=C, t0=23.1, t1=23.4, text="Als ik jou was"))
    assert kinds(out) == [("TranscriptFinal", 23.4), ("Tick", 23.5), ("Tick", 25.4)]
    assert g.late == 0


def test_a_final_is_ordered_where_its_words_ended_not_behind_the_reply_that_followed():
    # the coachee's words end at 58.3, their text arrives at 60.0; the partner's reply began
    # at 59.2 with a short burst whose own text comes only after the whole reply (62.3)
    from pullcoach.rules.events import SpeechEnded, SpeechStarted
    from pullcoach.rules.gate import Gate

    g = Gate()
    for e in (SpeechStarted(t=54.5, speaker=C), SpeechEnded(t=58.3, speaker=C), Tick(t=58.5),
              SpeechStarted(t=59.2, speaker=P), SpeechEnded(t=59.65, speaker=P), Tick(t=59.9),
              SpeechStarted(t=60.03, speaker=P)):
        g.push(e)
    out = g.push(TranscriptFinal(t=60.0, speaker=C, t0=54.5, t1=58.3, text="Je moet gewoon komen."))
    kinds = lambda evs: [(type(e).__name__, e.t) for e in evs]  # noqa: E731
    assert kinds(out)[:2] == [("TranscriptFinal", 60.0), ("Tick", 58.5)]  # at once, in audio order
    assert ("SpeechStarted", 59.2) in kinds(out) and g.late == 0
    # and the engine nudges as the text arrives, not 2.3 s later with the partner's text
    e = Engine("nl", config=EngineConfig(plugins=False))
    fired = []
    for ev in (SpeechStarted(t=54.5, speaker=C), SpeechEnded(t=58.3, speaker=C), SpeechStarted(t=59.2, speaker=P),
               SpeechEnded(t=59.65, speaker=P), SpeechStarted(t=60.03, speaker=P),
               TranscriptFinal(t=60.0, speaker=C, t0=54.5, t1=58.3, text="Je moet gewoon komen.")):
        fired += [n.rule for n in e.feed(ev) if isinstance(n, NudgeIssued)]
    assert "push-words" in fired


def test_a_tick_cue_after_a_late_transcripts_nudge_dated_later_waits_for_the_budget():
    """The text lane decides in audio order, but a transcript's nudge is dated when its text
    came: a tick's cue decided after it can be dated a second before it. Both reached the
    overlay a second apart ("Eerst vragen", then "Vat samen", a live run): one is held."""
    from pullcoach.rules.events import SpeechEnded, SpeechStarted
    from tests.rules.conftest import RANK, script_events
    rows = [(P, 0.5, 9.0, "Ik werk liever thuis, daar kan ik me veel beter concentreren op mijn werk "
                          "en ik hoef niet elke dag een uur in de file te staan voordat ik kan beginnen."),
            (C, 10.0, 18.0, "Dat begrijp ik, maar het team heeft je nodig op kantoor."),
            (P, 19.0, 30.0, "Op kantoor word ik de hele dag gestoord door collega's en telefoons, en dan "
                            "krijg ik aan het eind van de dag bijna niks af van wat ik van plan was."),
            (C, 31.0, 40.0, "Het overleg gaat veel beter als iedereen er is, dat merk ik elke week."),
            (P, 41.0, 52.0, "Maar thuis haal ik mijn deadlines wel, dat heb je zelf gezien bij het "
                            "laatste project, en niemand heeft daar toen iets over gezegd.")]
    evs = [e for e in script_events(rows, lag=0.5) if not isinstance(e, Tick)]
    # the coachee's advice ends at 60.5 and its text comes at 62.3, after the ticks to 62.2
    evs += [SpeechStarted(t=53.0, speaker=C), SpeechEnded(t=60.5, speaker=C),
            TranscriptFinal(t=62.3, speaker=C, t0=53.0, t1=60.5, text="Weet je wat je het beste "
                            "kunt doen? Ga gewoon twee dagen in de week naar kantoor.")]
    evs += [Tick(t=round(i * 0.1, 3)) for i in range(700)]
    pack = parse_pack('extends = "nl"\n[settings]\ntoo-few-summaries.seconds = 60\n')
    ns = feed(Engine("nl", pack=pack, config=EngineConfig(plugins=False)),
              sorted(evs, key=lambda e: (e.t, *RANK[type(e)])))
    got = [(n.rule, n.t, n.delivered, n.detail.get("held")) for n in ns if n.kind == "negative"]
    assert got == [("righting-reflex", 62.3, True, None), ("too-few-summaries", 60.5, False, "budget")]


def test_one_moment_shows_one_nudge_the_other_is_for_the_report():
    """A reflection right after resistance earns two praises at once; the overlay shows one
    nudge, so the second replaced the first within a moment ("✓ Reflection", then only
    "✓ Good follow-up" on the web overlay). The rarer move is shown, the reflection's praise
    (the commonest) goes to the report."""
    from tests.rules.conftest import nudges, run, script_events
    rows = [("coachee", 0.5, 3.0, "Hi Tom, thanks for coming in. How are you doing today?"),
            ("partner", 4.0, 10.0, "Fine. Look, I only came because the doctor made me. Honestly, I just "
                                   "want to be left alone."),
            ("coachee", 11.2, 17.0, "So you are here because someone else wanted you to be, and you would "
                                    "rather be somewhere else.")]
    _, out = run(script_events(rows, lag=0.5), lang="en")
    at = [(n.rule, n.delivered, n.detail.get("held")) for n in nudges(out) if n.t == 17.5]
    assert at == [("open-question-after-resistance", True, None), ("good-summary", False, "budget")]
