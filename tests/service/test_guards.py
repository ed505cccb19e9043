from pullcoach import guards


def test_known_dutch_silence_hallucinations_are_caught():
    assert guards.is_known_hallucination("Ondertitels ingediend door de Amara.org gemeenschap", "nl")
    assert guards.is_known_hallucination(" Bedankt voor het kijken!", "nl")
    assert guards.is_known_hallucination("www.tumetrega.net", "nl")
    assert not guards.is_known_hallucination("Bedankt voor je uitleg, dat helpt.", "nl")
    assert not guards.is_known_hallucination("Wat vind jij daarvan?", "nl")


def test_english_list_applies_too():
    assert guards.is_known_hallucination("Thanks for watching.", "en")
    assert not guards.is_known_hallucination("Thanks for telling me.", "en")


def test_repetition_loop_is_cut_after_one_copy():
    words = "ik denk bu bu bu bu bu bu bu".split()
    assert guards.repetition_cut(words) == 3
    loop = "ja maar ja maar ja maar ja maar ja maar".split()
    assert guards.repetition_cut(loop) == 2
    normal = "ja ja ik snap het".split()
    assert guards.repetition_cut(normal) == len(normal)


def test_low_confidence_uses_whispers_rules():
    assert guards.low_confidence(-0.3, 0.1, 3.0)  # compression: a loop
    assert guards.low_confidence(-1.2, 0.8, 1.2)  # no speech and unsure
    assert not guards.low_confidence(-0.4, 0.8, 1.2)  # sure enough despite no_speech
    assert not guards.low_confidence(-0.5, 0.1, 1.5)


def test_sound_labels_are_noise_but_the_word_is_not():
    assert guards.is_noise_tag("MUZIEK.")
    assert guards.is_noise_tag("MUZIE")  # cut off at the clip's end
    assert not guards.is_noise_tag("MUZ") and not guards.is_noise_tag("Muzie")
    assert guards.is_noise_tag("(applaus)")
    assert guards.is_noise_tag("[Music]")
    assert guards.is_noise_tag("♪")
    assert not guards.is_noise_tag("muziek")  # "ik hou van muziek"
    assert not guards.is_noise_tag("Ja")
