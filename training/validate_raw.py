"""Check a writer's raw JSONL file: python3 training/validate_raw.py training/raw/w01.jsonl"""

import json
import sys
from collections import Counter
from pathlib import Path

PATTERNS = {"data_quality", "infrastructure", "integration", "governance", "change_management"}
STANCES = {"warning", "healthy"}
KINDS = {"answer", "document"}


def main(path: str) -> int:
    errors: list[str] = []
    kinds: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    empty = 0
    total = 0
    with Path(path).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            total += 1
            try:
                unit = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"line {number}: not JSON ({exc})")
                continue
            for key in ("writer", "industry", "kind", "context", "previous", "sentence", "labels"):
                if key not in unit:
                    errors.append(f"line {number}: missing {key}")
            if unit.get("kind") not in KINDS:
                errors.append(f"line {number}: kind must be answer or document")
            if not str(unit.get("sentence", "")).strip():
                errors.append(f"line {number}: empty sentence")
            found = unit.get("labels", [])
            if not isinstance(found, list) or len(found) > 2:
                errors.append(f"line {number}: labels must be a list of 0-2 items")
                continue
            for label in found:
                if label.get("pattern") not in PATTERNS or label.get("stance") not in STANCES:
                    errors.append(f"line {number}: bad label {label}")
                labels[f"{label.get('pattern')}/{label.get('stance')}"] += 1
            if len({label.get("pattern") for label in found}) < len(found):
                errors.append(f"line {number}: two labels for one pattern")
            empty += not found
            kinds[unit.get("kind", "?")] += 1
    for error in errors[:50]:
        print(error)
    print(f"{total} units, {len(errors)} errors")
    if total:
        print(f"no label: {empty / total:.0%}; document: {kinds['document'] / total:.0%}")
    for key, count in sorted(labels.items()):
        print(f"  {key}: {count}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
