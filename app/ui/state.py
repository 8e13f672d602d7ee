"""What every page shares: the one Advisor, the signed-in user, and the view in the URL.

The view (pilot, stakeholder, page, last answer) is stored server-side under an id that lives
in the URL (``?s=...``), so a browser refresh or an app restart returns to the same place.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

import streamlit as st

from app.advisor import Advisor
from app.errors import AdvisorError
from app.schemas import Workspace
from app.settings import Settings

View = dict[str, Any]


@st.cache_resource(show_spinner=False)
def advisor() -> Advisor:
    """One advisor per server process, shared by every browser session."""
    return Advisor(Settings())


def prepare(adv: Advisor) -> None:
    """Index the knowledge base on the very first start, with a visible progress bar."""
    if st.session_state.get("_prepared"):
        return
    if not adv.knowledge_indexed():
        bar = st.progress(0.0, text="Indexing the knowledge base (first start only)...")

        def tick(number: int, total: int, name: str) -> None:
            bar.progress(number / total, text=f"Indexing the knowledge base: {name}")

        adv.ensure_knowledge(tick)
        bar.empty()
    with st.spinner("Loading the advisor..."):
        adv.warm()
    st.session_state["_prepared"] = True


def sign_in(adv: Advisor) -> str | None:
    """The signed-in user's name, or None when the app runs without access control."""
    settings = adv.settings
    if settings.app_oidc:
        if not getattr(st.user, "is_logged_in", False):
            st.title("Readiness Advisor")
            if not _oidc_configured():
                st.error(
                    "Sign-in is switched on (ADVISOR_APP_OIDC) but no provider is configured: "
                    "add an [auth] section to .streamlit/secrets.toml, or switch it off."
                )
            st.write("Sign in to see your pilots.")
            st.button("Sign in", on_click=st.login, type="primary", key="oidc-login")
            st.stop()
        return str(st.user.get("email") or st.user.get("name") or "user")
    if settings.app_password is None:
        return None
    if st.session_state.get("_user"):
        return str(st.session_state["_user"])
    st.title("Readiness Advisor")
    with st.form("sign-in"):
        name = st.text_input("Your name or e-mail", key="login-name")
        password = st.text_input("Password", type="password", key="login-password")
        submitted = st.form_submit_button("Sign in", type="primary", key="login")
    if submitted:
        expected = settings.app_password.get_secret_value().encode()
        if name.strip() and hmac.compare_digest(password.encode(), expected):
            st.session_state["_user"] = name.strip()
            st.rerun()
        st.error("That password is not right, or the name is empty. Try again.")
    st.stop()


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, OSError):
        return False


def load_view(adv: Advisor, user: str | None) -> tuple[str, View]:
    """The view id from the URL (a new one if absent) and its stored state."""
    view_id = st.query_params.get("s")
    if not view_id or not view_id.isalnum() or len(view_id) > 40:
        view_id = secrets.token_hex(8)
        st.query_params["s"] = view_id
        view: View = {}
    elif "_view" in st.session_state and st.session_state.get("_view_id") == view_id:
        view = dict(st.session_state["_view"])
    else:
        view = adv.view(view_id, user)
    st.session_state["_view_id"] = view_id
    return view_id, view


def commit(adv: Advisor, view: View, user: str | None) -> None:
    """Store the view now (before a rerun), so a refresh comes back to it."""
    if st.session_state.get("_view") != view:
        adv.save_view(st.session_state["_view_id"], view, user)
        st.session_state["_view"] = dict(view)


def rerun(adv: Advisor, view: View, user: str | None) -> None:
    commit(adv, view, user)
    st.rerun()


def guarded(action: str, call: Any, *args: Any, **kwargs: Any) -> Any:
    """Run an advisor call; show its error in plain words instead of a traceback."""
    try:
        return call(*args, **kwargs)
    except AdvisorError as exc:
        st.error(f"Could not {action}: {exc}")
        return None


def current_workspace(adv: Advisor, view: View, user: str | None) -> Workspace | None:
    """The pilot picked in the sidebar, remembered in the view."""
    spaces = adv.workspaces(user)
    if not spaces:
        st.caption("No pilot yet: create one on the first page.")
        view.pop("workspace", None)
        return None
    ids = [w.id for w in spaces]
    current = str(view.get("workspace")) if view.get("workspace") in ids else ids[0]
    labels = {w.id: w.name for w in spaces}
    chosen: str = st.selectbox(
        "Pilot", ids, index=ids.index(current), format_func=labels.__getitem__
    )
    if view.get("workspace") != chosen:
        view.pop("stakeholder", None)
        view.pop("answer", None)
    view["workspace"] = chosen
    return next(w for w in spaces if w.id == chosen)


def need_workspace(workspace: Workspace | None) -> Workspace:
    if workspace is None:
        st.info("Create or pick a pilot on the **Pilot and people** page first.")
        st.stop()
    return workspace
