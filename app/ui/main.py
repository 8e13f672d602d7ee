"""The Readiness Advisor in the browser: ``streamlit run app/ui/main.py``.

A thin shell: sign-in, the view kept in the URL, the sidebar, and one page at a time. Every
page calls the orchestration API (``app.service.advisor``) and renders what it returns.
"""

from __future__ import annotations

import streamlit as st

from app.service.access import STAKEHOLDER
from app.ui import state, views

st.set_page_config(page_title="Readiness Advisor", page_icon=":material/task_alt:", layout="wide")

adv = state.advisor()
user = state.sign_in(adv)
state.prepare(adv)
if user is not None and user.startswith(STAKEHOLDER):
    # A stakeholder's private link: their own interview and nothing else.
    person = adv.stakeholder(user.removeprefix(STAKEHOLDER), user)
    st.title(f"Interview with {state.plain(person.name)}")
    st.caption(
        "Your answers are saved as you go; you can close this page and come back with the "
        "same link. Only the consultant running this assessment reads them."
    )
    stakeholder_view: state.View = {}
    views.interview.chat(adv, stakeholder_view, user, person)
    st.stop()
view_id, view = state.load_view(adv, user)

with st.sidebar:
    st.title("Readiness Advisor")
    workspace = state.current_workspace(adv, view, user)
    names = list(views.PAGES)
    page = str(view.get("page")) if view.get("page") in names else names[0]
    choice = state.pick("Go to", "nav-page", names, page, radio=True)
    view["page"] = choice
    st.divider()
    engine = adv.engine_name  # known without loading the models (they warm in the background)
    if engine == "offline":
        st.caption("Engine: **offline** (deterministic, no network)")
    else:
        st.caption(f"Engine: **{engine}** (falls back to offline if it fails)")
        if adv.settings.redact:
            st.caption(
                "Personal data (e-mails, phone numbers, IBANs, card and id numbers) is "
                "replaced by placeholders before any text is sent to the LLM."
            )
        else:
            st.caption(":orange[Redaction is off: text goes to the LLM as written.]")
    if user:
        st.caption(f"Signed in as **{user}**")
        if adv.settings.app_oidc:
            st.button("Sign out", on_click=st.logout)
        else:
            st.button("Sign out", on_click=state.sign_out, key="sign-out")
    else:
        st.caption(
            ":orange[Local single-user mode: no sign-in, everything is visible to anyone "
            "who can open this address. It serves this computer only.]"
        )

views.PAGES[choice](adv, view, user, workspace)
state.commit(adv, view, user)
