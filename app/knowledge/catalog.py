"""The knowledge base, loaded and cross-checked: ``knowledge/`` -> ``Knowledge``.

``patterns.yaml`` gives the five failure patterns (``patterns``), ``lexicon.yaml``,
``interview.yaml`` and ``plan.yaml`` the word lists and texts (``texts``), ``playbooks/*.md`` the
passages, Recommendation blocks and figures (``playbooks``). This module loads them all and
checks what no single file can: that ids named in one file exist in another. The
``app.knowledge`` package is the only reader of ``knowledge/``; this module is its public
surface, so everything else imports from here.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.errors import ConfigError
from app.knowledge.patterns import (
    Catalog,
    Crosswalk,
    HealthySign,
    Maturity,
    Pattern,
    Probe,
    Role,
    Slot,
    WarningSign,
    check_catalog,
)
from app.knowledge.playbooks import (
    REC_PREFIX,
    BannedFigure,
    Figure,
    Playbook,
    Recommendation,
    SourceRef,
    figures,
    load_playbooks,
    parse_recommendations,
    playbook_document,
    split_front_matter,
)
from app.knowledge.texts import (
    BlockerRule,
    BriefWords,
    Commands,
    InterviewTexts,
    Lexicon,
    PlanRules,
    ProfileTexts,
)

__all__ = [
    "CONDITIONS",
    "REC_PREFIX",
    "BannedFigure",
    "BlockerRule",
    "BriefWords",
    "Catalog",
    "Commands",
    "Crosswalk",
    "Figure",
    "HealthySign",
    "InterviewTexts",
    "Knowledge",
    "Lexicon",
    "Maturity",
    "Pattern",
    "PlanRules",
    "Playbook",
    "Probe",
    "ProfileTexts",
    "Recommendation",
    "Role",
    "Slot",
    "SourceRef",
    "WarningSign",
    "check_condition",
    "load_catalog",
    "load_knowledge",
    "load_playbooks",
    "parse_recommendations",
    "playbook_document",
    "split_front_matter",
]

_T = TypeVar("_T", bound=BaseModel)

# The profile conditions a block may declare: a yes/no field, or field=value.
CONDITIONS = {
    "personal_data": None,
    "regulated_sector": None,
    "decisions_about_people": None,
    "model_source": ("in_house", "vendor"),
    "model_kind": ("predictive", "generative"),
    "timing": ("real_time", "batch"),
}


class Knowledge(BaseModel):
    """Everything in ``knowledge/``, loaded and cross-checked once."""

    model_config = ConfigDict(frozen=True)

    catalog: Catalog
    lexicon: Lexicon
    interview: InterviewTexts
    plan: PlanRules
    playbooks: list[Playbook]
    recommendations: list[Recommendation]
    citable: list[Figure]
    banned: list[BannedFigure]
    version: str = Field(description="Hash of every knowledge file: changes when any does.")

    def recommendation(self, rec_id: str) -> Recommendation:
        for rec in self.recommendations:
            if rec.id == rec_id:
                return rec
        raise ConfigError(f"Unknown recommendation {rec_id!r}.")


def check_condition(condition: str) -> None:
    name, _, value = condition.partition("=")
    if name not in CONDITIONS or (value and value not in (CONDITIONS[name] or ())):
        raise ConfigError(
            f"Unknown condition {condition!r}; use one of {', '.join(sorted(CONDITIONS))} "
            "(with =value for model_source, model_kind and timing)."
        )
    choices = CONDITIONS[name]
    if choices is not None and not value:
        raise ConfigError(f"Condition {condition!r} needs a value, e.g. {name}={choices[0]}.")


def _version(knowledge_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(knowledge_dir.rglob("*")):
        if path.is_file() and path.suffix in {".md", ".yaml", ".yml"}:
            digest.update(path.relative_to(knowledge_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _load_yaml(path: Path, model: type[_T]) -> _T:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return model(**data)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path} is missing; point ADVISOR_KNOWLEDGE_DIR at it.") from exc
    except (ValidationError, TypeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path} is invalid: {exc}") from exc


def load_catalog(knowledge_dir: Path) -> Catalog:
    catalog = _load_yaml(knowledge_dir / "patterns.yaml", Catalog)
    check_catalog(catalog)
    return catalog


@cache
def load_knowledge(knowledge_dir: Path) -> Knowledge:
    """Load and cross-check the whole knowledge base (cached per folder)."""
    catalog = load_catalog(knowledge_dir)
    books = load_playbooks(knowledge_dir)
    recommendations = [rec for book in books for rec in parse_recommendations(book)]
    ids = {r.id for r in recommendations}
    if len(ids) != len(recommendations):
        raise ConfigError("Recommendation IDs must be unique across all playbooks.")
    for rec in recommendations:
        if rec.pattern not in catalog.ids:
            raise ConfigError(f"{rec.file}: {rec.id} names unknown pattern {rec.pattern!r}.")
        unknown = set(rec.depends_on) - ids
        if unknown:
            raise ConfigError(f"{rec.file}: {rec.id} depends on unknown {sorted(unknown)}.")
    for book in books:
        unknown_patterns = set(book.patterns) - set(catalog.ids)
        if unknown_patterns:
            raise ConfigError(f"{book.file}: unknown patterns {sorted(unknown_patterns)}.")
    plan = _load_yaml(knowledge_dir / "plan.yaml", PlanRules)
    slot_ids = {s.id for p in catalog.patterns for s in p.slots}
    for rec in recommendations:
        for condition in rec.applies_when:
            check_condition(condition)
        if set(rec.triggered_by) - slot_ids:
            raise ConfigError(
                f"{rec.file}: {rec.id} is triggered by unknown slots "
                f"{sorted(set(rec.triggered_by) - slot_ids)}."
            )
    for condition in {c for r in recommendations for c in r.applies_when}:
        if condition not in plan.profile.applies:
            raise ConfigError(f"plan.yaml: profile.applies has no words for {condition!r}.")
    for rule in plan.blockers:
        for condition in rule.when:
            check_condition(condition)
        if rule.slot not in slot_ids or rule.item not in ids:
            raise ConfigError(f"plan.yaml: blocker {rule.id} names an unknown slot or item.")
    citable, banned = figures(books)
    return Knowledge(
        catalog=catalog,
        lexicon=_load_yaml(knowledge_dir / "lexicon.yaml", Lexicon),
        interview=_load_yaml(knowledge_dir / "interview.yaml", InterviewTexts),
        plan=plan,
        playbooks=books,
        recommendations=recommendations,
        citable=citable,
        banned=banned,
        version=_version(knowledge_dir),
    )
