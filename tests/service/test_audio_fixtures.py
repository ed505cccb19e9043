"""The committed fixtures agree with their truth files (regenerate: scripts/make_fixtures.sh)."""

import json
from pathlib import Path

import numpy as np
import pytest

from pullcoach.audio import RATE
from pullcoach.audio_file import FileSource

ROOT = Path(__file__).resolve().parents[2]
AUDIO = ROOT / "tests" / "fixtures" / "audio"
NAMES = sorted(p.stem for p in AUDIO.glob("*.json"))


def load(name):
    truth = json.loads((AUDIO / f"{name}.json").read_text(encoding="utf-8"))
    chans = {"coachee": [], "partner": []}
    for b in FileSource(AUDIO / f"{name}.flac").produce():
        chans[b.speaker].append(b.samples)
    return truth, {k: np.concatenate(v) for k, v in chans.items()}


def test_the_set_is_complete():
    assert {"nl_push", "nl_pull", "en_push", "en_pull", "nl_push_bleed"} <= set(NAMES)
    assert sum((AUDIO / f"{n}.flac").stat().st_size for n in NAMES) < 8_000_000


@pytest.mark.parametrize("name", NAMES)
def test_truth_matches_audio(name):
    truth, ch = load(name)
    assert truth["rate"] == RATE and truth["lang"] in ("nl", "en")
    n = len(ch["coachee"])
    assert n == len(ch["partner"]) == round(truth["duration"] * RATE)
    assert 30 <= truth["duration"] <= 70
    turns = truth["turns"]
    assert [t["start"] for t in turns] == sorted(t["start"] for t in turns)
    for speaker, x in ch.items():
        own = np.zeros(n, bool)
        for t in turns:
            if t["speaker"] != speaker:
                continue
            a, b = round(t["start"] * RATE), round(t["end"] * RATE)
            assert a * 1.0 / RATE == t["start"] and 0 <= a < b <= n
            own[a:b] = True
            if truth["bleed_db"] is None:  # bounds are the voiced bounds
                assert abs(x[a]) > 0 and abs(x[b - 1]) > 0
        rest = np.abs(x[~own])
        if truth["bleed_db"] is None:
            assert rest.max() == 0.0  # clean: nothing but the speaker's own turns
        else:  # the other voice leaks in ~20 dB down
            own_rms = np.sqrt(np.mean(x[own] ** 2))
            other = np.zeros(n, bool)
            for t in turns:
                if t["speaker"] != speaker:
                    other[round(t["start"] * RATE):round(t["end"] * RATE)] = True
            leak_rms = np.sqrt(np.mean(x[other & ~own] ** 2))
            assert 14 < 20 * np.log10(own_rms / leak_rms) < 26


@pytest.mark.parametrize("name", NAMES)
def test_events_describe_the_overlaps(name):
    truth = json.loads((AUDIO / f"{name}.json").read_text(encoding="utf-8"))
    turns, events = truth["turns"], truth["events"]

    def at(speaker, t):
        return [u for u in turns if u["speaker"] == speaker and u["start"] <= t < u["end"]]

    other = {"coachee": "partner", "partner": "coachee"}
    for e in events:
        mine = [u for u in turns if u["speaker"] == e["by"] and u["start"] == e["t"]]
        assert len(mine) == 1
        host = at(other[e["by"]], e["t"])
        assert len(host) == 1, e
        host = host[0]
        if e["kind"] == "interruption":
            assert host["cut"] and abs(host["end"] - (e["t"] + e["overlap"])) < 1e-6
            assert e["overlap"] >= 0.9 and mine[0]["end"] > host["end"] + 1.0
        elif e["kind"] == "failed-interruption":
            assert not host["cut"] and host["end"] > mine[0]["end"] + 0.5
            assert e["overlap"] >= 0.5 and mine[0]["kind"] == "failed-interruption"
        else:
            assert mine[0]["kind"] == "backchannel"
            assert mine[0]["end"] - mine[0]["start"] <= 0.8 and mine[0]["end"] < host["end"]
    kinds = [(e["kind"], e["by"]) for e in events]
    if "push" in name:
        assert kinds.count(("interruption", "coachee")) >= 2
        assert ("failed-interruption", "coachee") in kinds
        assert ("backchannel", "coachee") in kinds and ("backchannel", "partner") in kinds
    else:
        assert not any(k.endswith("interruption") for k, _ in kinds)
        assert ("backchannel", "coachee") in kinds and ("backchannel", "partner") in kinds


def test_demo_copy_is_nl_push_mb():
    data = ROOT / "service" / "data"
    assert (data / "demo_nl.flac").read_bytes() == (AUDIO / "nl_push_mb.flac").read_bytes()
    assert (data / "demo_nl.json").read_text() == (AUDIO / "nl_push_mb.json").read_text()
