"""`capture --replay` tells the server its files' names (hello `files`, no folders), so the
server's set-up checks speak of the file, as a local replay's do: not "Pick a different
device" for a mono recording saved as stereo, nor "is that device muted" for a silent side."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np

from pullcoach import capture, tokens as tk
from pullcoach.audio_file import FileSource
from pullcoach.hub import Hub
from pullcoach.rules.events import PipelineWarning
from pullcoach.server import Service
from pullcoach.session import LiveSession

from tests.service.test_replay_set_up_words import speech, write_wav
from tests.service.test_scheduler import FakeTranscriber

TRAINER = "trainer-token-0123456789"
INGEST = "ingest-token-0123456789"
SECONDS = 26  # under the 30 s a capture's audio may run ahead of the server's clock


def set_up_warnings(source) -> list[PipelineWarning]:
    """``source`` streamed by capture.stream to a Service whose sessions are LiveSessions."""
    out: list[PipelineWarning] = []

    def factory(src, *, session_id, **kw):
        session = LiveSession(src, transcriber=FakeTranscriber(), session_id=session_id, pace="max")
        session.add_sink(lambda sid, e: out.append(e) if isinstance(e, PipelineWarning) else None)
        return session

    async def main():
        service = await Service(Hub(), tk.Tokens(trainer=TRAINER, session=INGEST), port=0,
                                ping_interval=None, session_factory=factory).start()
        try:
            await capture.stream(f"ws://127.0.0.1:{service.port}", INGEST, source)
        finally:
            await service.close()
    asyncio.run(asyncio.wait_for(main(), 120))
    return [w for w in out if w.kind in ("channels-same", "channel-silent")]


def test_a_captures_mono_recording_saved_as_stereo_is_said_of_the_file(tmp_path):
    x = speech()[: SECONDS * 16_000]
    mono = (x[:, 0] + x[:, 1]) / 2
    rec = write_wav(tmp_path / "rec.wav", mono, mono)
    (same,) = set_up_warnings(FileSource(rec))
    assert same.kind == "channels-same"
    assert same.message.startswith("Both channels of rec.wav carry the same sound: a mono recording "
                                   "saved as stereo?")
    assert "device" not in same.message and same.detail["files"] == ["rec.wav"]
    assert str(tmp_path) not in same.message  # the pair's folders stay on their laptop


def test_a_captures_silent_partners_file_is_said_of_that_file(tmp_path):
    x = speech()[: SECONDS * 16_000]
    coachee = write_wav(tmp_path / "coachee.wav", x[:, 0])
    partner = write_wav(tmp_path / "partner.wav", np.zeros(len(x), np.float32))
    (silent,) = set_up_warnings(FileSource(coachee, partner))
    assert silent.kind == "channel-silent" and silent.detail["speaker"] == "partner"
    assert silent.message.startswith("No sound at all in partner.wav (the partner's file) for 20 s: "
                                     "was that side recorded?")
    assert "muted" not in silent.message and silent.detail["files"] == ["coachee.wav", "partner.wav"]
