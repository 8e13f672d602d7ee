"""The Readiness Advisor in the browser: ``streamlit run app/ui/main.py``.

A thin shell: sign-in, the view kept in the URL, the sidebar, and one page at a time. Every
page calls the orchestration API (``app.advisor``) and renders what it returns.
"""

from __future__ import annotations

import streamlit as st

from app.ui import state, views

st.set_page_config(page_title="Readiness Advisor", page_icon=":material/task_alt:", layout="wide")

adv = state.advisor()
user = state.sign_in(adv)
state.prepare(adv)
view_id, view = state.load_view(adv, user)

with st.sidebar:
    st.title("Readiness Advisor")
    workspace = state.current_workspace(adv, view, user)
    names = list(views.PAGES)
    page = str(view.get("page")) if view.get("page") in names else names[0]
    choice: str = st.radio("Go to", names, index=names.index(page))
    view["page"] = choice
    st.divider()
    engine = adv.engine.name
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

views.PAGES[choice](adv, view, user, workspace)
state.commit(adv, view, user)
