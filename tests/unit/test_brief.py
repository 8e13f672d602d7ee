"""What the interview knows before the first answer: the pilot's brief (what questions may say
about the pilot, read from its use case) and the role a job title suits."""

from __future__ import annotations

import pytest

from app.advice.brief import PilotBrief, read_brief
from app.advice.titles import home_patterns, role_id
from app.knowledge.catalog import Knowledge, load_knowledge
from app.settings import Settings


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge(Settings().knowledge_dir.resolve())


@pytest.mark.parametrize(
    ("use_case", "inputs", "outputs", "users"),
    [
        (
            "Predicts late invoices from supplier history and open purchase orders, so the "
            "accounts payable clerks can chase them early.",
            "supplier history and open purchase orders",
            "predictions",
            "accounts payable clerks",
        ),
        (
            "An assistant reads incoming warranty claims and suggests a repair code to the "
            "service advisers in the dealer portal.",
            "warranty claims",
            "suggestions",
            "service advisers",
        ),
        (
            "Scores each loan application for fraud risk and sends the top cases to the "
            "fraud operations team.",
            None,
            "scores",
            "fraud operations team",
        ),
        (
            "Forecasts weekly demand per depot from shipment records and weather data and "
            "automatically raises purchase requests for the planners and buyers.",
            "shipment records and weather data",
            "forecasts",
            "planners and buyers",
        ),
        ("Internal search over policy documents.", None, None, None),
        ("Answers questions from employees about leave and pay.", None, None, None),
    ],
)
def test_the_brief_names_inputs_outputs_and_users(
    knowledge: Knowledge,
    use_case: str,
    inputs: str | None,
    outputs: str | None,
    users: str | None,
) -> None:
    pilot = {"name": "Late Radar", "use_case": use_case}
    brief = read_brief(pilot, None, knowledge.interview.brief)
    assert (brief.inputs, brief.outputs, brief.users) == (inputs, outputs, users)


def test_a_sensor_is_not_a_user(knowledge: Knowledge) -> None:
    brief = read_brief(
        {"use_case": "Flags anomalies for the pressure sensors in the network."},
        "Leak watch",
        knowledge.interview.brief,
    )
    assert brief.users is None
    assert brief.name == "Leak watch"


def test_a_tailored_probe_is_asked_only_when_the_brief_has_its_phrases(
    knowledge: Knowledge,
) -> None:
    catalog = knowledge.catalog
    referents = knowledge.interview.pilot_referents
    probe = catalog.pattern("integration").probe("int-p14")
    assert probe.tailored
    full = PilotBrief(name="Late Radar", outputs="predictions", users="accounts payable clerks")
    asked = full.question(probe, referents)
    assert "Late Radar's predictions" in asked
    assert "accounts payable clerks" in asked
    users_only = PilotBrief(name="Late Radar", users="accounts payable clerks")
    assert "predictions" not in users_only.question(probe, referents)
    assert "accounts payable clerks" in users_only.question(probe, referents)
    bare = PilotBrief(name="Late Radar")
    assert bare.question(probe, referents) == probe.question.replace("the tool's", "Late Radar's")


def test_every_tailored_wording_uses_only_the_brief_phrases(knowledge: Knowledge) -> None:
    everything = PilotBrief(name="X", inputs="i", outputs="o", users="u")
    for pattern in knowledge.catalog.patterns:
        for probe in pattern.probes:
            for wording in probe.tailored:
                assert wording.endswith("?")
                assert "{" not in everything.question(probe, ())


@pytest.mark.parametrize(
    ("title", "role", "home"),
    [
        ("Shop steward, warehouse branch", "risk_legal", {"change_management"}),
        ("Plant Controller", "executive", set()),
        ("Data steward, customer master", "data_owner", {"data_quality"}),
    ],
)
def test_job_titles_that_look_alike_are_told_apart(
    knowledge: Knowledge, title: str, role: str, home: set[str]
) -> None:
    assert role_id(title, knowledge.lexicon) == role
    assert home_patterns(title, knowledge.catalog.patterns) == home
