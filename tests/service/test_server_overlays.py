"""A trainer's status says how many overlays show a session's nudges, and again when that changes."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_server import TOK_A, TRAINER, hello, run, start  # noqa: E402

import asyncio  # noqa: E402


async def status_json(ws, session, timeout=2.0):
    """The next status for ``session``, as sent (the raw JSON)."""
    while True:
        data = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if data["type"] == "status" and data["session"] == session:
            return data


def test_the_trainers_status_counts_the_overlays_of_each_session_as_they_come_and_go():
    async def main():
        hub, service, fakes = await start()
        tr = await hello(service, "trainer", TRAINER)
        assert (await status_json(tr, "A"))["overlays"] == 0
        ov = await hello(service, "overlay", TOK_A, "A")
        assert (await status_json(tr, "A"))["overlays"] == 1
        ov2 = await hello(service, "overlay", TOK_A, "A")
        assert (await status_json(tr, "A"))["overlays"] == 2
        mine = await status_json(ov, "A")   # the overlay's own status: not the trainer's count
        assert "overlays" not in mine
        await ov2.close()
        assert (await status_json(tr, "A"))["overlays"] == 1
        await ov.close()
        assert (await status_json(tr, "A"))["overlays"] == 0
        await service.close()
    run(main())
