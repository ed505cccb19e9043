"""NearGate: voices across the room on the coachee's mic are not the coachee speaking."""

import json
from pathlib import Path

import numpy as np
import pytest

from pullcoach import evaluate
from pullcoach.pipeline import PipelineConfig, Segmenter
from pullcoach.rules.events import SpeechEnded, SpeechStarted
from pullcoach.vad import NearGate, VadConfig

AUDIO = Path(__file__).parents[1] / "fixtures" / "audio"
OFF = VadConfig(near_margin_db=None)


def _gate(frames_db, probs=None, **cfg):
    g = NearGate(VadConfig(**cfg))
    db = np.asarray(frames_db, dtype=np.float64)
    p = np.full(len(db), 0.9, np.float32) if probs is None else np.asarray(probs, np.float32)
    return g, g(p, db)


def test_quiet_voice_is_silenced_once_the_near_talker_set_the_level():
    loud = [-25.0] * 96  # three ~1 s level samples of the talker at the mic
    g, (onset, keep) = _gate(loud + [-45.0] * 40 + [-32.0] * 40)
    assert g.level == pytest.approx(-25.0)
    assert np.all(onset[:96] == pytest.approx(0.9)) and np.all(keep[:96] == pytest.approx(0.9))
    # 20 dB under: no onset once the 8-frame mean has fallen; speech going on ends after 16
    assert np.all(onset[96 + 8:136] == 0.0) and np.all(keep[96 + 16:136] == 0.0)
    assert np.all(keep[96:96 + 8] == pytest.approx(0.9))  # a soft stretch inside speech stays
    # 7 dB under: the talker, softer
    assert np.all(onset[136 + 8:] == pytest.approx(0.9)) and np.all(keep[136 + 16:] == pytest.approx(0.9))


def test_no_gate_before_two_level_samples_and_none_when_turned_off():
    _, (early, _) = _gate([-45.0] * 40)  # a quiet voice before anyone near spoke: kept
    assert np.all(early == pytest.approx(0.9))
    _, (off, keep) = _gate([-25.0] * 96 + [-45.0] * 40, near_margin_db=None)
    assert np.all(off == pytest.approx(0.9)) and np.all(keep == pytest.approx(0.9))


def test_the_level_is_the_second_loudest_second_so_one_bang_does_not_set_it():
    g, _ = _gate([-5.0] * 32 + [-30.0] * 96)
    assert g.level == pytest.approx(-30.0)


def test_unvoiced_frames_do_not_move_the_level():
    g, _ = _gate([-25.0] * 64 + [-10.0] * 64, probs=[0.9] * 64 + [0.1] * 64)
    assert g.level == pytest.approx(-25.0)


def test_block_splits_do_not_change_the_result():
    rng = np.random.default_rng(3)
    db = np.concatenate([rng.normal(-26, 4, 300), rng.normal(-46, 4, 200), rng.normal(-28, 4, 200)])
    p = rng.uniform(0, 1, len(db)).astype(np.float32)
    whole = NearGate()(p, db)
    g, parts, i = NearGate(), [], 0
    for n in rng.integers(1, 40, 100):
        parts.append(g(p[i:i + n], db[i:i + n]))
        i += n
        if i >= len(db):
            break
    for k in (0, 1):
        assert np.array_equal(np.concatenate([x[k] for x in parts])[: len(db)], whole[k])


def test_speech_goes_on_by_the_keep_probabilities():
    from pullcoach.vad import FRAME, VadMachine

    cfg = VadConfig(min_speech=4 * FRAME, end_silence=8 * FRAME, min_silence=16 * FRAME,
                    short_burst=4 * FRAME, short_end_silence=8 * FRAME)
    on = np.r_[np.full(10, 0.9), np.full(20, 0.0)].astype(np.float32)
    keep = np.r_[np.full(10, 0.9), np.full(20, 0.9)].astype(np.float32)
    plain, kept = VadMachine(cfg), VadMachine(cfg)
    assert [b.kind for b in plain.push(0, on)][:2] == ["start", "pause"]
    assert [b.kind for b in kept.push(0, on, keep=keep)] == ["start"] and kept.speaking


def _read(script, name):
    mod = script("add_noise")
    return mod, mod.read(AUDIO / name)[0]


def _vad(x, vad=VadConfig()):
    seg = Segmenter(PipelineConfig(vad=vad, partials=False))
    events = []
    for i in range(0, len(x), 1600):
        for c, sp in enumerate(("coachee", "partner")):
            events += seg.feed(sp, i, np.ascontiguousarray(x[i:i + 1600, c]))[0]
    return events + seg.finish()[0]


def _false_coachee_s(events, truth):
    mine = [(t["start"] - 0.2, t["end"] + 0.2) for t in truth["turns"] if t["speaker"] == "coachee"]
    total = 0.0
    for a, b in evaluate.segments(events)["coachee"]:
        t = np.arange(a, b, 0.01)
        inside = np.zeros(len(t), bool)
        for s, e in mine:
            inside |= (t >= s) & (t <= e)
        total += (~inside).sum() * 0.01
    return total


def test_a_conversation_across_the_room_does_not_become_the_coachee_talking(script):
    """nl_pull_mb's two voices 20 dB under the coachee on the coachee's mic of nl_push_mb."""
    mod, x = _read(script, "nl_push_mb.flac")
    _, other = _read(script, "nl_pull_mb.flac")
    bg = np.resize(other.sum(axis=1), len(x))
    y = x.copy()
    y[:, 0] += (bg * mod.speech_level(x[:, 0]) / mod.speech_level(bg) * 10 ** (-20 / 20)).astype(np.float32)
    truth = json.loads((AUDIO / "nl_push_mb.json").read_text())
    without, with_gate = _false_coachee_s(_vad(y, OFF), truth), _false_coachee_s(_vad(y), truth)
    assert without > 5.0  # the room's voices held the coachee's channel open
    assert with_gate < 2.0


@pytest.mark.parametrize("name", ["en_push.flac", "nl_push.flac", "nl_pull_mb.flac", "nl_push_bleed.flac"])
def test_a_quiet_room_gives_the_same_speech_events(script, name):
    """Only a soft onset may move, by a frame or two; no turn is split or lost."""
    _, x = _read(script, name)
    speech = lambda evs: [e for e in evs if isinstance(e, (SpeechStarted, SpeechEnded))]
    gated, plain = speech(_vad(x)), speech(_vad(x, OFF))
    assert [(type(e), e.speaker) for e in gated] == [(type(e), e.speaker) for e in plain]
    assert max(abs(a.t - b.t) for a, b in zip(gated, plain)) <= 0.07


def _partner_speech_after(path, vad, cut=28.0, db=18.0):
    """Partner speech detected after ``cut`` when the partner gets ``db`` quieter there (a
    second remote voice on a call's output, or the partner leaning back from their mic)."""
    from pullcoach.audio import FileSource
    seg, evs, gain = Segmenter(PipelineConfig(vad=vad, partials=False)), [], 10 ** (-db / 20)
    for b in FileSource(path, speed="max").produce():
        x = b.samples * gain if b.speaker == "partner" and b.start >= cut * 16000 else b.samples
        evs += seg.feed(b.speaker, b.start, x)[0]
    evs += seg.finish()[0]
    open_, total = None, 0.0
    for e in evs:
        if isinstance(e, SpeechStarted) and e.speaker == "partner":
            open_ = e.t
        elif isinstance(e, SpeechEnded) and e.speaker == "partner" and open_ is not None:
            total += e.t - open_ if open_ >= cut else 0.0
            open_ = None
    return total


def test_a_calls_output_keeps_a_quieter_remote_voice_when_the_partner_is_not_gated():
    path = AUDIO / "en_push.flac"
    gated = _partner_speech_after(path, VadConfig())
    ungated = _partner_speech_after(path, VadConfig(near_speakers=("coachee",)))
    assert gated < 1.0 and ungated > 5.0  # of 14 s the partner speaks after 28 s


@pytest.mark.parametrize("gate, loopback, speakers", [
    ("auto", False, ("coachee", "partner")), ("auto", True, ("coachee",)),
    ("both", True, ("coachee", "partner")), ("coachee", False, ("coachee",)), ("off", False, ())])
def test_near_gate_option(gate, loopback, speakers):
    from argparse import Namespace
    from pullcoach.cmd_replay import pipeline_config
    cfg = pipeline_config(Namespace(near_gate=gate), partner_loopback=loopback)
    assert cfg.vad.near_speakers == speakers
