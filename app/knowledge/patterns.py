"""The failure patterns as typed data: ``patterns.yaml`` -> ``Catalog``.

The five patterns, the pattern ids everything else validates against, the interview's probes
and slots, and the signs scoring compares answers with; ``check_catalog`` holds the rules a
schema cannot (unique ids, known roles, every probe in exactly one slot).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.errors import ConfigError

# The phrases from the pilot's brief that a probe's tailored wording may use.
BRIEF_PHRASES = {"inputs", "outputs", "users"}


class Frozen(BaseModel):
    """Base of the knowledge models: immutable, and unknown keys are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Role(Frozen):
    id: str
    name: str
    # Patterns this role knows first-hand: asked about first when the job title names none.
    focus: list[str] = []


class WarningSign(Frozen):
    id: str
    text: str
    severity: int = Field(ge=1, le=3, description="1 minor, 2 serious, 3 critical.")
    style: Literal["blunt", "hedged", "indirect"]


class HealthySign(Frozen):
    id: str
    text: str
    weight: int = Field(ge=1, le=3, description="How much the sign lowers risk.")


class Probe(Frozen):
    id: str
    question: str
    tailored: list[str] = Field(
        default_factory=list,
        description="The question naming the pilot's {inputs}, {outputs} or {users}, from its "
        "brief; the first wording whose phrases the brief has is asked.",
    )
    roles: list[str] = Field(min_length=1)
    follow_ups: list[str] = Field(min_length=1)


class Slot(Frozen):
    """An aspect of a pattern a consultant must hear about, with the probes that ask for it
    (several phrasings, each for the roles that can speak to it), in the order to ask them."""

    id: str
    name: str
    about: str
    probes: list[str] = Field(min_length=1)


class Maturity(Frozen):
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


class Crosswalk(Frozen):
    nist_ai_rmf: list[str] = Field(min_length=1)
    iso_42001: list[str] = Field(min_length=1)
    eu_ai_act: list[str] = Field(min_length=1)
    mlops_maturity: Maturity


class Pattern(Frozen):
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


class Catalog(Frozen):
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


def check_catalog(catalog: Catalog) -> None:
    """Raise ``ConfigError`` unless ids are unique, probes name known roles and every probe
    of a pattern sits in exactly one of its slots."""
    roles = set(catalog.role_ids())
    seen: set[str] = set()
    if len(set(catalog.ids)) != len(catalog.ids):
        raise ConfigError("patterns.yaml: pattern ids must be unique.")
    for role in catalog.roles:
        if set(role.focus) - set(catalog.ids):
            raise ConfigError(f"patterns.yaml: role {role.id} focuses on unknown patterns.")
    for pattern in catalog.patterns:
        items: list[WarningSign | HealthySign | Probe] = [
            *pattern.warning_signs,
            *pattern.healthy_signs,
            *pattern.probes,
        ]
        for item in items:
            if item.id in seen:
                raise ConfigError(f"patterns.yaml: id {item.id!r} is used twice.")
            seen.add(item.id)
        for probe in pattern.probes:
            unknown = set(probe.roles) - roles
            if unknown:
                raise ConfigError(f"patterns.yaml: probe {probe.id} names unknown roles {unknown}.")
            blanks = set(re.findall(r"\{(\w*)\}", " ".join(probe.tailored))) - BRIEF_PHRASES
            if blanks:
                raise ConfigError(
                    f"patterns.yaml: probe {probe.id}'s tailored wording uses {sorted(blanks)}; "
                    f"it may use only {sorted(BRIEF_PHRASES)}."
                )
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
