"""The public surfaces list what they export: ``app.schemas`` and ``app.knowledge.catalog``."""

from __future__ import annotations

from types import ModuleType

import pytest

import app.knowledge.catalog
import app.schemas
from app.knowledge import patterns, playbooks, texts
from app.schemas import advice, documents, sessions

# Helpers the knowledge modules share among themselves; not part of the surface.
_INTERNAL = {"Frozen", "check_catalog", "figures"}


def _defined(*modules: ModuleType) -> set[str]:
    """Public classes and functions each module defines itself (not the ones it imports)."""
    return {
        name
        for module in modules
        for name, value in vars(module).items()
        if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
    }


@pytest.mark.parametrize(
    ("surface", "parts"),
    [
        (app.schemas, (advice, documents, sessions)),
        (app.knowledge.catalog, (app.knowledge.catalog, patterns, playbooks, texts)),
    ],
)
def test_every_public_name_is_exported_and_exists(
    surface: ModuleType, parts: tuple[ModuleType, ...]
) -> None:
    exported = set(surface.__all__)
    assert len(exported) == len(surface.__all__), "a name is listed twice"
    missing = _defined(*parts) - exported - _INTERNAL
    assert not missing, f"add to {surface.__name__}.__all__: {sorted(missing)}"
    assert all(hasattr(surface, name) for name in exported)
