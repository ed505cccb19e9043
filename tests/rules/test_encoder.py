"""The fine-tuned English encoder that ships next to the word model (rules/encoder.py)."""

from __future__ import annotations

import pytest

from pullcoach.rules.encoder import load_encoder, pair
from pullcoach.rules.engine import Engine, EngineConfig
from pullcoach.rules.events import TranscriptFinal
from pullcoach.rules.model import HEADS, Ensemble, LabelModel, load_model


C, P = "coachee", "partner"


@pytest.fixture(scope="module")
def model():
    m = load_model()
    assert isinstance(m, Ensemble), "the encoder in rules/packs/en_encoder should ship and load"
    return m


def test_encoder_ships_with_provenance_and_thresholds(model):
    enc = model.encoder
    assert "AnnoMI" in enc.meta["trained_on"] and "MiniLM" in enc.meta["base"]
    assert enc.heads == list(HEADS)
    assert set(model.thresholds) == set(HEADS) and all(0.2 < t < 0.8 for t in model.thresholds.values())


def test_encoder_is_deterministic_and_gives_a_probability_per_head(model):
    a = model.encoder.probs("So you feel stuck.", "I just want to be left alone.")
    b = model.encoder.probs("So you feel stuck.", "I just want to be left alone.")
    assert a == b and set(a) == set(HEADS) and all(0.0 < p < 1.0 for p in a.values())


@pytest.mark.parametrize("prev,text,reflection,question,input_", [
    ("I like smoking but I want to quit for my kids.",
     "So on the one hand you enjoy it, and on the other hand your kids matter more to you.", True, None, False),
    ("I don't know, it's been hard.", "What would you like to be different a year from now?", False, "open", False),
    ("I drink a bit at weekends.", "Do you drink every weekend?", False, "closed", False),
    ("I can't sleep.", "I'd recommend you stop drinking coffee after lunch and try the patch.", False, None, True),
])
def test_ensemble_labels_plain_cases(model, prev, text, reflection, question, input_):
    p = model.predict(text, prev)
    on = model.decide(p)
    assert on["reflection"] is reflection
    assert model.question(p) == question
    assert on["input"] is input_


def test_pair_keeps_the_end_of_a_long_client_turn():
    prev = " ".join(f"w{i}" for i in range(100))
    ctx, text = pair("So you're tired.", prev)
    assert ctx.split()[0] == "w60" and ctx.split()[-1] == "w99" and text == "So you're tired."


def test_pair_can_put_the_speakers_own_previous_turn_before_the_client_turn():
    own = " ".join(f"o{i}" for i in range(30))
    assert pair("But we can make it less likely.", "I might relapse.", own)[0] == "I might relapse."
    ctx, _ = pair("But we can make it less likely.", "I might relapse.", own, own_words=20)
    assert ctx == " ".join(f"o{i}" for i in range(10, 30)) + " | I might relapse."
    assert pair("Hi.", "I might relapse.", "", own_words=20)[0] == "I might relapse."  # nothing said before


def test_an_encoder_reads_the_own_turn_only_if_trained_to(model, tmp_path):
    import json
    import shutil

    from pullcoach.rules.encoder import EncoderModel

    text, prev, own = "But we can make it less likely.", "I might relapse.", "You could cut down first."
    assert model.encoder.own_words == 0  # shipped: the client's turn only (see train_encoder.OWN_WORDS)
    assert model.encoder.probs(text, prev, own) == model.encoder.probs(text, prev)
    shutil.copytree(model.encoder.path, tmp_path / "own")
    head = json.loads((tmp_path / "own" / "head.json").read_text())
    head["meta"]["own_words"] = 20
    (tmp_path / "own" / "head.json").write_text(json.dumps(head))
    reads = EncoderModel(tmp_path / "own")
    assert reads.probs(text, prev, own) != reads.probs(text, prev)
    assert reads.probs(text, prev) == model.encoder.probs(text, prev)


def test_the_engine_gives_the_model_the_partner_turn_and_the_coachees_own_previous_turn():
    seen = []

    class Recording(LabelModel):
        def predict(self, text, prev="", keywords=(), own=""):
            seen.append((text, prev, own))
            return super().predict(text, prev, keywords, own)

    e = Engine(lang="en", config=EngineConfig(plugins=False))
    e.labeler.model = Recording(load_model(encoder=False).weights)
    script = [(C, 0.0, 2.0, "What brings you here?"), (P, 2.5, 5.0, "My wife thinks I drink too much."),
              (C, 5.5, 6.0, "Mm-hm."), (P, 6.2, 8.0, "Right."), (C, 8.5, 10.0, "So she's worried.")]
    for who, t0, t1, text in script:
        e.feed(TranscriptFinal(t=t1, speaker=who, t0=t0, t1=t1, text=text))
    assert seen[0] == ("What brings you here?", "", "")
    # the partner's "Right." is a backchannel, skipped; the coachee's own "Mm-hm." is not
    assert seen[-1] == ("So she's worried.", "My wife thinks I drink too much.", "Mm-hm.")


def test_without_the_encoder_the_word_model_alone_labels(tmp_path):
    assert load_encoder(str(tmp_path)) is None  # no model.bin there
    words = load_model(encoder=False)
    assert type(words) is LabelModel
    assert words.decide(words.predict("So you feel stuck.", "I feel stuck."))["reflection"]


def test_english_engine_labels_with_the_ensemble():
    e = Engine(lang="en", config=EngineConfig(plugins=False))
    assert isinstance(e.labeler.model, Ensemble)
    assert Engine(lang="nl", config=EngineConfig(plugins=False)).labeler.model is None


@pytest.mark.parametrize("text,reflection,advice", [
    # AnnoMI has little plain advice, so both learned models read this one as a reflection
    ("You should cut down to two drinks a day and try going to AA meetings.", False, True),
    ("I think you should go to AA meetings.", False, True),
    # inside their view ("you feel ...") an advice phrase reports it: a reflection, not advice
    ("You feel you should cut down, but the evenings are hard.", True, False),
    # pushing said outright outweighs a learned reflection label (AnnoMI has little pushing)
    ("Everyone has to be in the office three days a week, no exceptions.", False, False),
    # a "You ..." opening two sentences back is no reflection's opening for "You have to"
    ("You must stop going to the pub. You have to, really.", False, True),
])
def test_advice_said_outright_is_input_not_a_reflection(text, reflection, advice):
    lab = Engine(lang="en", config=EngineConfig(plugins=False)).labeler
    x = lab.label(text, (), "I drink to get to sleep since the divorce.")
    assert (x.reflection, x.advice) == (reflection, advice)
    assert x.input is not reflection


@pytest.mark.parametrize("text,reflection", [
    # reasons added to reasons, said outright: the coachee's case (the learned labels said
    # "reflection" to all three, and each reset the argument stack)
    ("Yes, but your liver results are bad. And besides, your wife is worried. Also, you're "
     "spending way too much money. And on top of that your doctor said the same thing.", False),
    ("Drinking is bad for the liver. Besides, it costs a lot of money.", False),
    ("And on top of that the family wants it to stop.", False),
    # a summary that names itself is one, whatever the learned label says
    ("Let me see if I've got this right. The pub is how you relax, but you're sleeping badly, "
     "it's costing you money. Did I miss anything?", True),
    # a double-sided reflection keeps its label
    ("So on the one hand drinking helps you unwind, and on the other hand you also worry "
     "about your sleep.", True),
])
def test_stacked_reasons_are_input_and_named_summaries_reflect(text, reflection):
    lab = Engine(lang="en", config=EngineConfig(plugins=False)).labeler
    x = lab.label(text, (), "I like a drink after work, it's how I unwind.")
    assert x.reflection is reflection
    if not reflection:
        assert x.input
