"""scripts/speak_labels.py: labelled lines spoken by espeak-ng and heard by the packaged Whisper."""

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None or shutil.which("sox") is None,
                                reason="needs espeak-ng and sox (make system)")


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_spoken_lines_keep_labels_and_carry_what_was_heard(tmp_path, capsys):
    labels = {"reflection": False, "question": "open", "input": False, "advice": False, "push": False}
    rows = [{"id": "a", "prev": "", "text": "What would you like to talk about today?", "labels": labels},
            {"id": "b", "prev": "", "text": "You have to stop smoking now.", "labels": labels}]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert _script("speak_labels").main([str(src), "--lang", "en"]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"] and [o["written"] for o in out] == [r["text"] for r in rows]
    assert all(o["labels"] == labels for o in out)
    heard = [set(o["text"].lower().replace("?", "").replace(".", "").split()) for o in out]
    assert {"talk", "today"} <= heard[0] and {"stop", "smoking"} <= heard[1]
    assert all(o["words"] and all(0.0 <= w[3] <= 1.0 and w[1] <= w[2] for w in o["words"]) for o in out)
    # the scorer reads the heard lines
    dst = tmp_path / "heard.jsonl"
    dst.write_text("".join(json.dumps(o) + "\n" for o in out), encoding="utf-8")
    f1, _ = _script("label_accuracy").score([json.loads(x) for x in dst.read_text().splitlines()], "en")
    assert f1["open"][1] == 2
