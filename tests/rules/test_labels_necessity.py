"""Necessity and expectation said as an order push: "Het is echt nodig dat je er op dinsdag
bent" read as a reflection ("dat je ...") and was praised "✓ Samenvatting" (a QA trainer,
2026-12-07). Their own view of what is needed stays a reflection."""

import pytest

from pullcoach.rules.labels import Labeler
from pullcoach.rules.pack import load_pack

PREV = "Ik vind het eigenlijk prima om thuis te werken, daar ben ik veel rustiger."


@pytest.fixture(scope="module")
def label():
    labeler = Labeler(load_pack("nl"))
    return lambda text: labeler.label(text, prev_partner=PREV)


@pytest.mark.parametrize("text", [
    "Het is echt nodig dat je er gewoon bent op dinsdag.",
    "Het is noodzakelijk dat je er op dinsdag bent.",
    "Het is de bedoeling dat je dinsdag op kantoor bent.",
    "Ik verwacht dat je er dinsdag bent.",
])
def test_necessity_pushes_and_is_no_reflection(label, text):
    got = label(text)
    assert got.push and not got.reflection


@pytest.mark.parametrize("text", ["Je vindt het niet nodig dat je er op dinsdag bent.",
                                  "Je hebt rust nodig om te werken.",
                                  # their words quoted back (a QA check of the fix above)
                                  "Dus jij hoort steeds: het is de bedoeling dat je gewoon komt, en dat "
                                  "voelt niet als een keuze.",
                                  "Je zegt eigenlijk: ik verwacht dat je rekening houdt met mijn situatie."])
def test_their_own_need_said_back_stays_a_reflection(label, text):
    got = label(text)
    assert got.reflection and not got.push
