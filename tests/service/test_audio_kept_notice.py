"""With --keep-audio the server keeps both voices: every welcome says so, the capture prints
it before the pair starts talking, and both overlays show it beside "listening" (consent:
before, only the report's footer said so afterwards)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from websockets.asyncio.client import connect

from pullcoach import protocol as p
from pullcoach.clients.overlay_state import OverlayState
from pullcoach.hub import Hub

sys.path.insert(0, str(Path(__file__).parent))
from test_ingest import INGEST, TRAINER, serving  # noqa: E402


def test_the_welcome_carries_audio_kept_only_when_true():
    kept = p.Welcome(role="capture", server="x", audio_kept=True)
    assert '"audio_kept":true' in p.encode(kept) and p.decode(p.encode(kept)).audio_kept
    plain = p.Welcome(role="capture", server="x")
    assert "audio_kept" not in p.encode(plain) and not p.decode(p.encode(plain)).audio_kept


def test_a_server_that_keeps_audio_tells_the_capture_the_trainer_and_the_overlay():
    async def main():
        hub = Hub()
        service = await serving(hub)
        service.keeps_audio = True
        url = f"ws://127.0.0.1:{service.port}"
        async with connect(url + "/ingest") as cap:
            await cap.send(p.encode(p.Hello(role="capture", token=INGEST)))
            welcome = p.decode(await cap.recv())
            assert welcome.audio_kept
            async with connect(url + "/ws") as ov:
                await ov.send(p.encode(p.Hello(role="overlay", token=welcome.token)))
                assert p.decode(await ov.recv()).audio_kept
            async with connect(url + "/ws") as tr:
                await tr.send(p.encode(p.Hello(role="trainer", token=TRAINER)))
                assert p.decode(await tr.recv()).audio_kept
            await cap.send(p.encode(p.EndSession(session=welcome.sessions[0].session)))
        service.keeps_audio = False
        async with connect(url + "/ingest") as cap:
            await cap.send(p.encode(p.Hello(role="capture", token=INGEST)))
            assert not p.decode(await cap.recv()).audio_kept
        await service.close()
    asyncio.run(asyncio.wait_for(main(), 30))


def test_the_tk_overlay_says_the_audio_is_kept_beside_listening():
    st = OverlayState(token="tok")
    st.receive({"v": 1, "type": "welcome", "role": "overlay", "server": "x", "audio_kept": True,
                "sessions": [{"session": "s1", "lang": "nl", "live": True}]}, 0.0)
    assert st.audio_kept
    st = OverlayState(token="tok")
    st.receive({"v": 1, "type": "welcome", "role": "overlay", "server": "x",
                "sessions": [{"session": "s1", "lang": "nl", "live": True}]}, 0.0)
    assert not st.audio_kept
