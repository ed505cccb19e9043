"""Good MI practice is not scolded, clear discord is heard (English; a QA tester's MI
counsellor role-plays, 2026-12-07: empathic guesses, amplified and double-sided reflections,
a client who wants none of it)."""

import pytest

from pullcoach.rules.engine import Engine, EngineConfig

COACHEE, PARTNER = "coachee", "partner"


@pytest.fixture(scope="module")
def en():
    return Engine(lang="en", config=EngineConfig(plugins=False)).labeler


def _talk(h, lines, gap=25.0):
    """(speaker, text) lines, each 3 s, ``gap`` s apart -> the engine's nudges."""
    rows = [(s, i * gap, i * gap + 3.0, text) for i, (s, text) in enumerate(lines)]
    return h.run(h.script(rows), lang="en")[1]


@pytest.mark.parametrize("prev,text", [
    ("I just want to be left alone. Everyone's telling me what to do.", "You must be exhausted with all of that."),
    ("I'm exhausted all the time.", "You must be running on empty."),
    ("I'm exhausted all the time.", "You must be so tired."),
    ("They keep calling me.", "You must be really fed up with it."),
    ("My dad gave it to me.", "You must like that statue."),        # AnnoMI dev, a high-quality session
    ("The dog bit me.", "You must have been scared."),
])
def test_a_guess_at_how_they_feel_is_no_push(en, prev, text):
    x = en.label(text, (), prev)
    assert not x.push and not x.advice and x.reflection


@pytest.mark.parametrize("text", ["You must be careful.", "You must stop drinking.", "You must be honest with her.",
                                  "You must have a plan before you leave."])
def test_a_must_that_tells_still_pushes(en, text):
    assert en.label(text, (), "I don't know.").push


@pytest.mark.parametrize("prev,text", [
    ("Not really.", "You're not sure you need to change anything at all."),          # amplified
    ("My wife says I have to stop.", "Your wife feels you have to stop, and you're not so sure."),  # double-sided
    ("My wife says I have to stop.", "She says you have to stop, and you don't think it's that bad."),
    ("My doctor nags me.", "You don't think you need to cut down."),
])
def test_a_duty_in_their_view_or_another_view_is_said_back(en, prev, text):
    x = en.label(text, (), prev)
    assert not x.push and not x.advice and x.reflection


def test_the_same_duty_told_still_advises(en):
    x = en.label("You need to change something. You have to stop.", (), "Not really.")
    assert x.push and x.advice and not x.reflection


@pytest.mark.parametrize("text", [
    "Nobody said you're an alcoholic, but you should cut down.",
    "Great. Remember, the sooner you stop the better, because the damage adds up. You've got to do this "
    "for your family, and besides, you'll feel so much better. Just give it a go and you'll see.",
])
def test_a_push_move_is_no_reflection(en, text):
    x = en.label(text, (), "Whatever.")
    assert not x.reflection and x.push


def test_a_reflection_before_a_but_still_frames_advice_after_it(en):
    # "It sounds like you need to ..." says back; the "but" turns only what comes after it
    x = en.label("It sounds like you need to rest more.", (), "I'm so tired lately.")
    assert not (x.advice and x.input and not x.reflection)


DISCORD = ["I just want to be left alone.", "You don't know what my life is like.",
           "Everyone keeps telling me what to do.", "Can I go now?", "Whatever.",
           "I'm not an alcoholic or anything.", "Why do I even have to be here?", "It's my life, not yours."]


@pytest.mark.parametrize("said", DISCORD)
def test_clear_discord_gives_the_resistance_cue(h, said):
    out = _talk(h, [(COACHEE, "Okay. How was your week?"), (PARTNER, said)])
    cues = h.nudges(out, "interrupted")
    assert [(n.evidence_t, n.detail.get("by")) for n in cues] == [(25.0, "text")]


@pytest.mark.parametrize("said", ["Whatever you think is best.", "Okay.", "I just want to be healthy again.",
                                  "I don't want to be that dad."])
def test_no_discord_no_cue(h, en, said):
    assert not en.label(said, (), "How was your week?").discord
    assert not h.nudges(_talk(h, [(COACHEE, "Okay. How was your week?"), (PARTNER, said)]), "interrupted")


def test_their_discord_said_back_is_still_a_reflection(en):
    x = en.label("You just want to be left alone.", (), "I just want to be left alone.")
    assert x.reflection and not x.push


def test_change_talk_is_no_resistance_to_follow_up(h):
    lines = [(PARTNER, "I don't want to be that dad."),
             (COACHEE, "You don't want to be that dad. You want to be there for them.")]
    assert not h.nudges(_talk(h, lines), "open-question-after-resistance")
    # resistance that opens the same way still arms the praise
    lines[0] = (PARTNER, "I don't want to talk about it.")
    lines[1] = (COACHEE, "What would make it easier to talk about?")
    assert h.nudges(_talk(h, lines), "open-question-after-resistance")


PUSH_OPENING = [  # the tester's push role-play (push.vtt), its first turns
    (COACHEE, "Morning Casey, thanks for coming in. So your doctor referred you because of the drinking, "
              "and we need to talk about that today."),
    (PARTNER, "Honestly I don't know why I'm here. I just want to be left alone."),
    (COACHEE, "I get that, but you have to take this seriously. Your liver tests came back high, and besides, "
              "your wife is worried sick, and on top of that you nearly lost your licence last year."),
    (PARTNER, "Yeah, but that was one time. Everybody has a few beers after work."),
]


def test_a_greeting_is_no_argument_of_a_stack(h):
    # before: the greeting's "because" was the stack's first argument, dated at the greeting
    assert not h.nudges(_talk(h, PUSH_OPENING, gap=15.0), "argument-stacking")
    # the stack still fires on the arguments that follow it, dated at the first of them
    more = PUSH_OPENING + [(COACHEE, "Nobody said you're an alcoholic, but you should cut down.")]
    assert [n.evidence_t for n in h.nudges(_talk(h, more, gap=15.0), "argument-stacking")] == [30.0]


def _push_words_live(h, partial, final):
    """The partner, then one coachee utterance 2.5-9 s: a partial at 5 s, its final at 9 s."""
    from pullcoach.rules.events import TranscriptFinal, TranscriptPartial, Word

    def heard(text):
        return tuple(Word(text=w, start=i * 0.3, end=i * 0.3 + 0.3, p=0.9) for i, w in enumerate(text.split()))

    evs = h.script([(PARTNER, 0.0, 2.0, "I'm exhausted all the time."), (COACHEE, 2.5, 9.0, None)], lag=1.0)
    evs += [TranscriptPartial(t=5.0, speaker=COACHEE, t0=2.5, t1=4.8, text=partial, words=heard(partial)),
            TranscriptFinal(t=9.0, speaker=COACHEE, t0=2.5, t1=9.0, text=final, words=heard(final))]
    evs.sort(key=lambda e: (e.t, {TranscriptPartial: 2, TranscriptFinal: 2}.get(type(e), 1)))
    out = h.run(evs, lang="en", config=EngineConfig(plugins=False, budget_s=0.0))[1]
    return [(type(e).__name__, e.t) for e in out if getattr(e, "rule", None) == "push-words"]


@pytest.mark.parametrize("partial,final", [("You must be", "You must be exhausted with all of that."),
                                           ("You must", "You must be running on empty.")])
def test_a_partial_ending_in_must_be_waits_for_the_guess(h, partial, final):
    # no "Must?" flashed live and taken back at the final
    assert _push_words_live(h, partial, final) == []


def test_a_must_that_tells_still_fires_from_its_partial(h):
    assert _push_words_live(h, "You must stop drinking", "You must stop drinking now.") == [("NudgeIssued", 5.0)]
