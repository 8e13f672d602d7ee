"""Export: the latest plan as Markdown, PDF, DOCX, JSON or CSV for Jira."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable

import streamlit as st

from app.errors import AdvisorError
from app.io.export import MEDIA_TYPES
from app.schemas import Workspace
from app.service.advisor import Advisor
from app.ui import state
from app.ui.state import View

log = logging.getLogger(__name__)

LABELS = {
    "pdf": "PDF report",
    "docx": "Word (DOCX)",
    "md": "Markdown",
    "json": "JSON",
    "csv": "CSV for Jira",
}

# Files are built when a button is clicked, in a server thread with no page to write to: a
# failure is kept here and shown on the page, by format, until the next build of that file.
_FAILED: dict[tuple[str | None, str, str], str] = {}
_LOCK = threading.Lock()


def builder(adv: Advisor, workspace_id: str, fmt: str, user: str | None) -> Callable[[], bytes]:
    """The build behind one download button. A failure is remembered for the page (the button
    itself only says the download failed) and re-raised so no broken file is offered."""
    key = (user, workspace_id, fmt)

    def build() -> bytes:
        try:
            body = adv.export(workspace_id, fmt, user)
        except AdvisorError as err:
            message = str(err)
        except Exception:  # whatever went wrong, the page must say so
            log.exception("building the %s export failed", fmt)
            message = (
                "The file could not be built (an internal error, now in the app's log). "
                "Try another format, or draft the plan again and retry."
            )
        else:
            with _LOCK:
                _FAILED.pop(key, None)
            return body
        with _LOCK:
            _FAILED[key] = message
        raise RuntimeError(message)

    return build


def failures(workspace_id: str, user: str | None) -> dict[str, str]:
    with _LOCK:
        return {f: m for (u, w, f), m in _FAILED.items() if u == user and w == workspace_id}


def render(adv: Advisor, view: View, user: str | None, workspace: Workspace | None) -> None:
    space = state.need_workspace(workspace)
    st.header("Export")
    plan = adv.latest_plan(space.id, user)
    if plan is None:
        st.info("Draft the plan on the **Plan** page first.")
        return
    st.caption(f"Plan drafted {plan.audit.created[:16].replace('T', ' ')} UTC")
    for fmt, message in failures(space.id, user).items():
        st.error(f"{LABELS[fmt]}: the last download failed. {message}", icon="⚠️")
    slug = re.sub(r"[^a-z0-9]+", "-", space.name.lower()).strip("-") or "pilot"
    cols = st.columns(len(LABELS))
    for col, (fmt, label) in zip(cols, LABELS.items(), strict=True):
        col.download_button(
            label,
            data=builder(adv, space.id, fmt, user),  # built on click, not on every view
            file_name=f"{slug}-readiness-plan.{fmt}",
            mime=MEDIA_TYPES[fmt],
            key=f"dl-{fmt}",
            on_click="ignore",
        )
