import numpy as np

from pullcoach.vad import FRAME, VadConfig, VadMachine, bleed_gate, frame_db

CFG = VadConfig(min_speech=4 * FRAME, end_silence=8 * FRAME, min_silence=16 * FRAME,
                short_burst=0, short_end_silence=4 * FRAME)


def run(probs, cfg=CFG):
    m = VadMachine(cfg)
    out = m.push(0, np.asarray(probs, dtype=np.float32))
    return [(b.kind, b.sample // FRAME) for b in out + m.flush()]


def test_speech_starts_at_onset_and_pauses_then_ends():
    probs = [0.0] * 3 + [0.9] * 10 + [0.0] * 20
    assert run(probs) == [("start", 3), ("pause", 13), ("end", 13)]


def test_blip_shorter_than_min_speech_is_ignored():
    assert run([0.0, 0.9, 0.9, 0.0, 0.0, 0.0, 0.0] + [0.0] * 20) == []


def test_short_pause_resumes_inside_the_same_utterance():
    probs = [0.9] * 6 + [0.0] * 10 + [0.9] * 6 + [0.0] * 20
    # speech pauses after 8 silent frames, resumes before 16: one utterance, two segments
    assert run(probs) == [("start", 0), ("pause", 6), ("resume", 16), ("pause", 22), ("end", 22)]


def test_hysteresis_keeps_speech_through_dips_above_neg_threshold():
    probs = [0.9] * 5 + [0.4] * 10 + [0.9] * 5 + [0.0] * 20
    assert run(probs) == [("start", 0), ("pause", 20), ("end", 20)]


def test_split_feeding_gives_the_same_boundaries():
    rng = np.random.default_rng(3)
    probs = (rng.random(400) > 0.6).astype(np.float32) * 0.9
    probs = np.repeat(probs[::8], 8)
    whole = run(probs)
    m = VadMachine(CFG)
    got, pos = [], 0
    for n in (5, 17, 1, 100, 77, 200):
        got += [(b.kind, b.sample // FRAME) for b in m.push(pos * FRAME, probs[pos:pos + n])]
        pos += n
    got += [(b.kind, b.sample // FRAME) for b in m.flush()]
    assert got == whole


def test_flush_closes_open_speech():
    assert run([0.9] * 10) == [("start", 0), ("pause", 10), ("end", 10)]


def test_bleed_gate_silences_frames_far_below_the_other_channel():
    loud = np.full((3, FRAME), 0.3, dtype=np.float32)
    bleed = loud * 0.1  # -20 dB
    own = frame_db(bleed)
    gated = bleed_gate(np.full(3, 0.9, np.float32), own, frame_db(loud))
    assert np.all(gated == 0.0)
    # both talking at similar levels (an interruption): kept
    kept = bleed_gate(np.full(3, 0.9, np.float32), frame_db(loud * 0.7), frame_db(loud))
    assert np.all(kept == np.float32(0.9))


def test_frames_below_the_floor_are_silence():
    quiet = np.full((2, FRAME), 1e-4, dtype=np.float32)  # -80 dBFS
    assert np.all(bleed_gate(np.ones(2, np.float32), frame_db(quiet), None) == 0.0)


def test_a_short_burst_ends_sooner_than_a_long_turn():
    cfg = VadConfig(min_speech=4 * FRAME, end_silence=8 * FRAME, min_silence=16 * FRAME,
                    short_burst=20 * FRAME, short_end_silence=4 * FRAME)
    m = VadMachine(cfg)
    # a backchannel of 10 frames: its end is reported after 4 silent frames
    out = m.push(0, np.asarray([0.9] * 10 + [0.0] * 5, np.float32))
    assert [(b.kind, b.sample // FRAME) for b in out] == [("start", 0), ("pause", 10)]
    # a 30-frame turn: 4 silent frames are a pause inside it, not its end
    m = VadMachine(cfg)
    out = m.push(0, np.asarray([0.9] * 30 + [0.0] * 5, np.float32))
    assert [b.kind for b in out] == ["start"]


def test_bleed_is_a_correlated_copy_soft_own_speech_is_not():
    from pullcoach.vad import correlation
    rng = np.random.default_rng(1)
    other = rng.standard_normal((4, FRAME)).astype(np.float32) * 0.3
    delayed = np.roll(other, 40, axis=1) * 0.2  # -14 dB, 2.5 ms later
    own = rng.standard_normal((4, FRAME)).astype(np.float32) * 0.06  # -14 dB, independent
    assert np.all(correlation(delayed, other, 160) > 0.8)
    assert np.all(correlation(own, other, 160) < 0.3)
    probs = np.full(4, 0.9, np.float32)
    gate = lambda x: bleed_gate(probs, frame_db(x), frame_db(other), VadConfig(),
                                correlation(x, other, 160))
    assert np.all(gate(delayed) == 0.0)  # the other's voice through speakers
    assert np.all(gate(own) > 0.0)  # a soft start of one's own voice over the other


def test_a_long_utterance_ends_at_its_next_speech_pause():
    cfg = VadConfig(min_speech=4 * FRAME, end_silence=8 * FRAME, min_silence=16 * FRAME,
                    short_burst=0, short_end_silence=4 * FRAME, split_after=30 * FRAME)
    # 20 voiced frames, a 10-frame pause (inside the utterance), 20 more, a 10-frame pause
    probs = [0.9] * 20 + [0.0] * 10 + [0.9] * 20 + [0.0] * 10
    m = VadMachine(cfg)
    got = [(b.kind, b.sample // FRAME) for b in m.push(0, np.asarray(probs, np.float32))]
    # first pause: the utterance is 20 frames long, shorter than split_after: it goes on;
    # second pause: 50 frames long: it ends there, without waiting for min_silence
    assert got == [("start", 0), ("pause", 20), ("resume", 30), ("pause", 50), ("end", 50)]
