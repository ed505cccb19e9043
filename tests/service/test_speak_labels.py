"""scripts/speak_labels.py: labelled lines spoken by espeak-ng and heard by the packaged Whisper."""

import json
import shutil

import pytest

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None or shutil.which("sox") is None,
                                reason="needs espeak-ng and sox (make system)")


def test_spoken_lines_keep_labels_and_carry_what_was_heard(script, tmp_path, capsys):
    labels = {"reflection": False, "question": "open", "input": False, "advice": False, "push": False}
    rows = [{"id": "a", "prev": "", "text": "What would you like to talk about today?", "labels": labels},
            {"id": "b", "prev": "", "text": "You have to stop smoking now.", "labels": labels}]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert script("speak_labels").main([str(src), "--lang", "en"]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"] and [o["written"] for o in out] == [r["text"] for r in rows]
    assert all(o["labels"] == labels for o in out)
    heard = [set(o["text"].lower().replace("?", "").replace(".", "").split()) for o in out]
    assert {"talk", "today"} <= heard[0] and {"stop", "smoking"} <= heard[1]
    assert all(o["words"] and all(0.0 <= w[3] <= 1.0 and w[1] <= w[2] for w in o["words"]) for o in out)
    # the scorer reads the heard lines
    dst = tmp_path / "heard.jsonl"
    dst.write_text("".join(json.dumps(o) + "\n" for o in out), encoding="utf-8")
    f1, _ = script("label_accuracy").score([json.loads(x) for x in dst.read_text().splitlines()], "en")
    assert f1["open"][1] == 2


def test_a_transcript_becomes_a_two_channel_recording(script, tmp_path):
    import subprocess

    import numpy as np

    src = tmp_path / "talk.jsonl"
    lines = [{"speaker": "Coach", "start": 0.5, "end": 3.0, "text": "Hoe gaat het met je vandaag?"},
             {"speaker": "Klant", "start": 3.5, "end": 6.5, "text": "Nou, eigenlijk niet zo goed, ik slaap slecht."},
             {"speaker": "Coach", "start": 5.5, "end": 8.0, "text": "Je slaapt slecht sinds de verhuizing."}]
    src.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out = tmp_path / "talk.flac"
    assert script("speak_transcript").main([str(src), "--coachee", "Coach", "-o", str(out)]) == 0
    info = subprocess.run(["soxi", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Channels       : 2" in info and "Sample Rate    : 16000" in info
    raw = subprocess.run(["sox", "-D", str(out), "-t", "f32", "-"], capture_output=True, check=True).stdout
    samples = np.frombuffer(raw, dtype="<f4").reshape(-1, 2)
    frame = 320

    def voiced(ch, a, b):
        x = samples[int(a * 16000):int(b * 16000), ch]
        x = x[: len(x) // frame * frame].reshape(-1, frame)
        return float((np.abs(x).max(axis=1) > 0.01).mean())

    assert voiced(0, 0.6, 2.5) > 0.5 and voiced(1, 0.6, 2.5) == 0.0  # the coachee, left only
    assert voiced(1, 3.6, 5.4) > 0.5 and voiced(0, 3.6, 5.4) == 0.0  # the partner, right only
    assert voiced(0, 5.6, 7.5) > 0.5 and voiced(1, 5.6, 6.3) > 0.3   # the coachee talks over the end
