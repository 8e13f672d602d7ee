"""What every page shares: the one Advisor, the signed-in user, and the view in the URL.

The view (pilot, stakeholder, page, last answer) is stored server-side under an id that lives
in the URL (``?s=...``), so a browser refresh or an app restart returns to the same place.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import streamlit as st

from app.errors import AdvisorError
from app.schemas import Workspace
from app.service.advisor import Advisor
from app.settings import Settings

View = dict[str, object]  # as ``Advisor.view`` returns it and ``Advisor.save_view`` stores it
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
P = ParamSpec("P")
R = TypeVar("R")


@st.cache_resource(show_spinner=False)
def advisor() -> Advisor:
    """One advisor per server process, shared by every browser session."""
    return Advisor(Settings())


def prepare(adv: Advisor) -> None:
    """Index the knowledge base on the very first start, with a visible progress bar. When
    the local store already exists (``make run`` indexes before it starts the app), the check
    and the model loading happen in the background, so the first page shows at once."""
    if st.session_state.get("_prepared"):
        return
    settings = adv.settings
    first_start = settings.chroma_host is not None or not settings.chroma_dir.is_dir()
    if first_start and not adv.knowledge_indexed():
        bar = st.progress(0.0, text="Indexing the knowledge base (first start only)...")

        def tick(number: int, total: int, name: str) -> None:
            bar.progress(number / total, text=f"Indexing the knowledge base: {name}")

        adv.ensure_knowledge(tick)
        bar.empty()
    _warm_in_background(adv)
    st.session_state["_prepared"] = True


@st.cache_resource(show_spinner=False)
def _warm_in_background(_adv: Advisor) -> threading.Thread:
    """Load the models once per process, in the background: the first page is usable at
    once, and the first answer or assessment waits only for what is not loaded yet."""
    worker = threading.Thread(target=_adv.warm, name="advisor-warm", daemon=True)
    worker.start()
    return worker


def sign_in(adv: Advisor) -> str | None:
    """Who is using the app: an account, a stakeholder's interview link, or nobody in local
    single-user mode (``None``)."""
    settings = adv.settings
    token = st.query_params.get("invite")
    if token:
        return _link(adv, token)
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
    if not settings.accounts:
        _refuse_open_network()
        return None
    signed = st.session_state.get("_user")
    since = float(st.session_state.get("_since", 0))
    if signed and time.time() - since < settings.session_hours * 3600:
        return str(signed)
    if signed:
        sign_out()
        st.info("Your session expired. Sign in again.")
    st.title("Readiness Advisor")
    with st.form("sign-in"):
        name = st.text_input("Account name", key="login-name")
        password = st.text_input("Password", type="password", key="login-password")
        submitted = st.form_submit_button("Sign in", type="primary", key="login")
    if submitted:
        try:
            account = adv.sign_in(name, password, _client())
        except AdvisorError as exc:
            st.error(str(exc))
        else:
            st.session_state["_user"] = account
            st.session_state["_since"] = time.time()
            st.rerun()
    st.stop()


def sign_out() -> None:
    for key in ("_user", "_since", "_view", "_view_id"):
        st.session_state.pop(key, None)


def _link(adv: Advisor, token: str) -> str:
    """The stakeholder an interview link stands for; a dead link stops here, saying why."""
    try:
        return adv.redeem(token)
    except AdvisorError as exc:
        st.title("Readiness Advisor")
        st.error(str(exc))
        st.stop()
    raise AssertionError("unreachable")


def _client() -> str:
    """The client's address as the server saw it (behind a proxy, the proxy's)."""
    return str(getattr(st.context, "ip_address", None) or "unknown")


def _refuse_open_network() -> None:
    """Local single-user mode serves this computer only."""
    address = str(st.get_option("server.address") or "")
    if address not in LOOPBACK:
        st.title("Readiness Advisor")
        st.error(
            f"This app is listening on {address or 'every address'} with no sign-in, so "
            "anyone who can reach it would see every pilot. Either run it on this computer "
            "only (make run binds to 127.0.0.1), or switch on accounts: set "
            "ADVISOR_ACCOUNTS=true and create users with `advisor user add NAME` (or use "
            "OIDC: ADVISOR_APP_OIDC=true). See the README's deployment section."
        )
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
        try:
            view = adv.view(view_id, user)
        except AdvisorError:
            # Someone else's place: open a new one rather than show or rewrite theirs.
            view_id = secrets.token_hex(8)
            st.query_params["s"] = view_id
            view = {}
    st.session_state["_view_id"] = view_id
    return view_id, view


def commit(adv: Advisor, view: View, user: str | None) -> None:
    """Store the view now (before a rerun), so a refresh comes back to it."""
    if "_view_id" not in st.session_state:
        return  # a stakeholder's link: the link itself is the place
    if st.session_state.get("_view") != view:
        try:
            adv.save_view(st.session_state["_view_id"], view, user)
        except AdvisorError:
            return  # never rewrite another person's saved place
        st.session_state["_view"] = dict(view)


def rerun(adv: Advisor, view: View, user: str | None) -> None:
    commit(adv, view, user)
    st.rerun()


_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$:~=^])")
# After ":", "." and "@" inside a word, an invisible word joiner (U+2060): the renderer then
# finds no bare URL, domain or e-mail address to turn into a link.
_LINKABLE = re.compile(r"(?<=[:.@])(?=[^\s\\])")


def plain(text: object) -> str:
    """User text (names, answers, quotes, file names) for a Markdown element, shown as text:
    no headings, links (not even bare URLs), images, formulas or colour directives. Line
    breaks are kept. Only what is displayed changes; the stored text never does."""
    joined = _LINKABLE.sub("\u2060", str(text))
    escaped = _MARKUP.sub(r"\\\1", joined)
    return escaped.replace("\n", "  \n")


def guarded(action: str, call: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R | None:
    """Run an advisor call and return what it returns; on an advisor error, show the error in
    plain words instead of a traceback and return ``None``."""
    try:
        return call(*args, **kwargs)
    except AdvisorError as exc:
        st.error(f"Could not {action}: {exc}")
        return None


def pick(
    label: str,
    key: str,
    options: list[str],
    wanted: str,
    *,
    format_func: Callable[[str], str] = str,
    radio: bool = False,
) -> str:
    """A keyed radio or select box that never drops a click. The view (from the URL) sets it
    only when the view itself changed (a link, a refresh, a page that moved on); otherwise it
    shows the user's last click. Its identity never changes, so Streamlit keeps every click."""
    marker = f"_{key}-view"
    if st.session_state.get(key) not in options or st.session_state.get(marker) != wanted:
        st.session_state[key] = wanted
    if radio:
        chosen = str(st.radio(label, options, key=key, format_func=format_func))
    else:
        chosen = str(st.selectbox(label, options, key=key, format_func=format_func))
    st.session_state[marker] = chosen
    return chosen


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
    chosen = pick("Pilot", "nav-pilot", ids, current, format_func=labels.__getitem__)
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
