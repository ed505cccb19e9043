"""A refused report or debrief link on a server with no sessions (or as many Dutch as English)
reads first in the language the server was started with: `serve --lang en` showed Dutch first."""

import asyncio
import os
import urllib.error
import urllib.request

import pytest

from pullcoach import tokens as tk
from pullcoach.hub import Hub
from pullcoach.server import Service
from tests.service.serve_proc import pullcoach_serve

NL, EN = "vanaf de trainerpagina", "from the trainer page"


def refused_first(port, path="/debrief?token=wrong", browser="en-US,en;q=0.9"):
    """Which language the 401 page shows first: "nl" or "en"."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept-Language": browser})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=5)
    assert info.value.code == 401
    body = info.value.read().decode()
    first = "nl" if body.index(NL) < body.index(EN) else "en"
    assert f'<html lang="{first}">' in body
    return first


def served(langs, browser="en-US,en;q=0.9", **kw):
    """The language first on a refused page of a Service with sessions in ``langs``."""
    async def main():
        hub = Hub()
        for i, lang in enumerate(langs):
            hub.declare(f"s{i}", f"tok-{i}", lang=lang)
        service = await Service(hub, tk.Tokens(trainer="trainer-secret-0123456789"), port=0,
                                ping_interval=None, **kw).start()
        try:
            return await asyncio.to_thread(refused_first, service.port, "/debrief?token=wrong", browser)
        finally:
            await service.close()
    return asyncio.run(main())


def test_a_server_started_in_english_with_no_sessions_reads_english_first():
    assert served([], lang="en") == "en"
    assert served([]) == "nl"                    # Dutch by default, as serve's --lang is
    assert served([], lang="nl") == "nl"


def test_the_servers_language_breaks_a_tie_and_the_sessions_and_browser_still_lead():
    assert served(["nl", "en"], lang="en") == "en"
    assert served(["nl", "en"], lang="nl") == "nl"
    assert served(["nl", "nl", "en"], lang="en") == "nl"   # most sessions are Dutch
    assert served(["en", "en", "nl"], lang="nl") == "en"
    assert served([], browser="nl-NL,nl;q=0.9", lang="en") == "nl"   # the reader asks for Dutch


def test_serve_lang_en_as_a_user_starts_it(tmp_path):
    """`pullcoach serve --lang en`, no role-play yet: a stale debrief link reads English first."""
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"),
               PULLCOACH_TRAINER_TOKEN="trainer-secret-0123456789", PYTHONUNBUFFERED="1")
    env.pop("DISPLAY", None)
    with pullcoach_serve(env, tmp_path / "data", "--lang", "en") as port:
        assert refused_first(port, "/debrief?token=old-link") == "en"
        assert refused_first(port, "/reports/x1?token=old-link") == "en"
