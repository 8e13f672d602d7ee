"""Redact: text -> text with personal data replaced by numbered placeholders, and back.

Applied to everything the LLM engine sends to an external endpoint. E-mail addresses, phone
numbers, IBANs, payment card numbers (Luhn-checked) and national ids (US SSN, UK National
Insurance number) are built in; ``ADVISOR_REDACT_PATTERNS`` adds or replaces patterns by name.
The same value gets the same placeholder within one request (``[EMAIL_1]``), so the model can
still tell people apart, and ``restore`` puts the originals back into what the model returns
before it is checked against the source text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DEFAULT_PATTERNS: dict[str, str] = {
    "EMAIL": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    "IBAN": r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b",
    "CARD": r"(?<![\d+-])\d(?:[ -]?\d){12,18}(?![\d-])",
    "NATIONAL_ID": r"\b\d{3}-\d{2}-\d{4}\b|\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?"
    r"\d{2} ?[A-D]\b",
    "PHONE": r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(0?\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){2,4}"
    r"(?![\w])|(?<![\w+])\+\d{8,14}(?!\w)",
}
_ORDER = ("EMAIL", "IBAN", "CARD", "NATIONAL_ID", "PHONE")


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


@dataclass
class Redaction:
    """Placeholders handed out in one request, and what they stand for."""

    values: dict[str, str] = field(default_factory=dict)  # placeholder -> original
    _by_value: dict[tuple[str, str], str] = field(default_factory=dict)

    def placeholder(self, kind: str, value: str) -> str:
        key = (kind, value)
        if key not in self._by_value:
            number = sum(1 for k, _ in self._by_value if k == kind) + 1
            token = f"[{kind}_{number}]"
            self._by_value[key] = token
            self.values[token] = value
        return self._by_value[key]

    @property
    def count(self) -> int:
        return len(self.values)


class Redactor:
    def __init__(self, extra: dict[str, str] | None = None) -> None:
        patterns = {**DEFAULT_PATTERNS, **(extra or {})}
        names = [n for n in _ORDER if n in patterns] + [n for n in patterns if n not in _ORDER]
        self._patterns = [(name, re.compile(patterns[name])) for name in names]

    def redact(self, text: str, redaction: Redaction) -> str:
        for name, pattern in self._patterns:

            def swap(match: re.Match[str], name: str = name) -> str:
                value = match.group(0)
                if name == "CARD" and not _luhn(re.sub(r"\D", "", value)):
                    return value
                if name == "PHONE" and len(re.sub(r"\D", "", value)) < 8:
                    return value
                return redaction.placeholder(name, value)

            text = pattern.sub(swap, text)
        return text

    @staticmethod
    def restore(text: str, redaction: Redaction) -> str:
        for token, value in redaction.values.items():
            text = text.replace(token, value)
        return text
