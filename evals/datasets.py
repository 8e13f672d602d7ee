"""Datasets: the data files under ``evals/`` -> typed rows for the runner.

Scenarios (``scenarios/*.json``), plan scenarios (``plans/*.json``), injections
(``injections.jsonl``), the reader's held-out sentences (``sentences.jsonl``) and the retrieval
questions (``retrieval_questions.jsonl``). Personas load in ``evals.personas``. A file that
does not validate raises ``ConfigError`` naming it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.errors import ConfigError
from evals.schemas import Injection, PlanScenario, Scenario


def load_scenarios(evals_dir: Path) -> list[Scenario]:
    out = []
    for path in sorted((evals_dir / "scenarios").glob("*.json")):
        try:
            out.append(Scenario.model_validate_json(path.read_bytes()))
        except ValueError as exc:
            raise ConfigError(f"{path.name} is not a valid scenario: {exc}") from exc
    return out


def load_plan_scenarios(evals_dir: Path) -> list[PlanScenario]:
    folder = evals_dir / "plans"
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.json")):
        try:
            out.append(PlanScenario.model_validate_json(path.read_text(encoding="utf-8")))
        except ValueError as exc:
            raise ConfigError(f"{path} is not a valid plan scenario: {exc}") from exc
    return out


def load_injections(evals_dir: Path) -> list[Injection]:
    path = evals_dir / "injections.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [Injection.model_validate_json(line) for line in lines if line.strip()]


def load_sentences(evals_dir: Path) -> list[dict[str, Any]]:
    """The reader's held-out sentences (the test writers' units, written by ``make train``)."""
    path = evals_dir / "sentences.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def load_questions(evals_dir: Path) -> list[dict[str, str]]:
    path = evals_dir / "retrieval_questions.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def documents(evals_dir: Path, names: list[str], folder: str = "documents") -> list[Path]:
    """The paths of a row's documents in one of the eval data folders."""
    return [evals_dir / folder / name for name in names]
