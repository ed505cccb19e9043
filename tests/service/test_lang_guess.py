"""Which language a conversation is in: from its words, and from Whisper's detection on the audio."""



def test_audio_check_needs_two_confident_utterances_of_the_other_language():
    from pullcoach.lang_guess import AudioLangCheck
    check = AudioLangCheck("en")
    assert check.add({"nl": 0.92, "en": 0.01}) is None  # one utterance is not enough
    assert check.add({"nl": 0.97, "en": 0.01}) == "nl" and check.done
    # espeak's Dutch as Whisper hears it (measured on nl_push): too unsure to say anything
    check = AudioLangCheck("nl")
    for probs in ({"en": 0.78, "nl": 0.03}, {"en": 0.05, "nl": 0.01}, {"en": 0.03}, {"en": 0.14, "nl": 0.2}):
        assert check.add(probs) is None
    assert check.done  # four utterances judged: it stops
    assert AudioLangCheck("de").done  # not one of ours: nothing to check


def test_a_session_says_the_other_language_once_whoever_hears_it_first():
    from types import SimpleNamespace

    from pullcoach.lang_guess import language_warning
    from pullcoach.rules.events import PipelineWarning, TranscriptFinal
    from pullcoach.session import LiveSession
    asr = SimpleNamespace(config=SimpleNamespace(workers=1))  # never called: finals come in as text
    session = LiveSession(None, transcriber=asr, lang="nl")
    sent = []
    session.add_sink(lambda sid, e: sent.append(e))
    session._dispatch(language_warning(4.0, "en", "nl"))  # the audio told first
    for i in range(12):
        session._dispatch(TranscriptFinal(t=3.0 * i + 3, speaker="coachee", t0=3.0 * i, t1=3.0 * i + 2,
                                          text="Everyone has to come back to the office, because the team is falling apart."))
    said = [e for e in sent if isinstance(e, PipelineWarning)]
    assert [(e.t, e.detail["heard"]) for e in said] == [(4.0, "en")]


def test_after_the_language_warning_word_nudges_go_to_the_report_only():
    """English coached with the Dutch rules: after the warning at ~15 s, 'You should just take
    the seven o'clock train' was still shown as '✓ Samenvatting'. Sound rules still speak."""
    from types import SimpleNamespace

    from pullcoach.lang_guess import language_warning
    from pullcoach.rules.events import NudgeIssued
    from pullcoach.session import LiveSession
    asr = SimpleNamespace(config=SimpleNamespace(workers=1))
    session = LiveSession(None, transcriber=asr, lang="nl")
    sent = []
    session.add_sink(lambda sid, e: sent.append(e))
    praise = NudgeIssued(t=35.4, rule="good-summary", message="✓ Samenvatting", kind="positive", evidence_t=30.6)
    cut = NudgeIssued(t=40.0, rule="interruption", message="Laat uitpraten", evidence_t=39.3)
    session.engine = SimpleNamespace(feed=lambda e: [praise] if e.t == 1 else [cut] if e.t == 2 else [])
    session._dispatch(SimpleNamespace(t=1))
    session._dispatch(language_warning(15.0, "en", "nl"))
    session._dispatch(SimpleNamespace(t=1))
    session._dispatch(SimpleNamespace(t=2))
    nudges = [(e.rule, e.delivered, e.detail.get("held")) for e in sent if isinstance(e, NudgeIssued)]
    assert nudges == [("good-summary", True, None), ("good-summary", False, "language"),
                      ("interruption", True, None)]
