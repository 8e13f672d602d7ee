"""The development personas (``evals/personas-dev``) through the same simulation as the eval.

``python -m evals.dev_personas [--json PATH]``: one line per persona, then the pooled facts
drawn out and verdict agreement. Not part of ``advisor eval``: these personas are what the
interviewer is developed against, so they cannot also measure it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cli.shared import local_advisor
from evals.personas import interview, load_personas

EVALS = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write every run (transcripts) here")
    args = parser.parse_args()
    advisor = local_advisor()
    advisor.ensure_knowledge()
    advisor.warm()
    runs: list[dict[str, Any]] = []
    for persona in load_personas(EVALS, "personas-dev"):
        case = interview(advisor, persona)
        elicited, agree = case.detail["elicited"], case.detail["agree"]
        sys.stdout.write(
            f"{persona.id}: facts {sum(elicited)}/{len(elicited)}, "
            f"verdicts {sum(agree)}/{len(agree)}, questions {case.detail['questions']}\n"
        )
        runs.append({"id": persona.id, "detail": case.detail, "failures": case.failures})
    writers = sorted({_writer(run["id"]) for run in runs})
    for writer in writers:
        mine = [run for run in runs if _writer(run["id"]) == writer]
        facts, verdicts = _shares(mine)
        sys.stdout.write(f"writer {writer}: facts drawn out {facts:.3f}, verdicts {verdicts:.3f}\n")
    facts, verdicts = _shares(runs)
    sys.stdout.write(f"facts drawn out {facts:.3f}, verdicts {verdicts:.3f}\n")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1), encoding="utf-8")


def _writer(persona_id: str) -> str:
    """The writer's letter of a persona id ("persona-e03-..." -> "e")."""
    return persona_id.split("-")[1][0]


def _shares(runs: list[dict[str, Any]]) -> tuple[float, float]:
    """Facts drawn out and verdicts that agree, as shares of all in ``runs``."""
    facts = [x for run in runs for x in run["detail"]["elicited"]]
    verdicts = [x for run in runs for x in run["detail"]["agree"]]
    return sum(facts) / len(facts), sum(verdicts) / len(verdicts)


if __name__ == "__main__":
    main()
