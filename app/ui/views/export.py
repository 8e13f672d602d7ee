"""Export: the latest plan as Markdown, PDF, DOCX, JSON or CSV for Jira."""

from __future__ import annotations

import re
from functools import partial

import streamlit as st

from app.advisor import Advisor
from app.export import MEDIA_TYPES
from app.schemas import Workspace
from app.ui import state
from app.ui.state import View

LABELS = {
    "pdf": "PDF report",
    "docx": "Word (DOCX)",
    "md": "Markdown",
    "json": "JSON",
    "csv": "CSV for Jira",
}


def render(adv: Advisor, view: View, user: str | None, workspace: Workspace | None) -> None:
    space = state.need_workspace(workspace)
    st.header("Export")
    plan = adv.latest_plan(space.id, user)
    if plan is None:
        st.info("Draft the plan on the **Plan** page first.")
        return
    st.caption(f"Plan drafted {plan.audit.created[:16].replace('T', ' ')} UTC")
    slug = re.sub(r"[^a-z0-9]+", "-", space.name.lower()).strip("-") or "pilot"
    cols = st.columns(len(LABELS))
    for col, (fmt, label) in zip(cols, LABELS.items(), strict=True):
        col.download_button(
            label,
            data=partial(adv.export, space.id, fmt, user),  # built on click, not on every view
            file_name=f"{slug}-readiness-plan.{fmt}",
            mime=MEDIA_TYPES[fmt],
            key=f"dl-{fmt}",
            on_click="ignore",
        )
