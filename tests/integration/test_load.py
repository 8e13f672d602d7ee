"""Concurrency: 20 simultaneous interviews share one advisor (as the app's sessions do) with no
cross-talk and nothing lost; concurrent uploads into one pilot all land. Latency figures are
measured by `make soak` into bench/RESULTS.md, not asserted here."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from app.service.advisor import Advisor
from tests.factories import small_reports

pytestmark = pytest.mark.slow

SESSIONS = 20
ANSWERS = [
    "Session {n}: the extract for pilot {n} is cleaned by hand before each demo.",
    "Session {n}: the model for pilot {n} runs from a notebook with no monitoring.",
    "Session {n}: scores for pilot {n} are copied into the ERP from a CSV export.",
    "skip",
    "Session {n}: nobody has reviewed pilot {n} for compliance yet.",
    "finish",
]


def _interview(advisor: Advisor, n: int) -> tuple[str, str]:
    workspace = advisor.create_workspace(f"Pilot {n}")
    person = advisor.add_stakeholder(workspace.id, f"Person {n}", "Head of data")
    advisor.start_interview(person.id)
    for answer in ANSWERS:
        advisor.answer(person.id, answer.format(n=n))
    return workspace.id, person.id


def test_twenty_simultaneous_interviews_keep_to_themselves(advisor: Advisor) -> None:
    advisor.warm()
    with ThreadPoolExecutor(max_workers=SESSIONS) as pool:
        done = list(pool.map(lambda n: _interview(advisor, n), range(SESSIONS)))
    assert len({w for w, _ in done}) == SESSIONS
    for n, (workspace, person) in enumerate(done):
        turns = advisor.turns(person)
        said = [t.content for t in turns if t.role == "stakeholder"]
        assert said == [a.format(n=n) for a in ANSWERS]
        assert [t.index for t in turns] == list(range(len(turns)))
        others = [f"pilot {m} " for m in range(SESSIONS) if m != n]
        assert not any(o in t.content for t in turns for o in others)
        assessment = advisor.assess(workspace)
        quotes = " ".join(e.quote for p in assessment.patterns for e in p.evidence)
        assert f"pilot {n}" in quotes and not any(o in quotes + " " for o in others)


def test_concurrent_uploads_into_one_pilot_lose_nothing(advisor: Advisor) -> None:
    workspace = advisor.create_workspace("Busy pilot")
    files = small_reports(str(n) for n in range(8))
    with ThreadPoolExecutor(max_workers=8) as pool:
        records = list(
            pool.map(lambda item: advisor.add_document(workspace.id, *item), files.items())
        )
    assert all(r.status == "indexed" for r in records)
    stored = {d.source: d for d in advisor.documents(workspace.id)}
    assert set(stored) == set(files)
    name = advisor.store.name_for(workspace.id)
    assert advisor.store.count(name) == sum(r.chunks for r in records)
    assert advisor.store.sources(name) == set(files)
