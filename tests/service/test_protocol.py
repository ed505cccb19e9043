"""Protocol v1 codec: the spec's examples round-trip, bad input is always ProtocolError."""

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pullcoach import protocol as p
from pullcoach.errors import ProtocolError
from pullcoach.rules import events as ev

SPEC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
EXAMPLES = re.findall(r"```json\n(.*?)\n```", SPEC.read_text("utf-8"), re.S)


def test_spec_has_an_example_of_every_message_type():
    types = {json.loads(x)["type"] for x in EXAMPLES}
    assert {"hello", "welcome", "status", "send-nudge", "bookmark", "end-session", "watch",
            "error", "warning", "session-started", "session-ended", "nudge-issued"} <= types


@pytest.mark.parametrize("example", EXAMPLES)
def test_spec_example_round_trips(example):
    msg = p.decode(example)
    assert json.loads(p.encode(msg)) == json.loads(example)
    assert p.decode(p.encode(msg)) == msg


def test_event_message_carries_the_event_and_session():
    nudge = ev.NudgeIssued(t=3.5, rule="interruption", message="Laat uitpraten", evidence_t=3.0)
    msg = p.decode(p.encode(p.SessionEvent(session="s1", event=nudge)))
    assert msg == p.SessionEvent(session="s1", event=nudge)


@pytest.mark.parametrize("text, code", [
    ("not json", "malformed"),
    ("[1, 2]", "malformed"),
    ('{"type":"hello"}', "malformed"),
    ('{"v":"1","type":"hello","role":"overlay","token":"x"}', "malformed"),
    ('{"v":true,"type":"hello","role":"overlay","token":"x"}', "malformed"),
    ('{"v":2,"type":"hello","role":"overlay","token":"x"}', "bad-version"),
    ('{"v":1,"type":"shout"}', "unknown-type"),
    ('{"v":1,"type":"hello","role":"admin","token":"x"}', "malformed"),
    ('{"v":1,"type":"hello","role":"overlay"}', "malformed"),
    ('{"v":1,"type":"send-nudge","session":"s","message":""}', "malformed"),
    ('{"v":1,"type":"status","session":"s","t":NaN,"listening":true,"trainer_watching":false}',
     "malformed"),
    ('{"v":1,"type":"status","session":"s","t":1,"listening":true,"trainer_watching":false,'
     '"focus_rules":[["interruption"]]}', "malformed"),
    ('{"v":1,"type":"nudge-issued","t":1,"rule":"r","message":"m","speaker":"boss","session":"s"}',
     "malformed"),
    ('{"v":1,"type":"transcript-final","t":1,"speaker":"coachee","t0":0,"t1":1,"text":"x",'
     '"words":[{"text":"a","start":1e999999,"end":1}],"session":"s"}', "malformed"),
])
def test_bad_input_has_a_code(text, code):
    with pytest.raises(ProtocolError) as info:
        p.decode(text)
    assert p.error_code(info.value) == code


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
known_types = st.sampled_from(["hello", "welcome", "status", "send-nudge", "bookmark", "watch",
                               "end-session", "error", "warning", *ev.EVENT_TYPES])
envelopes = st.fixed_dictionaries(
    {"v": st.sampled_from([1, 1, 1, 2, "1", None]), "type": known_types},
    optional={k: json_values for k in ("role", "token", "session", "t", "message", "sessions",
                                       "speaker", "words", "labels", "rule", "t0", "t1", "text",
                                       "detail", "listening", "trainer_watching", "code", "note", "evidence_t",
                                       "reason", "delivered", "overlays", "kind", "file",
                                       "error", "files")})


def _decode_or_protocol_error(text):
    try:
        msg = p.decode(text)
    except ProtocolError as err:
        assert p.error_code(err) in p.CODES
        return None
    assert p.decode(p.encode(msg)) == msg  # anything accepted re-encodes to itself
    return msg


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_decode_any_text(text):
    _decode_or_protocol_error(text)


@settings(max_examples=400, deadline=None)
@given(st.binary())
def test_decode_any_bytes(data):
    _decode_or_protocol_error(data)


@settings(max_examples=600, deadline=None)
@given(envelopes)
def test_decode_any_envelope(data):
    _decode_or_protocol_error(json.dumps(data))


def test_status_carries_the_trainers_overlay_count_only_when_given():
    trainer = p.Status(session="s", t=1.0, listening=True, trainer_watching=False, overlays=0)
    assert json.loads(p.encode(trainer))["overlays"] == 0   # none open is said, not left out
    assert p.decode(p.encode(trainer)) == trainer
    overlay = p.Status(session="s", t=1.0, listening=True, trainer_watching=False)
    assert "overlays" not in json.loads(p.encode(overlay))
    assert p.decode(p.encode(overlay)).overlays is None


@pytest.mark.parametrize("count", ['"1"', "-1", "1.5", "true", "[]"])
def test_status_overlays_must_be_a_whole_number_from_zero(count):
    text = ('{"v":1,"type":"status","session":"s","t":1,"listening":true,'
            f'"trainer_watching":false,"overlays":{count}}}')
    with pytest.raises(ProtocolError) as info:
        p.decode(text)
    assert p.error_code(info.value) == "malformed"


WARNING = {"v": 1, "type": "warning", "session": "s", "t": 2.3, "kind": "file-broken",
           "speaker": "partner", "file": "cut.flac", "error": "cut.flac: broken audio data after 2.3 s"}


def test_a_captures_warning_round_trips():
    msg = p.decode(json.dumps(WARNING))
    assert msg == p.CaptureWarning(session="s", t=2.3, kind="file-broken", speaker="partner",
                                   file="cut.flac", error="cut.flac: broken audio data after 2.3 s")
    assert json.loads(p.encode(msg)) == WARNING


@pytest.mark.parametrize("change, said", [
    ({"kind": "mic-gone"}, "unknown warning kind 'mic-gone': a capture may only say file-broken"),
    ({"kind": None}, "unknown warning kind"),
    ({"speaker": "trainer"}, '"speaker" must be one of coachee, partner'),
    ({"t": -1}, '"t" must be 0 or more'),
    ({"t": "2.3"}, '"t" must be a number'),
    ({"file": "x" * 201}, '"file" may be at most 200 characters'),
    ({"error": "x" * 501}, '"error" may be at most 500 characters'),
    ({"error": 5}, '"error" must be a string'),
    ({"session": ""}, '"session" must be a non-empty string'),
])
def test_a_bad_warning_is_malformed_and_says_what(change, said):
    with pytest.raises(ProtocolError) as info:
        p.decode(json.dumps({**WARNING, **change}))
    assert p.error_code(info.value) == "malformed" and said in str(info.value)


CAPTURE = {"v": 1, "type": "hello", "role": "capture", "token": "t", "client": "c"}


def test_a_capture_hello_names_its_replayed_files_only_when_it_has_them():
    hello = p.Hello(role="capture", token="t", client="c", files=("coachee.wav", "partner.flac"))
    assert json.loads(p.encode(hello)) == {**CAPTURE, "files": ["coachee.wav", "partner.flac"]}
    assert p.decode(p.encode(hello)) == hello
    devices = p.Hello(role="capture", token="t", client="c")
    assert json.loads(p.encode(devices)) == CAPTURE  # no "files": [] on the wire
    assert p.decode(json.dumps({**CAPTURE, "files": []})).files == ()


@pytest.mark.parametrize("files", [
    "rec.wav", ["a.wav", "b.wav", "c.wav"], ["/home/anna/rec.wav"], ["calls\\rec.wav"], [""],
    [".."], ["x" * 201], [5], [["rec.wav"]], {"rec.wav": 1}, None])
def test_a_hellos_files_are_at_most_two_names_without_folders(files):
    with pytest.raises(ProtocolError) as info:
        p.decode(json.dumps({**CAPTURE, "files": files}))
    assert p.error_code(info.value) == "malformed"
    assert '"files" must be a list of at most 2 file names (no folders' in str(info.value)
