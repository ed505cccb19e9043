"""Context.talk keeps running totals: it must give what summing every span gives, for any
window, asked at any point while the spans grow."""

from hypothesis import given, settings
from hypothesis import strategies as st

from pullcoach.rules.base import Context
from pullcoach.rules.events import COACHEE


def brute(spans, speaking, since, until):
    total = sum(max(0.0, min(b, until) - max(a, since)) for a, b in spans)
    if speaking is not None and until > speaking:
        total += until - max(speaking, since)
    return total


gaps = st.lists(st.tuples(st.floats(0.0, 5.0), st.floats(0.01, 8.0)), max_size=30)
asks = st.lists(st.tuples(st.floats(-10.0, 200.0), st.floats(0.0, 200.0)), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(gaps, asks, st.integers(0, 30))
def test_talk_is_the_sum_of_the_spans_in_the_window(gaps, asks, asked_at):
    ctx, t, spans = Context(), 0.0, []
    for i, (gap, length) in enumerate(gaps):
        a, t = t + gap, t + gap + length
        spans.append((a, t))
        ctx.spans[COACHEE].append((a, t))
        if i == asked_at:  # asked part way: the totals must catch up with later spans
            ctx.talk(COACHEE, 0.0, t)
    ctx.speaking[COACHEE] = t + 1.0
    for since, until in asks:
        since = float("-inf") if since < -5.0 else since
        expect = brute(spans, t + 1.0, since, until)
        assert abs(ctx.talk(COACHEE, since, until) - expect) < 1e-6
