"""The adaptive interview through the orchestration API: probes, follow-ups, skip, finish."""

from __future__ import annotations

import pytest

from app.errors import AccessDenied, NotFound
from app.schemas import TurnKind
from app.service.advisor import Advisor
from tests.interviews import skip_to_the_end


@pytest.fixture
def pilot(advisor: Advisor) -> str:
    """The id of a new "Claims triage" pilot."""
    return advisor.create_workspace("Claims triage").id


@pytest.fixture
def person(advisor: Advisor, pilot: str) -> str:
    return advisor.add_stakeholder(pilot, "Dana", "Head of claims data").id


def _kinds(advisor: Advisor, person: str, role: str) -> list[TurnKind]:
    """The kinds of ``person``'s interview turns spoken by ``role``, in order."""
    return [t.kind for t in advisor.turns(person) if t.role == role]


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
    assert _kinds(advisor, person, "stakeholder") == ["skip", "dont_know", "finish"]


def test_off_topic_answers_are_redirected_once_in_other_words(
    advisor: Advisor, person: str
) -> None:
    first = advisor.start_interview(person)
    reply = advisor.answer(person, "Did you watch the football match last night, what a game?")
    assert reply.question.kind == "redirect"
    assert reply.question.content != first.question.content
    again = advisor.answer(
        person, "Have you tried the new Italian restaurant down the road from the station?"
    )
    assert again.question.kind == "probe"  # a second off-topic answer is not redirected again
    assert _kinds(advisor, person, "advisor") == ["intro", "redirect", "probe"]


def test_the_interview_does_not_close_while_slots_that_fit_the_role_are_open(
    advisor: Advisor, person: str
) -> None:
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
    questions = [t for t in advisor.turns(person) if t.role == "advisor" and t.kind != "closing"]
    assert len(questions) == advisor.settings.interview_max_questions  # the budget, not before
    filled, total = zip(*result.slots.values(), strict=True)
    assert all(0 < f < t for f, t in zip(filled, total, strict=True))  # a meter, not 100% at once
    probes = [t.probe_id for t in questions if t.kind in ("intro", "probe")]
    assert len(probes) == len(set(probes))


def _asked_about(advisor: Advisor, pilot: str, name: str, role: str, slot_id: str) -> str:
    """A new stakeholder of ``pilot`` who skips every question until the interviewer asks
    about the slot ``slot_id``; returns their id."""
    person = advisor.add_stakeholder(pilot, name, role).id
    probes = {
        probe_id
        for pattern in advisor.knowledge.catalog.patterns
        for slot in pattern.slots
        if slot.id == slot_id
        for probe_id in slot.probes
    }
    result = advisor.start_interview(person)
    for _ in range(30):
        if result.question.probe_id in probes and result.question.kind in ("intro", "probe"):
            return person
        assert not result.finished, f"{slot_id} was never asked"
        result = advisor.answer(person, "skip")
    raise AssertionError(f"{slot_id} was never asked")


def test_a_cfo_is_asked_about_value_and_cost_never_about_compute_capacity(
    advisor: Advisor,
) -> None:
    workspace = advisor.create_workspace("Invoice matching")
    cfo = advisor.add_stakeholder(workspace.id, "Markus", "Chief Financial Officer").id
    skip_to_the_end(advisor, cfo, advisor.start_interview(cfo))
    catalog = advisor.knowledge.catalog
    asked = [t.probe_id for t in advisor.turns(cfo) if t.role == "advisor" and t.probe_id]
    roles = {q.id: q.roles for p in catalog.patterns for q in p.probes}
    assert "infra-p10" not in asked  # compute capacity: IT's question
    for pattern in catalog.patterns:
        for probe_id in asked:
            slot = pattern.slot_of(probe_id)
            if slot is not None:
                assert "executive" in pattern.slot_roles(slot), probe_id
    assert any("executive" in roles[p] for p in asked)


def test_a_gap_is_acknowledged_as_a_gap_and_never_followed_by_a_presupposing_question(
    advisor: Advisor, pilot: str
) -> None:
    person = _asked_about(advisor, pilot, "Lena", "Data protection officer", "gov-privacy")
    reply = advisor.answer(person, "I don't think anyone ever did a DPIA for it, no.")
    text = reply.question.content.lower()
    assert "signed off" not in text and "when was it" not in text
    assert "control" not in text
    assert reply.question.kind == "follow_up"  # after a gap: its owner and plan, once
    again = advisor.answer(person, "Nobody owns it, and there is no plan.")
    assert again.question.kind != "follow_up"
    assert "control" not in again.question.content.lower()


def test_a_control_is_acknowledged_with_the_pattern_name_in_capitals(
    advisor: Advisor, person: str
) -> None:
    advisor.start_interview(person)
    reply = advisor.answer(
        person,
        "Every feed has a data contract, schema checks run on every load and a failed check "
        "stops the pipeline and pages the data engineer on call.",
    )
    names = [p.name for p in advisor.knowledge.catalog.patterns]
    content = reply.question.content
    assert "gap" not in content.split("?")[0].lower() or reply.question.kind == "follow_up"
    assert "control" in content
    assert any(name in content for name in names)
    assert not any(name.lower() in content for name in names if name != name.lower())


def test_as_i_said_gets_an_apology_and_the_next_slot(advisor: Advisor, person: str) -> None:
    first = advisor.start_interview(person)
    reply = advisor.answer(person, "As I said, I just told you: we don't have one.")
    assert reply.question.kind == "probe"
    assert "sorry" in reply.question.content.lower() or "apolog" in reply.question.content.lower()
    assert reply.question.probe_id != first.question.probe_id


def test_a_slot_another_stakeholder_filled_is_not_asked_again_but_contradictions_are_checked(
    advisor: Advisor, pilot: str
) -> None:
    first = _asked_about(advisor, pilot, "Ana", "Data protection officer", "gov-privacy")
    advisor.answer(
        first, "Yes, the DPIA was completed and signed off by our DPO in March, before launch."
    )
    # A verbal assurance: asked once more.
    second = _asked_about(advisor, pilot, "Ben", "Head of legal", "gov-privacy")
    reply = advisor.answer(second, "No DPIA has been done for this tool; nobody started one.")
    assert reply.question.kind == "follow_up"
    assert "Ana" not in reply.question.content
    assert "differ" in reply.question.content or "different" in reply.question.content


def test_documents_answer_some_questions_before_they_are_asked(advisor: Advisor) -> None:
    workspace = advisor.create_workspace("Forecasting")
    report = (
        b"# Data\n\nEvery input feed has a data contract with schema checks, freshness alerts and "
        b"a named owner. Nothing is cleaned by hand; validation runs on every load.\n"
    )
    advisor.add_document(workspace.id, "report.md", report)
    person = advisor.add_stakeholder(workspace.id, "Ana", "Data owner")
    first = advisor.start_interview(person.id)
    filled, _ = advisor.coverage(person.id)["data_quality"]
    assert filled >= 1  # before a single answer
    assert "documents already answer" in first.question.content


def test_unknown_ids_and_other_peoples_workspaces_are_refused(advisor: Advisor) -> None:
    with pytest.raises(NotFound):
        advisor.start_interview("nope")
    mine = advisor.create_workspace("Mine", user="alice")
    with pytest.raises(AccessDenied):
        advisor.add_stakeholder(mine.id, "Eve", "CFO", user="mallory")
    assert [w.id for w in advisor.workspaces("alice")] == [mine.id]
    assert advisor.workspaces("mallory") == []


def test_the_area_named_in_a_job_title_is_asked_about_first(advisor: Advisor) -> None:
    workspace = advisor.create_workspace("Claims triage")
    lead = advisor.add_stakeholder(workspace.id, "Jan", "IT Integration Lead, Claims Systems")
    first = advisor.start_interview(lead.id)
    assert first.question.pattern == "integration"
    officer = advisor.add_stakeholder(workspace.id, "Lena", "Data Protection Officer")
    assert advisor.start_interview(officer.id).question.pattern == "governance"


def test_a_gap_follow_up_never_quotes_a_dont_know_back(advisor: Advisor, pilot: str) -> None:
    lead = _asked_about(advisor, pilot, "Jan", "IT Integration Lead, Claims Systems", "gov-records")
    reply = advisor.answer(
        lead, "Hm, I don't know this. You should ask Ruud, he is the product owner."
    )
    assert "know this" not in reply.question.content


@pytest.mark.parametrize(
    "reply",
    [
        "Data stuff? That's Priya in IT, ask her.",
        "Ooh, that's a head office question. Try Martin in the IT team.",
        "For this you need the maintenance superintendent at site, not me.",
        "I'd be guessing, and I try not to guess in my job.",
        "That's above me na, better ask my OM, Sir Paolo.",
        "Not really my area.",
    ],
)
def test_a_question_sent_elsewhere_is_noted_for_who_would_know_not_followed_up(
    advisor: Advisor, person: str, reply: str
) -> None:
    first = advisor.start_interview(person)
    answered = advisor.answer(person, reply)
    assert answered.question.kind == "probe"
    assert "open point" in answered.question.content
    assert _kinds(advisor, person, "stakeholder") == ["dont_know"]
    # The area sent elsewhere moves back: the next question is about another pattern.
    assert answered.question.pattern != first.question.pattern


def test_a_deflection_that_still_states_a_gap_is_read_as_an_answer(
    advisor: Advisor, person: str
) -> None:
    advisor.start_interview(person)
    advisor.answer(person, "Not sure, ask Priya. Nobody checks the data before it goes in.")
    assert _kinds(advisor, person, "stakeholder") == ["answer"]


def test_a_sentence_about_another_slot_fills_that_slot(advisor: Advisor, pilot: str) -> None:
    lead = _asked_about(advisor, pilot, "Sam", "ML platform lead", "infra-release")
    advisor.answer(
        lead,
        "Training runs in a pipeline and a new version shadows the live one for a month. "
        "Every model version is in the registry, and rolling back to the previous one is a "
        "single command.",
    )
    later = skip_to_the_end(advisor, lead, advisor.answer(lead, "skip"))
    asked = [q.probe_id for q in later]
    assert "infra-p03" not in asked  # versions and rollback: already answered


def test_without_an_area_in_the_title_the_role_s_own_area_comes_first(advisor: Advisor) -> None:
    workspace = advisor.create_workspace("Duty planning")
    director = advisor.add_stakeholder(workspace.id, "Gary", "Operations Director")
    assert advisor.start_interview(director.id).question.pattern == "change_management"
    lawyer = advisor.add_stakeholder(workspace.id, "Ines", "General Counsel")
    assert advisor.start_interview(lawyer.id).question.pattern == "governance"


def test_questions_call_the_system_by_the_pilot_s_name(advisor: Advisor) -> None:
    workspace = advisor.create_workspace("Smart Match")
    clerk = advisor.add_stakeholder(workspace.id, "Brigitte", "Head of Accounts Payable")
    asked = [
        q.content for q in skip_to_the_end(advisor, clerk.id, advisor.start_interview(clerk.id))
    ]
    named = [q for q in asked if "Smart Match" in q]
    assert named and len(named) < len(asked)  # where a question speaks of "the tool"
    assert not any("Smart Match Smart Match" in q or "the Smart Match" in q for q in asked)


def test_a_short_generic_answer_gets_a_request_for_an_example_not_a_redirect(
    advisor: Advisor, person: str
) -> None:
    advisor.start_interview(person)
    reply = advisor.answer(person, "It's going really well. Lots of momentum.")
    assert reply.question.kind == "follow_up"
    assert "example" in reply.question.content or "practice" in reply.question.content


def test_a_dont_know_that_reads_as_a_gap_is_not_followed_up_on_its_owner(
    advisor: Advisor, person: str
) -> None:
    advisor.start_interview(person)
    reply = advisor.answer(
        person, "No idea, sorry. Nobody tells us that sort of thing at practice level."
    )
    assert reply.question.kind == "probe"
    assert "practice level" not in reply.question.content


@pytest.mark.parametrize(
    "reply",
    [
        "About 18 percent of invoices come in without a PO number.",
        "The clerks re-key everything in MIRO by hand.",
    ],
)
def test_a_short_specific_answer_is_not_asked_for_an_example(
    advisor: Advisor, person: str, reply: str
) -> None:
    advisor.start_interview(person)
    asked = advisor.answer(person, reply).question.content
    assert "example" not in asked and "in practice" not in asked


def test_a_gap_said_in_a_few_words_is_followed_up_without_quoting_it(
    advisor: Advisor, pilot: str
) -> None:
    cfo = _asked_about(advisor, pilot, "Rui", "CFO", "gov-review")
    reply = advisor.answer(cfo, "Not that I know of.")
    assert reply.question.kind == "follow_up"
    assert "\u201c" not in reply.question.content  # nothing quoted back


def test_an_answer_naming_the_absence_of_a_practice_is_not_asked_for_an_example(
    advisor: Advisor, person: str
) -> None:
    advisor.start_interview(person)
    asked = advisor.answer(
        person, "Nobody owns the interface really, I built it as a favour."
    ).question.content
    assert "example" not in asked and "in practice" not in asked
