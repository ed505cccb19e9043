"""A capture replaying one stereo file that breaks off: the server's warning says the
recording (both sides) broke off, not the coachee's file (needs the ingest.py patch)."""

import asyncio

import pytest

from pullcoach import capture
from pullcoach.audio_file import FileSource
from pullcoach.errors import AudioError
from pullcoach.hub import Hub

from tests.service.test_capture_warning import AUDIO, CUT_BYTES, INGEST, serving, warnings


def test_a_capture_of_a_stereo_file_that_broke_says_the_recording_broke(tmp_path):
    cut = tmp_path / "stereo.flac"
    cut.write_bytes((AUDIO / "nl_push.flac").read_bytes()[:CUT_BYTES])

    async def main():
        hub, log = Hub(), []
        service = await serving(hub, log)
        try:
            with pytest.raises(AudioError):
                await capture.stream(f"ws://127.0.0.1:{service.port}", INGEST, FileSource(cut))
        finally:
            await service.close()
        return log
    (w,) = warnings(asyncio.run(asyncio.wait_for(main(), 60)))
    assert w.detail["speaker"] == "coachee" and w.detail["files"] == ["stereo.flac"]
    assert w.message.startswith("The recording broke off at 0:02.")
    assert "it holds both sides (one stereo file)" in w.message and "coachee's file" not in w.message
