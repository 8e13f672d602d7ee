"""The plan for this pilot: its profile, the items that apply, owners, dates, the verdict."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.advice.profile import Passage, infer, parse_date, stated
from app.advice.summary import gloss
from app.errors import ConfigError
from app.io.json_shapes import plan_json
from app.knowledge.catalog import check_condition, load_knowledge
from app.schemas import PilotProfile, Transcript, TranscriptTurn
from app.service.advisor import Advisor

ROOT = Path(__file__).resolve().parents[2]
RULES = load_knowledge(ROOT / "knowledge").plan

VENDOR_ONLY = {"gov-local-validation-vendor-models", "gov-local-vendor-validation"}


def _invoice_pilot(profile: dict[str, object]) -> Transcript:
    """An in-house invoice-matching model at a manufacturer, as its people describe it."""

    def said(who: str, role: str, text: str) -> TranscriptTurn:
        return TranscriptTurn(role="stakeholder", speaker=who, speaker_role=role, content=text)

    def asked(text: str) -> TranscriptTurn:
        return TranscriptTurn(role="advisor", content=text)

    return Transcript(
        pilot={
            "name": "Invoice matching",
            "organisation": "A gearbox manufacturer",
            "use_case": "A model we built in-house proposes matches between supplier invoices "
            "and purchase orders in SAP ECC.",
            "profile": profile,
        },
        turns=[
            asked("How complete are the invoices the model reads?"),
            said(
                "Brigitte Hoffmann",
                "Head of Accounts Payable",
                "About one in five invoices arrives without a PO number, so the match fails and "
                "my clerks fix them by hand every day.",
            ),
            asked("Are suppliers recorded once, under one number?"),
            said(
                "Brigitte Hoffmann",
                "Head of Accounts Payable",
                "No. Since the merger the same supplier sits under two or three vendor numbers "
                "in SAP ECC and nobody has cleaned them up.",
            ),
            asked("Has a data protection impact assessment been done?"),
            said(
                "Jonas Weber",
                "Data Protection Officer",
                "No DPIA has been carried out, although the invoices carry the names and bank "
                "details of sole traders.",
            ),
            asked("How do the matches get back into SAP?"),
            said(
                "Piotr Nowak",
                "IT Integration Lead",
                "They don't: the tool gives an Excel file and the clerks re-key every match in "
                "SAP by hand. There is no interface and no test system for one.",
            ),
        ],
    )


# the profile -------------------------------------------------------------------------------------


def test_the_profile_is_read_from_what_people_said_and_keeps_what_was_stated() -> None:
    pilot = {"use_case": "Forecasts demand per store.", "profile": {"model_source": "vendor"}}
    passages = [
        Passage("We built the model ourselves, it runs nightly in Databricks.", "Ana, turn 2"),
        Passage("It uses no personal data at all; patients are never involved.", "memo.pdf, p. 1"),
        Passage("We plan to go live in March 2027 on SAP S/4HANA.", "Ana, turn 4"),
    ]
    profile = infer(pilot, passages, RULES)
    assert profile.model_source == "vendor"  # stated by the consultant, never overridden
    assert profile.stated == ["model_source"]
    assert profile.model_kind == "predictive" and profile.timing == "batch"
    assert profile.personal_data is False  # an explicit "no personal data" wins
    assert profile.go_live == "2027-03-01"
    assert profile.systems == ["Databricks", "SAP S/4HANA"]
    clue = next(c for c in profile.clues if c.field == "timing")
    assert clue.source == "Ana, turn 2" and "nightly" in clue.quote


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-31", "2027-03-31"),
        ("by 15 June 2027", "2027-06-15"),
        ("in Q3 2027", "2027-07-01"),
        ("next spring", None),
    ],
)
def test_go_live_dates_in_plain_words(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


def test_a_bad_profile_is_a_clear_error(advisor: Advisor) -> None:
    space = advisor.create_workspace("Invoice matching")
    with pytest.raises(ConfigError, match="not a date; write it as 2027-03-31"):
        advisor.set_profile(space.id, {"go_live": "soonish"})
    with pytest.raises(ConfigError, match="profile is invalid"):
        stated({"profile": {"model_source": "borrowed"}})
    with pytest.raises(ConfigError, match="Unknown condition"):
        check_condition("model_source=borrowed")


def test_the_profile_is_stored_with_the_pilot(advisor: Advisor) -> None:
    space = advisor.create_workspace("Invoice matching")
    profile = advisor.set_profile(
        space.id, {"model_source": "in_house", "go_live": "March 2027", "systems": ["SAP ECC"]}
    )
    assert profile.model_source == "in_house" and profile.go_live == "2027-03-01"
    again = advisor.profile(space.id)
    assert again.systems == ["SAP ECC"] and set(again.stated) >= {"model_source", "go_live"}


# the plan ----------------------------------------------------------------------------------------


def test_the_plan_fits_this_pilot(advisor: Advisor) -> None:
    plan = advisor.plan_transcript(_invoice_pilot({"go_live": "2027-01-15"}))
    items = plan.items()
    ids = {i.id for i in items}
    assert plan.profile.model_source == "in_house" and plan.profile.personal_data is True
    assert not ids & VENDOR_ONLY  # advice for bought models is not proposed

    # Personal data without a DPIA blocks go-live, and its item comes first, cited.
    assert plan.verdict is not None and plan.verdict.status == "not_ready"
    dpia = next(b for b in plan.verdict.blockers if b.id == "personal-data-without-dpia")
    assert dpia.items == ["gov-dpia-before-live-data"]
    assert "No DPIA has been carried out" in dpia.evidence[0].quote
    first = {i.id for i in plan.phases[0].items}
    assert "gov-dpia-before-live-data" in first
    item = next(i for i in items if i.id == "gov-dpia-before-live-data")
    assert "Jonas Weber" in item.why_here and "No DPIA has been carried out" in item.why_here
    assert item.owner_stakeholder == "Jonas Weber"  # the person interviewed, not a role
    assert item.citations and item.applies_when == ["uses personal data"]

    # Every at-risk pattern has an item, and every item quotes this pilot's own evidence.
    for pattern in plan.assessment.patterns:
        if pattern.at_risk:
            assert any(i.pattern == pattern.id for i in items), pattern.id
    quotes = {e.quote for p in plan.assessment.patterns for e in p.evidence}
    assert all(any(q in i.why_here for q in quotes) for i in items)
    assert any("SAP ECC" in i.why_here for i in items)  # the pilot's own systems

    # Dates follow from today's phases; the go-live date is checked against them.
    today = date.today()
    assert plan.phases[0].ends == (today + timedelta(days=30)).isoformat()
    assert all(i.due for i in items)
    assert any("after the target go-live date of 2027-01-15" in n for n in plan.audit.notices)
    assert plan.verdict.timing and "Timing: " in plan.executive_summary


def test_an_empty_phase_says_why(advisor: Advisor) -> None:
    plan = advisor.plan_transcript(_invoice_pilot({}))
    for phase in plan.phases:
        assert phase.items or phase.note


def test_the_plan_json_carries_the_verdict_profile_and_owners(advisor: Advisor) -> None:
    body = plan_json(advisor.plan_transcript(_invoice_pilot({})))
    json.dumps(body)
    assert body["verdict"]["status"] in ("not_ready", "conditional", "ready")
    assert {"blockers", "conditions", "headline"} <= set(body["verdict"])
    assert body["profile"]["model_source"] == "in_house"
    assert body["executive_summary"].startswith("**")
    item = body["phases"][0]["items"][0]
    assert {"why_here", "owner_stakeholder", "evidence", "due", "citations", "kpi"} <= set(item)
    assert all({"quote", "source"} <= set(e) for e in item["evidence"])


def test_the_executive_summary_explains_its_jargon(advisor: Advisor) -> None:
    summary = advisor.plan_transcript(_invoice_pilot({})).executive_summary
    assert "data protection impact assessment (DPIA)" in summary
    assert "Not ready to go live" in summary.splitlines()[0]
    glossed = gloss("Write the runbook, then test the runbook and the API.", RULES.glossary)
    assert glossed.count("(the written steps for running and fixing the system)") == 1
    assert "API (the interface systems use to talk to each other)" in glossed


def test_can_we_go_live_is_answered_with_the_verdict(advisor: Advisor) -> None:
    space = advisor.create_workspace("Invoice matching", pilot=_invoice_pilot({}).pilot)
    person = advisor.add_stakeholder(space.id, "Jonas Weber", "Data Protection Officer")
    advisor.start_interview(person.id)
    advisor.answer(
        person.id,
        "No DPIA has been carried out, although the invoices carry the names and bank details "
        "of sole traders.",
    )
    answer = advisor.ask(space.id, "Can we go live next month?")
    assert answer.text.startswith("No, not yet.")
    assert "No DPIA has been carried out" in answer.text
    assert answer.citations and all(c.quote for c in answer.citations)


def test_a_profile_that_is_not_known_adds_a_notice_not_advice(advisor: Advisor) -> None:
    plan = advisor.plan_transcript(_invoice_pilot({}))
    assert plan.profile.model_kind == "predictive" or any(
        "Does it predict or classify" in n for n in plan.audit.notices
    )
    assert PilotProfile().known("systems") is False
