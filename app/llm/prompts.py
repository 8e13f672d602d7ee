"""Prompts: ``prompts/<name>.md`` -> a checked template with a version and a hash.

A prompt file has YAML front matter (``name``, ``version``, ``description``, ``inputs``) and two
sections, ``# system`` and ``# user``. Placeholders are ``{{input}}``; rendering refuses a
missing or unexpected value, and loading refuses a file whose placeholders differ from its
declared inputs. Text from documents and answers is always passed in a delimited input, never
spliced into the instructions.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from app.errors import ConfigError


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    system: str
    user: str
    inputs: frozenset[str]
    sha256: str

    @property
    def label(self) -> str:
        return f"{self.name}@v{self.version}:{self.sha256[:12]}"

    def render(self, **values: str) -> tuple[str, str]:
        """System and user messages with every placeholder filled."""
        given = set(values)
        if given != self.inputs:
            missing = sorted(self.inputs - given)
            extra = sorted(given - self.inputs)
            raise ConfigError(f"Prompt {self.name}: missing {missing}, unexpected {extra}.")

        def fill(text: str) -> str:
            return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)

        return fill(self.system), fill(self.user)


_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


def parse_prompt(text: str, name: str) -> Prompt:
    if not text.startswith("---"):
        raise ConfigError(f"prompts/{name}.md must start with YAML front matter.")
    _, head, body = text.split("---", 2)
    meta = yaml.safe_load(head) or {}
    parts = re.split(r"^# (system|user)\s*$", body, flags=re.M)
    sections = dict(zip(parts[1::2], (p.strip() for p in parts[2::2]), strict=True))
    if set(sections) != {"system", "user"}:
        raise ConfigError(f"prompts/{name}.md needs a '# system' and a '# user' section.")
    declared = frozenset(meta.get("inputs") or [])
    used = frozenset(_PLACEHOLDER.findall(sections["system"] + sections["user"]))
    if declared != used:
        raise ConfigError(
            f"prompts/{name}.md: declared inputs {sorted(declared)} but uses {sorted(used)}."
        )
    if meta.get("name") != name:
        raise ConfigError(f"prompts/{name}.md: front matter name must be {name!r}.")
    return Prompt(
        name=name,
        version=int(meta.get("version", 1)),
        system=sections["system"],
        user=sections["user"],
        inputs=declared,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


@cache
def load_prompt(prompts_dir: Path, name: str) -> Prompt:
    path = prompts_dir / f"{name}.md"
    if not path.is_file():
        raise ConfigError(f"Prompt file {path} is missing; point ADVISOR_PROMPTS_DIR at it.")
    return parse_prompt(path.read_text(encoding="utf-8"), name)


def prompt_names(prompts_dir: Path) -> list[str]:
    return sorted(p.stem for p in prompts_dir.glob("*.md") if p.stem.lower() != "readme")
