"""The layout shows the pipeline: imports run one way, from the edges down to the core."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

APP = ROOT / "app"
# Low to high: a module may import its own layer or a lower one, never a higher one.
LAYERS = [
    ("core", ("app.settings", "app.errors", "app.schemas", "app.tokens", "app.assets")),
    ("documents", ("app.documents",)),
    ("knowledge", ("app.knowledge",)),
    ("reading", ("app.reading",)),
    ("advice", ("app.advice",)),
    ("llm", ("app.llm",)),
    ("io", ("app.io",)),
    ("service", ("app.service",)),
    ("edges", ("app.ui", "app.cli")),
]
MAX_LINES = 400


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> int | None:
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, at the top or inside a function, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            found += [(node.lineno, n if _layer(n) is not None else node.module) for n in names]
    return found


def test_every_module_has_a_layer() -> None:
    orphans = [_module(p) for p in APP.rglob("*.py") if _layer(_module(p)) is None]
    assert orphans == ["app"], orphans  # only the package's own __init__


def test_imports_run_one_way() -> None:
    wrong = []
    for path in sorted(APP.rglob("*.py")):
        here = _layer(_module(path))
        if here is None:  # app/__init__.py, empty
            continue
        for line, name in _imports(path):
            there = _layer(name)
            if there is not None and there > here:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_the_runtime_package_does_not_import_tests_or_evals() -> None:
    wrong = []
    for path in sorted(APP.rglob("*.py")):
        for line, name in _imports(path):
            outside = name.split(".")[0] in ("tests", "evals", "training", "bench")
            # `advisor eval` is the one door to the eval suite, opened when it runs.
            if outside and not (name.startswith("evals.") and _module(path).startswith("app.cli")):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_no_module_over_400_lines() -> None:
    folders = ("app", "evals", "tests", "bench", "training", "scripts")
    long = {
        str(p.relative_to(ROOT)): n
        for folder in folders
        for p in (ROOT / folder).rglob("*.py")
        if "out" not in p.relative_to(ROOT).parts
        and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long


def test_the_readme_layout_names_every_folder() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tree = readme.split("## Layout", 1)[1].split("```")[1]
    folders = sorted(
        p.name for p in APP.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
    )
    missing = [name for name in folders if f"  {name}/" not in tree]
    assert not missing, f"README layout misses app/{missing}"
