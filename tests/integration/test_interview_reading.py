"""The interview reads what people mean: questions about this pilot, reassurance that is not a
control, and questions sent elsewhere that are open points, not evidence."""

from __future__ import annotations

import pytest

from app.service.advisor import Advisor
from tests.interviews import skip_to_the_end


@pytest.fixture
def person(advisor: Advisor) -> str:
    pilot = advisor.create_workspace("Claims triage").id
    return advisor.add_stakeholder(pilot, "Dana", "Head of claims data").id


def test_questions_name_what_the_pilot_reads_and_who_uses_it(advisor: Advisor) -> None:
    workspace = advisor.create_workspace(
        "late-invoices",
        pilot={
            "name": "Late Radar",
            "use_case": "Predicts late invoices from supplier history and open purchase orders, "
            "so the accounts payable clerks can chase them early.",
        },
    )
    person = advisor.add_stakeholder(workspace.id, "Brigitte", "Head of Accounts Payable")
    start = advisor.start_interview(person.id)
    asked = [q.content for q in skip_to_the_end(advisor, person.id, start)]
    assert any("accounts payable clerks" in q for q in asked)
    assert any("supplier history and open purchase orders" in q for q in asked)
    assert not any("{" in q for q in asked)


def test_reassurance_in_general_words_is_not_a_control(advisor: Advisor, person: str) -> None:
    start = advisor.start_interview(person)
    reply = "Honestly it's all going great, and everybody is really pleased with how it's going."
    assert not any(
        e.signal.polarity == "healthy" for e in advisor.read_answer(start.question.content, reply)
    )
    result = advisor.answer(person, reply)
    assert "control" not in result.question.content
    specific = "Every release needs two approvals and the monitoring pages the on-call engineer."
    assert advisor.read_answer("How do you release a new model version?", specific)


def test_a_question_sent_elsewhere_is_an_open_point_not_evidence(advisor: Advisor) -> None:
    pilot = advisor.create_workspace("Claims triage").id
    person = advisor.add_stakeholder(pilot, "Sam", "Head of IT operations").id
    advisor.start_interview(person)
    advisor.answer(person, "No idea, mate.")
    assessment = advisor.assess(pilot)
    assert not [e for p in assessment.patterns for e in p.evidence]
    assert any(f.text.startswith("No answer to") for f in assessment.findings)
