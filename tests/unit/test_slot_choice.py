"""Slot choice on its own: which open slot comes next, from the catalog alone."""

from __future__ import annotations

import pytest

from app.advice.brief import PilotBrief
from app.advice.slot_choice import HEARD_SIMILARITY, SlotChooser
from app.advice.slots import SlotState
from app.advice.wording import naming
from app.knowledge.catalog import Catalog, load_knowledge
from app.settings import Settings


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_knowledge(Settings().knowledge_dir.resolve()).catalog


def _states(catalog: Catalog) -> list[SlotState]:
    return [SlotState(p, s) for p in catalog.patterns for s in p.slots]


def test_a_question_close_to_one_already_answered_waits(catalog: Catalog) -> None:
    plain = SlotChooser(catalog, 15).next_probe([], "data_owner", None, _states(catalog), "")
    assert plain.probe_id is not None

    def similarity(a: str, b: str) -> float:
        return 1.0 if (a, b) == (plain.probe_id, "dq-p13") else 0.0

    chooser = SlotChooser(catalog, 15, similarity=similarity)
    heard = frozenset({"dq-p13"})
    later = chooser.next_probe([], "data_owner", None, _states(catalog), "", heard=heard)
    assert later.probe_id != plain.probe_id
    assert similarity(plain.probe_id, "dq-p13") >= HEARD_SIMILARITY


def test_the_question_names_the_pilot_where_it_speaks_of_the_system(catalog: Catalog) -> None:
    chooser = SlotChooser(catalog, 15, referents=("the model", "the tool", "this system"))
    plain = chooser.next_probe([], "data_owner", None, _states(catalog), "")
    named = chooser.next_probe(
        [], "data_owner", None, _states(catalog), "", pilot=PilotBrief(name="Smart Match")
    )
    assert named.probe_id == plain.probe_id
    if any(r in plain.text for r in chooser.referents):
        assert "Smart Match" in named.text
    else:
        assert named.text == plain.text


@pytest.mark.parametrize(
    ("name", "question", "expected"),
    [
        ("Smart Match", "Does the tool use personal data?", "Does Smart Match use personal data?"),
        (
            "Claims triage assistant",
            "How do the tool's results get back?",
            "How do the claims triage assistant's results get back?",
        ),
        (
            "Transfer Scam Risk Screening pilot",
            "Who owns this system after go-live?",
            "Who owns Transfer Scam Risk Screening after go-live?",
        ),
        ("Lekdetectie (leak pilot)", "Is the model live?", "Is Lekdetectie live?"),
        ("Smart Match", "How far is the pilot from production?", None),
        (None, "Does the tool use personal data?", None),
        ("", "Does the tool use personal data?", None),
        ("claims", "Does the tool use personal data?", None),
    ],
)
def test_naming_the_pilot(name: str | None, question: str, expected: str | None) -> None:
    referents = ("the model", "the tool", "this system")
    assert naming(question, name, referents) == (expected or question)
