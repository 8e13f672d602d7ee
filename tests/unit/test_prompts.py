"""Every prompt file loads, declares exactly the placeholders it uses, and renders strictly."""

from __future__ import annotations

import pytest

from app.errors import ConfigError
from app.llm.prompts import load_prompt, parse_prompt, prompt_names
from tests.conftest import ROOT

PROMPTS = ROOT / "prompts"
USED = {
    "interview_question",
    "extract_signals",
    "plan_rationale",
    "plan_summary",
    "answer_question",
    "judge_faithfulness",
}


def test_every_prompt_loads_and_every_used_prompt_exists() -> None:
    names = set(prompt_names(PROMPTS))
    assert names == USED
    for name in names:
        prompt = load_prompt(PROMPTS, name)
        values = {key: f"<{key}>" for key in prompt.inputs}
        system, user = prompt.render(**values)
        assert "{{" not in system + user
        assert all(f"<{key}>" in system + user for key in prompt.inputs)
        assert prompt.label.startswith(f"{name}@v")


def test_rendering_refuses_missing_or_unexpected_values() -> None:
    prompt = load_prompt(PROMPTS, "answer_question")
    with pytest.raises(ConfigError, match="missing"):
        prompt.render(question="q")
    with pytest.raises(ConfigError, match="unexpected"):
        prompt.render(question="q", passages="p", extra="x")


def test_a_prompt_whose_placeholders_differ_from_its_inputs_is_refused() -> None:
    text = "---\nname: bad\nversion: 1\ninputs: [a]\n---\n# system\nHi {{b}}\n# user\n{{a}}\n"
    with pytest.raises(ConfigError, match="declared inputs"):
        parse_prompt(text, "bad")


def test_untrusted_text_is_always_delimited() -> None:
    for name in USED:
        prompt = load_prompt(PROMPTS, name)
        assert "<<<" in prompt.user and ">>>" in prompt.user, name
        assert "data" in prompt.system.lower(), name
