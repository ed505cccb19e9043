"""The English nudges, reworded for an English-speaking MI trainer ("Invite, don't insist",
"✓ Rolling with resistance"), each stay on one line of the Tk overlay, as the Dutch do."""
import sys
from pathlib import Path

import pytest

tk = pytest.importorskip("tkinter")
import tkinter.font  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from test_overlay_tk import overlay, pump  # noqa: E402,F401

from pullcoach.report_text import nudge_words  # noqa: E402

pytestmark = pytest.mark.display


def test_every_english_nudge_fits_one_line_of_the_overlay(overlay, live_server):
    kinds = {"good-summary": "positive", "open-question-after-resistance": "positive",
             "draaivraag": "positive", "interrupted": "cue"}
    for n, (rule, message) in enumerate(sorted(nudge_words("en").items())):
        kind = kinds.get(rule, "negative")
        live_server.push("s1", {"type": "nudge-issued", "t": 5 + n, "rule": rule, "message": message,
                                "kind": kind, "speaker": "coachee", "delivered": True, "detail": {}})
        shown = message.removeprefix("✓").strip()
        pump(overlay.root, lambda: overlay.message.cget("text") == shown)
        font = tk.font.Font(root=overlay.root, font=overlay.message.cget("font"))
        assert font.measure(shown) <= int(overlay.message.cget("wraplength")), shown
        assert overlay.message.winfo_reqheight() < 2 * font.metrics("linespace"), shown
