"""Plan: the phased production roadmap, each citation opening its passage; questions."""

from __future__ import annotations

import html

import streamlit as st

from app.schemas import Answer, Citation, Plan, Workspace
from app.service.advisor import Advisor
from app.ui import state
from app.ui.state import View


def _where(citation: Citation) -> str:
    parts = [citation.source]
    if citation.section:
        parts.append(citation.section)
    if citation.page:
        parts.append(f"p. {citation.page}")
    return " \u00b7 ".join(parts)


def _citation(
    adv: Advisor, citation: Citation, number: int, space: Workspace, user: str | None
) -> None:
    with st.expander(f"[{number}] {_where(citation)}"):
        chunk = adv.passage(citation.chunk_id, space.id, user)
        if chunk is None:
            st.markdown(f"\u201c{state.plain(citation.quote)}\u201d")
            st.caption("The passage is no longer indexed; the quote was checked when drafted.")
            return
        text = html.escape(chunk.text)
        quote = html.escape(citation.quote)
        st.markdown(text.replace(quote, f"**{quote}**", 1) if quote in text else text)
        st.caption(f"Passage {citation.chunk_id}")


def _summary(text: str) -> str:
    """The executive summary's own structure (a bold headline, bullets) around escaped text:
    the quotes in it are people's words."""
    lines = []
    for line in text.splitlines():
        if line.startswith("**") and line.endswith("**") and len(line) > 4:
            lines.append(f"**{state.plain(line[2:-2])}**")
        elif line.startswith("- "):
            lines.append(f"- {state.plain(line[2:])}")
        else:
            lines.append(state.plain(line))
    return "\n".join(lines)


def _verdict(result: Plan) -> None:
    """The go-live verdict first, then the one-page summary for an executive."""
    verdict = result.verdict
    if verdict is None:
        return
    show = {"not_ready": st.error, "conditional": st.warning, "ready": st.success}
    show[verdict.status](verdict.headline)
    with st.expander("Executive summary", expanded=True):
        st.markdown(_summary(result.executive_summary))


def _plan(adv: Advisor, result: Plan, space: Workspace, user: str | None) -> None:
    _verdict(result)
    st.write(result.summary)
    for notice in result.audit.notices:
        st.warning(notice)
    number = 0
    for phase in result.phases:
        dates = f" ({phase.starts} to {phase.ends})" if phase.starts and phase.ends else ""
        st.subheader(phase.name + dates)
        if not phase.items:
            st.caption(phase.note or "Nothing scheduled.")
        for item in phase.items:
            name = adv.knowledge.catalog.pattern(item.pattern).name
            with st.container(border=True):
                st.markdown(f"**{item.title}**  \n*{name}*")
                st.write(item.action)
                due = f" \u00b7 Due: {item.due}" if item.due else ""
                st.caption(
                    f"Owner: {item.owner} \u00b7 Effort: {item.effort} \u00b7 "
                    f"{item.timeframe}{due} \u00b7 Done when: {item.kpi}"
                )
                if item.why_here:
                    st.markdown(f"_Why here:_ {state.plain(item.why_here)}")
                if item.depends_on:
                    st.caption("Depends on: " + ", ".join(item.depends_on))
                if item.rationale:
                    st.markdown(f"_Why:_ {state.plain(item.rationale)}")
                for citation in item.citations:
                    number += 1
                    _citation(adv, citation, number, space, user)


def _answer(adv: Advisor, answer: Answer, space: Workspace, user: str | None) -> None:
    st.markdown(state.plain(answer.text))
    for notice in answer.notices:
        st.warning(notice)
    for number, citation in enumerate(answer.citations, start=1):
        _citation(adv, citation, number, space, user)


def render(adv: Advisor, view: View, user: str | None, workspace: Workspace | None) -> None:
    space = state.need_workspace(workspace)
    st.header("Production plan")
    current = adv.latest_plan(space.id, user)
    label = "Redraft the plan" if current else "Draft the plan"
    owner = adv.role(space.id, user) == "owner"
    if owner and st.button(label, type="primary", key="draft"):
        with st.spinner("Assessing and drafting..."):
            current = state.guarded("draft the plan", adv.plan, space.id, user) or current
    if current is None:
        st.info("Interview the stakeholders and upload documents, then draft the plan.")
    else:
        _plan(adv, current, space, user)
    st.divider()
    st.subheader("Ask about the plan")
    with st.form("ask"):
        question = st.text_input(
            "Your question",
            placeholder="Can we go live next month? How do we roll back a bad model?",
            key="question",
        )
        asked = st.form_submit_button("Ask", key="ask")
    if asked and question.strip():
        answer = state.guarded("answer", adv.ask, space.id, question, user)
        if answer is not None:
            view["answer"] = answer.model_dump(mode="json")
            state.commit(adv, view, user)
    if view.get("answer"):
        _answer(adv, Answer.model_validate(view["answer"]), space, user)
