"""Assessment: the five risks as a chart, and the evidence behind each."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from app.schemas import Assessment, Workspace
from app.service.advisor import Advisor
from app.ui import state
from app.ui.state import View

COLOURS = {"low": "#2e7d32", "medium": "#f9a825", "high": "#c62828", "not_assessed": "#9e9e9e"}


def chart(result: Assessment) -> go.Figure:
    patterns = list(reversed(result.patterns))
    figure = go.Figure(
        go.Bar(
            x=[p.risk or 0 for p in patterns],
            y=[p.name for p in patterns],
            orientation="h",
            marker_color=[COLOURS[p.level] for p in patterns],
            text=[
                f"{p.risk} \u00b7 {p.level}" if p.assessed else "not assessed (no evidence)"
                for p in patterns
            ],
            textposition=["auto" if p.assessed else "outside" for p in patterns],
        )
    )
    figure.update_layout(
        xaxis={"range": [0, 100], "title": "risk (0-100)"},
        height=320,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    return figure


def render(adv: Advisor, view: View, user: str | None, workspace: Workspace | None) -> None:
    space = state.need_workspace(workspace)
    st.header("Assessment")
    if adv.role(space.id, user) == "owner":
        with st.spinner("Reading the answers and documents..."):
            result = state.guarded("assess the pilot", adv.assess, space.id, user)
    else:  # a viewer reads the last assessment its owner made
        result = adv.latest_assessment(space.id, user)
        if result is None:
            st.info("The pilot's owner has not drafted a plan yet; the assessment comes with it.")
    if result is None:
        return
    st.plotly_chart(chart(result), width="stretch", key="risk-chart")
    for notice in result.audit.notices:
        st.warning(notice)
    for finding in result.findings:
        if finding.kind == "contradiction":
            st.warning(f"**Contradiction.** {state.plain(finding.text)}")
        elif finding.kind == "injection":
            st.info(f"**Ignored instructions in a document.** {state.plain(finding.text)}")
        elif finding.kind == "language":
            st.warning(f"**Not read.** {state.plain(finding.text)}")
        else:
            st.caption(f"Open point: {state.plain(finding.text)}")
    for pattern in result.patterns:
        title = f"{pattern.name}: {pattern.level_text} ({pattern.risk_text})"
        if pattern.assessed:
            items = "item" if pattern.evidence_count == 1 else "items"
            title += f" \u00b7 {pattern.evidence_count} {items} of evidence"
        with st.expander(title, expanded=pattern.level == "high"):
            if not pattern.assessed:
                st.write("Nothing was said or found about this yet.")
                continue
            st.caption(
                f"Confidence {pattern.confidence:.0%} \u00b7 warning weight "
                f"{pattern.warning_weight} \u00b7 healthy weight {pattern.healthy_weight}"
            )
            for item in pattern.evidence:
                mark = (
                    ":red[**warning**]"
                    if item.signal.polarity == "warning"
                    else (":green[**healthy**]")
                )
                how = "in answer to" if item.source.kind == "turn" else "in"
                asked = f" \u00b7 {how}: {item.context}" if item.context else ""
                st.markdown(
                    f"{mark} {item.probability:.0%} \u201c{state.plain(item.quote)}\u201d  \n"
                    f"*{state.plain(item.source.label() + asked)}*"
                )
