"""Profile: what kind of pilot this is, from what the consultant stated and what was said.

The profile decides which advice applies (``Applies when`` of a Recommendation block). The
consultant's fields are kept as given; a field they left open is filled from the pilot's
description, its interview answers and its documents, using the clues of
``knowledge/plan.yaml``. A field is filled only when one value has more clue sentences than
the other; every filled field keeps the sentence and source that decided it, so the app can
show why and the consultant can correct it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.errors import ConfigError
from app.knowledge.catalog import PlanRules
from app.reading.language import sentences
from app.schemas import PROFILE_FIELDS, PilotProfile, ProfileClue

_BOOLEAN = ("personal_data", "regulated_sector", "decisions_about_people")
_CHOICE = ("model_source", "model_kind", "timing")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_GO_LIVE = re.compile(
    r"\b(go(?:es|ing)?[- ]live|live date|launch(?:es|ing)?|roll(?:s|ing)?[- ]?out|"
    r"in production|production date|cut[- ]?over)\b",
    re.IGNORECASE,
)
_DATES = (
    re.compile(r"\b(?P<y>20\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b"),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?P<mon>{_MONTH})\.? (?P<y>20\d\d)\b", re.I),
    re.compile(rf"\b(?P<mon>{_MONTH})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>20\d\d)\b", re.I),
    re.compile(rf"\b(?:end of |early |mid[- ]|late )?(?P<mon>{_MONTH})\.? (?P<y>20\d\d)\b", re.I),
    re.compile(r"\bQ(?P<q>[1-4]) (?P<y>20\d\d)\b", re.I),
)


@dataclass(frozen=True)
class Passage:
    """A piece of text the profile may be read from, and how to name where it came from."""

    text: str
    source: str


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as YYYY-MM-DD ("March 2027" is 2027-03-01, "Q2 2027"
    2027-04-01), or None."""
    for pattern in _DATES:
        match = pattern.search(text)
        if match is None:
            continue
        parts = match.groupdict()
        year = int(parts["y"])
        if parts.get("q"):
            month, day = 3 * (int(parts["q"]) - 1) + 1, 1
        else:
            month = int(parts["m"]) if parts.get("m") else _MONTHS[parts["mon"].lower()]
            day = int(parts["d"]) if parts.get("d") else 1
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            continue
    return None


def stated(pilot: Mapping[str, Any]) -> PilotProfile:
    """The profile the consultant entered (``pilot["profile"]``), checked."""
    raw = dict(pilot.get("profile") or {})
    fields = {k: v for k, v in raw.items() if k in PROFILE_FIELDS and v not in (None, "", [])}
    if isinstance(fields.get("systems"), str):
        fields["systems"] = [s.strip() for s in fields["systems"].split(",") if s.strip()]
    if "go_live" in fields:
        when = str(fields["go_live"])
        fields["go_live"] = parse_date(when) or (when if _iso(when) else None)
        if fields["go_live"] is None:
            raise ConfigError(f"The go-live date {when!r} is not a date; write it as 2027-03-31.")
    try:
        return PilotProfile(**fields, stated=sorted(fields))
    except ValueError as exc:
        raise ConfigError(f"The pilot profile is invalid: {exc}") from exc


def infer(pilot: Mapping[str, Any], passages: Iterable[Passage], rules: PlanRules) -> PilotProfile:
    """The stated profile, with open fields filled from the pilot's own words."""
    profile = stated(pilot)
    description = ". ".join(
        str(pilot[key]).strip().rstrip(".")
        for key in ("name", "organisation", "use_case", "description")
        if str(pilot.get(key) or "").strip()
    )
    units = [Passage(description, "the pilot description"), *passages]
    found: dict[str, dict[str, list[ProfileClue]]] = {}
    systems: dict[str, ProfileClue] = {}
    catalogue = sorted(rules.profile.systems, key=len, reverse=True)
    compiled = {
        field: {
            value: re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + r")", re.I)
            for value, patterns in values.items()
        }
        for field, values in rules.profile.clues.items()
    }
    for unit in units:
        for sentence in [span.text for span in sentences(unit.text)] or [unit.text]:
            for field, values in compiled.items():
                for value, pattern in values.items():
                    if pattern.search(sentence):
                        clue = ProfileClue(
                            field=field,
                            value=_value(field, value),
                            quote=sentence.strip(),
                            source=unit.source,
                        )
                        found.setdefault(field, {}).setdefault(value, []).append(clue)
            for name in _systems_in(sentence, catalogue):
                systems.setdefault(
                    name,
                    ProfileClue(
                        field="systems", value=name, quote=sentence.strip(), source=unit.source
                    ),
                )
            if "go_live" not in found and _GO_LIVE.search(sentence):
                when = parse_date(sentence)
                if when is not None:
                    found["go_live"] = {
                        when: [
                            ProfileClue(
                                field="go_live",
                                value=when,
                                quote=sentence.strip(),
                                source=unit.source,
                            )
                        ]
                    }
    updates: dict[str, Any] = {}
    clues: list[ProfileClue] = []
    for field, options in found.items():
        if profile.known(field):
            continue
        choice = _decide(field, options)
        if choice is not None:
            updates[field] = choice[0].value
            clues.append(choice[0])
    if not profile.systems and systems:
        updates["systems"] = list(systems)
        clues += list(systems.values())
    return profile.model_copy(update={**updates, "clues": clues})


def holds(condition: str, profile: PilotProfile) -> bool:
    """Whether one ``Applies when`` condition is known to hold for this pilot."""
    name, _, value = condition.partition("=")
    actual = getattr(profile, name)
    return actual is True if not value else actual == value


def unknown(conditions: Sequence[str], profile: PilotProfile) -> list[str]:
    """The profile fields these conditions need that nobody has settled yet."""
    return [
        c.partition("=")[0] for c in conditions if getattr(profile, c.partition("=")[0]) is None
    ]


def describe(profile: PilotProfile, rules: PlanRules) -> list[str]:
    """The profile in plain words, one phrase per known field."""
    labels = rules.profile.labels
    out = []
    for field in (*_CHOICE, *_BOOLEAN):
        value = getattr(profile, field)
        if value is not None:
            out.append(labels[field][str(value).lower() if isinstance(value, bool) else value])
    if profile.go_live:
        out.append(f"go-live {profile.go_live}")
    if profile.systems:
        out.append("connects to " + ", ".join(profile.systems))
    return out


def _decide(field: str, values: dict[str, list[ProfileClue]]) -> list[ProfileClue] | None:
    if field == "go_live":
        return next(iter(values.values()))
    if field in _BOOLEAN and "false" in values:
        return values["false"]  # an explicit "no personal data" outweighs mentions of it
    ranked = sorted(values.values(), key=len, reverse=True)
    if len(ranked) > 1 and len(ranked[0]) == len(ranked[1]):
        return None
    return ranked[0]


def _value(field: str, value: str) -> Any:
    if field in _BOOLEAN:
        return value == "true"
    return value


def _systems_in(sentence: str, catalogue: Sequence[str]) -> list[str]:
    found: list[str] = []
    for name in catalogue:
        flags = re.I if name.islower() else 0
        here = re.search(rf"(?<![\w/]){re.escape(name)}(?![\w/])", sentence, flags)
        if here and not any(name in longer for longer in found):
            found.append(name)
    return found


def _iso(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
