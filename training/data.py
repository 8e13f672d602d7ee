"""The reader's corpus: raw writer files -> de-duplicated, split, model-ready units.

Shared by ``train.py`` (training environment) and the app's eval (runtime environment), so it
uses the standard library, numpy and PyYAML only. A unit is one sentence with its context and 0-2
``(pattern, stance)`` labels; the writers of ``TEST_WRITERS`` are held out for testing.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

STANCES = ("none", "warning", "healthy")
TEST_WRITERS = ("w06", "w07", "w08")
# Held out of training to choose the epoch and the operating point (training/train.py).
VALIDATION_WRITERS = ("w12", "w21", "w27", "w34")
ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent


def pattern_ids() -> list[str]:
    """The five patterns, in catalogue order: the model's output order."""
    import yaml

    catalog = yaml.safe_load((REPO / "knowledge" / "patterns.yaml").read_text(encoding="utf-8"))
    return [p["id"] for p in catalog["patterns"]]


def seeds() -> list[Unit]:
    """The signs of ``patterns.yaml`` as extra training units (no context)."""
    import yaml

    catalog = yaml.safe_load((REPO / "knowledge" / "patterns.yaml").read_text(encoding="utf-8"))
    out = []
    for pattern in catalog["patterns"]:
        for stance, key in (("warning", "warning_signs"), ("healthy", "healthy_signs")):
            for sign in pattern[key]:
                out.append(
                    Unit(
                        id=f"seed-{sign['id']}",
                        writer="seeds",
                        industry="mixed",
                        kind="answer",
                        context="",
                        previous="",
                        sentence=sign["text"],
                        labels=((pattern["id"], stance),),
                    )
                )
    return out


@dataclass(frozen=True)
class Unit:
    id: str
    writer: str
    industry: str
    kind: str
    context: str
    previous: str
    sentence: str
    labels: tuple[tuple[str, str], ...] = field(default=())

    @property
    def first(self) -> str:
        """The first text of the model's input pair: what the sentence is read against."""
        return join_context(self.context, self.previous)

    def target(self, patterns: Sequence[str]) -> list[int]:
        """One class per pattern: 0 not evidence, 1 warning, 2 healthy."""
        out = [0] * len(patterns)
        for pattern, stance in self.labels:
            out[patterns.index(pattern)] = STANCES.index(stance)
        return out


def join_context(context: str, previous: str) -> str:
    """The context half of the input pair, exactly as the app builds it."""
    return " ".join(part.strip() for part in (context, previous) if part and part.strip())


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def load_raw(folder: Path = ROOT / "raw") -> list[Unit]:
    units: list[Unit] = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                labels = tuple(
                    sorted({(lab["pattern"], lab["stance"]) for lab in row.get("labels", [])})
                )
                units.append(
                    Unit(
                        id=f"{path.stem}-{number:05d}",
                        writer=str(row.get("writer") or path.stem),
                        industry=str(row.get("industry", "")),
                        kind=str(row.get("kind", "answer")),
                        context=str(row.get("context") or ""),
                        previous=str(row.get("previous") or ""),
                        sentence=str(row["sentence"]).strip(),
                        labels=labels[:2],
                    )
                )
    return units


def exact_key(unit: Unit) -> str:
    """Near-copies share this key: same words in the sentence and the context, case and
    punctuation aside. Short replies ("No.") stay distinct through their context."""
    raw = _normal(unit.sentence) + "\x1f" + _normal(unit.first)
    return hashlib.sha1(raw.encode()).hexdigest()


def _bag(texts: Sequence[str], dims: int = 4096) -> np.ndarray:
    """Hashed bags of words and word pairs, unit length: cosine = overlap of wording."""
    out = np.zeros((len(texts), dims), dtype=np.float32)
    for row, text in enumerate(texts):
        words = _normal(text).split()
        for token in [*words, *(" ".join(p) for p in itertools.pairwise(words))]:
            digest = hashlib.blake2b(token.encode(), digest_size=4).digest()
            out[row, int.from_bytes(digest, "little") % dims] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.clip(norms, 1e-9, None)


def dedupe(
    units: Sequence[Unit], same_sentence: float = 0.9, same_context: float = 0.6
) -> tuple[list[Unit], int]:
    """Drop copies and near-copies, keeping the first: the sentences share >= 90% of their
    wording (cosine of hashed word and word-pair counts) and so do their contexts (>= 60%;
    fully for sentences under four words, whose meaning is in the question). Exact copies
    (case and punctuation aside) always go."""
    keep: list[Unit] = []
    seen: set[str] = set()
    for unit in units:
        key = exact_key(unit)
        if key not in seen:
            seen.add(key)
            keep.append(unit)
    sentences = _bag([u.sentence for u in keep])
    contexts = _bag([u.first for u in keep])
    short = np.array([len(_normal(u.sentence).split()) < 4 for u in keep])
    dropped = np.zeros(len(keep), dtype=bool)
    block = 1024
    for start in range(0, len(keep), block):
        rows = slice(start, min(start + block, len(keep)))
        near = sentences[rows] @ sentences.T >= same_sentence
        context = contexts[rows] @ contexts.T
        need = np.where(short[rows, None], 0.99, same_context)
        near &= context >= need
        for offset, row in enumerate(near):
            index = start + offset
            earlier = np.flatnonzero(row[:index] & ~dropped[:index])
            if earlier.size:
                dropped[index] = True
    out = [u for u, gone in zip(keep, dropped, strict=True) if not gone]
    return out, len(units) - len(out)


def split(units: Iterable[Unit]) -> tuple[list[Unit], list[Unit]]:
    train, test = [], []
    for unit in units:
        (test if unit.writer in TEST_WRITERS else train).append(unit)
    return train, test


# outputs: the held-out sentences for `advisor eval`, and the data card -------------------------

WRITERS = ROOT / "writers.json"


def write_sentences(test: Sequence[Unit], path: Path = REPO / "evals" / "sentences.jsonl") -> None:
    """The test writers' units, as the eval suite reads them."""
    with path.open("w", encoding="utf-8") as handle:
        for unit in test:
            row = {
                "id": unit.id,
                "writer": unit.writer,
                "industry": unit.industry,
                "kind": unit.kind,
                "context": unit.first,
                "sentence": unit.sentence,
                "labels": [{"pattern": p, "stance": s} for p, s in unit.labels],
            }
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def data_card(raw: Sequence[Unit], units: Sequence[Unit], dropped: int) -> str:
    from collections import Counter

    briefs = json.loads(WRITERS.read_text(encoding="utf-8")) if WRITERS.exists() else {}
    lines = [
        "# Data card: the evidence reader's corpus",
        "",
        "Labelled sentences from stakeholders' answers and pilot documents, for training and",
        "testing the evidence reader (`training/train.py`). Written for this project by",
        "independent writers, each with their own brief, voice and industries (below) and the",
        "shared rules in `training/BRIEF.md`; no writer saw another's data, `evals/` or",
        "`knowledge/`. Every unit records its writer.",
        "",
        f"- {len(raw)} units written; {dropped} copies and near-copies dropped (sentence and",
        f"  context sharing >= 90% and >= 60% of their wording); {len(units)} kept.",
        f"- Test split: every unit of writers {', '.join(TEST_WRITERS)}, held out of training,",
        "  validation and every choice; copied to `evals/sentences.jsonl` for `advisor eval`.",
        f"- Validation split: every unit of writers {', '.join(VALIDATION_WRITERS)}, held out",
        "  of training; it chooses the epoch and the operating point.",
        "- Labels: per unit 0-2 `(pattern, stance)`, stance `warning` (a gap now) or `healthy`",
        "  (a control in place now); no label means not evidence.",
        "",
        "| writer | split | units | no label | documents | industries | brief |",
        "|---|---|---|---|---|---|---|",
    ]
    for writer in sorted({u.writer for u in units}):
        own = [u for u in units if u.writer == writer]
        industries = len({u.industry for u in own})
        empty = sum(1 for u in own if not u.labels) / len(own)
        docs = sum(1 for u in own if u.kind == "document") / len(own)
        split_name = (
            "test"
            if writer in TEST_WRITERS
            else "validation"
            if writer in VALIDATION_WRITERS
            else "train"
        )
        lines.append(
            f"| {writer} | {split_name} | {len(own)} | {empty:.0%} | {docs:.0%} | {industries} | "
            f"{briefs.get(writer, '')} |"
        )
    labels: Counter[str] = Counter(f"{p} / {s}" for u in units for p, s in u.labels)
    industries = Counter(u.industry.split("(")[0].strip().lower() for u in units)
    empty = sum(1 for u in units if not u.labels) / len(units)
    docs = sum(1 for u in units if u.kind == "document") / len(units)
    lines += [
        "",
        f"Overall: {empty:.0%} of units are not evidence; {docs:.0%} are document text",
        "(minutes, RAID logs, model cards, DPIA excerpts, SOWs, architecture notes, tickets,",
        f"table rows); {len(industries)} industries as the writers named them.",
        "",
        "| label | units |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in sorted(labels.items())],
        "",
        "## Known limits",
        "- Written, not recorded: real speech is messier still.",
        "- Writers labelled their own units; borderline cases (a past problem whose fix comes in",
        "  the next sentence, a contract clause that will take effect) were decided by each",
        "  writer under the shared rules, so some disagreement between writers remains.",
        "- English only.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    raw = load_raw()
    units, dropped = dedupe(raw)
    _, test = split(units)
    write_sentences(test)
    (ROOT / "DATA_CARD.md").write_text(data_card(raw, units, dropped), encoding="utf-8")
    print(f"{len(units)} units ({dropped} near-copies dropped); {len(test)} held out for testing")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
