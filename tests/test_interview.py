"""The adaptive interview through the orchestration API: probes, follow-ups, skip, finish."""

from __future__ import annotations

import pytest

from app.advisor import Advisor
from app.errors import AccessDenied, NotFound


@pytest.fixture
def person(advisor: Advisor) -> str:
    workspace = advisor.create_workspace("Claims triage")
    return advisor.add_stakeholder(workspace.id, "Dana", "Head of claims data").id


def test_the_interview_opens_with_a_probe_suited_to_the_role(advisor: Advisor, person: str) -> None:
    first = advisor.start_interview(person)
    assert first.question.kind == "intro"
    assert first.question.probe_id is not None
    probe = next(
        q
        for p in advisor.knowledge.catalog.patterns
        for q in p.probes
        if q.id == first.question.probe_id
    )
    assert "data_owner" in probe.roles
    assert advisor.start_interview(person).question.id == first.question.id  # no duplicate


def test_a_warning_sign_gets_one_follow_up_then_the_interview_moves_on(
    advisor: Advisor, person: str
) -> None:
    advisor.start_interview(person)
    reply = advisor.answer(
        person, "Honestly, someone cleans the extract by hand in Excel before every demo."
    )
    assert reply.question.kind == "follow_up"
    assert "by hand" in reply.question.content
    again = advisor.answer(person, "The analyst, Karen, does it; nobody else knows how.")
    assert again.question.kind == "probe"


def test_vague_answers_get_a_follow_up(advisor: Advisor, person: str) -> None:
    advisor.start_interview(person)
    reply = advisor.answer(person, "It's fine, I think.")
    assert reply.question.kind == "follow_up"


def test_skip_and_dont_know_move_on_and_finish_closes(advisor: Advisor, person: str) -> None:
    first = advisor.start_interview(person)
    skipped = advisor.answer(person, "skip")
    assert skipped.question.probe_id != first.question.probe_id
    unknown = advisor.answer(person, "I don't know, you'd have to ask IT.")
    assert unknown.question.kind == "probe"
    assert "open point" in unknown.question.content
    done = advisor.answer(person, "finish")
    assert done.finished and done.question.kind == "closing"
    kinds = [t.kind for t in advisor.turns(person) if t.role == "stakeholder"]
    assert kinds == ["skip", "dont_know", "finish"]


def test_off_topic_answers_are_redirected_once(advisor: Advisor, person: str) -> None:
    advisor.start_interview(person)
    reply = advisor.answer(person, "Did you watch the football match last night, what a game?")
    assert reply.question.kind == "redirect"


def test_the_interview_ends_when_every_pattern_is_covered(advisor: Advisor, person: str) -> None:
    result = advisor.start_interview(person)
    answers = [
        "Nobody owns the vendor feed and the extract is cleaned by hand in Excel.",
        "It runs from a notebook on a laptop with no monitoring and no rollback.",
        "Scores are copied into the ERP by hand from a CSV export.",
        "There is no DPIA, no model inventory and legal has not reviewed it.",
        "The users have not been involved, there is no sponsor and no KPI.",
    ]
    for _ in range(40):
        if result.finished:
            break
        result = advisor.answer(person, answers[len(advisor.turns(person)) // 2 % len(answers)])
    assert result.finished
    assert min(result.coverage.values()) >= 0.5
    questions = [t for t in advisor.turns(person) if t.role == "advisor"]
    assert len(questions) <= advisor.settings.interview_max_questions + 1


def test_documents_answer_some_questions_before_they_are_asked(advisor: Advisor) -> None:
    workspace = advisor.create_workspace("Forecasting")
    report = (
        b"# Data\n\nEvery input feed has a data contract with schema checks, freshness alerts and "
        b"a named owner. Nothing is cleaned by hand; validation runs on every load.\n"
    )
    advisor.add_document(workspace.id, "report.md", report)
    person = advisor.add_stakeholder(workspace.id, "Ana", "Data owner")
    first = advisor.start_interview(person.id)
    assert first.question.pattern != "data_quality"


def test_unknown_ids_and_other_peoples_workspaces_are_refused(advisor: Advisor) -> None:
    with pytest.raises(NotFound):
        advisor.start_interview("nope")
    mine = advisor.create_workspace("Mine", user="alice")
    with pytest.raises(AccessDenied):
        advisor.add_stakeholder(mine.id, "Eve", "CFO", user="mallory")
    assert [w.id for w in advisor.workspaces("alice")] == [mine.id]
    assert advisor.workspaces("mallory") == []
