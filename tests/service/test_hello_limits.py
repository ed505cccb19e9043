"""A capture hello is refused (``malformed``, saying what is allowed) for a language the
server has no pack for and for a name longer than a card or a report can show."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect

from pullcoach import protocol as p
from pullcoach import tokens as tk
from pullcoach.errors import ProtocolError
from pullcoach.hub import Hub
from pullcoach.server import Service

INGEST = "ingest-token-0123456789"

HELLO = {"v": 1, "type": "hello", "role": "capture", "token": "t", "lang": "nl",
         "coachee": "Anna", "partner": "Bram", "client": "c"}


def _refusal(change: dict) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        p.decode(json.dumps({**HELLO, **change}))
    assert p.error_code(info.value) == "malformed"
    return info.value


@pytest.mark.parametrize("lang", ["xx", "NL", "de", "", "nl-NL"])
def test_a_language_without_a_pack_is_refused_naming_the_ones_there_are(lang):
    err = _refusal({"lang": lang})
    assert str(err) == f'"lang" must be nl or en, not {lang!r}'
    assert p.error_detail(err) == {"reason": "bad-lang", "lang": lang, "allowed": ["nl", "en"]}


@pytest.mark.parametrize("lang", ["nl", "en", None])
def test_nl_en_or_no_language_is_accepted(lang):
    hello = {k: v for k, v in HELLO.items() if k != "lang" or lang is not None}
    assert p.decode(json.dumps({**hello, **({"lang": lang} if lang else {})})).lang == lang


@pytest.mark.parametrize("field", ["coachee", "partner"])
def test_a_name_over_80_characters_is_refused_saying_the_limit(field):
    err = _refusal({field: "A" * 5000})
    assert str(err) == (f'"{field}" may be at most 80 characters (a name, as the trainer\'s card and '
                        "the report show it), not 5000")
    assert p.error_detail(err) == {"reason": "too-long", "field": field, "max": 80, "length": 5000}
    assert p.error_code(_refusal({field: "é" * 81})) == "malformed"  # characters, not bytes


@pytest.mark.parametrize("field", ["coachee", "partner"])
def test_a_name_of_80_characters_is_accepted_whole(field):
    name = "Maria-Annabella van den Hoogenband-Vlaardingerbroek " + "x" * 28
    assert len(name) == 80
    hello = p.decode(json.dumps({**HELLO, field: name}))
    assert getattr(hello, field) == name
    assert p.decode(p.encode(hello)) == hello


@pytest.mark.parametrize("change, reason", [({"lang": "xx"}, "bad-lang"),
                                            ({"coachee": "A" * 5000}, "too-long")])
def test_the_server_refuses_such_a_capture_before_it_makes_a_session(change, reason):
    """What a capture reads on /ingest: the error with its detail, then close 4400; no
    session (no trainer's card) is made."""
    async def main():
        hub, made = Hub(), []

        def factory(src, *, session_id, **kw):
            made.append(session_id)
            raise AssertionError("no session for a refused hello")

        service = await Service(hub, tk.Tokens(trainer="trainer-token-0123456789", session=INGEST),
                                port=0, ping_interval=None, session_factory=factory).start()
        try:
            async with connect(f"ws://127.0.0.1:{service.port}/ingest") as ws:
                await ws.send(json.dumps({**HELLO, "token": INGEST, **change}))
                reply = p.decode(await ws.recv())
                with pytest.raises(Exception):
                    await asyncio.wait_for(ws.recv(), 2)
            assert isinstance(reply, p.Error) and reply.code == "malformed", reply
            assert reply.detail["reason"] == reason
            assert ws.close_code == 4400
            assert made == [] and not hub.sessions
        finally:
            await service.close()
    asyncio.run(asyncio.wait_for(main(), 20))
