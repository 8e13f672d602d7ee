"""Reading stakeholder language: text -> clauses, and a clause -> its cues.

Clauses are exact slices of the text they come from, so a quote taken from one is always a
verbatim substring of its turn or chunk. ``Reader.read`` finds, in a clause, the risk and
healthy cue words of ``knowledge/lexicon.yaml`` with negation scope ("no problems", "nothing
validates the feed"), future phrasing ("we plan to add monitoring"), hedges and vague
reassurance, and scores its polarity: positive means it describes a problem, negative a
control that exists today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from app.knowledge.catalog import Lexicon

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]*_]*\s+|\n\s*(?:[-*•]\s+|\d+[.)]\s+)?|\n")
_CLAUSE_BREAK = re.compile(
    r"(?:;\s+|\s+[-–—]\s+|,?\s+(?=(?:but|although|though|whereas|however|except that)\b))",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[<\[|#:][^\s]*")
MIN_CLAUSE_WORDS = 4
_HIDDEN = re.compile(
    r"<!--|^\s*\[//\]\s*:\s*#|<[^>]+style\s*=\s*['\"][^'\"]*(?:display\s*:\s*none|"
    r"visibility\s*:\s*hidden|font-size\s*:\s*[01](?:\.\d+)?\s*(?:px|pt|em)?\s*[;'\"]|"
    r"color\s*:\s*(?:#f{3}\b|#f{6}\b|white\b))",
    re.IGNORECASE | re.MULTILINE,
)
# How far back a cue's negation or condition is looked for: far more than the negation
# window of words, and bounded, so one long answer is read in linear time.
SCOPE_CHARS = 400
# "Ask Priya", "try Martin in IT": sending the question to someone by name.
_NAMED_REFERRAL = re.compile(
    r"\b(?:[Aa]sk|[Tt]ry|[Cc]heck with|[Ss]peak to|[Tt]alk to)\s+(?:[A-Z][\w'-]+|IT\b)"
)
DEFLECTION_WORDS = 25  # a deflection is a short answer; a longer one says something
# A deflection this short ("Not really my area.", "No idea.") says nothing else, whatever the
# evidence reader makes of it against the question.
BARE_DEFLECTION_WORDS = 5
# An answer is flagged as another language when at least this many of its words are, and
# that language's function words make up this share of them (English prose: about 0.3).
FOREIGN_MIN_WORDS = 6
FOREIGN_SHARE = 0.2
_LABEL = re.compile(r"^(?:[a-z][\w/&-]*\s){0,3}[a-z][\w/&-]*:\s+")


@dataclass(frozen=True)
class Span:
    """A clause: ``text == source[start:end]``."""

    start: int
    end: int
    text: str


def _trimmed(source: str, start: int, end: int) -> Span | None:
    piece = source[start:end]
    left = len(piece) - len(piece.lstrip(" \t\r\n-*•,;:"))
    right = len(piece.rstrip(" \t\r\n,;:"))
    if right <= left:
        return None
    return Span(start + left, start + right, source[start + left : start + right])


def _split(source: str, start: int, end: int, pattern: re.Pattern[str]) -> list[Span]:
    spans: list[Span] = []
    cursor = start
    for match in pattern.finditer(source, start, end):
        span = _trimmed(source, cursor, match.start())
        if span:
            spans.append(span)
        cursor = match.end()
    last = _trimmed(source, cursor, end)
    if last:
        spans.append(last)
    return spans


def _word_count(text: str) -> int:
    return len(_WORD.findall(text.lower()))


def _merge_short(source: str, spans: list[Span]) -> list[Span]:
    """Join fragments too short to mean anything to their neighbour."""
    out: list[Span] = []
    for span in spans:
        if out and (_word_count(span.text) < MIN_CLAUSE_WORDS or _word_count(out[-1].text) < 2):
            previous = out.pop()
            span = Span(previous.start, span.end, source[previous.start : span.end])
        out.append(span)
    if len(out) > 1 and _word_count(out[0].text) < MIN_CLAUSE_WORDS:
        first, second = out[0], out[1]
        out[:2] = [Span(first.start, second.end, source[first.start : second.end])]
    return out


def sentences(text: str) -> list[Span]:
    return _merge_short(text, _split(text, 0, len(text), _SENTENCE_END))


def reading_units(text: str, longest: int = 60) -> list[Span]:
    """What the evidence reader reads: every sentence or line as written (fragments such as
    "No." stay whole, as its training data has them); a sentence over ``longest`` words is
    read clause by clause."""
    out: list[Span] = []
    for span in _split(text, 0, len(text), _SENTENCE_END):
        if _word_count(span.text) > longest:
            out.extend(_split(text, span.start, span.end, _CLAUSE_BREAK))
        else:
            out.append(span)
    return out


def clauses(text: str) -> list[Span]:
    """Sentences, then contrastive clauses ("..., but ..."), each an exact slice of ``text``."""
    out: list[Span] = []
    for sentence in sentences(text):
        parts = _split(text, sentence.start, sentence.end, _CLAUSE_BREAK)
        out.extend(_merge_short(text, parts) if len(parts) > 1 else [sentence])
    return out


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("‘", "'").lower()).strip()


def _phrase_pattern(phrases: list[str]) -> re.Pattern[str]:
    parts = []
    for phrase in sorted(phrases, key=len, reverse=True):
        body = r"\s+".join(re.escape(w) for w in phrase.rstrip("*").split())
        tail = r"[\w'-]*" if phrase.endswith("*") else ""
        left = r"(?<![\w])" if phrase[:1].isalnum() else ""
        right = r"(?![\w])" if (phrase.endswith("*") or phrase[-1:].isalnum()) else ""
        parts.append(f"{left}{body}{tail}{right}")
    return re.compile("|".join(parts))


@dataclass(frozen=True)
class Cue:
    word: str
    kind: str  # "risk" | "healthy"
    negated: bool
    future: bool
    conditional: bool = False
    past: bool = False

    @property
    def value(self) -> float:
        """+1 for a problem, -1 for a working control, less for past or conditional talk."""
        base = 1.0 if self.kind == "risk" else -1.0
        if self.negated:
            base = -base
        if self.kind == "healthy" and self.future and not self.negated:
            base = 1.0
        if self.kind == "risk" and not self.negated:
            if self.conditional:
                return 0.0
            if self.past:
                return 0.5
        return base


@dataclass(frozen=True)
class Reading:
    """What the cue words of one clause say."""

    cues: tuple[Cue, ...]
    hedged: bool
    vague: bool
    dont_know: bool
    future: bool

    @property
    def polarity(self) -> float:
        return sum(c.value for c in self.cues)

    @property
    def concrete(self) -> bool:
        """Names a practice or a problem, not just "it's fine"."""
        return any(c.kind == "healthy" and not c.negated for c in self.cues) or any(
            c.kind == "risk" and not c.negated for c in self.cues
        )


class Reader:
    """Applies ``knowledge/lexicon.yaml`` to clauses. Build once; it compiles its patterns."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._english = set(lexicon.english_words)
        # A word both languages use ("no", "a") tells nothing: only the foreign-only ones count.
        self._foreign = {
            name: set(words) - self._english for name, words in lexicon.foreign_words.items()
        }

    @cached_property
    def _cues(self) -> re.Pattern[str]:
        return _phrase_pattern([*self.lexicon.healthy_cues, *self.lexicon.risk_cues])

    @cached_property
    def _kinds(self) -> list[tuple[re.Pattern[str], str]]:
        return [
            (_phrase_pattern(self.lexicon.risk_cues), "risk"),
            (_phrase_pattern(self.lexicon.healthy_cues), "healthy"),
        ]

    @cached_property
    def _negator(self) -> re.Pattern[str]:
        return _phrase_pattern(self.lexicon.negators)

    @cached_property
    def _breaker(self) -> re.Pattern[str]:
        return _phrase_pattern(self.lexicon.scope_breakers)

    def _pattern(self, name: str) -> re.Pattern[str]:
        cache = self.__dict__.setdefault("_patterns", {})
        if name not in cache:
            cache[name] = _phrase_pattern(list(getattr(self.lexicon, name)))
        pattern: re.Pattern[str] = cache[name]
        return pattern

    def warm(self) -> None:
        """Compile every pattern now rather than on the first answer."""
        self.read("warm up")
        for name in (
            "hedges",
            "vague_reassurance",
            "dont_know",
            "future_cues",
            "past_cues",
            "conditionals",
            "action_verbs",
            "action_sections",
            "instruction_markers",
            "ai_addressees",
            "reader_terms",
            "directives",
            "instruction_targets",
            "instruction_qualifiers",
        ):
            self._pattern(name)

    def has(self, name: str, text: str) -> bool:
        """Whether ``text`` holds any phrase of the lexicon list ``name``."""
        return self._pattern(name).search(normalise(text)) is not None

    def deflects(self, text: str) -> bool:
        """A short answer that says "I don't know" or sends the question elsewhere ("ask
        Priya", "that's one for IT"). Whether it still says something is the reader's call:
        a deflection is an answer in which the reader also finds no evidence."""
        if len(normalise(text).split()) > DEFLECTION_WORDS:
            return False
        return (
            self.has("dont_know", text)
            or self.has("referrals", text)
            or _NAMED_REFERRAL.search(text) is not None
        )

    def bare(self, text: str) -> bool:
        """A deflection so short it can say nothing else ("Not really my area.")."""
        return len(normalise(text).split()) <= BARE_DEFLECTION_WORDS and self.deflects(text)

    def _kind(self, word: str) -> str:
        risk = self._kinds[0][0].fullmatch(word)
        healthy = self._kinds[1][0].fullmatch(word)
        if risk and healthy:
            # an exact listed phrase wins over a wildcard one
            return "healthy" if word in self.lexicon.healthy_cues else "risk"
        return "risk" if risk else "healthy"

    def _scope(self, text: str, position: int) -> str:
        """The words before ``position`` in the same stretch of the clause. Only the last
        ``SCOPE_CHARS`` characters are looked at, so reading stays linear in length."""
        window = text[max(0, position - SCOPE_CHARS) : position]
        cut = max(
            (m.end() for m in re.finditer(r"[,.;:!?()]|\s[-–—]\s", window)),
            default=0,
        )
        for breaker in self._breaker.finditer(window):
            cut = max(cut, breaker.end())
        return window[cut:]

    def _negated(self, text: str, position: int) -> bool:
        words = _WORD.findall(self._scope(text, position))[-self.lexicon.negation_window :]
        window = " ".join(words)
        last = None
        for match in self._negator.finditer(window):
            last = match
        if last is None:
            return False
        between = set(_WORD.findall(window[last.end() :]))
        return not between & set(self.lexicon.opaque_verbs)

    def _conditional(self, text: str, position: int) -> bool:
        window = text[max(0, position - SCOPE_CHARS) : position]
        cut = max((m.end() for m in re.finditer(r"[.;:!?]", window)), default=0)
        return bool(self._pattern("conditionals").search(window[cut:]))

    def read(self, clause: str, planned: bool = False) -> Reading:
        """Cues of a clause; ``planned`` when it sits under a heading like "Next steps"."""
        text = _LABEL.sub("", normalise(clause.replace("|", ", ")).strip(" ,"))
        future = planned or self.has("future_cues", text) or self._to_do(text)
        past = self.has("past_cues", text)
        cues: list[Cue] = []
        for match in self._cues.finditer(text):
            word = match.group(0)
            kind = self._kind(word)
            negated = self._negated(text, match.start())
            if kind == "risk" and self._negator.fullmatch(word):
                negated = False  # "nobody", "no one": the cue is itself the negation
            conditional = kind == "risk" and self._conditional(text, match.start())
            cues.append(Cue(word, kind, negated, future, conditional=conditional, past=past))
        return Reading(
            cues=tuple(cues),
            hedged=self.has("hedges", text),
            vague=self.has("vague_reassurance", text),
            dont_know=self.has("dont_know", text),
            future=future,
        )

    def words(self, clause: str) -> int:
        """Words of content, not counting a leading "Label:"."""
        return len(_WORD.findall(_LABEL.sub("", normalise(clause.replace("|", ", ")))))

    def _to_do(self, text: str) -> bool:
        """An action still to be done: the clause opens with a bare verb ("Agree ...")."""
        head = re.sub(r"^[\d.),#\s-]+", "", text)
        match = self._pattern("action_verbs").match(head)
        return match is not None and match.start() == 0

    def foreign(self, text: str) -> str | None:
        """The language an answer is written in when it is clearly not English ("German"),
        else None. Counted on frequent function words; short texts are never flagged."""
        words = re.findall(r"[^\W\d_]+", text.lower())
        if len(words) < FOREIGN_MIN_WORDS:
            return None
        english = sum(1 for w in words if w in self._english) / len(words)
        best, share = None, 0.0
        for name, vocabulary in self._foreign.items():
            own = sum(1 for w in words if w in vocabulary) / len(words)
            if own > share:
                best, share = name, own
        if best is not None and share >= FOREIGN_SHARE and share > 2 * english:
            return best
        return None

    def command(self, text: str) -> str | None:
        """``"skip"`` or ``"finish"`` when a short reply asks for it, else None."""
        short = normalise(text).strip(" .!?")
        if len(short.split()) > 6:
            return None
        for name in ("finish", "skip"):
            phrases = getattr(self.lexicon.commands, name)
            if short in phrases or any(short.startswith(p + " ") for p in phrases if " " in p):
                return name
        return None

    def yes_no(self, text: str) -> int:
        """+1 for a yes, -1 for a no, 0 when the reply does not start with either."""
        head = normalise(text)
        for value, name in ((-1, "no_words"), (1, "yes_words")):
            for phrase in getattr(self.lexicon, name):
                if re.match(rf"{re.escape(phrase)}(?![\w'])", head):
                    return value
        return 0

    @staticmethod
    def hidden(paragraph: str) -> bool:
        """Markup that hides text from a human reader: comments, invisible styling."""
        return bool(_HIDDEN.search(paragraph))

    def instruction(self, sentence: str) -> bool:
        """Text that addresses an AI system with orders, rather than stating a fact."""
        text = normalise(sentence)
        if self._pattern("instruction_markers").search(text):
            return True
        if (
            self._pattern("ai_addressees").search(text)
            and self._pattern("reader_terms").search(text)
            and self._pattern("directives").search(text)
        ):
            return True
        words = _WORD.findall(text)
        if not words or words[0] not in self.lexicon.instruction_verbs:
            return False
        return bool(
            self._pattern("instruction_targets").search(text)
            and self._pattern("instruction_qualifiers").search(text)
        )
