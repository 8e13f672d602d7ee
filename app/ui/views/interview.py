"""Interview: one stakeholder's chat with the advisor, with coverage per failure pattern."""

from __future__ import annotations

import streamlit as st

from app.schemas import Stakeholder, Workspace
from app.service.advisor import Advisor
from app.ui import state
from app.ui.state import View


def label(person: Stakeholder) -> str:
    """ "Dana · Head of claims data": a role that has its own brackets stays readable."""
    role = person.role.strip()
    return f"{person.name} \u00b7 {role}" if role else person.name


def render(adv: Advisor, view: View, user: str | None, workspace: Workspace | None) -> None:
    if workspace is None:
        st.header("Interview")
        st.info("Create a pilot on the **Pilot and people** page, then add its stakeholders.")
        st.chat_input("Create a pilot and add a stakeholder first", disabled=True)
        return
    space = workspace
    people = adv.stakeholders(space.id, user)
    if not people:
        st.header("Interview")
        st.info("Add a stakeholder on the **Pilot and people** page first.")
        st.chat_input("Add a stakeholder first", disabled=True)
        return
    ids = [p.id for p in people]
    current = str(view.get("stakeholder")) if view.get("stakeholder") in ids else ids[0]
    labels = {p.id: label(p) for p in people}
    chosen = state.pick("Stakeholder", "nav-person", ids, current, format_func=labels.__getitem__)
    view["stakeholder"] = chosen
    person = next(p for p in people if p.id == chosen)
    st.header(f"Interview with {state.plain(person.name)}")
    chat(adv, view, user, person)
    _delete(adv, view, user, person)


def _delete(adv: Advisor, view: View, user: str | None, person: Stakeholder) -> None:
    """The owner may remove an answer (typed by mistake, or text that must not be kept)."""
    answers = [t for t in adv.turns(person.id, user) if t.role == "stakeholder"]
    if not answers or adv.role(person.workspace_id, user) != "owner":
        return
    with st.expander("Delete an answer"):
        labels = {t.index: f"{t.content[:80]}" for t in answers}
        index: int = st.selectbox(
            "Answer", list(labels), format_func=labels.__getitem__, key="delete-which"
        )
        if st.button("Delete this answer", key="delete-answer"):
            state.guarded("delete the answer", adv.delete_answer, person.id, index, user)
            state.rerun(adv, view, user)


def chat(adv: Advisor, view: View, user: str | None, person: Stakeholder) -> None:
    """The conversation and its coverage: all a stakeholder with a link ever sees."""
    turns = adv.turns(person.id, user)
    if not turns:
        with st.spinner("Preparing the first question..."):
            result = state.guarded("start the interview", adv.start_interview, person.id, user)
        if result is not None:
            view["notices"] = result.notices
            state.rerun(adv, view, user)
        return

    talk, meter = st.columns([3, 1])
    with meter:
        st.subheader("Coverage")
        st.caption("Aspects heard about so far, from anyone in this pilot or its documents.")
        coverage = adv.coverage(person.id, user)
        for pattern in adv.knowledge.catalog.patterns:
            filled, total = coverage.get(pattern.id, (0, 1))
            st.progress(filled / total, text=f"{pattern.name}: {filled} of {total}")
        if person.finished:
            st.success("Interview complete. Answers are saved.")
        skip = st.button("Skip question", disabled=person.finished, key="skip", width="stretch")
        finish = st.button(
            "Finish interview", disabled=person.finished, key="finish", width="stretch"
        )
    with talk:
        for turn in turns:
            role = "assistant" if turn.role == "advisor" else "user"
            with st.chat_message(role):
                # Shown as written: no Markdown, links, images or formulas from anyone's words.
                st.markdown(state.plain(turn.content))
        notices = view.get("notices")  # the last answer's, kept across the rerun
        for notice in notices if isinstance(notices, list) else []:
            st.warning(notice)
    if person.finished:
        st.chat_input("Interview complete: answers are saved", disabled=True)
        reply = None
    else:
        reply = st.chat_input("Your answer (or \u201cskip\u201d, \u201cfinish\u201d)")
    text = "skip" if skip else "finish" if finish else reply
    if text:
        shown = next((t.index for t in reversed(turns) if t.role == "advisor"), None)
        with st.spinner("Saving your answer and choosing the next question..."):
            result = state.guarded(
                "save your answer", adv.answer, person.id, text, user, question=shown
            )
        view["notices"] = result.notices if result is not None else []
        state.rerun(adv, view, user)
