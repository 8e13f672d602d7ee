"""The knowledge base as typed data: ``knowledge/`` -> ``Knowledge``.

``patterns.yaml`` gives the five failure patterns (the pattern ids everything else validates
against, the interview's probes, the signs scoring compares answers with). ``playbooks/*.md``
give the passages retrieval indexes, the Recommendation blocks a plan cites and, in the
statistics playbook's front matter, the figures that may and may not be cited. This module is
the only reader of ``knowledge/``; everything else asks it.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.documents.ingest import split_markdown
from app.errors import ConfigError
from app.schemas import ParsedDocument, SourceKind

_T = TypeVar("_T", bound=BaseModel)

# patterns.yaml ---------------------------------------------------------------------------------


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Role(_Frozen):
    id: str
    name: str


class WarningSign(_Frozen):
    id: str
    text: str
    severity: int = Field(ge=1, le=3, description="1 minor, 2 serious, 3 critical.")
    style: Literal["blunt", "hedged", "indirect"]


class HealthySign(_Frozen):
    id: str
    text: str
    weight: int = Field(ge=1, le=3, description="How much the sign lowers risk.")


class Probe(_Frozen):
    id: str
    question: str
    roles: list[str] = Field(min_length=1)
    follow_ups: list[str] = Field(min_length=1)


class Slot(_Frozen):
    """An aspect of a pattern a consultant must hear about, with the probes that ask for it
    (several phrasings, each for the roles that can speak to it), in the order to ask them."""

    id: str
    name: str
    about: str
    probes: list[str] = Field(min_length=1)


class Maturity(_Frozen):
    google: dict[int, str]
    microsoft: dict[int, str]

    @field_validator("google")
    @classmethod
    def _google_levels(cls, value: dict[int, str]) -> dict[int, str]:
        if sorted(value) != [0, 1, 2]:
            raise ValueError("Google MLOps maturity has levels 0, 1 and 2")
        return value

    @field_validator("microsoft")
    @classmethod
    def _microsoft_levels(cls, value: dict[int, str]) -> dict[int, str]:
        if sorted(value) != [0, 1, 2, 3, 4]:
            raise ValueError("Microsoft MLOps maturity has levels 0 to 4")
        return value


class Crosswalk(_Frozen):
    nist_ai_rmf: list[str] = Field(min_length=1)
    iso_42001: list[str] = Field(min_length=1)
    eu_ai_act: list[str] = Field(min_length=1)
    mlops_maturity: Maturity


class Pattern(_Frozen):
    id: str
    name: str
    definition: str
    sub_areas: list[str] = Field(min_length=1)
    warning_signs: list[WarningSign]
    healthy_signs: list[HealthySign]
    probes: list[Probe]
    slots: list[Slot] = Field(min_length=1)
    title_words: list[str] = Field(
        default_factory=list, description="Job-title words that make this the person's area."
    )
    crosswalk: Crosswalk

    def probe(self, probe_id: str) -> Probe:
        return next(p for p in self.probes if p.id == probe_id)

    def slot_of(self, probe_id: str | None) -> Slot | None:
        return next((s for s in self.slots if probe_id in s.probes), None)

    def slot_roles(self, slot: Slot) -> set[str]:
        return {role for probe_id in slot.probes for role in self.probe(probe_id).roles}


class Catalog(_Frozen):
    """The failure patterns and stakeholder roles, validated as a whole."""

    version: int
    roles: list[Role]
    patterns: list[Pattern]

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.patterns]

    def pattern(self, pattern_id: str) -> Pattern:
        for pattern in self.patterns:
            if pattern.id == pattern_id:
                return pattern
        raise ConfigError(f"Unknown pattern {pattern_id!r}; valid: {', '.join(self.ids)}.")

    def role_ids(self) -> list[str]:
        return [r.id for r in self.roles]


def _check_catalog(catalog: Catalog) -> None:
    roles = set(catalog.role_ids())
    seen: set[str] = set()
    if len(set(catalog.ids)) != len(catalog.ids):
        raise ConfigError("patterns.yaml: pattern ids must be unique.")
    for pattern in catalog.patterns:
        items: list[Any] = [*pattern.warning_signs, *pattern.healthy_signs, *pattern.probes]
        for item in items:
            if item.id in seen:
                raise ConfigError(f"patterns.yaml: id {item.id!r} is used twice.")
            seen.add(item.id)
        for probe in pattern.probes:
            unknown = set(probe.roles) - roles
            if unknown:
                raise ConfigError(f"patterns.yaml: probe {probe.id} names unknown roles {unknown}.")
        probes = [p.id for p in pattern.probes]
        placed = [probe_id for slot in pattern.slots for probe_id in slot.probes]
        for slot in pattern.slots:
            if slot.id in seen:
                raise ConfigError(f"patterns.yaml: id {slot.id!r} is used twice.")
            seen.add(slot.id)
        if sorted(placed) != sorted(probes):
            raise ConfigError(
                f"patterns.yaml: every probe of {pattern.id} belongs to exactly one slot; check "
                f"{sorted(set(placed) ^ set(probes)) or 'the probes listed twice'}."
            )


class Commands(_Frozen):
    skip: list[str]
    finish: list[str]


class Lexicon(_Frozen):
    """Cue words the offline engine reads beside similarity (``knowledge/lexicon.yaml``)."""

    version: int
    negators: list[str]
    negation_window: int = Field(ge=1, le=10)
    opaque_verbs: list[str]
    scope_breakers: list[str]
    healthy_cues: list[str]
    risk_cues: list[str]
    future_cues: list[str]
    conditionals: list[str]
    past_cues: list[str]
    action_verbs: list[str]
    action_sections: list[str]
    hedges: list[str]
    vague_reassurance: list[str]
    dont_know: list[str]
    commands: Commands
    yes_words: list[str]
    no_words: list[str]
    instruction_markers: list[str]
    ai_addressees: list[str]
    reader_terms: list[str]
    directives: list[str]
    instruction_verbs: list[str]
    instruction_targets: list[str]
    instruction_qualifiers: list[str]
    role_keywords: dict[str, list[str]]
    english_words: list[str] = Field(default_factory=list)
    foreign_words: dict[str, list[str]] = Field(default_factory=dict)


# playbooks -------------------------------------------------------------------------------------


class SourceRef(_Frozen):
    title: str
    publisher: str | None = None
    author: str | None = None
    year: int | str | None = None
    link: str | None = None


class Playbook(BaseModel):
    id: str
    title: str
    patterns: list[str]
    sources: list[SourceRef] = Field(min_length=1)
    file: str
    body: str
    extra: dict[str, Any] = Field(default_factory=dict)


class Recommendation(_Frozen):
    """A Recommendation block from a playbook: the unit a plan item is built from."""

    id: str
    title: str
    pattern: str
    action: str
    owner: str
    effort: Literal["S", "M", "L"]
    timeframe: str
    prerequisites: str
    depends_on: list[str]
    exit_criterion: str
    file: str
    section: str = Field(description="The block's own heading, 'Recommendation: ...'.")
    parent: str | None = Field(default=None, description="The H2 section the block sits in.")
    applies_when: list[str] = Field(
        default_factory=list,
        description="Profile conditions, all of which must hold: 'personal_data', "
        "'model_source=vendor'. Empty: applies to every pilot.",
    )
    triggered_by: list[str] = Field(
        default_factory=list, description="Slots whose gaps this block answers."
    )
    stage: Literal["build", "operate"] = Field(
        default="build", description="'operate': running and scaling work for days 90-180."
    )


class Figure(_Frozen):
    id: str
    claim: str
    source: str
    year: int
    caveat: str


class BannedFigure(_Frozen):
    id: str
    claim: str
    why: str
    match: list[str] = Field(min_length=1, description="Regular expressions that find it.")


class InterviewTexts(_Frozen):
    """What the interviewer says besides its probes (``knowledge/interview.yaml``)."""

    version: int
    acknowledge: dict[Literal["warning", "healthy", "neutral"], list[str]]
    follow_up: dict[Literal["gap", "vague", "cross_check"], list[str]]
    already_said: list[str] = Field(min_length=1)
    apology: list[str] = Field(min_length=1)


class BlockerRule(_Frozen):
    """A gap that stops go-live (``knowledge/plan.yaml``)."""

    id: str
    when: list[str] = Field(default_factory=list)
    slot: str
    item: str
    gap: str
    unheard: str


class ProfileTexts(_Frozen):
    questions: dict[str, str]
    labels: dict[str, dict[str, str]]
    applies: dict[str, str] = Field(description="Condition -> why it applies, in words.")
    clues: dict[str, dict[str, list[str]]]
    systems: list[str]


class PlanRules(_Frozen):
    """Profile clues, blockers and the glossary (``knowledge/plan.yaml``)."""

    version: int
    profile: ProfileTexts
    blockers: list[BlockerRule]
    glossary: dict[str, str]


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


_FIELD = re.compile(r"^- \*\*(?P<name>[A-Za-z ]+):\*\*\s*(?P<value>.*)$")
_FIELDS = {
    "ID": "id",
    "Pattern": "pattern",
    "Action": "action",
    "Owner": "owner",
    "Effort": "effort",
    "Timeframe": "timeframe",
    "Prerequisites": "prerequisites",
    "Depends on": "depends_on",
    "Exit criterion": "exit_criterion",
}
_OPTIONAL = {"Applies when": "applies_when", "Triggered by": "triggered_by", "Stage": "stage"}
REC_PREFIX = "Recommendation:"
# The profile conditions a block may declare: a yes/no field, or field=value.
CONDITIONS = {
    "personal_data": None,
    "regulated_sector": None,
    "decisions_about_people": None,
    "model_source": ("in_house", "vendor"),
    "model_kind": ("predictive", "generative"),
    "timing": ("real_time", "batch"),
}


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


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        raise ConfigError(f"{name}: a playbook must start with YAML front matter (---).")
    _, head, body = text.split("---", 2)
    data = yaml.safe_load(head) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: front matter must be a mapping.")
    return data, body.lstrip("\n")


def load_playbooks(knowledge_dir: Path) -> list[Playbook]:
    folder = knowledge_dir / "playbooks"
    books = []
    known = {"id", "title", "patterns", "sources"}
    for path in sorted(folder.glob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"), path.name)
        try:
            books.append(
                Playbook(
                    **{k: v for k, v in meta.items() if k in known},
                    file=path.name,
                    body=body,
                    extra={k: v for k, v in meta.items() if k not in known},
                )
            )
        except ValidationError as exc:
            raise ConfigError(f"{path.name}: invalid front matter: {exc}") from exc
    return books


def playbook_document(book: Playbook) -> ParsedDocument:
    """A playbook as a document to index, sections under their headings. The planner's own
    fields (``Applies when``, ``Triggered by``, ``Stage``) are left out: ids, not prose."""
    body = "\n".join(
        line
        for line in book.body.splitlines()
        if not ((m := _FIELD.match(line)) and m.group("name").strip() in _OPTIONAL)
    )
    return ParsedDocument(
        source=book.file,
        sha256=hashlib.sha256(body.encode()).hexdigest(),
        file_type="md",
        kind=SourceKind.PLAYBOOK,
        title=book.title,
        blocks=split_markdown(body),
    )


def parse_recommendations(book: Playbook) -> list[Recommendation]:
    """Every ``### Recommendation: ...`` block of a playbook, its fields checked."""
    out: list[Recommendation] = []
    parent: str | None = None
    current: dict[str, Any] | None = None

    def close() -> None:
        if current is None:
            return
        missing = [f for f in _FIELDS.values() if f not in current]
        if missing:
            raise ConfigError(f"{book.file}: '{current['section']}' lacks {', '.join(missing)}.")
        for key in ("depends_on", "applies_when", "triggered_by"):
            value = str(current.get(key, "")).strip()
            current[key] = (
                []
                if value.lower() in {"none", "-", "", "always"}
                else [d.strip() for d in value.split(",")]
            )
        try:
            out.append(Recommendation(file=book.file, parent=parent, **current))
        except ValidationError as exc:
            raise ConfigError(f"{book.file}: '{current['section']}' is invalid: {exc}") from exc

    for line in book.body.splitlines():
        if line.startswith("## "):
            close()
            current = None
            parent = line[3:].strip()
        elif line.startswith("### "):
            close()
            heading = line[4:].strip()
            current = None
            if heading.startswith(REC_PREFIX):
                title = heading[len(REC_PREFIX) :].strip()
                current = {"section": heading, "title": title}
        elif current is not None and (match := _FIELD.match(line)):
            name = match.group("name").strip()
            field = _FIELDS.get(name) or _OPTIONAL.get(name)
            if field is not None:
                current[field] = match.group("value").strip()
    close()
    return out


def _figures(books: list[Playbook]) -> tuple[list[Figure], list[BannedFigure]]:
    stats = next((b for b in books if "do_not_cite" in b.extra), None)
    if stats is None:
        raise ConfigError("No playbook carries the do_not_cite list (statistics.md).")
    try:
        citable = [Figure(**f) for f in stats.extra.get("citable_figures", [])]
        banned = [BannedFigure(**f) for f in stats.extra["do_not_cite"]]
    except ValidationError as exc:
        raise ConfigError(f"{stats.file}: invalid figures list: {exc}") from exc
    for figure in banned:
        for expression in figure.match:
            try:
                re.compile(expression)
            except re.error as exc:
                raise ConfigError(f"{stats.file}: bad pattern for {figure.id}: {exc}") from exc
    return citable, banned


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
    _check_catalog(catalog)
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
    citable, banned = _figures(books)
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
