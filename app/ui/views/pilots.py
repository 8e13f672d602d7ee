"""Pilot and people: create or pick a pilot workspace, add stakeholders, share access."""

from __future__ import annotations

import streamlit as st

from app.advisor import Advisor
from app.schemas import Workspace
from app.ui import state
from app.ui.state import View


def render(adv: Advisor, view: View, user: str | None, workspace: Workspace | None) -> None:
    st.header("Pilot and people")
    with st.form("new-pilot", clear_on_submit=True):
        st.subheader("New pilot")
        name = st.text_input(
            "Pilot name", placeholder="e.g. Claims triage assistant", key="pilot-name"
        )
        organisation = st.text_input("Organisation (optional)", key="pilot-org")
        use_case = st.text_area(
            "Use case in one or two sentences (optional)", height=80, key="pilot-use-case"
        )
        if st.form_submit_button("Create pilot", type="primary", key="create-pilot"):
            pilot = {"organisation": organisation.strip(), "use_case": use_case.strip()}
            created = state.guarded(
                "create the pilot",
                adv.create_workspace,
                name,
                user,
                {k: v for k, v in pilot.items() if v},
            )
            if created is not None:
                view["workspace"] = created.id
                view.pop("stakeholder", None)
                state.rerun(adv, view, user)
    if workspace is None:
        return
    st.subheader(f"Stakeholders of \u201c{workspace.name}\u201d")
    people = adv.stakeholders(workspace.id, user)
    if people:
        for person in people:
            turns = adv.turns(person.id, user)
            answered = sum(1 for t in turns if t.role == "stakeholder")
            status = "finished" if person.finished else f"{answered} answers so far"
            cols = st.columns([3, 3, 2, 2])
            cols[0].write(f"**{person.name}**")
            cols[1].write(person.role)
            cols[2].write(status)
            if cols[3].button("Interview", key=f"go-{person.id}"):
                view["stakeholder"] = person.id
                view["page"] = "Interview"
                state.rerun(adv, view, user)
    else:
        st.caption("No stakeholders yet. Add each person you will interview.")
    with st.form("new-person", clear_on_submit=True):
        left, right = st.columns(2)
        name = left.text_input("Name", key="person-name")
        role = right.text_input("Role", placeholder="e.g. Head of claims data", key="person-role")
        if st.form_submit_button("Add stakeholder", key="add-person"):
            added = state.guarded(
                "add the stakeholder", adv.add_stakeholder, workspace.id, name, role, user
            )
            if added is not None:
                view["stakeholder"] = added.id
                state.rerun(adv, view, user)
    if user is not None:
        with st.expander("Share this pilot"):
            other = st.text_input("Give access to (name or e-mail they sign in with)")
            if st.button("Share") and other.strip():
                state.guarded("share the pilot", adv.share, workspace.id, other, user)
                st.success(f"{other.strip()} can now open \u201c{workspace.name}\u201d.")
