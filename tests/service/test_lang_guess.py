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
    assert not check.done
    for _ in range(2):
        assert check.add({"nl": 0.9, "en": 0.05}) is None
    assert check.done  # six utterances judged: it stops
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
