"""The pilot's brief: the consultant's set-up (name, use case) -> what questions may say about it.

A consultant asks about *this* pilot: "Where do the trial scores, fruit images and marker data
come from?", not "Where does each input come from?". From the use case as the consultant wrote
it ("Ranks breeding lines ... from trial scores, fruit images and marker data, so breeders can
decide ..."), three phrases are taken when they can be found plainly:

- ``inputs``: what the system reads ("reads X", "classifies X", "from X"), up to the next verb,
  preposition or clause;
- ``outputs``: what it produces, from the first verb that says so ("predicts" ->
  "predictions", "flags" -> "flags");
- ``users``: the people who act on its results ("so breeders can", "to depot controllers",
  "for the claims team"), a short phrase ending in a word for people.

Probes with a ``tailored`` wording use them; when a phrase is not found, the probe's own
wording is asked. The word lists are data (``knowledge/interview.yaml``, ``brief``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.advice.wording import naming
from app.knowledge.catalog import BriefWords, Probe

# At most this many words in a phrase taken from the brief: a longer one is a clause, not a name.
LONGEST_INPUTS = 9
LONGEST_USERS = 4

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/'\u2019&-]*|[,;:.()]")
_CLAUSE_BREAK = {";", ":", ".", "(", ")"}
_BREAK = {",", *_CLAUSE_BREAK}
_DETERMINERS = {"the", "a", "an", "their", "its", "our", "each", "every", "any", "all"}
_USER_CUES = {"to", "for", "so", "that", "help", "helps"}
_INPUT_STOPS = {
    "so", "to", "into", "in", "for", "from", "which", "who", "with", "on", "using", "by",
    "before", "after", "while", "when", "where", "at", "per", "via", "during", "through",
    "across", "over", "under", "against", "within", "without", "about",
}  # fmt: skip
_LEADING = re.compile(r"^(?:(?:the|their|its|a|an|each|every|all|new|incoming)\s+)+", re.I)


@dataclass(frozen=True)
class PilotBrief:
    """What the questions may say about the pilot: its name as given, what it reads, what it
    produces and who uses its results (each None when the set-up does not say it plainly)."""

    name: str | None = None
    inputs: str | None = None
    outputs: str | None = None
    users: str | None = None

    def question(self, probe: Probe, referents: Sequence[str]) -> str:
        """The probe as asked of this pilot: the first of its tailored wordings whose phrases
        the brief has (else its plain wording), with the system called by the pilot's name."""
        phrases = {"inputs": self.inputs, "outputs": self.outputs, "users": self.users}
        text = next(
            (
                wording.format(**phrases)
                for wording in probe.tailored
                if all(phrases.get(key) for key in re.findall(r"\{(\w+)\}", wording))
            ),
            probe.question,
        )
        return naming(text, self.name, referents)


def read_brief(pilot: Mapping[str, object], fallback: str | None, words: BriefWords) -> PilotBrief:
    """The brief of a pilot set up as ``pilot`` (name, use case ...); ``fallback`` names it
    when the set-up gives no name (the workspace's name)."""
    name = str(pilot.get("name") or fallback or "").strip() or None
    use_case = str(pilot.get("use_case") or pilot.get("description") or "").strip()
    if not use_case:
        return PilotBrief(name=name)
    return PilotBrief(
        name=name,
        inputs=inputs_of(use_case, words),
        outputs=outputs_of(use_case, words),
        users=users_of(use_case, words),
    )


def outputs_of(text: str, words: BriefWords) -> str | None:
    """What the system produces, from the first verb of the use case that says it:
    "Predicts which services will run late" -> "predictions"."""
    found = [
        (match.start(), noun)
        for verb, noun in words.outputs.items()
        if (match := re.search(rf"\b{re.escape(verb)}\b", text, re.I))
    ]
    return min(found)[1] if found else None


def users_of(text: str, words: BriefWords) -> str | None:
    """The people who act on the system's results, as the use case names them: after "to",
    "for", "so" or "help", a phrase of up to four words ending in a word for people
    ("depot controllers", "the claims team", "trainees and associates")."""
    tokens = _TOKEN.findall(text)
    lower = [t.lower() for t in tokens]
    stops = _DETERMINERS | _USER_CUES | {"and", "or", "can", "who", "in", "on", "of", "by"}
    for cue, word in enumerate(lower):
        if word not in _USER_CUES:
            continue
        start = cue + 1
        while start < len(tokens) and lower[start] in _DETERMINERS | {"that"}:
            start += 1
        phrase = _people_phrase(tokens, lower, start, stops, words)
        if phrase is None:
            continue
        end = start + len(phrase)
        if end + 1 < len(tokens) and lower[end] == "and":
            after = end + 1 + (lower[end + 1] in _DETERMINERS)
            more = _people_phrase(tokens, lower, after, stops, words)
            if more is not None:
                phrase = [*phrase, "and", *more]
        return " ".join(phrase)
    return None


def _people_phrase(
    tokens: list[str], lower: list[str], start: int, stops: set[str], words: BriefWords
) -> list[str] | None:
    """The words from ``start`` up to and including the first word for people, if that comes
    within ``LONGEST_USERS`` words and before any break."""
    phrase: list[str] = []
    for index in range(start, min(start + LONGEST_USERS, len(tokens))):
        word = lower[index]
        if word in _BREAK or word in stops or word in words.verbs:
            return None
        phrase.append(tokens[index])
        if _is_people(word, words):
            return phrase
    return None


def _is_people(word: str, words: BriefWords) -> bool:
    if word in words.not_people:
        return False
    return word in words.people or word.endswith(tuple(words.people_endings))


def inputs_of(text: str, words: BriefWords) -> str | None:
    """What the system reads, as the use case names it: after "reads", "classifies" and the
    like, else after "from", up to the next verb, preposition, bracket or clause."""
    lowered = text.lower()
    found = None
    for verb in words.reading_verbs:
        match = re.search(rf"\b{re.escape(verb)}\s+", lowered)
        if match and (found is None or match.start() < found):
            found = match.end()
    if found is None:
        match = re.search(r"\bfrom\s+", lowered)
        if match is None:
            return None
        found = match.end()
    tokens = _TOKEN.findall(text[found:])
    phrase: list[str] = []
    for index, token in enumerate(tokens):
        word = token.lower()
        if token in _CLAUSE_BREAK or word in _INPUT_STOPS:
            break
        following = tokens[index + 1].lower() if index + 1 < len(tokens) else ""
        if token == "," and (following in words.verbs or following.endswith("ing")):
            break
        after = tokens[index + 2].lower() if index + 2 < len(tokens) else ""
        if word == "and" and (
            following in words.verbs or (following.endswith("ly") and after in words.verbs)
        ):
            break  # "and suggests ...", "and automatically raises ..."
        phrase.append(token)
    joined = " ".join(phrase).replace(" ,", ",").strip(", ")
    joined = _LEADING.sub("", joined)
    size = len(joined.split())
    if not 0 < size <= LONGEST_INPUTS or _is_people(joined.split()[-1].lower(), words):
        return None  # a clause, or people ("questions from employees")
    return joined
