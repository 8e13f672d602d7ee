"""Wording: what the interviewer says around its questions, and what such words claim.

The opening and closing lines, the note that an unanswered question goes to someone else, and
the acknowledgement of an answer: short, rotated so the interviewer does not sound like a form,
and never going beyond the reading (neutral when the reader is unsure or found nothing).
``acknowledgement_side`` reads an advisor turn back, for checks that an acknowledgement does
not contradict what was said.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from app.knowledge.catalog import Catalog, InterviewTexts
from app.reading.reader import asked
from app.schemas import Evidence, Question, Turn

ACK_CONFIDENT = 0.8  # below this the acknowledgement stays neutral

# What an acknowledgement claims the answer showed ("that is a gap", "a control in place");
# role names such as "risk, legal and compliance" are not claims.
_WARNING_ACK = re.compile(r"\b(a|the|that) (gap|risk|problem|weakness|concern)\b(?!,? legal)", re.I)
_HEALTHY_ACK = re.compile(r"\b(a|the|that) (control|safeguard|strength)\b|\bin place\b", re.I)
_QUOTED = re.compile(r"\u201c[^\u201d]*\u201d|\"[^\"]*\"")
_OPEN_POINT = "That's fine, I'll note it as an open point. "


def quotes(text: str) -> list[str]:
    """The passages of ``text`` in quotation marks (curly or straight), without the marks."""
    return [m.group(0)[1:-1] for m in _QUOTED.finditer(text)]


def acknowledgement_side(text: str) -> str | None:
    """What the words before an advisor's question claim the last answer showed: "warning",
    "healthy", or None (neutral, or both). The stakeholder's own words quoted back do not
    count."""
    question = asked(text) or ""
    lead = text[: text.rfind(question)] if question and question in text else text
    lead = _QUOTED.sub(" ", lead)
    warning, healthy = bool(_WARNING_ACK.search(lead)), bool(_HEALTHY_ACK.search(lead))
    if warning == healthy:
        return None
    return "warning" if warning else "healthy"


def closing(reason: str) -> Question:
    """The last words of an interview, for ``reason``."""
    return Question(
        text=(
            "Thank you, that is everything I need from you for now. Your answers are saved; "
            "the assessment and the production plan will include them."
        ),
        kind="closing",
        reason=reason,
    )


def intro(first: Question) -> Question:
    """The first question, after a word on what the interview covers and how to steer it."""
    text = (
        "Thanks for making the time. I will ask about the five areas where pilots usually "
        "stall on the way to production: data, infrastructure, integration, governance and "
        "the people side. Answer in your own words; say \u201cskip\u201d to pass on a "
        "question or \u201cfinish\u201d to stop at any time. " + first.text
    )
    if first.kind == "closing":
        return first
    return first.model_copy(update={"text": text, "kind": "intro"})


def short(quote: str, limit: int = 120) -> str:
    """A quote cut to ``limit`` characters at a word, for quoting back."""
    quote = quote.rstrip(" .!?;:,")
    return quote if len(quote) <= limit else quote[: limit - 1].rsplit(" ", 1)[0] + "\u2026"


def _lower_first(name: str) -> str:
    """ "Executive sponsor" -> "executive sponsor"; "IT / operations" stays."""
    if len(name) > 1 and name[1].islower():
        return name[0].lower() + name[1:]
    return name


_ASIDE = re.compile(r"\s*\([^)]*\)")
_TRAILING_KIND = re.compile(r"\s+(pilot|project|proof of concept|poc)$", re.I)


def pilot_reference(name: str | None) -> str | None:
    """How a question refers to the pilot by ``name``: "Smart Match" as it is; a name that
    is a description ("Claims triage assistant") as "the claims triage assistant"; asides in
    brackets and a trailing "pilot" left out. None when there is no usable name (none, more
    than six words, or a lower-case handle such as "claims")."""
    if not name:
        return None
    clean = _TRAILING_KIND.sub("", _ASIDE.sub("", name)).strip(" -:,")
    words = clean.split()
    if not words or len(words) > 6:
        return None
    if len(words) == 1 and clean.islower():
        return None  # a handle such as "claims" or "pilot-2", not a name to say
    named = [w for w in words if w[0].isalpha()]
    if sum(w[0].isupper() for w in named) * 2 >= len(named) and named[0][0].isupper():
        return clean  # a proper name: "Smart Match", "Agent Assist and Auto-Wrap Summaries"
    return f"the {_lower_first(clean)}"


def naming(question: str, pilot: str | None, referents: Sequence[str]) -> str:
    """``question`` with its first mention of the system ("the tool", "this project") replaced
    by the pilot's own name, so the person hears a question about their pilot."""
    reference = pilot_reference(pilot)
    if reference is None or not referents:
        return question
    pattern = r"\b(" + "|".join(re.escape(r) for r in referents) + r")\b('s)?"

    def name(match: re.Match[str]) -> str:
        if not match.group(2):
            return reference
        return reference + ("'" if reference.endswith("s") else "'s")  # "the files'"

    return re.sub(pattern, name, question, count=1)


@dataclass(frozen=True, eq=False)
class Wording:
    """The phrasings of ``knowledge/interview.yaml``, chosen for the turn at hand."""

    catalog: Catalog
    texts: InterviewTexts

    def pick(self, options: list[str], turns: Sequence[Turn]) -> str:
        """Rotate through phrasings so the interviewer does not sound like a form."""
        return options[sum(1 for t in turns if t.role == "advisor") % len(options)]

    def apology(self, turns: Sequence[Turn]) -> str:
        """For "as I said": a short apology before moving on."""
        return self.pick(self.texts.apology, turns) + " "

    def who_would_know(self, question: Turn | None, role: str | None) -> str:
        """For "I don't know": the question noted as open, for the roles that could answer."""
        if question is None or question.pattern is None or question.probe_id is None:
            return _OPEN_POINT
        pattern = self.catalog.pattern(question.pattern)
        slot = pattern.slot_of(question.probe_id)
        names = {r.id: _lower_first(r.name) for r in self.catalog.roles}
        roles = [
            r
            for r in self.catalog.role_ids()
            if slot and r in pattern.slot_roles(slot) and r != role
        ]
        if not roles:
            return _OPEN_POINT
        who = " or ".join(names[r] for r in roles[:2])
        return f"That's fine: I'll note it as an open point to check with the {who}. "

    def acknowledge(self, own: list[Evidence], turns: Sequence[Turn]) -> str:
        """The acknowledgement of an answer that put ``own`` in the slots: naming the side
        and pattern only when the reading is one-sided and confident."""
        sides = {e.signal.polarity for e in own}
        if len(sides) != 1:
            return self.pick(self.texts.acknowledge["neutral"], turns) + " "
        top = max(own, key=lambda e: e.probability or e.weight)
        if (top.probability or top.weight) < ACK_CONFIDENT:
            return self.pick(self.texts.acknowledge["neutral"], turns) + " "
        side: Literal["warning", "healthy"] = (
            "warning" if top.signal.polarity == "warning" else "healthy"
        )
        name = self.catalog.pattern(top.pattern).name
        return self.pick(self.texts.acknowledge[side], turns).format(pattern=name) + " "
