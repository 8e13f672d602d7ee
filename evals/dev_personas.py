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
    facts = [x for run in runs for x in run["detail"]["elicited"]]
    verdicts = [x for run in runs for x in run["detail"]["agree"]]
    share = sum(facts) / len(facts), sum(verdicts) / len(verdicts)
    sys.stdout.write(f"facts drawn out {share[0]:.3f}, verdicts {share[1]:.3f}\n")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
