"""An end asked for a live session is on the hub's record and in the status a trainer's page
gets (``ending``), so a reloaded or second dashboard does not offer "Sessie beëindigen" again
while the pipeline drains. Absent (an older server) it is false."""

import json

import pytest

from pullcoach import protocol as p
from pullcoach.hub import Hub
from pullcoach.rules import events as ev


class Draining:
    def __init__(self):
        self.stop_reason = ""

    def inject(self, event) -> None:
        pass

    def stop(self, reason: str = "stopped") -> None:
        self.stop_reason = reason


def test_the_hub_record_is_ending_from_the_stop_until_the_session_ended():
    hub, ctl = Hub(), Draining()
    rec = hub.declare("s", "tok", controller=ctl)
    hub.publish("s", ev.SessionStarted(t=0.0, session="s", lang="nl", wall_clock=1.0))
    assert rec.live and not rec.ending
    ctl.stop()
    assert rec.ending
    hub.publish("s", ev.SessionEnded(t=12.0, reason="stopped"))
    assert not rec.ending and rec.ended


def test_status_says_ending_only_when_true_and_reads_it_back():
    st = p.Status(session="s", t=3.0, listening=True, trainer_watching=False, ending=True)
    text = p.encode(st)
    assert json.loads(text)["ending"] is True
    assert p.decode(text) == st
    plain = p.encode(p.Status(session="s", t=3.0, listening=True, trainer_watching=False))
    assert "ending" not in json.loads(plain)
    assert p.decode(plain).ending is False   # an older server's status


def test_a_status_with_a_wrong_ending_is_refused():
    with pytest.raises(p.ProtocolError) as err:
        p.decode('{"v":1,"type":"status","session":"s","t":1,"listening":true,'
                 '"trainer_watching":false,"ending":"yes"}')
    assert p.error_code(err.value) == "malformed"
