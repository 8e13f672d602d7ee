"""Export: ``Plan`` -> Markdown, JSON, CSV (Jira), PDF (reportlab) or DOCX (python-docx).

Every format carries the same content: the risk per pattern, the phased items with owner,
effort, KPI, dependencies, evidence and citations, the findings, a sources appendix and the
audit trail (engine, model, prompts, knowledge version, document hashes). PDF and DOCX open with
a title page and the risk chart.

This module is the front door: it makes every string in the plan safe for the chosen format,
then hands the plan to that format's writer (``markdown``, ``json_shapes``, ``jira_csv``,
``pdf_report``, ``docx_report``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from app.io.docx_report import to_docx
from app.io.jira_csv import to_csv
from app.io.json_shapes import to_json
from app.io.markdown import to_markdown
from app.io.pdf_report import to_pdf
from app.schemas import Plan

FORMATS = ("json", "md", "pdf", "docx", "csv")
MEDIA_TYPES = {
    "json": "application/json",
    "md": "text/markdown",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
}
EXPORTERS: dict[str, Callable[[Plan], str | bytes]] = {
    "json": to_json,
    "md": to_markdown,
    "csv": to_csv,
    "pdf": to_pdf,
    "docx": to_docx,
}


def export(plan: Plan, fmt: str) -> bytes:
    """The plan in ``fmt`` (one of ``FORMATS``), as bytes ready to save or download."""
    if fmt not in EXPORTERS:
        from app.errors import ConfigError

        raise ConfigError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    body = EXPORTERS[fmt](_safe_for(plan, fmt))
    return body.encode("utf-8") if isinstance(body, str) else body


# user text, made safe for each format ------------------------------------------------------------

# Characters XML 1.0 forbids (DOCX, and reportlab's parser), and that no document needs.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_MD_ACTIVE = re.compile(r"([\[\]<>`])")


def _scrub(value: Any, clean: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_scrub(v, clean) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, clean) for k, v in value.items()}
    return value


def _safe_for(plan: Plan, fmt: str) -> Plan:
    """The plan with every string made safe for ``fmt``: control characters dropped for the
    document formats; in Markdown, brackets, angle brackets and backticks escaped (no links,
    images, HTML or code from anyone's words) and names kept on one line."""
    if fmt == "json":
        return plan
    data = _scrub(plan.model_dump(mode="json"), lambda text: _ILLEGAL.sub("", text))
    if fmt == "md":
        data = _scrub(data, lambda text: _MD_ACTIVE.sub(r"\\\1", text))
    data["pilot"] = {
        k: " ".join(v.split()) if isinstance(v, str) else v for k, v in data["pilot"].items()
    }
    return Plan.model_validate(data)
