"""The knowledge base keeps itself honest: schema, coverage, sourcing, do-not-cite, retrieval."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.advice.figures import find_banned
from app.knowledge.catalog import Knowledge, load_knowledge, parse_recommendations
from app.schemas import SourceKind
from app.service.advisor import Advisor
from tests.conftest import ROOT

KNOWLEDGE = ROOT / "knowledge"
PATTERN_IDS = ["data_quality", "infrastructure", "integration", "governance", "change_management"]
ROLES = {"executive", "data_owner", "it_operations", "risk_legal", "end_user_lead"}
FIGURE = re.compile(r"\d\s*(?:%|per\s*cent)|(?:US\$|\$|€|£)\s*\d|\d\s*(?:million|billion|bn)\b")
SOURCE = re.compile(r"\((?:[^()]|\([^()]*\))*?\b(?:19|20)\d\d\b(?:[^()]|\([^()]*\))*\)")
NEGATION = re.compile(r"\b(no|not|never|nothing|none|nobody|don't|doesn't|isn't|aren't|without)\b")


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge(KNOWLEDGE)


def _paragraphs(body: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", body) if p.strip()]


def test_patterns_are_the_five_with_deep_signs_and_probes(kb: Knowledge) -> None:
    assert kb.catalog.ids == PATTERN_IDS
    assert set(kb.catalog.role_ids()) == ROLES
    for pattern in kb.catalog.patterns:
        assert len(pattern.warning_signs) >= 20, pattern.id
        assert {s.style for s in pattern.warning_signs} == {"blunt", "hedged", "indirect"}
        assert {s.severity for s in pattern.warning_signs} >= {2, 3}
        assert len(pattern.healthy_signs) >= 10, pattern.id
        negated = [s for s in pattern.healthy_signs if NEGATION.search(s.text.lower())]
        assert len(negated) >= 3, f"{pattern.id}: healthy signs need negated forms"
        assert len(pattern.probes) >= 10, pattern.id
        assert set().union(*(set(p.roles) for p in pattern.probes)) == ROLES, pattern.id
        assert all(p.follow_ups for p in pattern.probes)
        crosswalk = pattern.crosswalk
        assert crosswalk.nist_ai_rmf and crosswalk.iso_42001 and crosswalk.eu_ai_act


def test_change_management_covers_framing_value_and_kpis(kb: Knowledge) -> None:
    areas = " ".join(kb.catalog.pattern("change_management").sub_areas).lower()
    for needed in ("problem framing", "business value", "kpi"):
        assert needed in areas


def test_every_playbook_has_valid_front_matter(kb: Knowledge) -> None:
    assert 16 <= len(kb.playbooks) <= 20
    ids = {book.id for book in kb.playbooks}
    assert {"statistics", "case-studies"} <= ids
    for book in kb.playbooks:
        assert book.file == f"{book.id}.md"
        assert set(book.patterns) <= set(PATTERN_IDS), book.file
        assert all(source.year for source in book.sources), book.file


def test_each_pattern_has_three_playbooks_and_fifteen_recommendations(kb: Knowledge) -> None:
    for pattern in PATTERN_IDS:
        books = [b for b in kb.playbooks if pattern in b.patterns and len(b.patterns) < 5]
        recs = [r for r in kb.recommendations if r.pattern == pattern]
        assert len(books) >= 3, pattern
        assert len(recs) >= 15, pattern


def test_recommendations_are_complete_and_state_no_figures(kb: Knowledge) -> None:
    for rec in kb.recommendations:
        assert rec.action and rec.owner and rec.exit_criterion and rec.timeframe, rec.id
        for text in (rec.action, rec.exit_criterion, rec.prerequisites):
            assert not FIGURE.search(text), f"{rec.id} states a figure: {text}"


def test_every_figure_has_a_source_in_its_paragraph(kb: Knowledge) -> None:
    for book in kb.playbooks:
        publishers = [s.publisher or s.author or "" for s in book.sources]
        names = {w for p in publishers for w in re.findall(r"[A-Z][A-Za-z&]{2,}", p)}
        for paragraph in _paragraphs(book.body):
            if not FIGURE.search(paragraph) or paragraph.startswith("#"):
                continue
            sourced = SOURCE.search(paragraph) or any(n in paragraph for n in names)
            assert sourced, f"{book.file}: unsourced figure in: {paragraph[:160]}"


def test_no_playbook_repeats_a_do_not_cite_figure(kb: Knowledge) -> None:
    assert len(kb.banned) >= 4
    for book in kb.playbooks:
        assert find_banned(book.body, kb.banned) == [], book.file


@pytest.mark.parametrize(
    "text",
    [
        "As Gartner famously said, 85% of AI projects fail.",
        "RAND looked at 2,400 projects and found a 19.7% success rate.",
        "87% of data science projects never make it into production.",
        "Per Gartner, 70 percent of AI initiatives never reach production.",
    ],
)
def test_the_checker_flags_do_not_cite_figures_however_phrased(kb: Knowledge, text: str) -> None:
    assert find_banned(text, kb.banned)


def test_the_checker_lets_citable_figures_through(kb: Knowledge) -> None:
    for figure in kb.citable:
        assert find_banned(f"{figure.claim} ({figure.source}).", kb.banned) == [], figure.id


def test_headings_are_unique_within_each_playbook(kb: Knowledge) -> None:
    for book in kb.playbooks:
        headings = [line for line in book.body.splitlines() if line.startswith("#")]
        assert len(headings) == len(set(headings)), book.file


def test_eu_ai_act_dates_state_both_versions_and_say_verify(kb: Knowledge) -> None:
    book = next(b for b in kb.playbooks if b.id == "eu-ai-act-and-privacy")
    assert "Digital Omnibus" in book.body
    assert "2 Aug 2026" in book.body and "2 Dec 2027" in book.body
    assert "Verify the current status" in book.body


def test_recommendation_parser_reads_every_block(kb: Knowledge) -> None:
    for book in kb.playbooks:
        assert len(parse_recommendations(book)) == book.body.count("### Recommendation:")


def _questions() -> list[dict[str, str]]:
    path = ROOT / "evals" / "retrieval_questions.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_retrieval_questions_point_at_real_sections(kb: Knowledge) -> None:
    rows = _questions()
    assert len(rows) >= 40
    headings = {
        (b.file, line.lstrip("#").strip())
        for b in kb.playbooks
        for line in b.body.splitlines()
        if line.startswith("#")
    }
    for row in rows:
        assert (row["file"], row["section"]) in headings, row


def test_search_puts_the_expected_section_in_the_top_five(advisor: Advisor) -> None:
    rows = _questions()
    advisor.index_knowledge()
    hits = 0
    for row in rows:
        results = advisor.search(row["question"], workspace=None, k=5, kind=SourceKind.PLAYBOOK)
        hits += any(r.source == row["file"] and r.section == row["section"] for r in results)
    assert hits / len(rows) >= 0.9


def test_the_knowledge_version_changes_with_the_files(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(KNOWLEDGE, tmp_path / "k")
    before = load_knowledge(tmp_path / "k").version
    path = tmp_path / "k" / "playbooks" / "case-studies.md"
    path.write_text(path.read_text() + "\n")
    load_knowledge.cache_clear()
    assert load_knowledge(tmp_path / "k").version != before
