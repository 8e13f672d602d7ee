"""Pilot and people: create or pick a pilot workspace, add stakeholders, share access."""

from __future__ import annotations

import streamlit as st

from app.knowledge.catalog import PlanRules
from app.schemas import PilotProfile, Workspace
from app.service.advisor import Advisor
from app.ui import state
from app.ui.state import View

_NOT_SURE = "Not sure yet"


def _choices(rules: PlanRules) -> list[str]:
    """The profile fields answered by picking one of a few answers (those with labels in
    ``knowledge/plan.yaml``), in the order of its questions."""
    return [name for name in rules.profile.questions if name in rules.profile.labels]


def _options(rules: PlanRules, name: str) -> dict[str, object]:
    """A profile field's answers as shown ("Built in-house") -> the value stored."""
    return {
        label[:1].upper() + label[1:]: {"true": True, "false": False}.get(value, value)
        for value, label in rules.profile.labels[name].items()
    }


def _profile_fields(
    rules: PlanRules, prefix: str, current: PilotProfile | None = None
) -> dict[str, object]:
    """The profile questions of ``knowledge/plan.yaml`` in plain words; each may stay "not
    sure"."""
    fields: dict[str, object] = {}
    left, right = st.columns(2)
    for number, name in enumerate(_choices(rules)):
        options = _options(rules, name)
        labels = [_NOT_SURE, *options]
        value = getattr(current, name) if current else None
        index = next((i for i, v in enumerate(options.values(), 1) if v == value), 0)
        column = left if number % 2 == 0 else right
        question = rules.profile.questions[name]
        chosen = column.selectbox(question, labels, index=index, key=f"{prefix}-{name}")
        if chosen != _NOT_SURE:
            fields[name] = options[chosen]
    go_live = left.text_input(
        "Target go-live date (optional)",
        value=(current.go_live or "") if current else "",
        placeholder="e.g. 2027-03-31 or March 2027",
        key=f"{prefix}-go-live",
    )
    systems = right.text_input(
        "Systems it must connect to (optional)",
        value=", ".join(current.systems) if current else "",
        placeholder="e.g. SAP S/4HANA, Salesforce",
        key=f"{prefix}-systems",
    )
    if go_live.strip():
        fields["go_live"] = go_live.strip()
    if systems.strip():
        fields["systems"] = [s.strip() for s in systems.split(",") if s.strip()]
    return fields


def _link(adv: Advisor, user: str | None, stakeholder_id: str, name: str) -> None:
    """A private interview link for one stakeholder: make, re-send, withdraw."""
    status = state.guarded("read the link status", adv.invite_status, stakeholder_id, user)
    with st.expander(f"Interview link for {name}: {status}"):
        st.caption(
            "The link opens only this person's interview (their chat and coverage), nothing "
            f"else of the pilot. It expires after {adv.settings.invite_days:g} days."
        )
        left, right = st.columns(2)
        if left.button("Make a new link", key=f"link-{stakeholder_id}"):
            token = state.guarded("make the link", adv.invite, stakeholder_id, user)
            if token is not None:
                base = (adv.settings.public_url or "").rstrip("/")
                st.code(f"{base}/?invite={token}", language=None)
                st.caption("Copy it and send it to them; it is shown only now.")
        if right.button("Withdraw every link", key=f"revoke-{stakeholder_id}"):
            count = state.guarded("withdraw the links", adv.revoke_invites, stakeholder_id, user)
            if count is not None:
                st.success(f"Withdrawn: {count} link(s) no longer open the interview.")


def _profile(adv: Advisor, view: View, user: str | None, workspace: Workspace) -> None:
    """The profile as the advisor understands it, what it was read from, and a form to
    correct it."""
    st.subheader("Pilot profile")
    profile = state.guarded("read the pilot profile", adv.profile, workspace.id, user)
    if profile is None:
        return
    st.caption(
        "These facts decide which advice applies. What you set here is kept as given; "
        "open fields are filled from the interviews and documents, with the words they came from."
    )
    for clue in profile.clues:
        st.markdown(
            f"- **{clue.field.replace('_', ' ')}**: {state.plain(clue.value)} — from "
            f"{state.plain(clue.source)}: “{state.plain(clue.quote[:200])}”"
        )
    with st.form("profile"):
        fields = _profile_fields(adv.knowledge.plan, "profile", profile)
        if st.form_submit_button("Save the profile", key="save-profile"):
            saved = state.guarded(
                "save the pilot profile", adv.set_profile, workspace.id, fields, user
            )
            if saved is not None:
                st.success("Saved. The next plan uses it.")


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
        with st.expander("What kind of pilot is it? (optional, helps the plan fit)"):
            fields = _profile_fields(adv.knowledge.plan, "new")
        if st.form_submit_button("Create pilot", type="primary", key="create-pilot"):
            pilot = {"organisation": organisation.strip(), "use_case": use_case.strip()}
            created = state.guarded(
                "create the pilot",
                adv.create_workspace,
                name,
                user,
                {k: v for k, v in pilot.items() if v},
            )
            if created is not None and fields:
                state.guarded("save the pilot profile", adv.set_profile, created.id, fields, user)
            if created is not None:
                view["workspace"] = created.id
                view.pop("stakeholder", None)
                state.rerun(adv, view, user)
    if workspace is None:
        return
    st.subheader(f"Stakeholders of \u201c{state.plain(workspace.name)}\u201d")
    people = adv.stakeholders(workspace.id, user)
    owner = adv.role(workspace.id, user) == "owner"
    if people:
        for person in people:
            turns = adv.turns(person.id, user)
            answered = sum(1 for t in turns if t.role == "stakeholder")
            status = "finished" if person.finished else f"{answered} answers so far"
            cols = st.columns([3, 3, 2, 2])
            cols[0].markdown(f"**{state.plain(person.name)}**")
            cols[1].markdown(state.plain(person.role))
            cols[2].write(status)
            if owner and cols[3].button("Interview", key=f"go-{person.id}"):
                view["stakeholder"] = person.id
                view["page"] = "Interview"
                state.rerun(adv, view, user)
            if owner:
                _link(adv, user, person.id, person.name)
    else:
        st.caption("No stakeholders yet. Add each person you will interview.")
    if not owner:
        st.caption("You can read this pilot; its owner adds people and runs the interviews.")
        return
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
    with st.expander("Pilot profile: what kind of pilot this is"):
        _profile(adv, view, user, workspace)
    if user is not None:
        with st.expander("Share this pilot"):
            other = st.text_input("Account to share with", key="share-with")
            role = st.radio(
                "As",
                ["viewer", "owner"],
                format_func={
                    "viewer": "Viewer: reads the assessment and plan, exports",
                    "owner": "Owner: everything, including interviews and sharing",
                }.__getitem__,
                key="share-role",
            )
            if st.button("Share", key="share") and other.strip():
                done = state.guarded("share the pilot", adv.share, workspace.id, other, role, user)
                if done is not None:
                    st.success(
                        f"{done} can now open \u201c{state.plain(workspace.name)}\u201d as {role}."
                    )
